package pgstore

import (
	"hash/maphash"
	"sync/atomic"
	"time"

	"github.com/tgraw/tgraw/peer"
)

// cacheShards is the number of independently locked parts of a cache.
const cacheShards = 64

// cache keeps in memory what lookups found on the server, for all the
// accounts of a DB, so that a lookup met before takes no round trip.
//
// It stays right across processes: every committed write notifies the
// keys, usernames, phone numbers and invite links it changed (notify.go),
// and each DB drops those entries when the notification arrives. A lookup
// that read the server while an entry it read was being invalidated must
// not put the old answer in the cache after the invalidation: seq counts
// invalidations, every shard remembers the seq of its last one, and a
// lookup adds what it read only if its shard was not invalidated since the
// lookup began. While the connection that listens is down the cache is
// off (live is false) and every lookup reads the server; it starts again
// empty once the connection listens again.
//
// Lookups share a shard's lock and change nothing in it: a hit only marks
// its entry used, and the eviction passes over used entries once (CLOCK,
// shard.go). A username, phone number or invite link entry links to the
// record entry it led to, so that a hot one is answered with one lookup
// while that entry stays in the cache.
type cache struct {
	seed   maphash.Seed
	seq    atomic.Uint64
	live   atomic.Bool
	shards [cacheShards]shard
}

// What a cache entry is.
const (
	cPeer     uint8 = iota // a record, by key
	cUsername              // the owner of a username
	cPhone                 // the holder of a phone number
	cInvite                // where an invite link leads, and when that was seen
)

// ckey names a cache entry.
type ckey struct {
	account int32
	what    uint8
	kind    peer.Kind
	id      int64
	s       string
}

// cval is a cache entry's value: the record for cPeer, the key (and seen
// time for cInvite) otherwise. The cache holds a copy of the record, never
// changed.
type cval struct {
	rec  *peer.Stored
	key  peer.Key
	seen time.Time
}

func peerKey(account int32, k peer.Key) ckey {
	return ckey{account: account, what: cPeer, kind: k.Kind, id: k.ID}
}

func stringKey(account int32, what uint8, s string) ckey {
	return ckey{account: account, what: what, s: s}
}

func newCache(entries int) *cache {
	c := &cache{seed: maphash.MakeSeed()}
	per := max(1, (entries+cacheShards-1)/cacheShards)
	for i := range c.shards {
		c.shards[i].init(per)
	}
	return c
}

func (c *cache) shard(k *ckey) *shard { return &c.shards[c.shardIndex(k)] }

func (c *cache) shardIndex(k *ckey) int {
	h := uint64(k.id)*0x9e3779b97f4a7c15 ^ uint64(uint32(k.account))<<32 ^ uint64(k.what)<<8 ^ uint64(k.kind)
	if k.s != "" {
		h ^= maphash.String(c.seed, k.s)
	}
	h ^= h >> 31
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 29
	return int(h % cacheShards)
}

// begin starts a lookup or a write: it returns the mark that fill and
// own compare with, and whether the cache is on.
func (c *cache) begin() (start uint64, on bool) {
	if c == nil || !c.live.Load() {
		return 0, false
	}
	return c.seq.Load(), true
}

// get returns the entry of k.
func (c *cache) get(k ckey) (*centry, bool) {
	s := c.shard(&k)
	s.mu.RLock()
	e := s.find(&k)
	s.mu.RUnlock()
	if e == nil {
		s.misses.Add(1)
		return nil, false
	}
	s.hits.Add(1)
	e.touch()
	return e, true
}

// record returns the record that the string entry e of account leads
// to: the entry it links to while that is in the cache, else the entry of
// its key, which e links to from then on.
func (c *cache) record(account int32, e *centry) (*peer.Stored, bool) {
	r := e.link.Load()
	if r == nil || r.dropped.Load() {
		var ok bool
		if r, ok = c.get(peerKey(account, e.key)); !ok {
			return nil, false
		}
		e.link.Store(r)
	} else {
		r.touch()
	}
	return r.rec, true
}

// fill adds what a lookup begun at start read, unless the entry's shard
// was invalidated since, and returns the entry added, or nil.
func (c *cache) fill(start uint64, k ckey, v cval) *centry {
	s := c.shard(&k)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lastInval > start {
		return nil
	}
	return s.set(k, v)
}

// invalidate drops the entry of k: another process changed what it says.
func (c *cache) invalidate(k ckey) {
	v := c.seq.Add(1)
	s := c.shard(&k)
	s.mu.Lock()
	s.remove(&k)
	s.mark(v)
	s.inval++
	s.mu.Unlock()
}

// ownEntry is an entry a write of this process sets: v, or none when
// v.rec and v.key are zero (the write changed it in a way the cache does
// not follow).
type ownEntry struct {
	k ckey
	v cval
}

// own applies what a write of this process, begun at start, committed. An
// entry whose shard another write invalidated since start is dropped
// rather than set: that write may have committed after this one. Either
// way lookups that began before do not fill the entries with what they
// read.
func (c *cache) own(start uint64, entries []ownEntry) {
	mark := c.seq.Add(1)
	// Whether each shard was invalidated between start and this write's
	// first entry in it; later invalidations come after mark.
	var stale [cacheShards]uint8 // 0 not seen yet, 1 no, 2 yes
	for i := range entries {
		e := &entries[i]
		n := c.shardIndex(&e.k)
		s := &c.shards[n]
		s.mu.Lock()
		if stale[n] == 0 {
			stale[n] = 1
			if s.lastInval > start {
				stale[n] = 2
			}
		}
		if stale[n] == 2 || s.lastInval > mark || e.v.rec == nil && e.v.key.IsZero() {
			s.remove(&e.k)
		} else {
			s.set(e.k, e.v)
		}
		s.mark(mark)
		s.mu.Unlock()
	}
}

// mark records an invalidation at v. Called with s.mu held.
func (s *shard) mark(v uint64) { s.lastInval = max(s.lastInval, v) }

// reset empties the cache; lookups that began before do not fill it.
func (c *cache) reset() {
	v := c.seq.Add(1)
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		s.purge()
		s.mark(v)
		s.mu.Unlock()
	}
}

// down turns the cache off: notifications may be missed from now on.
func (c *cache) down() {
	c.live.Store(false)
	c.reset()
}

// up turns the cache on, empty: from now on every notification arrives.
func (c *cache) up() {
	c.reset()
	c.live.Store(true)
}

// CacheStats are counts of a DB's memory cache.
type CacheStats struct {
	// Live reports that the cache serves lookups: it is on and its
	// connection listens for other processes' writes.
	Live bool
	// Entries is the number of entries held.
	Entries int
	// Hits and Misses count lookups the cache answered and did not.
	Hits, Misses uint64
	// Invalidations counts entries dropped for other processes' writes.
	Invalidations uint64
}

func (c *cache) stats() CacheStats {
	var st CacheStats
	if c == nil {
		return st
	}
	st.Live = c.live.Load()
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.RLock()
		st.Entries += len(s.clock)
		st.Invalidations += s.inval
		s.mu.RUnlock()
		st.Hits += s.hits.Load()
		st.Misses += s.misses.Load()
	}
	return st
}
