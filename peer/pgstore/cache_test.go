package pgstore

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tgraw/tgraw/peer"
)

// These tests need no server: they drive the cache as lookups, writes and
// notifications would, in the orders that matter.

func liveCache() *cache {
	c := newCache(1000)
	c.up()
	return c
}

func rec(id, hash int64) cval {
	return cval{rec: &peer.Stored{Record: peer.Record{Key: peer.UserKey(id), AccessHash: hash, HasHash: true}}}
}

func cachedHash(c *cache, id int64) (int64, bool) {
	v, ok := c.get(peerKey(1, peer.UserKey(id)))
	if !ok {
		return 0, false
	}
	return v.rec.AccessHash, true
}

func TestCacheOrders(t *testing.T) {
	k := peerKey(1, peer.UserKey(5))
	for _, tc := range []struct {
		name  string
		steps func(c *cache)
		want  int64 // 0: not cached
	}{
		{"fill", func(c *cache) {
			s, _ := c.begin()
			c.fill(s, k, rec(5, 1))
		}, 1},
		{"an invalidation during the lookup keeps the old answer out", func(c *cache) {
			s, _ := c.begin()
			c.invalidate(k) // another process committed after the read
			c.fill(s, k, rec(5, 1))
		}, 0},
		{"an invalidation before the lookup does not", func(c *cache) {
			c.invalidate(k)
			s, _ := c.begin()
			c.fill(s, k, rec(5, 2))
		}, 2},
		{"an invalidation after the fill drops it", func(c *cache) {
			s, _ := c.begin()
			c.fill(s, k, rec(5, 1))
			c.invalidate(k)
		}, 0},
		{"an own write sets the entry", func(c *cache) {
			s, _ := c.begin()
			c.own(s, []ownEntry{{k, rec(5, 3)}})
		}, 3},
		{"an own write keeps a lookup begun before from filling", func(c *cache) {
			l, _ := c.begin()
			w, _ := c.begin()
			c.own(w, []ownEntry{{k, rec(5, 3)}})
			c.fill(l, k, rec(5, 1))
		}, 3},
		{"an own write that another process's overtook is dropped", func(c *cache) {
			w, _ := c.begin()
			c.invalidate(k)
			c.own(w, []ownEntry{{k, rec(5, 3)}})
		}, 0},
		{"of two own writes, the later one stays", func(c *cache) {
			a, _ := c.begin()
			c.own(a, []ownEntry{{k, rec(5, 3)}})
			b, _ := c.begin()
			c.own(b, []ownEntry{{k, rec(5, 4)}})
		}, 4},
		{"of two own writes applied out of order, neither stays", func(c *cache) {
			a, _ := c.begin()
			b, _ := c.begin()
			c.own(b, []ownEntry{{k, rec(5, 4)}})
			c.own(a, []ownEntry{{k, rec(5, 3)}})
		}, 0},
		{"going down empties and refuses fills", func(c *cache) {
			s, _ := c.begin()
			c.fill(s, k, rec(5, 1))
			s, _ = c.begin()
			c.down()
			c.fill(s, k, rec(5, 1))
			c.up()
		}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := liveCache()
			tc.steps(c)
			got, ok := cachedHash(c, 5)
			if tc.want == 0 && ok {
				t.Errorf("cached hash %d; want none", got)
			}
			if tc.want != 0 && (!ok || got != tc.want) {
				t.Errorf("cached hash %d (%v); want %d", got, ok, tc.want)
			}
		})
	}
}

// Every entry of one large write lands, however many share a shard.
func TestCacheOwnBatch(t *testing.T) {
	c := liveCache()
	var entries []ownEntry
	for id := int64(1); id <= 500; id++ {
		entries = append(entries, ownEntry{peerKey(1, peer.UserKey(id)), rec(id, id)})
	}
	s, _ := c.begin()
	c.own(s, entries)
	for id := int64(1); id <= 500; id++ {
		if h, ok := cachedHash(c, id); !ok || h != id {
			t.Fatalf("entry %d of one write: %d %v", id, h, ok)
		}
	}
}

