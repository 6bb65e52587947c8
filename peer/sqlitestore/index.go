package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/tgraw/tgraw/peer"
)

// index is the peer.Index of a session file: its lookups, and its writes
// through one connection.
type index struct {
	path string
	r    *sql.DB // lookups

	wmu    sync.Mutex // serializes writes, and guards wc and mirror
	wc     *conn      // every write goes through it
	ck     *checkpointer
	mirror *mirror

	mu     sync.RWMutex // guards closed against close
	closed bool
}

var _ peer.Index = (*index)(nil)

const (
	selectPeer = `SELECT kind, id, phone, data FROM peers WHERE kind = ?1 AND id = ?2`

	selectUsername = `SELECT p.kind, p.id, p.phone, p.data
FROM usernames AS u JOIN peers AS p ON p.kind = u.kind AND p.id = u.id
WHERE u.username = ?1`

	// At most one user holds a number (Put takes it from the previous
	// holder); the order only makes the answer certain if a file says
	// otherwise. "+kind" keeps the planner on the phone index.
	selectPhone = `SELECT kind, id, phone, data FROM peers
WHERE phone = ?1 AND +kind = 1
ORDER BY data->>'updated' DESC, id LIMIT 1`

	selectInvite = `SELECT p.kind, p.id, p.phone, p.data, i.seen
FROM invites AS i JOIN peers AS p ON p.kind = i.kind AND p.id = i.id
WHERE i.hash = ?1`

	upsertInvite = `INSERT INTO invites (hash, kind, id, seen) VALUES (?1, ?2, ?3, ?4)
ON CONFLICT (hash) DO UPDATE SET kind = excluded.kind, id = excluded.id, seen = excluded.seen`
)

// Peer implements peer.Index.
func (ix *index) Peer(ctx context.Context, key peer.Key) (peer.Record, bool, error) {
	rec, _, found, err := ix.lookup(ctx, func() string { return "look up " + key.String() }, selectPeer, false, int64(key.Kind), key.ID)
	return rec, found, err
}

// Username implements peer.Index.
func (ix *index) Username(ctx context.Context, username string) (peer.Record, time.Time, bool, error) {
	return ix.lookup(ctx, func() string { return "look up username " + username }, selectUsername, false, username)
}

// Phone implements peer.Index.
func (ix *index) Phone(ctx context.Context, phone string) (peer.Record, bool, error) {
	if phone == "" {
		return peer.Record{}, false, ix.check()
	}
	rec, _, found, err := ix.lookup(ctx, func() string { return "look up phone " + phone }, selectPhone, false, phone)
	return rec, found, err
}

// Invite implements peer.Index.
func (ix *index) Invite(ctx context.Context, hash string) (peer.Record, time.Time, bool, error) {
	return ix.lookup(ctx, func() string { return "look up invite " + hash }, selectInvite, true, hash)
}

// PutInvite implements peer.Index.
func (ix *index) PutInvite(ctx context.Context, hash string, key peer.Key, seen time.Time) error {
	if err := ix.acquire(); err != nil {
		return err
	}
	defer ix.mu.RUnlock()
	return ix.write(ctx, func(t *tx) error {
		return t.c.exec(ctx, upsertInvite, hash, int64(key.Kind), key.ID, seen.UnixNano())
	})
}

// Update implements peer.Index: fn runs in one BEGIN IMMEDIATE
// transaction on the writer connection.
func (ix *index) Update(ctx context.Context, fn func(peer.IndexTx) error) error {
	if err := ix.acquire(); err != nil {
		return err
	}
	defer ix.mu.RUnlock()
	return ix.write(ctx, func(t *tx) error { return fn(t) })
}

// write runs fn in a write transaction (BEGIN IMMEDIATE) on the writer
// connection and commits it; ctx interrupts it until it commits.
// The transaction starts from the writer's mirror of the file, and the
// mirror learns what it read and wrote once it commits.
func (ix *index) write(ctx context.Context, fn func(t *tx) error) error {
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	c := ix.wc
	stop := c.watch(ctx)
	if err := c.begin(ctx); err != nil {
		stop()
		return err
	}
	t := newTx(c, ix.mirror)
	err := ix.mirror.sync(ctx, c)
	if err == nil {
		err = fn(t)
	}
	// A batch written whole is committed even if ctx ends meanwhile.
	stop()
	if err == nil {
		if err = c.exec(context.Background(), "COMMIT"); err != nil {
			// Whether the batch is in the file is not certain: neither
			// the mirror nor known can say what the file holds.
			ix.mirror.known.stale()
		}
	}
	if err != nil {
		// The transaction must not stay open on the connection; SQLite
		// may have rolled it back already, and then ROLLBACK fails
		// harmlessly.
		_ = c.exec(context.Background(), "ROLLBACK")
		ix.mirror.drop()
		return err
	}
	ix.mirror.update(t)
	return nil
}

