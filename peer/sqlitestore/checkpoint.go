package sqlitestore

import (
	"sync"
	"sync/atomic"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// A checkpoint copies the pages of the log (the -wal file) into the
// database file, so that the log can start again from its beginning.
// SQLite runs one on the connection that commits, inside COMMIT, each time
// the log holds 1,000 pages or more (wal_autocheckpoint): the Put that
// commits then waits for every page written since the last checkpoint to
// be copied and for both files to be synced, about a quarter of the wall
// time of a batch of 250 new peers (BenchmarkPut250New).
//
// The writer instead hands its checkpoints to a checkpointer: a goroutine
// with a connection of its own, which runs them while Put goes on. Its
// checkpoints are PASSIVE: they wait for no reader or writer and block
// none, and copy what no reader still needs. A commit after which the
// log holds checkpointPages pages more than when the checkpointer was
// last woken wakes it; one that leaves backstopPages or more (the
// checkpointer fell behind, or failed, or readers held on to old pages)
// checkpoints on the writer as SQLite would, so the log never grows
// without bound. A checkpoint that
// fails loses nothing: the pages stay in the log, which readers and
// writers read them from, and the next checkpoint copies them. Closing the
// Store stops the checkpointer first; the writer, the file's last
// connection, then checkpoints the whole log and removes it, as before.
//
// While batches follow one another without a pause, the log starts again
// from its beginning only after a checkpoint on the writer, at
// backstopPages: a log of 8,000 pages of 4 KiB is 32 MiB. When it starts
// again, SQLite truncates the file to walSizeLimit (journal_size_limit),
// so a burst of writes does not leave a large -wal file behind it.
const (
	checkpointPages = 1000 // SQLite's wal_autocheckpoint
	backstopPages   = 8 * checkpointPages
	walSizeLimit    = 8 << 20 // bytes
)

// checkpointer runs the checkpoints of a Store's writer connection.
type checkpointer struct {
	c    *conn         // its own connection; only run uses it
	kick chan struct{} // a checkpoint is due; holds at most one
	done chan struct{} // closed when run returns
	id   uintptr       // the writer's log hook finds it by this
	// mark is the log's size in pages when the writer last woke the
	// checkpointer, and pages its size after the last commit; only the
	// writer's log hook writes them.
	mark, pages int32
	// checkpoint runs a checkpoint on the checkpointer's connection and
	// returns SQLite's result code (tests make it fail).
	checkpoint func(c *conn) int32

	runs   atomic.Int64 // checkpoints run by the checkpointer
	inline atomic.Int64 // checkpoints run on the writer (backstopPages)
	failed atomic.Int64 // checkpoints of the checkpointer that failed
}

// checkpointers are the checkpointers of open Stores, by id: the log hook
// gets an integer from C, not a Go pointer.
var checkpointers struct {
	mu   sync.Mutex
	next uintptr
	byID map[uintptr]*checkpointer
}

// startCheckpointer opens a connection to the file at the URI name with
// the given pragmas (the writer's synchronous setting: a checkpoint syncs
// as it says), starts the checkpointer on it, and hands it the writer's
// checkpoints. Each checkpoint is checkpoint's; nil is passiveCheckpoint.
func startCheckpointer(w *conn, name string, checkpoint func(c *conn) int32, pragmas ...string) (*checkpointer, error) {
	c, err := openConn(name, w.busyTimeout, pragmas...)
	if err != nil {
		return nil, err
	}
	if checkpoint == nil {
		checkpoint = passiveCheckpoint
	}
	k := &checkpointer{c: c, kick: make(chan struct{}, 1), done: make(chan struct{}), checkpoint: checkpoint}
	checkpointers.mu.Lock()
	if checkpointers.byID == nil {
		checkpointers.byID = map[uintptr]*checkpointer{}
	}
	checkpointers.next++
	k.id = checkpointers.next
	checkpointers.byID[k.id] = k
	checkpointers.mu.Unlock()
	go k.run()
	// Replaces SQLite's own hook, which checkpoints on the writer.
	sqlite3.Xsqlite3_wal_hook(w.tls, w.db, cfunc(walCommitted), k.id)
	return k, nil
}

// run checkpoints each time it is woken, until kick is closed.
func (k *checkpointer) run() {
	defer close(k.done)
	for range k.kick {
		k.runs.Add(1)
		if k.checkpoint(k.c) != sqlite3.SQLITE_OK {
			k.failed.Add(1)
		}
	}
}

// passiveCheckpoint copies what it can of the log without waiting for,
// or blocking, any other connection.
func passiveCheckpoint(c *conn) int32 {
	return sqlite3.Xsqlite3_wal_checkpoint_v2(c.tls, c.db, 0, sqlite3.SQLITE_CHECKPOINT_PASSIVE, 0, 0)
}

// walCommitted is the writer's log hook: SQLite calls it after each
// commit, with the number of pages in the log.
func walCommitted(tls *libc.TLS, id, db, zDb uintptr, pages int32) int32 {
	checkpointers.mu.Lock()
	k := checkpointers.byID[id]
	checkpointers.mu.Unlock()
	if k == nil {
		sqlite3.Xsqlite3_wal_checkpoint(tls, db, zDb)
		return sqlite3.SQLITE_OK
	}
	k.pages = pages
	if pages < k.mark {
		k.mark = 0 // the log started again from its beginning
	}
	switch {
	case pages >= backstopPages:
		// As SQLite's own hook: its result changes nothing of the
		// commit, which is done.
		sqlite3.Xsqlite3_wal_checkpoint(tls, db, zDb)
		k.inline.Add(1)
		k.mark = 0
	case pages-k.mark >= checkpointPages:
		// While writes follow one another, the log starts again only
		// after a checkpoint on the writer: the pages it copies since
		// its last are counted from the mark.
		k.mark = pages
		select {
		case k.kick <- struct{}{}:
		default: // one is due already
		}
	}
	return sqlite3.SQLITE_OK
}

// stop gives the writer w its checkpoints back, waits for a checkpoint
// under way, and closes the checkpointer's connection. The writer's lock
// is held.
func (k *checkpointer) stop(w *conn) error {
	if w.db != 0 {
		sqlite3.Xsqlite3_wal_autocheckpoint(w.tls, w.db, checkpointPages)
	}
	close(k.kick)
	<-k.done
	checkpointers.mu.Lock()
	delete(checkpointers.byID, k.id)
	checkpointers.mu.Unlock()
	return k.c.close()
}
