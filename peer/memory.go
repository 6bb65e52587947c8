package peer

import (
	"context"
	"slices"
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
// invite links. It is safe for concurrent use.
//
// Records returned by a MemoryStore share their Usernames slice with the
// store: treat it as read-only.
type MemoryStore struct {
	mu        sync.Mutex
	now       func() time.Time
	users     *simplelru.LRU[int64, *Record]
	chats     *simplelru.LRU[Key, *Record]
	usernames map[string]indexEntry
	phones    map[string]int64
	invites   *simplelru.LRU[string, indexEntry]
}

// indexEntry is where a username or invite link leads, and when that
// was seen.
type indexEntry struct {
	key  Key
	seen time.Time
}

var _ Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore(opts MemoryOptions) *MemoryStore {
	if opts.MaxUsers <= 0 {
		opts.MaxUsers = DefaultMaxUsers
	}
	if opts.MaxChats <= 0 {
		opts.MaxChats = DefaultMaxChats
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &MemoryStore{
		now:       opts.Now,
		usernames: make(map[string]indexEntry),
		phones:    make(map[string]int64),
	}
	// NewLRU fails only for a size below one, excluded above.
	s.users, _ = simplelru.NewLRU(opts.MaxUsers, func(_ int64, r *Record) { s.unindex(r) })
	s.chats, _ = simplelru.NewLRU(opts.MaxChats, func(_ Key, r *Record) { s.unindex(r) })
	s.invites, _ = simplelru.NewLRU[string, indexEntry](opts.MaxChats, nil)
	return s
}

// Len returns the number of users and of chats and channels kept.
func (s *MemoryStore) Len() (users, chats int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.users.Len(), s.chats.Len()
}

// unindex drops the index entries of an evicted record. Called with mu held.
func (s *MemoryStore) unindex(r *Record) {
	for _, u := range r.Usernames {
		if e, ok := s.usernames[u]; ok && e.key == r.Key {
			delete(s.usernames, u)
		}
	}
	if r.Phone != "" && r.Key.Kind == KindUser && s.phones[r.Phone] == r.Key.ID {
		delete(s.phones, r.Phone)
	}
}

// get returns the stored record of key, marking it recently used.
func (s *MemoryStore) get(key Key) (*Record, bool) {
	if key.Kind == KindUser {
		return s.users.Get(key.ID)
	}
	return s.chats.Get(key)
}

// peek returns the stored record of key without marking it used.
func (s *MemoryStore) peek(key Key) (*Record, bool) {
	if key.Kind == KindUser {
		return s.users.Peek(key.ID)
	}
	return s.chats.Peek(key)
}

func (s *MemoryStore) add(r *Record) {
	if r.Key.Kind == KindUser {
		s.users.Add(r.Key.ID, r)
	} else {
		s.chats.Add(r.Key, r)
	}
}

// Peer implements Store.
func (s *MemoryStore) Peer(_ context.Context, key Key) (Record, bool, error) {
	s.mu.Lock()
	r, ok := s.get(key)
	var rec Record
	if ok {
		rec = *r
	}
	s.mu.Unlock()
	return rec, ok, nil
}

// Username implements Store.
func (s *MemoryStore) Username(_ context.Context, username string) (Record, time.Time, bool, error) {
	username = NormalizeUsername(username)
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.usernames[username]
	if !ok {
		return Record{}, time.Time{}, false, nil
	}
	r, ok := s.get(e.key)
	if !ok {
		delete(s.usernames, username)
		return Record{}, time.Time{}, false, nil
	}
	return *r, e.seen, true, nil
}

// Phone implements Store.
func (s *MemoryStore) Phone(_ context.Context, phone string) (Record, bool, error) {
	phone = NormalizePhone(phone)
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.phones[phone]
	if !ok {
		return Record{}, false, nil
	}
	r, ok := s.users.Get(id)
	if !ok {
		delete(s.phones, phone)
		return Record{}, false, nil
	}
	return *r, true, nil
}

// Put implements Store. It returns an *IDError, and stores nothing, if a
// record's key is invalid.
func (s *MemoryStore) Put(_ context.Context, recs ...Record) error {
	for _, r := range recs {
		if err := r.Key.Validate(); err != nil {
			return err
		}
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, rec := range recs {
		if rec.UpdatedAt.IsZero() {
			rec.UpdatedAt = now
		}
		rec.Usernames = slices.Clone(normalizeUsernames(rec.Usernames))
		s.put(rec)
	}
	return nil
}

func (s *MemoryStore) put(rec Record) {
	var old Record
	p, found := s.peek(rec.Key)
	if found {
		old = *p
	}
	merged := Merge(old, found, rec)
	// Usernames the peer no longer has leave the index.
	for _, u := range old.Usernames {
		if !slices.Contains(merged.Usernames, u) {
			if e, ok := s.usernames[u]; ok && e.key == rec.Key {
				delete(s.usernames, u)
			}
		}
	}
	// Usernames seen now point here, and leave a previous owner.
	for _, u := range rec.Usernames {
		if e, ok := s.usernames[u]; ok && e.key != rec.Key {
			s.dropUsername(e.key, u)
		}
		s.usernames[u] = indexEntry{key: rec.Key, seen: rec.UpdatedAt}
	}
	if rec.Key.Kind == KindUser && merged.Phone != old.Phone {
		if old.Phone != "" && s.phones[old.Phone] == rec.Key.ID {
			delete(s.phones, old.Phone)
		}
		if merged.Phone != "" {
			if prev, ok := s.phones[merged.Phone]; ok && prev != rec.Key.ID {
				if o, ok := s.users.Peek(prev); ok {
					o.Phone = ""
				}
			}
			s.phones[merged.Phone] = rec.Key.ID
		}
	}
	if found {
		*p = merged
		s.add(p)
	} else {
		s.add(&merged)
	}
}

// dropUsername removes username from the record of key, if stored.
func (s *MemoryStore) dropUsername(key Key, username string) {
	r, ok := s.peek(key)
	if !ok {
		return
	}
	i := slices.Index(r.Usernames, username)
	if i < 0 {
		return
	}
	// Build a new slice: returned records may share the old one.
	r.Usernames = slices.Delete(slices.Clone(r.Usernames), i, i+1)
}

// ForgetUsername implements Store.
func (s *MemoryStore) ForgetUsername(_ context.Context, username string) error {
	username = NormalizeUsername(username)
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.usernames[username]; ok {
		delete(s.usernames, username)
		s.dropUsername(e.key, username)
	}
	return nil
}

// PutInvite implements Store.
func (s *MemoryStore) PutInvite(_ context.Context, hash string, key Key, seen time.Time) error {
	if err := CheckInviteHash(hash); err != nil {
		return err
	}
	if err := key.Validate(); err != nil {
		return err
	}
	if seen.IsZero() {
		seen = s.now()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.invites.Add(hash, indexEntry{key: key, seen: seen})
	return nil
}

// Invite implements Store.
func (s *MemoryStore) Invite(_ context.Context, hash string) (Record, time.Time, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.invites.Get(hash)
	if !ok {
		return Record{}, time.Time{}, false, nil
	}
	r, ok := s.get(e.key)
	if !ok {
		return Record{}, time.Time{}, false, nil
	}
	return *r, e.seen, true, nil
}
