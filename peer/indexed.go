package peer

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// IndexedStore is a Store that keeps the rules of Store over an Index,
// which supplies the storage: MemoryStore and package peer/sqlitestore are
// IndexedStores, and so is any engine that implements Index. It is safe
// for concurrent use if its Index is.
type IndexedStore struct {
	ix  Index
	now func() time.Time
}

var _ Store = (*IndexedStore)(nil)

// NewIndexedStore returns the Store over ix. now stamps records and
// invite links put without a time; nil means time.Now.
func NewIndexedStore(ix Index, now func() time.Time) *IndexedStore {
	if now == nil {
		now = time.Now
	}
	return &IndexedStore{ix: ix, now: now}
}

// Peer implements Store.
func (s *IndexedStore) Peer(ctx context.Context, key Key) (Record, bool, error) {
	return s.ix.Peer(ctx, key)
}

// Username implements Store. The username is compared in the form
// NormalizeUsername gives.
func (s *IndexedStore) Username(ctx context.Context, username string) (Record, time.Time, bool, error) {
	return s.ix.Username(ctx, NormalizeUsername(username))
}

// Phone implements Store. Only the digits of phone count.
func (s *IndexedStore) Phone(ctx context.Context, phone string) (Record, bool, error) {
	return s.ix.Phone(ctx, NormalizePhone(phone))
}

// Invite implements Store.
func (s *IndexedStore) Invite(ctx context.Context, hash string) (Record, time.Time, bool, error) {
	return s.ix.Invite(ctx, hash)
}

// PutInvite implements Store: it checks the hash and the key, and stamps
// a zero seen time with the current time.
func (s *IndexedStore) PutInvite(ctx context.Context, hash string, key Key, seen time.Time) error {
	if err := CheckInviteHash(hash); err != nil {
		return err
	}
	if err := key.Validate(); err != nil {
		return err
	}
	if seen.IsZero() {
		seen = s.now()
	}
	return s.ix.PutInvite(ctx, hash, key, seen)
}

// Put implements Store. It returns an error wrapping an *IDError, and
// stores nothing, if a record's key is invalid; otherwise it applies the
// batch in one Update of the index.
func (s *IndexedStore) Put(ctx context.Context, recs ...Record) error {
	if len(recs) == 0 {
		return nil
	}
	now := s.now()
	b := make([]Record, len(recs))
	names := 0
	for i, r := range recs {
		if err := r.Key.Validate(); err != nil {
			return fmt.Errorf("peer: put: record %d of %d: %w", i+1, len(recs), err)
		}
		if r.UpdatedAt.IsZero() {
			r.UpdatedAt = now
		}
		// Merged into nothing, a record takes the form a store keeps.
		b[i] = Merge(Record{}, false, r)
		names += len(b[i].Usernames)
	}
	// The index may keep the usernames, and the caller may reuse its
	// slices: the batch's are copied, into one array.
	all := make([]string, 0, names)
	for i := range b {
		if u := b[i].Usernames; u != nil {
			all = append(all, u...)
			b[i].Usernames = all[len(all)-len(u) : len(all) : len(all)]
		}
	}
	return s.ix.Update(ctx, func(tx IndexTx) error {
		w := newBatch(len(b), names)
		if err := w.load(ctx, tx, w.query(b)); err != nil {
			return err
		}
		for _, r := range b {
			w.put(r)
		}
		return tx.Save(ctx, w.changes())
	})
}

// ForgetUsername implements Store: the username leaves the index and the
// record that lists it; the record itself stays.
func (s *IndexedStore) ForgetUsername(ctx context.Context, username string) error {
	username = NormalizeUsername(username)
	return s.ix.Update(ctx, func(tx IndexTx) error {
		w := newBatch(1, 1)
		if err := w.load(ctx, tx, &IndexQuery{Usernames: []string{username}}); err != nil {
			return err
		}
		w.forget(username)
		return tx.Save(ctx, w.changes())
	})
}

