package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tgraw/tgraw/peer"
)

// selectKeys[m] reads the stored records of lists of users, chats and
// channels (JSON arrays of IDs in ?1, ?2 and ?3) and of the users that
// hold a list of phone numbers (?4): bit i of m includes part i. Every
// statement is compiled on each run, so leaving out the parts a batch does
// not need pays.
var selectKeys = func() (q [16]string) {
	// json_each drives each part and the table is searched by key for
	// each value: cheaper than IN (SELECT ...), which first sorts the
	// values into a temporary index.
	parts := [4]string{
		`SELECT p.kind, p.id, p.phone, p.data FROM json_each(?1) AS j CROSS JOIN peers AS p ON p.kind = 1 AND p.id = j.value`,
		`SELECT p.kind, p.id, p.phone, p.data FROM json_each(?2) AS j CROSS JOIN peers AS p ON p.kind = 2 AND p.id = j.value`,
		`SELECT p.kind, p.id, p.phone, p.data FROM json_each(?3) AS j CROSS JOIN peers AS p ON p.kind = 3 AND p.id = j.value`,
		// "+kind" keeps the planner on the phone index.
		`SELECT p.kind, p.id, p.phone, p.data FROM json_each(?4) AS j CROSS JOIN peers AS p ON p.phone = j.value AND +p.kind = 1`,
	}
	for m := 1; m < len(q); m++ {
		var sel []string
		for i, p := range parts {
			if m&(1<<i) != 0 {
				sel = append(sel, p)
			}
		}
		q[m] = strings.Join(sel, "\nUNION ALL\n")
	}
	return q
}()

const (
	// The owners of a list of usernames.
	selectNames = `SELECT u.username, u.kind, u.id
FROM json_each(?1) AS j CROSS JOIN usernames AS u ON u.username = j.value`

	// Statements over rows of VALUES, each written by valuesStmt for a
	// number of rows: head, the rows, tail.

	// New peers: [kind, id, phone or NULL, data].
	insertPeersHead = `INSERT OR FAIL INTO peers (kind, id, phone, data)`

	// Stored peers whose phone number changed: [kind, id, phone or NULL,
	// data].
	upsertPeersHead = `INSERT INTO peers (kind, id, phone, data)`
	upsertPeersTail = `
ON CONFLICT (kind, id) DO UPDATE SET phone = excluded.phone, data = excluded.data`

	// Stored peers that keep their phone number: [kind, id, data]. Leaving
	// phone alone spares the phone index.
	updateDataHead = `INSERT INTO peers (kind, id, data)`
	updateDataTail = `
ON CONFLICT (kind, id) DO UPDATE SET data = excluded.data`

	// New usernames: [username, kind, id].
	insertNamesHead = `INSERT OR FAIL INTO usernames (username, kind, id)`

	// Usernames that move to another peer: [username, kind, id].
	upsertNamesHead = `INSERT INTO usernames (username, kind, id)`
	upsertNamesTail = `
ON CONFLICT (username) DO UPDATE SET kind = excluded.kind, id = excluded.id`

	// [username, kind, id]: each username leaves the index if it still
	// names that peer.
	deleteNamesHead = `DELETE FROM usernames WHERE (username, kind, id) IN (`
	deleteNamesTail = `)`
)

// Put implements peer.Store. It merges every record with the stored one by
// peer.Merge, in order, and commits the batch as one transaction: all of it
// or none of it is stored.
//
// A record without UpdatedAt is stamped with the current time. Each
// username of a record is indexed with the record's UpdatedAt as its seen
// time and leaves its previous owner; usernames the peer no longer has
// leave the index. A user's phone number leaves the user that held it
// before.
//
// Put returns an error wrapping a *peer.IDError, and stores nothing, if a
// record's key is invalid.
func (s *Store) Put(ctx context.Context, recs ...peer.Record) error {
	if len(recs) == 0 {
		return s.check()
	}
	now := s.now()
	batch := make([]peer.Record, len(recs))
	for i, r := range recs {
		if err := r.Key.Validate(); err != nil {
			return fmt.Errorf("sqlitestore: put: record %d of %d: %w", i+1, len(recs), err)
		}
		if r.UpdatedAt.IsZero() {
			r.UpdatedAt = now
		}
		if !storableTime(r.UpdatedAt) {
			return fmt.Errorf("sqlitestore: put: record %d of %d (%v): UpdatedAt %v is outside the years 1678 to 2262 that a session file holds", i+1, len(recs), r.Key, r.UpdatedAt)
		}
		// Merged into nothing, the record takes the form a store keeps:
		// usernames and phone normalized by peer.Merge's rules. Usernames
		// is copied: the write cache keeps it, and the caller may reuse
		// its slice.
		r = peer.Merge(peer.Record{}, false, r)
		r.Usernames = slices.Clone(r.Usernames)
		batch[i] = r
	}
	if err := s.acquire(); err != nil {
		return err
	}
	defer s.mu.RUnlock()
	err := s.write(ctx, func(tx *sql.Tx, w *working) error {
		if err := w.load(ctx, tx, batch); err != nil {
			return err
		}
		for _, rec := range batch {
			w.put(rec)
		}
		return w.save(ctx, tx)
	})
	if err != nil {
		return s.opError(fmt.Sprintf("put a batch of %d", len(recs)), err)
	}
	return nil
}

