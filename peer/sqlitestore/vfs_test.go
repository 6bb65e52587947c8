package sqlitestore

import (
	"context"
	"fmt"
	"testing"

	"github.com/tgraw/tgraw/peer"
	"github.com/tgraw/tgraw/peer/storetest"
)

// The writer writes the log of a commit in as few calls as the platform
// VFS takes (walVFS), every peer committed is in the file for a store
// opened afterwards, and the file stays whole: with small and large
// transactions, and with a page cache small enough that a transaction
// writes pages to the log before its commit and rewrites them there.
func TestWALWrites(t *testing.T) {
	ctx := context.Background()
	many := func(n int) []peer.Record {
		var recs []peer.Record
		for base := int64(1_000_000); len(recs) < n; base += 250 {
			recs = append(recs, storetest.ResponsePeers(base)...)
		}
		return recs[:n]
	}
	for _, tc := range []struct {
		name      string
		opts      []Option
		cachePage int // the writer's page cache, in pages; 0: SQLite's default
		batch     []peer.Record
		// The fewest bytes the commit writes to the log, and the most
		// write calls per MiB written (at least 1).
		minBytes    int64
		callsPerMiB int64
	}{
		{name: "one peer", batch: many(1), minBytes: 2 * (frameHeader + 4096), callsPerMiB: 1},
		{name: "250 new peers", batch: many(250), minBytes: 20 * (frameHeader + 4096), callsPerMiB: 9},
		{name: "250 new peers, SyncFull", opts: []Option{SyncFull()}, batch: many(250), minBytes: 20 * (frameHeader + 4096), callsPerMiB: 9},
		{name: "20,000 new peers", batch: many(20_000), minBytes: 200 * (frameHeader + 4096), callsPerMiB: 9},
		// Pages spilt before the commit are read back from the log, each
		// read writing what is held first: no more calls than without
		// walVFS, two a frame.
		{name: "20,000 new peers, small cache", cachePage: 20, batch: many(20_000), minBytes: 200 * (frameHeader + 4096), callsPerMiB: 2 << 20 / (frameHeader + 4096)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := openTemp(t, tc.opts...)
			if tc.cachePage > 0 {
				if err := s.ix.wc.exec(ctx, fmt.Sprintf("PRAGMA cache_size = %d", tc.cachePage)); err != nil {
					t.Fatal(err)
				}
			}
			// A first batch: the log exists and the schema is read.
			if err := s.Put(ctx, storetest.ResponsePeers(1)...); err != nil {
				t.Fatal(err)
			}
			calls, bytes := walWrites.calls.Load(), walWrites.bytes.Load()
			if err := s.Put(ctx, tc.batch...); err != nil {
				t.Fatal(err)
			}
			calls, bytes = walWrites.calls.Load()-calls, walWrites.bytes.Load()-bytes
			t.Logf("%d bytes in %d write calls", bytes, calls)
			if bytes < tc.minBytes {
				t.Errorf("the commit wrote %d bytes to the log through walVFS; want at least %d", bytes, tc.minBytes)
			}
			if most := max(1, tc.callsPerMiB*bytes>>20); calls < 1 || calls > most {
				t.Errorf("the commit wrote %d bytes to the log in %d calls; want 1 to %d", bytes, calls, most)
			}

			// Another store on the file reads every peer, and the file is
			// whole.
			other := openAt(t, s.ix.path)
			for _, r := range tc.batch {
				got, ok, err := other.Peer(ctx, r.Key)
				if err != nil || !ok || got.Title != r.Title {
					t.Fatalf("Peer(%v) = %q, %v, %v; want %q", r.Key, got.Title, ok, err, r.Title)
				}
			}
			var check string
			if err := other.ix.r.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
				t.Errorf("integrity_check = %q, %v", check, err)
			}
		})
	}
}