// batch is what one write of an IndexedStore touches: loaded, changed in
// memory record by record by the rules of Store, then saved.
type batch struct {
	peers   map[Key]int // index in entries
	entries []batchPeer // as loaded or added: changes in a stable order
	names   map[string]int
	nentry  []batchName
	phones  map[string][]Key // users holding each phone number, among peers
}

type batchPeer struct {
	cur      Stored
	loaded   bool   // Load found the record
	oldPhone string // its phone number then
	found    bool   // cur holds a record: loaded, or put earlier in the batch
	dirty    bool
}

// batchName is a username index entry: the peer it named when loaded and
// the peer it names now, zero for none.
type batchName struct {
	name     string
	old, cur Key
}

// newBatch returns a batch sized for about peers records and names
// usernames.
func newBatch(peers, names int) *batch {
	return &batch{
		peers:   make(map[Key]int, peers),
		entries: make([]batchPeer, 0, peers),
		names:   make(map[string]int, names),
		nentry:  make([]batchName, 0, names),
		phones:  make(map[string][]Key),
	}
}

// query lists what putting recs touches: their keys, their usernames and
// the phone numbers of their users.
func (w *batch) query(recs []Record) *IndexQuery {
	q := &IndexQuery{Keys: make([]Key, 0, len(recs)), Usernames: make([]string, 0, cap(w.nentry))}
	// The batch's maps serve to drop duplicates; load fills them anew.
	for _, r := range recs {
		if _, dup := w.peers[r.Key]; !dup {
			w.peers[r.Key] = -1
			q.Keys = append(q.Keys, r.Key)
		}
		if p := r.Phone; p != "" && r.Key.Kind == KindUser {
			if _, dup := w.phones[p]; !dup {
				w.phones[p] = nil
				q.Phones = append(q.Phones, p)
			}
		}
		for _, u := range r.Usernames {
			if _, dup := w.names[u]; !dup {
				w.names[u] = -1
				q.Usernames = append(q.Usernames, u)
			}
		}
	}
	clear(w.peers)
	clear(w.names)
	return q
}

// load reads what q touches. The index entries of the usernames asked are
// as Load found them; those of the other usernames of the records loaded
// follow from the invariant (the entry names the record that lists it).
func (w *batch) load(ctx context.Context, tx IndexTx, q *IndexQuery) error {
	st := IndexState{Records: make([]Stored, 0, len(q.Keys))}
	if err := tx.Load(ctx, q, &st); err != nil {
		return err
	}
	for _, u := range q.Usernames {
		w.setName(u, Key{})
	}
	for _, o := range st.Owners {
		if i, ok := w.names[o.Username]; ok {
			w.nentry[i].old, w.nentry[i].cur = o.Key, o.Key
		}
	}
	for _, p := range q.Phones {
		w.phones[p] = nil
	}
	for _, s := range st.Records {
		if _, dup := w.peers[s.Key]; dup {
			continue
		}
		if len(s.Usernames) == 0 {
			s.UsernamesSeen = time.Time{}
		}
		w.add(batchPeer{cur: s, loaded: true, oldPhone: s.Phone, found: true})
		for _, u := range s.Usernames {
			if _, ok := w.names[u]; !ok {
				w.setName(u, s.Key)
			}
		}
	}
	return nil
}

// setName adds the index entry of u, naming owner, and returns it.
func (w *batch) setName(u string, owner Key) *batchName {
	w.names[u] = len(w.nentry)
	w.nentry = append(w.nentry, batchName{name: u, old: owner, cur: owner})
	return &w.nentry[len(w.nentry)-1]
}

// add adds a loaded or new record and returns it.
func (w *batch) add(e batchPeer) *batchPeer {
	w.peers[e.cur.Key] = len(w.entries)
	w.entries = append(w.entries, e)
	if e.found && e.cur.Key.Kind == KindUser && e.cur.Phone != "" {
		w.phones[e.cur.Phone] = append(w.phones[e.cur.Phone], e.cur.Key)
	}
	return &w.entries[len(w.entries)-1]
}