// ForgetUsername implements peer.Store. The username leaves the index and
// the record that lists it.
func (s *Store) ForgetUsername(ctx context.Context, username string) error {
	username = peer.NormalizeUsername(username)
	if err := s.acquire(); err != nil {
		return err
	}
	defer s.mu.RUnlock()
	err := s.write(ctx, func(tx *sql.Tx, w *working) error {
		if err := w.loadNames(ctx, tx, []string{username}); err != nil {
			return err
		}
		n := w.names[username]
		if !n.present {
			return nil
		}
		if err := w.loadKeys(ctx, tx, w.want(nil, n.key), nil); err != nil {
			return err
		}
		w.unindex(username)
		w.dropUsername(n.key, username)
		return w.save(ctx, tx)
	})
	if err != nil {
		return s.opError("forget username "+username, err)
	}
	return nil
}

// write runs fn in a write transaction (BEGIN IMMEDIATE) and commits it.
// fn reads into w what it changes and saves it; w starts from the writer's
// mirror of the file.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx, w *working) error) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	w := newWorking(s.mirror)
	err = s.mirror.sync(ctx, tx)
	if err == nil {
		err = fn(tx, w)
	}
	if err != nil {
		_ = tx.Rollback()
		s.mirror.drop()
		return err
	}
	if err := tx.Commit(); err != nil {
		s.mirror.drop()
		return err
	}
	s.mirror.update(w)
	return nil
}

// working is the part of the file a batch touches, read in the batch's
// transaction, changed in memory record by record as MemoryStore would,
// then written back.
//
// It relies on the file's invariant, which every write keeps: a username
// is in the index, naming peer K, if and only if K's record lists it. So
// the index entries of the usernames of a loaded record are known without
// reading them.
type working struct {
	mirror *mirror
	peers  map[peer.Key]*entry
	order  []peer.Key // of peers, as loaded or added: writes in a stable order
	names  map[string]*nameEntry
	norder []string
	phones map[string][]peer.Key // users holding each phone number, among peers
	asked  map[peer.Key]bool     // keys read from the file, or to be read
}

type entry struct {
	rec       peer.Record
	namesSeen time.Time // when rec's usernames were last seen
	found     bool      // stored, or put earlier in the batch
	dirty     bool
	inFile    bool   // the file has a row for the key
	filePhone string // and that row's phone number
}

// nameEntry is the index entry of a username: present, naming key, or
// not.
type nameEntry struct {
	key     peer.Key
	present bool
	stored  peer.Key // the peer the file's entry names, if any
	dirty   bool
}

func newWorking(m *mirror) *working {
	return &working{
		mirror: m,
		peers:  make(map[peer.Key]*entry),
		names:  make(map[string]*nameEntry),
		phones: make(map[string][]peer.Key),
		asked:  make(map[peer.Key]bool),
	}
}

// want takes the record of key from the mirror if it is there, and
// otherwise appends key to the keys to read, unless it was read before:
// a key the file did not have then, it does not have later in the
// transaction.
func (w *working) want(keys []peer.Key, key peer.Key) []peer.Key {
	if w.peers[key] != nil || w.asked[key] {
		return keys
	}
	if m, ok := w.mirror.peers[key]; ok {
		w.addFound(m.rec, m.namesSeen)
		return keys
	}
	w.asked[key] = true
	return append(keys, key)
}

