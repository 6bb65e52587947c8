package sqlitestore

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	sqlite3 "modernc.org/sqlite/lib"

	"github.com/tgraw/tgraw/peer/storetest"
)

// The checkpointer copies the log while batches follow one another, about
// once per checkpointPages pages logged; the log stays below backstopPages
// and one batch whether or not its checkpoints succeed; the writer does not
// take the checkpointer's work for another connection's commit; and no
// peer is lost.
func TestCheckpointer(t *testing.T) {
	for _, tc := range []struct {
		name string
		fail bool // every checkpoint of the checkpointer fails
	}{
		{"Passive", false},
		{"Failing", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "test.session")
			var opts []Option
			if tc.fail {
				opts = append(opts, func(o *options) {
					o.checkpoint = func(*conn) int32 { return sqlite3.SQLITE_IOERR_WRITE }
				})
			}
			s, err := Open(ctx, path, opts...)
			if err != nil {
				t.Fatal(err)
			}
			const batches = 300
			k := s.ix.ck
			var logged, step, most int32 // pages: written to the log, most of one commit, most in the log
			for i := range int64(batches) {
				before := k.pages
				if err := s.Put(ctx, storetest.ResponsePeers(1+i*250)...); err != nil {
					t.Fatal(err)
				}
				grew := k.pages - before
				if k.pages < before { // the log started again
					grew = k.pages
				}
				logged += grew
				step, most = max(step, grew), max(most, k.pages)
			}
			// The checkpointer's last run may still be under way.
			runs, inline, failed := k.runs.Load(), k.inline.Load(), k.failed.Load()
			t.Logf("%d pages logged, at most %d a commit and %d in the log; %d checkpoints by the checkpointer (%d failed), %d on the writer",
				logged, step, most, runs, failed, inline)
			if most >= backstopPages+step {
				t.Errorf("the log grew to %d pages; want fewer than %d + %d", most, backstopPages, step)
			}
			if max := int64(logged/checkpointPages) + 1; runs < 1 || runs > max {
				t.Errorf("the checkpointer ran %d times for %d pages logged; want 1 to %d", runs, logged, max)
			}
			if tc.fail {
				if failed < runs-1 || inline < 1 {
					t.Errorf("failing checkpointer: %d of %d runs failed, %d checkpoints on the writer; want every run failed and at least one on the writer", failed, runs, inline)
				}
			} else if failed != 0 || inline > runs/2 {
				t.Errorf("%d of %d checkpoints failed, %d ran on the writer; want none failed and most by the checkpointer", failed, runs, inline)
			}
			// After the log started again, its file was cut back to
			// walSizeLimit, then grew by what was logged since.
			if fi, err := os.Stat(path + "-wal"); err != nil {
				t.Error(err)
			} else if want := max(walSizeLimit, 32+int64(k.pages)*(frameHeader+4096)); most >= backstopPages && fi.Size() > want {
				t.Errorf("the log's file is %d bytes with %d pages in it; want at most %d", fi.Size(), k.pages, want)
			}
			if !s.ix.mirror.known.ok {
				t.Error("the writer took a checkpoint for another connection's commit: its known set went stale")
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(path + "-wal"); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("after Close, the log is still there (%v)", err)
			}
			r := rawDB(t, path)
			var n int
			var check string
			if err := r.QueryRow(`SELECT count(*) FROM peers`).Scan(&n); err != nil || n != batches*250 {
				t.Errorf("the file holds %d peers (%v); want %d", n, err, batches*250)
			}
			if err := r.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
				t.Errorf("integrity_check = %q, %v", check, err)
			}
		})
	}
}
