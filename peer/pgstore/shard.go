package pgstore

import (
	"sync"
	"sync/atomic"

	"github.com/tgraw/tgraw/peer"
)

// shard is an independently locked part of a cache: a bounded table of
// entries that lookups read under a shared lock and never change, but for
// an entry's used bit. When the shard is full, the entry to drop is found
// by the CLOCK rule, an approximation of least recently used: a hand
// passes over the entries in turn, clearing the used bit of each used
// one, and drops the first unused one.
//
// Records and string entries have maps of their own, so that a record is
// found by a small key that holds no string.
type shard struct {
	mu        sync.RWMutex
	byKey     map[recKey]*centry
	byString  map[strKey]*centry
	clock     []*centry // every entry, in no order; the hand's circle
	hand      int
	size      int
	lastInval uint64
	inval     uint64
	hits      atomic.Uint64
	misses    atomic.Uint64
	_         [64]byte // keeps shards' locks on cache lines of their own
}

type recKey struct {
	account int32
	kind    peer.Kind
	id      int64
}

type strKey struct {
	account int32
	what    uint8
	s       string
}

// centry is a cache entry as held. Its value never changes; a new value
// of its key is a new centry.
type centry struct {
	cval
	// used is set by lookups and cleared by the hand.
	used atomic.Bool
	// dropped is set once the entry left the cache: removed, replaced or
	// evicted. Set with the shard locked for writing.
	dropped atomic.Bool
	// link is, in a string entry, the entry of the record it led to when
	// last looked up; it answers while that entry is not dropped.
	link atomic.Pointer[centry]
	k    ckey
	pos  int // in clock
}

// newEntry returns the entry that holds v. A record is copied next to the
// entry, in one allocation, so that a hit reads one place in memory; the
// entry keeps no pointer to v.rec.
func newEntry(k ckey, v cval) *centry {
	if v.rec == nil {
		return &centry{cval: cval{key: v.key, seen: v.seen}, k: k}
	}
	b := &struct {
		centry
		stored peer.Stored
	}{centry: centry{cval: cval{key: v.key, seen: v.seen}, k: k}, stored: *v.rec}
	b.rec = &b.stored
	return &b.centry
}

// touch marks e used, writing only when it was not.
func (e *centry) touch() {
	if !e.used.Load() {
		e.used.Store(true)
	}
}

func (s *shard) init(size int) {
	s.size = size
	s.byKey = make(map[recKey]*centry)
	s.byString = make(map[strKey]*centry)
}

// find returns the entry of k, or nil. Called with s.mu held.
func (s *shard) find(k *ckey) *centry {
	if k.what == cPeer {
		return s.byKey[recKey{k.account, k.kind, k.id}]
	}
	return s.byString[strKey{k.account, k.what, k.s}]
}

// put makes e the entry of its key in the maps. Called with s.mu locked
// for writing.
func (s *shard) put(e *centry) {
	if k := &e.k; k.what == cPeer {
		s.byKey[recKey{k.account, k.kind, k.id}] = e
	} else {
		s.byString[strKey{k.account, k.what, k.s}] = e
	}
}

// set adds or replaces the entry of k and returns it. Called with s.mu
// locked for writing.
func (s *shard) set(k ckey, v cval) *centry {
	e := newEntry(k, v)
	if old := s.find(&k); old != nil {
		old.dropped.Store(true)
		e.pos = old.pos
		s.clock[e.pos] = e
	} else {
		if len(s.clock) >= s.size {
			s.evict()
		}
		e.pos = len(s.clock)
		s.clock = append(s.clock, e)
	}
	s.put(e)
	return e
}

// evict drops the first unused entry from the hand on, clearing the used
// bits it passes. Called with s.mu locked for writing.
func (s *shard) evict() {
	for {
		if s.hand >= len(s.clock) {
			s.hand = 0
		}
		e := s.clock[s.hand]
		if !e.used.Load() {
			// The last entry takes e's place, where the hand looks next.
			s.drop(e)
			return
		}
		e.used.Store(false)
		s.hand++
	}
}

// remove drops the entry of k, if any. Called with s.mu locked for
// writing.
func (s *shard) remove(k *ckey) {
	if e := s.find(k); e != nil {
		s.drop(e)
	}
}

// drop takes e out of the maps and the clock. Called with s.mu locked for
// writing.
func (s *shard) drop(e *centry) {
	if k := &e.k; k.what == cPeer {
		delete(s.byKey, recKey{k.account, k.kind, k.id})
	} else {
		delete(s.byString, strKey{k.account, k.what, k.s})
	}
	last := len(s.clock) - 1
	s.clock[e.pos] = s.clock[last]
	s.clock[e.pos].pos = e.pos
	s.clock[last] = nil
	s.clock = s.clock[:last]
	e.dropped.Store(true)
}

// purge drops every entry. Called with s.mu locked for writing.
func (s *shard) purge() {
	for _, e := range s.clock {
		e.dropped.Store(true)
	}
	clear(s.clock)
	s.clock = s.clock[:0]
	clear(s.byKey)
	clear(s.byString)
	s.hand = 0
}