// load reads what putting batch may touch: the records of its keys and of
// the users that hold its phone numbers, the owners of its usernames that
// these records do not list, and those owners' records.
func (w *working) load(ctx context.Context, tx *sql.Tx, batch []peer.Record) error {
	var (
		keys   = make([]peer.Key, 0, len(batch))
		phones []string
		asked  = make(map[string]bool) // phones, then names
	)
	for _, r := range batch {
		keys = w.want(keys, r.Key)
		p := r.Phone // normalized by Put
		if r.Key.Kind != peer.KindUser || p == "" {
			continue
		}
		if h, ok := w.mirror.phones[p]; ok {
			if _, seen := w.phones[p]; !seen {
				w.phones[p] = nil
			}
			if !h.IsZero() {
				keys = w.want(keys, h)
			}
		} else if !asked[p] {
			asked[p] = true
			phones = append(phones, p)
		}
	}
	if err := w.loadKeys(ctx, tx, keys, phones); err != nil {
		return err
	}
	var names []string
	keys = keys[:0]
	clear(asked)
	for _, r := range batch {
		for _, u := range r.Usernames {
			if w.names[u] != nil || asked[u] {
				continue
			}
			asked[u] = true
			if owner, ok := w.mirror.names[u]; ok {
				w.setName(u, &nameEntry{key: owner, present: true, stored: owner})
				keys = w.want(keys, owner)
				continue
			}
			names = append(names, u)
		}
	}
	if len(names) > 0 {
		if err := w.loadNames(ctx, tx, names); err != nil {
			return err
		}
		for _, u := range names {
			if e := w.names[u]; e.present {
				keys = w.want(keys, e.key)
			}
		}
	}
	return w.loadKeys(ctx, tx, keys, nil)
}

