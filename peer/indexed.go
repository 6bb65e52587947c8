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
	for i, r := range recs {
		if err := r.Key.Validate(); err != nil {
			return fmt.Errorf("peer: put: record %d of %d: %w", i+1, len(recs), err)
		}
		if r.UpdatedAt.IsZero() {
			r.UpdatedAt = now
		}
		// Merged into nothing, a record takes the form a store keeps. The
		// index may keep its usernames: they are copied, since the caller
		// may reuse its slice.
		r = Merge(Record{}, false, r)
		r.Usernames = slices.Clone(r.Usernames)
		b[i] = r
	}
	return s.ix.Update(ctx, func(tx IndexTx) error {
		w := newBatch()
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
		w := newBatch()
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
	peers  map[Key]*batchPeer
	order  []Key // of peers, as loaded or added: changes in a stable order
	names  map[string]*batchName
	norder []string
	phones map[string][]Key // users holding each phone number, among peers
}

type batchPeer struct {
	old   Stored // as loaded; zero Key if the index had none
	cur   Stored
	found bool // cur holds a record: loaded, or put earlier in the batch
	dirty bool
}

// batchName is a username index entry: the peer it named when loaded and
// the peer it names now, zero for none.
type batchName struct {
	old, cur Key
}

func newBatch() *batch {
	return &batch{
		peers:  make(map[Key]*batchPeer),
		names:  make(map[string]*batchName),
		phones: make(map[string][]Key),
	}
}

// query lists what putting recs touches: their keys, their usernames and
// the phone numbers of their users.
func (w *batch) query(recs []Record) *IndexQuery {
	q := &IndexQuery{Keys: make([]Key, 0, len(recs))}
	seen := make(map[string]bool)
	keys := make(map[Key]bool, len(recs))
	for _, r := range recs {
		if !keys[r.Key] {
			keys[r.Key] = true
			q.Keys = append(q.Keys, r.Key)
		}
		if p := r.Phone; p != "" && r.Key.Kind == KindUser && !seen["+"+p] {
			seen["+"+p] = true
			q.Phones = append(q.Phones, p)
		}
		for _, u := range r.Usernames {
			if !seen[u] {
				seen[u] = true
				q.Usernames = append(q.Usernames, u)
			}
		}
	}
	return q
}

// load reads what q touches. The index entries of the usernames asked are
// as Load found them; those of the other usernames of the records loaded
// follow from the invariant (the entry names the record that lists it).
func (w *batch) load(ctx context.Context, tx IndexTx, q *IndexQuery) error {
	var st IndexState
	if err := tx.Load(ctx, q, &st); err != nil {
		return err
	}
	for _, u := range q.Usernames {
		w.setName(u, Key{})
	}
	for _, o := range st.Owners {
		if n := w.names[o.Username]; n != nil {
			n.old, n.cur = o.Key, o.Key
		}
	}
	for _, p := range q.Phones {
		w.phones[p] = nil
	}
	for _, s := range st.Records {
		if w.peers[s.Key] != nil {
			continue
		}
		if len(s.Usernames) == 0 {
			s.UsernamesSeen = time.Time{}
		}
		w.add(&batchPeer{old: s, cur: s, found: true})
		for _, u := range s.Usernames {
			if w.names[u] == nil {
				w.setName(u, s.Key)
			}
		}
	}
	return nil
}

func (w *batch) setName(u string, owner Key) {
	if w.names[u] == nil {
		w.norder = append(w.norder, u)
	}
	w.names[u] = &batchName{old: owner, cur: owner}
}

func (w *batch) add(e *batchPeer) {
	w.peers[e.cur.Key] = e
	w.order = append(w.order, e.cur.Key)
	if e.found && e.cur.Key.Kind == KindUser && e.cur.Phone != "" {
		w.phones[e.cur.Phone] = append(w.phones[e.cur.Phone], e.cur.Key)
	}
}

// name returns the index entry of u, which is loaded or known to be
// absent if the batch did not touch it.
func (w *batch) name(u string) *batchName {
	n := w.names[u]
	if n == nil {
		w.setName(u, Key{})
		n = w.names[u]
	}
	return n
}

// put applies one record, normalized, by the rules of Store.Put.
func (w *batch) put(rec Record) {
	e := w.peers[rec.Key]
	if e == nil {
		e = &batchPeer{}
		e.cur.Key = rec.Key
		w.add(e)
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
		n := w.name(u)
		if !n.cur.IsZero() && n.cur != rec.Key {
			w.dropUsername(n.cur, u)
		}
		n.cur = rec.Key
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
				if o := w.peers[k]; k != rec.Key && o != nil && o.cur.Phone == merged.Phone {
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
	e := w.peers[key]
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
	c := &IndexChanges{Records: make([]RecordChange, 0, len(w.order))}
	for _, k := range w.order {
		if e := w.peers[k]; e.dirty {
			c.Records = append(c.Records, RecordChange{Old: e.old, New: e.cur})
		}
	}
	for _, u := range w.norder {
		if n := w.names[u]; n.cur != n.old {
			c.Usernames = append(c.Usernames, UsernameChange{Username: u, Old: n.old, New: n.cur})
		}
	}
	return c
}