// A username entry answers with the record entry it links to while that
// entry is in the cache, and never after: whatever drops or replaces the
// record's entry reaches the username lookups.
func TestCacheLinks(t *testing.T) {
	k, name := peerKey(1, peer.UserKey(5)), stringKey(1, cUsername, "alice")
	for _, tc := range []struct {
		name  string
		steps func(c *cache)
		want  int64 // 0: not answered from the cache
	}{
		{"linked", func(*cache) {}, 1},
		{"the record invalidated", func(c *cache) { c.invalidate(k) }, 0},
		{"the username invalidated", func(c *cache) { c.invalidate(name) }, 0},
		{"the record replaced by an own write", func(c *cache) {
			s, _ := c.begin()
			c.own(s, []ownEntry{{k, rec(5, 2)}})
		}, 2},
		{"the record invalidated, then read again", func(c *cache) {
			c.invalidate(k)
			s, _ := c.begin()
			c.fill(s, k, rec(5, 3))
		}, 3},
		{"the cache emptied", func(c *cache) { c.reset() }, 0},
		{"the record evicted", func(c *cache) {
			s, _ := c.begin()
			sh := c.shard(&k)
			for id := int64(6); sh.find(&k) != nil; id++ {
				if ck := peerKey(1, peer.UserKey(id)); c.shard(&ck) == sh {
					c.fill(s, ck, rec(id, id))
				}
			}
		}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := liveCache()
			s, _ := c.begin()
			r := c.fill(s, k, rec(5, 1))
			c.fill(s, name, cval{key: peer.UserKey(5)}).link.Store(r)
			tc.steps(c)
			var got int64
			if e, ok := c.get(name); ok {
				if r, ok := c.record(1, e); ok {
					got = r.AccessHash
				}
			}
			if got != tc.want {
				t.Errorf("username answered with hash %d; want %d", got, tc.want)
			}
		})
	}
}

// The eviction drops an entry not used since the hand last passed, and
// keeps the shard's maps and clock in step.
func TestCacheClock(t *testing.T) {
	c := newCache(cacheShards * 4)
	c.up()
	sh := &c.shards[0]
	var keys []ckey
	for id := int64(1); len(keys) < 40; id++ {
		if k := peerKey(1, peer.UserKey(id)); c.shard(&k) == sh {
			keys = append(keys, k)
		}
	}
	s, _ := c.begin()
	hot := keys[0]
	for _, k := range keys {
		c.fill(s, k, rec(k.id, k.id))
		c.get(hot)
		if _, ok := c.get(hot); !ok {
			t.Fatalf("the entry used before every fill was evicted at %d", k.id)
		}
		if len(sh.clock) > sh.size || len(sh.clock) != len(sh.byKey)+len(sh.byString) {
			t.Fatalf("%d entries in the clock, %d in the maps; size %d", len(sh.clock), len(sh.byKey)+len(sh.byString), sh.size)
		}
		for i, e := range sh.clock {
			if e.pos != i || sh.find(&e.k) != e || e.dropped.Load() {
				t.Fatalf("clock entry %d (key %d) is out of step", i, e.k.id)
			}
		}
	}
	if _, ok := c.get(keys[len(keys)-2]); !ok {
		t.Error("the entry filled before the last is gone")
	}
}

func TestCacheOff(t *testing.T) {
	c := newCache(10)
	if _, on := c.begin(); on {
		t.Error("a cache that never listened is on")
	}
	var nilCache *cache
	if _, on := nilCache.begin(); on {
		t.Error("a nil cache is on")
	}
	if st := nilCache.stats(); st != (CacheStats{}) {
		t.Errorf("stats of a nil cache: %+v", st)
	}
}

func TestCacheBounded(t *testing.T) {
	c := newCache(cacheShards * 2)
	s, _ := c.begin()
	for id := int64(1); id <= 10_000; id++ {
		c.fill(s, peerKey(1, peer.UserKey(id)), rec(id, id))
	}
	if n := c.stats().Entries; n > cacheShards*2 {
		t.Errorf("%d entries; want at most %d", n, cacheShards*2)
	}
}