// loadKeys reads the stored records of keys and of the users holding
// phones, skipping those already loaded.
func (w *working) loadKeys(ctx context.Context, tx *sql.Tx, keys []peer.Key, phones []string) error {
	if len(keys) == 0 && len(phones) == 0 {
		return nil
	}
	var ids [4][]byte // users, chats, channels, phones
	for i := range ids {
		ids[i] = append(make([]byte, 0, 14*len(keys)+2), '[')
	}
	for _, k := range keys {
		if k.Kind < peer.KindUser || k.Kind > peer.KindChannel {
			continue
		}
		b := ids[k.Kind-1]
		if len(b) > 1 {
			b = append(b, ',')
		}
		ids[k.Kind-1] = appendInt(b, k.ID)
	}
	for _, ph := range phones {
		if len(ids[3]) > 1 {
			ids[3] = append(ids[3], ',')
		}
		ids[3] = appendString(ids[3], ph)
	}
	var (
		args [4]any
		mask int
	)
	for i := range ids {
		args[i] = string(append(ids[i], ']'))
		if len(ids[i]) > 1 {
			mask |= 1 << i
		}
	}
	if mask == 0 {
		return nil
	}
	rows, err := tx.QueryContext(ctx, selectKeys[mask], args[:]...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var r row
	dest := r.dest()
	for rows.Next() {
		r = row{}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		if w.peers[peer.Key{Kind: peer.Kind(r.kind), ID: r.id}] != nil {
			continue
		}
		rec, seen, err := r.record()
		if err != nil {
			return err
		}
		w.addFound(rec, seen)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	// The users read are all the holders of phones.
	for _, p := range phones {
		if _, ok := w.phones[p]; !ok {
			w.phones[p] = nil
		}
	}
	return nil
}

// addFound adds a stored record. The usernames it lists point to it in the
// index: the file's invariant.
func (w *working) addFound(rec peer.Record, namesSeen time.Time) {
	w.add(&entry{rec: rec, namesSeen: namesSeen, found: true, inFile: true, filePhone: rec.Phone})
	for _, u := range rec.Usernames {
		if w.names[u] == nil {
			w.setName(u, &nameEntry{key: rec.Key, present: true, stored: rec.Key})
		}
	}
}

// loadNames reads the index entries of names.
func (w *working) loadNames(ctx context.Context, tx *sql.Tx, names []string) error {
	rows, err := tx.QueryContext(ctx, selectNames, string(appendNames(make([]byte, 0, 16*len(names)), names)))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			name     string
			kind, id int64
		)
		if err := rows.Scan(&name, &kind, &id); err != nil {
			return err
		}
		if kind < 0 || kind > 255 {
			return fmt.Errorf("damaged usernames row %q: kind %d; %s", name, kind, damagedRow)
		}
		k := peer.Key{Kind: peer.Kind(kind), ID: id}
		w.setName(name, &nameEntry{key: k, present: true, stored: k})
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, u := range names {
		if w.names[u] == nil {
			w.setName(u, &nameEntry{})
		}
	}
	return nil
}

func (w *working) setName(u string, e *nameEntry) {
	if w.names[u] == nil {
		w.norder = append(w.norder, u)
	}
	w.names[u] = e
}

// add adds a loaded or new record.
func (w *working) add(e *entry) {
	w.peers[e.rec.Key] = e
	w.order = append(w.order, e.rec.Key)
	if e.found && e.rec.Key.Kind == peer.KindUser && e.rec.Phone != "" {
		w.phones[e.rec.Phone] = append(w.phones[e.rec.Phone], e.rec.Key)
	}
}

// index points username to key.
func (w *working) index(username string, key peer.Key) {
	n := w.names[username]
	if n == nil {
		// Not loaded: load only leaves out usernames of records it read,
		// and those point to their record already.
		n = &nameEntry{}
		w.setName(username, n)
	}
	if !n.present || n.key != key {
		n.key, n.present, n.dirty = key, true, true
	}
}

// unindex drops username from the index.
func (w *working) unindex(username string) {
	if n := w.names[username]; n != nil && n.present {
		n.present, n.dirty = false, true
	}
}

// put applies one record, as MemoryStore does.
func (w *working) put(rec peer.Record) {
	e := w.peers[rec.Key]
	if e == nil {
		e = &entry{}
		e.rec.Key = rec.Key
		w.add(e)
	}
	var old peer.Record
	if e.found {
		old = e.rec
	}
	merged := peer.Merge(old, e.found, rec)
	// Usernames the peer no longer has leave the index.
	for _, u := range old.Usernames {
		if !slices.Contains(merged.Usernames, u) {
			if n := w.names[u]; n != nil && n.present && n.key == rec.Key {
				w.unindex(u)
			}
		}
	}
	// Usernames seen now point here, and leave a previous owner.
	for _, u := range rec.Usernames {
		if n := w.names[u]; n != nil && n.present && n.key != rec.Key {
			w.dropUsername(n.key, u)
		}
		w.index(u, rec.Key)
	}
	if rec.Usernames != nil {
		e.namesSeen = rec.UpdatedAt
	}
	// A phone number belongs to one user: the one that shows it last.
	if rec.Key.Kind == peer.KindUser && merged.Phone != old.Phone {
		if old.Phone != "" {
			w.phones[old.Phone] = slices.DeleteFunc(w.phones[old.Phone], func(k peer.Key) bool { return k == rec.Key })
		}
		if merged.Phone != "" {
			for _, k := range w.phones[merged.Phone] {
				if o := w.peers[k]; k != rec.Key && o != nil && o.rec.Phone == merged.Phone {
					o.rec.Phone = ""
					o.dirty = true
				}
			}
			w.phones[merged.Phone] = append(w.phones[merged.Phone][:0], rec.Key)
		}
	}
	e.rec, e.found, e.dirty = merged, true, true
}

// dropUsername removes username from the record of key, if loaded.
func (w *working) dropUsername(key peer.Key, username string) {
	e := w.peers[key]
	if e == nil || !e.found {
		return
	}
	i := slices.Index(e.rec.Usernames, username)
	if i < 0 {
		return
	}
	e.rec.Usernames = slices.Delete(slices.Clone(e.rec.Usernames), i, i+1)
	e.dirty = true
}

// save writes back the changed records and index entries.
func (w *working) save(ctx context.Context, tx *sql.Tx) error {
	var ins, ups, upd values
	ins.init(insertPeersHead, "", 4)
	ups.init(upsertPeersHead, upsertPeersTail, 4)
	upd.init(updateDataHead, updateDataTail, 3)
	var buf []byte
	for _, k := range w.order {
		e := w.peers[k]
		if !e.dirty {
			continue
		}
		// The data object is stored exactly as written.
		buf = appendData(buf[:0], &e.rec, e.namesSeen)
		data := string(buf)
		switch {
		case !e.inFile:
			ins.add(int64(k.Kind), k.ID, phoneArg(e.rec.Phone), data)
		case e.rec.Phone != e.filePhone:
			ups.add(int64(k.Kind), k.ID, phoneArg(e.rec.Phone), data)
		default:
			upd.add(int64(k.Kind), k.ID, data)
		}
	}
	for _, v := range []*values{&ins, &ups, &upd} {
		if err := v.exec(ctx, tx); err != nil {
			return err
		}
	}

	// Deletions first: a username may leave one peer and reach another.
	var del, nins, nups values
	del.init(deleteNamesHead, deleteNamesTail, 3)
	nins.init(insertNamesHead, "", 3)
	nups.init(upsertNamesHead, upsertNamesTail, 3)
	for _, u := range w.norder {
		e := w.names[u]
		switch {
		case !e.dirty:
		case e.present && e.stored.IsZero():
			nins.add(u, int64(e.key.Kind), e.key.ID)
		case e.present:
			nups.add(u, int64(e.key.Kind), e.key.ID)
		case !e.stored.IsZero():
			del.add(u, int64(e.stored.Kind), e.stored.ID)
		}
	}
	for _, v := range []*values{&del, &nins, &nups} {
		if err := v.exec(ctx, tx); err != nil {
			return err
		}
	}
	return nil
}

// phoneArg is the phone column's value for a phone number: NULL for none.
func phoneArg(phone string) any {
	if phone == "" {
		return nil
	}
	return phone
}