// lookup runs query, which selects at most one peers row (kind, id, phone,
// data) and, if seenColumn, then the seen time of an index entry in Unix
// nanoseconds; op names the lookup in errors. It returns the row's record
// and the seen time: the column's, or else when the record's usernames
// were last seen.
func (ix *index) lookup(ctx context.Context, op func() string, query string, seenColumn bool, args ...any) (peer.Record, time.Time, bool, error) {
	if err := ix.acquire(); err != nil {
		return peer.Record{}, time.Time{}, false, err
	}
	defer ix.mu.RUnlock()
	var (
		r    row
		seen *int64
	)
	dest := r.dest()
	if seenColumn {
		seen = new(int64)
		dest = append(dest, seen)
	}
	err := ix.r.QueryRowContext(ctx, query, args...).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return peer.Record{}, time.Time{}, false, nil
	}
	if err != nil {
		return peer.Record{}, time.Time{}, false, ix.opError(op(), err)
	}
	s, err := r.stored()
	if err != nil {
		return peer.Record{}, time.Time{}, false, ix.opError(op(), err)
	}
	if seenColumn {
		return s.Record, time.Unix(0, *seen), true, nil
	}
	return s.Record, s.UsernamesSeen, true, nil
}

// acquire holds off close until the caller calls ix.mu.RUnlock, or
// returns ErrClosed.
func (ix *index) acquire() error {
	ix.mu.RLock()
	if ix.closed {
		ix.mu.RUnlock()
		return ErrClosed
	}
	return nil
}

// check returns ErrClosed if the store is closed.
func (ix *index) check() error {
	if err := ix.acquire(); err != nil {
		return err
	}
	ix.mu.RUnlock()
	return nil
}

func (ix *index) close() error {
	ix.mu.Lock()
	if ix.closed {
		ix.mu.Unlock()
		return nil
	}
	ix.closed = true
	ix.mu.Unlock()
	defer releaseHeap()
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	// The checkpointer's connection closes first, so that the writer's
	// is the file's last and checkpoints the whole log as it closes.
	return errors.Join(ix.ck.stop(ix.wc), ix.r.Close(), ix.wc.close())
}

// opError names the store and the operation in err, and says what to do
// about the errors that have a remedy.
func (ix *index) opError(op string, err error) error {
	if errors.Is(err, ErrClosed) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("sqlitestore: %s: %w", op, err)
	}
	if code, ok := sqliteCode(err); ok {
		switch code & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return fmt.Errorf("sqlitestore: %s in %s: another Store or process held the file locked for longer than the busy timeout; retry, or raise the timeout with BusyTimeout: %w", op, ix.path, err)
		case sqlite3.SQLITE_FULL:
			return fmt.Errorf("sqlitestore: %s in %s: the disk is full; free some space and retry: %w", op, ix.path, err)
		case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
			return fmt.Errorf("sqlitestore: %s in %s: the file is damaged; move it aside and start a new session file: %w", op, ix.path, err)
		case sqlite3.SQLITE_READONLY:
			return fmt.Errorf("sqlitestore: %s in %s: the file has become read-only; the store needs to write to it and to its -wal and -shm files: %w", op, ix.path, err)
		}
	}
	return fmt.Errorf("sqlitestore: %s in %s: %w", op, ix.path, err)
}

// sqliteCode returns SQLite's result code of err: modernc.org/sqlite's
// (lookups, opening) or the writer connection's.
func sqliteCode(err error) (int, bool) {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code(), true
	}
	var ce *sqliteError
	if errors.As(err, &ce) {
		return ce.Code(), true
	}
	return 0, false
}

// damagedRow says what to do about a row this package cannot read.
const damagedRow = "delete the row, or move the file aside and start a new session file"

// row is a peers row as scanned.
type row struct {
	kind, id int64
	phone    sql.NullString
	data     string
}

// dest returns the scan destinations of kind, id, phone and data.
func (r *row) dest() []any { return []any{&r.kind, &r.id, &r.phone, &r.data} }

// stored converts a row to the record it holds.
func (r *row) stored() (peer.Stored, error) {
	if r.kind < 0 || r.kind > math.MaxUint8 {
		return peer.Stored{}, fmt.Errorf("damaged peers row (kind %d, id %d): kind out of range; %s", r.kind, r.id, damagedRow)
	}
	s := peer.Stored{Record: peer.Record{Key: peer.Key{Kind: peer.Kind(r.kind), ID: r.id}, Phone: r.phone.String}}
	if err := decodeData(r.data, &s); err != nil {
		return peer.Stored{}, fmt.Errorf("damaged peers row (kind %d, id %d): %w; %s", r.kind, r.id, err, damagedRow)
	}
	return s, nil
}
