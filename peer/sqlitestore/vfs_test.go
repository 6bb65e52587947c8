package sqlitestore

import (
	"context"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"

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

// walPlatform is the platform log of TestWALWriteHolds: what reached it.
var walPlatform struct {
	writes []string // "offset+bytes"
	reads  int
}

func fakeWALWrite(tls *libc.TLS, pFile, pBuf uintptr, iAmt int32, iOfst int64) int32 {
	walPlatform.writes = append(walPlatform.writes, fmt.Sprintf("%d+%d", iOfst, iAmt))
	return sqlite3.SQLITE_OK
}

func fakeWALRead(tls *libc.TLS, pFile, pBuf uintptr, iAmt int32, iOfst int64) int32 {
	walPlatform.reads++
	return sqlite3.SQLITE_OK
}

// A log holds the writes of a commit that follow one another and writes
// them in one call when the commit's last page comes, before that write
// returns; it writes what it holds before a write elsewhere in the file,
// before a read, and in pieces when it would grow past walBufMax, and
// never holds a commit's last page, whatever came before it.
func TestWALWriteHolds(t *testing.T) {
	const page = 4096
	const frame = frameHeader + page
	at := func(i int) int64 { return 32 + int64(i)*frame }
	type op struct {
		read   bool
		off    int64
		n      int
		commit bool // a frame header holding the database's size
	}
	frames := func(from, to int, commitLast bool) []op {
		var ops []op
		for i := from; i < to; i++ {
			ops = append(ops, op{off: at(i), n: frameHeader, commit: commitLast && i == to-1}, op{off: at(i) + frameHeader, n: page})
		}
		return ops
	}
	big := walBufMax / frame // frames that fill the buffer
	for _, tc := range []struct {
		name string
		ops  []op
		want []string
	}{
		{
			name: "a commit",
			ops:  append([]op{{off: 0, n: 32}}, frames(0, 3, true)...),
			want: []string{fmt.Sprintf("0+%d", 32+3*frame)},
		},
		{
			name: "frames, then a read",
			ops:  append(frames(0, 2, false), op{read: true}),
			want: []string{fmt.Sprintf("%d+%d", at(0), 2*frame)},
		},
		{
			name: "frames, then a frame written again",
			ops:  append(frames(0, 2, false), frames(0, 1, true)...),
			want: []string{fmt.Sprintf("%d+%d", at(0), 2*frame), fmt.Sprintf("%d+%d", at(0), frame)},
		},
		{
			name: "a commit whose last page passes the buffer's limit",
			ops:  append(frames(0, big, false), frames(big, big+1, true)...),
			want: func() []string {
				// Everything up to the last page, in pieces of at most
				// writeMax, then that page.
				var w []string
				held := int64(big*frame + frameHeader)
				for off := int64(0); off < held; off += writeMax {
					w = append(w, fmt.Sprintf("%d+%d", at(0)+off, min(held-off, writeMax)))
				}
				return append(w, fmt.Sprintf("%d+%d", at(big)+frameHeader, page))
			}(),
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tls := libc.NewTLS()
			defer tls.Close()
			orig := sqlite3.Tsqlite3_io_methods{FxWrite: cfunc(fakeWALWrite), FxRead: cfunc(fakeWALRead)}
			const pFile = 1 // a key: the fakes never read it
			if _, err := registerWALVFS(tls); err != nil {
				t.Fatal(err)
			}
			f := &walFile{orig: &orig}
			walVFS.mu.Lock()
			trackWAL(pFile, f)
			walVFS.mu.Unlock()
			defer untrackWAL(pFile)
			defer libc.Xfree(tls, f.buf)
			walPlatform.writes, walPlatform.reads = nil, 0

			buf := libc.Xmalloc(tls, page)
			defer libc.Xfree(tls, buf)
			for i, o := range tc.ops {
				if o.read {
					if rc := walRead(tls, pFile, buf, page, 0); rc != sqlite3.SQLITE_OK {
						t.Fatalf("op %d: read: %d", i, rc)
					}
					continue
				}
				clear(cmem(buf, o.n))
				if o.commit {
					binary.BigEndian.PutUint32(cmem(buf+4, 4), 10)
				}
				if rc := walWrite(tls, pFile, buf, int32(o.n), o.off); rc != sqlite3.SQLITE_OK {
					t.Fatalf("op %d: write: %d", i, rc)
				}
				if i > 0 && tc.ops[i-1].commit && f.n != 0 {
					t.Fatalf("op %d: %d bytes held after the last page of a commit", i, f.n)
				}
			}
			if got := strings.Join(walPlatform.writes, " "); got != strings.Join(tc.want, " ") {
				t.Errorf("platform writes %s; want %s", got, strings.Join(tc.want, " "))
			}
		})
	}
}