// peer returns the loaded or added record of key, or nil.
func (w *batch) peer(key Key) *batchPeer {
	if i, ok := w.peers[key]; ok {
		return &w.entries[i]
	}
	return nil
}

// name returns the index entry of u, which is loaded or known to be
// absent if the batch did not touch it.
func (w *batch) name(u string) *batchName {
	if i, ok := w.names[u]; ok {
		return &w.nentry[i]
	}
	return w.setName(u, Key{})
}

// put applies one record, normalized, by the rules of Store.Put.
func (w *batch) put(rec Record) {
	e := w.peer(rec.Key)
	if e == nil {
		e = w.add(batchPeer{cur: Stored{Record: Record{Key: rec.Key}}})
	}
	var old Record
	if e.found {
		old = e.cur.Record
	}
	merged := Merge(old, e.found, rec)
	// Usernames the peer no longer has leave the index.
	for _, u := range old.Usernames {
		if !slices.Contains(merged.Usernames, u) {
			if n := w.name(u); n.cur == rec.Key {
				n.cur = Key{}
			}
		}
	}
	// Usernames seen now name this peer, and leave a previous owner.
	for _, u := range rec.Usernames {
		if n := w.name(u); n.cur != rec.Key {
			if !n.cur.IsZero() {
				w.dropUsername(n.cur, u)
			}
			w.name(u).cur = rec.Key
		}
	}
	seen := e.cur.UsernamesSeen
	if rec.Usernames != nil {
		seen = rec.UpdatedAt
	}
	if len(merged.Usernames) == 0 {
		seen = time.Time{}
	}
	// A phone number belongs to one user: the one that shows it last.
	if rec.Key.Kind == KindUser && merged.Phone != old.Phone {
		if old.Phone != "" {
			w.phones[old.Phone] = slices.DeleteFunc(w.phones[old.Phone], func(k Key) bool { return k == rec.Key })
		}
		if merged.Phone != "" {
			for _, k := range w.phones[merged.Phone] {
				if o := w.peer(k); k != rec.Key && o != nil && o.cur.Phone == merged.Phone {
					o.cur.Phone = ""
					o.dirty = true
				}
			}
			w.phones[merged.Phone] = append(w.phones[merged.Phone][:0], rec.Key)
		}
	}
	e.cur = Stored{Record: merged, UsernamesSeen: seen}
	e.found, e.dirty = true, true
}

// forget drops username from the index and from the record that lists
// it.
func (w *batch) forget(username string) {
	n := w.name(username)
	if n.cur.IsZero() {
		return
	}
	w.dropUsername(n.cur, username)
	n.cur = Key{}
}

// dropUsername removes username from the record of key, if loaded.
func (w *batch) dropUsername(key Key, username string) {
	e := w.peer(key)
	if e == nil || !e.found {
		return
	}
	i := slices.Index(e.cur.Usernames, username)
	if i < 0 {
		return
	}
	// A new slice: the loaded one may be the index's own.
	e.cur.Usernames = slices.Delete(slices.Clone(e.cur.Usernames), i, i+1)
	if len(e.cur.Usernames) == 0 {
		e.cur.UsernamesSeen = time.Time{}
	}
	e.dirty = true
}

// changes returns what the batch changed.
func (w *batch) changes() *IndexChanges {
	c := &IndexChanges{Records: make([]RecordChange, 0, len(w.entries))}
	for i := range w.entries {
		if e := &w.entries[i]; e.dirty {
			c.Records = append(c.Records, RecordChange{Record: e.cur, Added: !e.loaded, OldPhone: e.oldPhone})
		}
	}
	for _, n := range w.nentry {
		if n.cur != n.old {
			c.Usernames = append(c.Usernames, UsernameChange{Username: n.name, Old: n.old, New: n.cur})
		}
	}
	return c
}
