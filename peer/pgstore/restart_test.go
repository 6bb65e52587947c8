package pgstore

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/tgraw/tgraw/peer"
)

// restartServer restarts the test server as after a crash (immediate
// shutdown, then recovery), through scripts/postgres.sh.
func restartServer(t *testing.T) {
	t.Helper()
	cmd := exec.Command("bash", "../../scripts/postgres.sh", "restart")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("restarting the server: %v\n%s", err, out)
	}
}

// restartBatch is batch i of writer w: 250 users of its own.
func restartBatch(w, i int) []peer.Record {
	recs := make([]peer.Record, 250)
	for j := range recs {
		id := int64(w)*10_000_000 + int64(i)*1000 + int64(j) + 1
		recs[j] = peer.Record{Key: peer.UserKey(id), AccessHash: id * 7, HasHash: true,
			Usernames: []string{fmt.Sprint("r", id)}, Title: fmt.Sprintf("writer %d batch %d", w, i)}
	}
	return recs
}

// The server is restarted (killed, then started again) while batches are
// in flight: one held in the middle of its transaction, waiting for the
// account's lock, and writers that never pause. Every batch reported
// committed is there afterwards, a batch in flight is there whole or not
// at all, and the store works again: writes, lookups, and the cache, which
// is off while its connection is down and on again, right, once it is
// back.
func TestServerRestartMidBatch(t *testing.T) {
	serverURL(t)
	if os.Getenv(envDir) == "" {
		if serverRequired() {
			t.Fatalf("%s is not set: where a server is required it is scripts/postgres.sh's, which this test restarts", envDir)
		}
		t.Skipf("the server is not one that scripts/postgres.sh started (%s is not set): this test restarts it", envDir)
	}
	ctx := context.Background()
	db := openDB(t, sharedDB(t).Schema())
	held := randomAccount(t, db)
	free := randomAccount(t, db)

	// Another connection holds the account's write lock: the held batch
	// begins its transaction and waits there.
	holder := rawConn(t)
	if _, err := holder.Exec(ctx, "begin"); err != nil {
		t.Fatal(err)
	}
	if _, err := holder.Exec(ctx, "SELECT pg_advisory_xact_lock($1, $2)", lockPeers, held.s.ix.account); err != nil {
		t.Fatal(err)
	}
	heldErr := make(chan error, 1)
	go func() { heldErr <- held.s.Put(ctx, restartBatch(0, 0)...) }()
	waitFor(t, "the held batch to wait for the lock", func() bool {
		var n int
		err := sharedDB(t).Pool().QueryRow(ctx, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = $1", held.s.ix.account).Scan(&n)
		return err == nil && n > 0
	})

	// Two writers that never pause, on another account.
	const writers = 2
	var (
		mu        sync.Mutex
		committed = map[int][]int{} // batches each writer was told are committed
		failed    = map[int][]int{}
		restarted = make(chan struct{})
		after     = map[int]int{} // batches committed after the restart
		wg        sync.WaitGroup
	)
	for w := 1; w <= writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			deadline := time.Now().Add(60 * time.Second)
			for i := 0; time.Now().Before(deadline); i++ {
				err := free.s.Put(ctx, restartBatch(w, i)...)
				mu.Lock()
				if err == nil {
					committed[w] = append(committed[w], i)
				} else {
					failed[w] = append(failed[w], i)
				}
				select {
				case <-restarted:
					if err == nil {
						after[w]++
					}
				default:
				}
				done := after[w] >= 5
				mu.Unlock()
				if done {
					return
				}
				if err != nil {
					time.Sleep(20 * time.Millisecond)
				}
			}
		}()
	}
	waitFor(t, "the writers to commit", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(committed[1]) >= 2 && len(committed[writers]) >= 2
	})
	restartServer(t)
	close(restarted)
	wg.Wait()
	err := <-heldErr
	t.Logf("the held batch: %v", err)
	mu.Lock()
	for w := 1; w <= writers; w++ {
		t.Logf("writer %d: %d batches reported committed, %d failed; %d committed after the restart", w, len(committed[w]), len(failed[w]), after[w])
		if after[w] < 5 {
			t.Errorf("writer %d committed %d batches after the restart; the store does not work again", w, after[w])
		}
	}
	mu.Unlock()

	// Read from the server, through a DB without a cache.
	check := openDB(t, db.Schema(), CacheSize(0))
	fs, err := check.Account(ctx, free.s.Account())
	if err != nil {
		t.Fatal(err)
	}
	for w, list := range committed {
		for _, i := range list {
			for _, r := range restartBatch(w, i) {
				got, found, err := fs.Peer(ctx, r.Key)
				if err != nil || !found || got.AccessHash != r.AccessHash || got.Title != r.Title {
					t.Fatalf("writer %d batch %d, reported committed: Peer(%v) = %+v %v %v", w, i, r.Key, got, found, err)
				}
			}
		}
	}
	// Batches that failed: each there whole or not at all.
	hs, err := check.Account(ctx, held.s.Account())
	if err != nil {
		t.Fatal(err)
	}
	wholeOrNothing := func(s *Store, what string, recs []peer.Record) {
		n := 0
		for _, r := range recs {
			if _, found, err := s.Peer(ctx, r.Key); err != nil {
				t.Fatal(err)
			} else if found {
				n++
			}
		}
		if n != 0 && n != len(recs) {
			t.Errorf("%s is partly stored: %d of %d peers", what, n, len(recs))
		}
	}
	wholeOrNothing(hs, "the held batch", restartBatch(0, 0))
	for w, list := range failed {
		for _, i := range list {
			wholeOrNothing(fs, fmt.Sprintf("writer %d batch %d", w, i), restartBatch(w, i))
		}
	}
	checkConsistent(t, fs)
	checkConsistent(t, hs)

	// The cache is on again, and right: a write of another process reaches it.
	waitFor(t, "the cache to listen again", func() bool { return db.CacheStats().Live })
	key := restartBatch(1, 0)[0].Key
	if _, found, err := free.s.Peer(ctx, key); !found || err != nil {
		t.Fatalf("Peer after the restart: %v %v", found, err)
	}
	if err := fs.Put(ctx, peer.Record{Key: key, AccessHash: -1, HasHash: true}); err != nil {
		t.Fatal(err)
	}
	if err := db.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if rec, _, err := free.s.Peer(ctx, key); err != nil || rec.AccessHash != -1 {
		t.Errorf("after the restart, another process's write did not reach the cache: hash %d, %v", rec.AccessHash, err)
	}
	if err := held.s.Put(ctx, restartBatch(0, 1)...); err != nil {
		t.Errorf("Put after the restart: %v", err)
	}
}

// waitFor polls cond until it holds, failing t after 30 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
