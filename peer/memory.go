package peer

import (
	"context"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// Default bounds of a MemoryStore.
const (
	DefaultMaxUsers = 100_000
	DefaultMaxChats = 20_000
)

// MemoryOptions configure a MemoryStore. The zero value gives the defaults.
type MemoryOptions struct {
	// MaxUsers bounds the number of users kept; the least recently used
	// go first. Zero or less means DefaultMaxUsers.
	MaxUsers int
	// MaxChats bounds the number of basic chats and channels kept, apart
	// from users: users are many and come and go, chats are few and costly
	// to lose. It bounds the invite links kept too. Zero or less means
	// DefaultMaxChats.
	MaxChats int
	// Now is the clock used to stamp records. Nil means time.Now.
	Now func() time.Time
}

// MemoryStore is a Store held in memory and bounded by two LRU lists, one
// for users and one for chats and channels. It indexes usernames (with the
// time each was last seen) and phone numbers, and keeps up to MaxChats
// invite links. It is an IndexedStore over an Index of maps, and safe for
// concurrent use.
//
// Records returned by a MemoryStore share their Usernames slice with the
// store: treat it as read-only.
type MemoryStore struct {
	*IndexedStore
	ix *memoryIndex
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore(opts MemoryOptions) *MemoryStore {
	if opts.MaxUsers <= 0 {
		opts.MaxUsers = DefaultMaxUsers
	}
	if opts.MaxChats <= 0 {
		opts.MaxChats = DefaultMaxChats
	}
	ix := &memoryIndex{
		usernames: make(map[string]Key),
		phones:    make(map[string]int64),
	}
	// NewLRU fails only for a size below one, excluded above.
	ix.users, _ = simplelru.NewLRU(opts.MaxUsers, func(_ int64, r *Stored) { ix.unindex(r) })
	ix.chats, _ = simplelru.NewLRU(opts.MaxChats, func(_ Key, r *Stored) { ix.unindex(r) })
	ix.invites, _ = simplelru.NewLRU[string, invite](opts.MaxChats, nil)
	return &MemoryStore{IndexedStore: NewIndexedStore(ix, opts.Now), ix: ix}
}

// Len returns the number of users and of chats and channels kept.
func (s *MemoryStore) Len() (users, chats int) {
	s.ix.mu.Lock()
	defer s.ix.mu.Unlock()
	return s.ix.users.Len(), s.ix.chats.Len()
}

// memoryIndex is the Index of a MemoryStore.
type memoryIndex struct {
	mu        sync.Mutex
	users     *simplelru.LRU[int64, *Stored]
	chats     *simplelru.LRU[Key, *Stored]
	usernames map[string]Key
	phones    map[string]int64
	invites   *simplelru.LRU[string, invite]
}

// invite is where an invite link leads, and when that was seen.
type invite struct {
	key  Key
	seen time.Time
}

// unindex drops the index entries of an evicted record. Called with mu held.
func (ix *memoryIndex) unindex(r *Stored) {
	for _, u := range r.Usernames {
		if ix.usernames[u] == r.Key {
			delete(ix.usernames, u)
		}
	}
	if r.Phone != "" && r.Key.Kind == KindUser && ix.phones[r.Phone] == r.Key.ID {
		delete(ix.phones, r.Phone)
	}
}

// get returns the stored record of key, marking it recently used.
func (ix *memoryIndex) get(key Key) (*Stored, bool) {
	if key.Kind == KindUser {
		return ix.users.Get(key.ID)
	}
	return ix.chats.Get(key)
}

// peek returns the stored record of key without marking it used.
func (ix *memoryIndex) peek(key Key) (*Stored, bool) {
	if key.Kind == KindUser {
		return ix.users.Peek(key.ID)
	}
	return ix.chats.Peek(key)
}

// Peer implements Index.
func (ix *memoryIndex) Peer(_ context.Context, key Key) (Record, bool, error) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if r, ok := ix.get(key); ok {
		return r.Record, true, nil
	}
	return Record{}, false, nil
}

// Username implements Index.
func (ix *memoryIndex) Username(_ context.Context, username string) (Record, time.Time, bool, error) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	key, ok := ix.usernames[username]
	if !ok {
		return Record{}, time.Time{}, false, nil
	}
	r, ok := ix.get(key)
	if !ok {
		// Its record was evicted in the batch that indexed it.
		delete(ix.usernames, username)
		return Record{}, time.Time{}, false, nil
	}
	return r.Record, r.UsernamesSeen, true, nil
}

// Phone implements Index.
func (ix *memoryIndex) Phone(_ context.Context, phone string) (Record, bool, error) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	id, ok := ix.phones[phone]
	if !ok {
		return Record{}, false, nil
	}
	r, ok := ix.users.Get(id)
	if !ok {
		delete(ix.phones, phone)
		return Record{}, false, nil
	}
	return r.Record, true, nil
}

// PutInvite implements Index.
func (ix *memoryIndex) PutInvite(_ context.Context, hash string, key Key, seen time.Time) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.invites.Add(hash, invite{key: key, seen: seen})
	return nil
}

// Invite implements Index.
func (ix *memoryIndex) Invite(_ context.Context, hash string) (Record, time.Time, bool, error) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	e, ok := ix.invites.Get(hash)
	if !ok {
		return Record{}, time.Time{}, false, nil
	}
	r, ok := ix.get(e.key)
	if !ok {
		return Record{}, time.Time{}, false, nil
	}
	return r.Record, e.seen, true, nil
}

// Update implements Index: fn runs with the store locked, and what it
// saves is applied at once.
func (ix *memoryIndex) Update(_ context.Context, fn func(IndexTx) error) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return fn(memoryTx{ix})
}

// memoryTx is the IndexTx of a memoryIndex, which holds its lock.
type memoryTx struct{ ix *memoryIndex }

// Load implements IndexTx.
func (tx memoryTx) Load(_ context.Context, q *IndexQuery, st *IndexState) error {
	ix := tx.ix
	seen := make(map[Key]bool, len(q.Keys))
	add := func(key Key) {
		if seen[key] {
			return
		}
		seen[key] = true
		if r, ok := ix.peek(key); ok {
			st.Records = append(st.Records, *r)
		}
	}
	for _, k := range q.Keys {
		add(k)
	}
	for _, p := range q.Phones {
		if id, ok := ix.phones[p]; ok {
			add(UserKey(id))
		}
	}
	for _, u := range q.Usernames {
		if key, ok := ix.usernames[u]; ok {
			st.Owners = append(st.Owners, Owner{Username: u, Key: key})
			add(key)
		}
	}
	return nil
}

// Save implements IndexTx.
func (tx memoryTx) Save(_ context.Context, c *IndexChanges) error {
	ix := tx.ix
	for _, ch := range c.Records {
		r := ch.Record
		k := r.Key
		if k.Kind == KindUser && ch.OldPhone != r.Phone {
			if ch.OldPhone != "" && ix.phones[ch.OldPhone] == k.ID {
				delete(ix.phones, ch.OldPhone)
			}
			if r.Phone != "" {
				ix.phones[r.Phone] = k.ID
			}
		}
		if k.Kind == KindUser {
			ix.users.Add(k.ID, &r)
		} else {
			ix.chats.Add(k, &r)
		}
	}
	for _, u := range c.Usernames {
		switch {
		case !u.New.IsZero():
			ix.usernames[u.Username] = u.New
		case ix.usernames[u.Username] == u.Old:
			delete(ix.usernames, u.Username)
		}
	}
	return nil
}