func TestPayloads(t *testing.T) {
	ch := changes{account: 42}
	for i := range 900 {
		ch.keys = append(ch.keys, peer.Key{Kind: peer.Kind(1 + i%3), ID: int64(i) * 1_000_000_007})
		ch.names = append(ch.names, fmt.Sprintf("name_%d", i))
		ch.phones = append(ch.phones, fmt.Sprint(15550000000+i))
	}
	ch.names = append(ch.names, "odd \"name\"\n\\ é", "\xff")
	ch.invites = []string{"AbCd-_", "x"}
	ps := ch.payloads("origin")
	if len(ps) < 4 {
		t.Errorf("%d payloads for %d items; want them split", len(ps), 2*900+4)
	}
	var got changes
	got.account = 42
	for _, p := range ps {
		if len(p) > maxPayload {
			t.Errorf("payload of %d bytes; PostgreSQL takes less than 8000", len(p))
		}
		if strings.ContainsRune(p, 0) {
			t.Error("a payload has a NUL byte")
		}
		n, err := parsePayload(p)
		if err != nil {
			t.Fatal(err)
		}
		if n.origin != "origin" || n.account != 42 {
			t.Fatalf("payload from %q, account %d", n.origin, n.account)
		}
		got.keys = append(got.keys, n.keys...)
		got.names = append(got.names, n.names...)
		got.phones = append(got.phones, n.phones...)
		got.invites = append(got.invites, n.invites...)
	}
	if diff := cmp.Diff(ch, got, cmp.AllowUnexported(changes{}), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("payloads do not read back (-want +got):\n%s", diff)
	}
	if n, err := parsePayload(syncPayload("o", 7)); err != nil || n.sync != 7 || n.origin != "o" {
		t.Errorf("sync payload: %+v %v", n, err)
	}
	if n, err := parsePayload(dropPayload("o")); err != nil || !n.drop {
		t.Errorf("drop payload: %+v %v", n, err)
	}
	for _, bad := range []string{"", "o", "o x", "o 1\nk 1", "o 1\nk x 2", "o 1\nu noquote", "o 1\nz 1", "o sync 0", "o sync x", "a b c d"} {
		if _, err := parsePayload(bad); err == nil {
			t.Errorf("parsePayload(%q) passed", bad)
		}
	}
}

// A notification this package cannot read empties the cache.
func TestUnreadableNotification(t *testing.T) {
	db := &DB{cache: liveCache(), logger: discardLogger()}
	l := &listener{db: db, waiters: map[uint64]chan struct{}{}}
	s, _ := db.cache.begin()
	db.cache.fill(s, peerKey(1, peer.UserKey(5)), rec(5, 1))
	l.HandleNotification(t.Context(), notification("garbage"), nil)
	if _, ok := cachedHash(db.cache, 5); ok {
		t.Error("the cache kept an entry after an unreadable notification")
	}
}

// FuzzParsePayload checks that no payload makes the listener panic.
func FuzzParsePayload(f *testing.F) {
	ch := changes{account: 1, keys: []peer.Key{peer.UserKey(5)}, names: []string{"a"}, phones: []string{"1"}, invites: []string{"h"}}
	for _, p := range ch.payloads("o") {
		f.Add(p)
	}
	f.Add(syncPayload("o", 1))
	f.Add(dropPayload("o"))
	f.Fuzz(func(t *testing.T, p string) {
		n, err := parsePayload(p)
		if err != nil {
			return
		}
		db := &DB{cache: liveCache(), logger: discardLogger(), origin: "self"}
		l := &listener{db: db, waiters: map[uint64]chan struct{}{}}
		l.apply(&n)
	})
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func notification(payload string) *pgconn.Notification {
	return &pgconn.Notification{PID: 1, Channel: "tgraw", Payload: payload}
}
