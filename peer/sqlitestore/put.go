package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/tgraw/tgraw/peer"
)

const (
	// The stored records of a list of keys ([[kind, id], ...]) and of the
	// users that hold a list of phone numbers.
	selectKeys = `SELECT ` + peerColumns + ` FROM peers
WHERE (kind, id) IN (SELECT value->>0, value->>1 FROM json_each(?1))`
	selectKeysPhones = selectKeys + `
UNION ALL
SELECT ` + peerColumns + ` FROM peers
WHERE phone IN (SELECT value FROM json_each(?2)) AND phone <> '' AND +kind = 1`

	// The index entries of a list of usernames.
	selectNames = `SELECT username, kind, id, seen_at FROM usernames
WHERE username IN (SELECT value FROM json_each(?1))`

	// Rows: [[kind, id, access_hash, has_hash, min, msg_peer_kind,
	// msg_peer_id, msg_id, usernames, phone, title, flags, updated_at], ...]
	upsertPeers = `INSERT INTO peers (` + peerColumns + `)
SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6,
	value->>7, value->>8, value->>9, value->>10, value->>11, value->>12
FROM json_each(?1) WHERE true
ON CONFLICT (kind, id) DO UPDATE SET
	access_hash = excluded.access_hash, has_hash = excluded.has_hash, min = excluded.min,
	msg_peer_kind = excluded.msg_peer_kind, msg_peer_id = excluded.msg_peer_id,
	msg_id = excluded.msg_id, usernames = excluded.usernames, phone = excluded.phone,
	title = excluded.title, flags = excluded.flags, updated_at = excluded.updated_at`

	// Rows: [[username, kind, id, seen_at], ...]
	upsertNames = `INSERT INTO usernames (username, kind, id, seen_at)
SELECT value->>0, value->>1, value->>2, value->>3 FROM json_each(?1) WHERE true
ON CONFLICT (username) DO UPDATE SET kind = excluded.kind, id = excluded.id, seen_at = excluded.seen_at`

	deleteNames = `DELETE FROM usernames WHERE username IN (SELECT value FROM json_each(?1))`
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
		r.Usernames = normalizeNames(r.Usernames)
		batch[i] = r
	}
	if err := s.acquire(); err != nil {
		return err
	}
	defer s.mu.RUnlock()
	err := s.write(ctx, func(tx *sql.Tx) error {
		w := newWorking(len(batch))
		if err := w.load(ctx, tx, batch); err != nil {
			return err
		}
		for _, rec := range batch {
			w.put(rec)
		}
		return w.save(ctx, tx)
	})
	if err != nil {
		return s.opError(fmt.Sprintf("put %d peers", len(recs)), err)
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
	err := s.write(ctx, func(tx *sql.Tx) error {
		w := newWorking(1)
		if err := w.loadNames(ctx, tx, []string{username}); err != nil {
			return err
		}
		n := w.names[username]
		if n == nil || !n.present {
			return nil
		}
		if err := w.loadKeys(ctx, tx, []peer.Key{n.key}, nil); err != nil {
			return err
		}
		n.present, n.dirty = false, true
		w.dropUsername(n.key, username)
		return w.save(ctx, tx)
	})
	if err != nil {
		return s.opError("forget username "+username, err)
	}
	return nil
}

// write runs fn in a write transaction (BEGIN IMMEDIATE) and commits it.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// working is the part of the store a batch touches, loaded in one
// transaction, changed in memory record by record as the batch says, then
// written back.
type working struct {
	peers  map[peer.Key]*entry
	order  []peer.Key // of peers, as loaded or added: writes in a stable order
	names  map[string]*nameEntry
	norder []string
	phones map[string][]peer.Key // users holding each phone number, among peers
}

type entry struct {
	rec   peer.Record
	found bool // stored, or put earlier in the batch
	dirty bool
}

type nameEntry struct {
	key     peer.Key
	seen    time.Time
	present bool
	dirty   bool
}

func newWorking(n int) *working {
	return &working{
		peers:  make(map[peer.Key]*entry, n),
		names:  make(map[string]*nameEntry, n),
		phones: make(map[string][]peer.Key),
	}
}

// load reads what putting batch may touch: the records of its keys, the
// users that hold its phone numbers, the index entries of its usernames and
// of the usernames its peers have now, and the records of those entries'
// owners.
func (w *working) load(ctx context.Context, tx *sql.Tx, batch []peer.Record) error {
	keys := make([]peer.Key, 0, len(batch))
	var phones []string
	for _, r := range batch {
		keys = append(keys, r.Key)
		if r.Key.Kind == peer.KindUser {
			if p := digits(r.Phone); p != "" {
				phones = append(phones, p)
			}
		}
	}
	if err := w.loadKeys(ctx, tx, keys, phones); err != nil {
		return err
	}
	var names []string
	for _, r := range batch {
		names = append(names, r.Usernames...)
	}
	for _, k := range w.order {
		names = append(names, w.peers[k].rec.Usernames...)
	}
	if len(names) == 0 {
		return nil
	}
	if err := w.loadNames(ctx, tx, names); err != nil {
		return err
	}
	var owners []peer.Key
	for _, n := range w.norder {
		if e := w.names[n]; e.present && w.peers[e.key] == nil && !slices.Contains(owners, e.key) {
			owners = append(owners, e.key)
		}
	}
	if len(owners) == 0 {
		return nil
	}
	return w.loadKeys(ctx, tx, owners, nil)
}

// loadKeys reads the stored records of keys and of the users holding
// phones, skipping those already loaded.
func (w *working) loadKeys(ctx context.Context, tx *sql.Tx, keys []peer.Key, phones []string) error {
	b := make([]byte, 0, 24*len(keys)+2)
	b = append(b, '[')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = appendInt(b, int64(k.Kind))
		b = append(b, ',')
		b = appendInt(b, k.ID)
		b = append(b, ']')
	}
	b = append(b, ']')
	var (
		rows *sql.Rows
		err  error
	)
	if len(phones) == 0 {
		rows, err = tx.QueryContext(ctx, selectKeys, string(b))
	} else {
		p := make([]byte, 0, 16*len(phones))
		p = append(p, '[')
		for i, ph := range phones {
			if i > 0 {
				p = append(p, ',')
			}
			p = appendString(p, ph)
		}
		p = append(p, ']')
		rows, err = tx.QueryContext(ctx, selectKeysPhones, string(b), string(p))
	}
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
		rec, err := r.record()
		if err != nil {
			return err
		}
		if w.peers[rec.Key] != nil {
			continue
		}
		w.add(&entry{rec: rec, found: true})
	}
	return rows.Err()
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
			seen     int64
		)
		if err := rows.Scan(&name, &kind, &id, &seen); err != nil {
			return err
		}
		if kind < 0 || kind > 255 {
			return fmt.Errorf("damaged usernames row %q: kind %d", name, kind)
		}
		w.names[name] = &nameEntry{key: peer.Key{Kind: peer.Kind(kind), ID: id}, seen: fromNanos(seen), present: true}
		w.norder = append(w.norder, name)
	}
	return rows.Err()
}

// add adds a loaded or new record.
func (w *working) add(e *entry) {
	w.peers[e.rec.Key] = e
	w.order = append(w.order, e.rec.Key)
	if e.found && e.rec.Key.Kind == peer.KindUser && e.rec.Phone != "" {
		w.phones[e.rec.Phone] = append(w.phones[e.rec.Phone], e.rec.Key)
	}
}

// name returns the index entry of username, absent if it was not loaded.
func (w *working) name(username string) *nameEntry {
	n := w.names[username]
	if n == nil {
		n = &nameEntry{}
		w.names[username] = n
		w.norder = append(w.norder, username)
	}
	return n
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
				n.present, n.dirty = false, true
			}
		}
	}
	// Usernames seen now point here, and leave a previous owner.
	for _, u := range rec.Usernames {
		n := w.name(u)
		if n.present && n.key != rec.Key {
			w.dropUsername(n.key, u)
		}
		n.key, n.seen, n.present, n.dirty = rec.Key, rec.UpdatedAt, true, true
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
	b := make([]byte, 0, 160*len(w.order))
	b = append(b, '[')
	n := 0
	for _, k := range w.order {
		e := w.peers[k]
		if !e.dirty {
			continue
		}
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = appendRow(b, &e.rec)
	}
	b = append(b, ']')
	if n > 0 {
		if _, err := tx.ExecContext(ctx, upsertPeers, string(b)); err != nil {
			return err
		}
	}

	var del []string
	b = b[:0]
	b = append(b, '[')
	n = 0
	for _, name := range w.norder {
		e := w.names[name]
		if !e.dirty {
			continue
		}
		if !e.present {
			del = append(del, name)
			continue
		}
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = append(b, '[')
		b = appendString(b, name)
		b = append(b, ',')
		b = appendInt(b, int64(e.key.Kind))
		b = append(b, ',')
		b = appendInt(b, e.key.ID)
		b = append(b, ',')
		b = appendInt(b, e.seen.UnixNano())
		b = append(b, ']')
	}
	b = append(b, ']')
	if len(del) > 0 {
		if _, err := tx.ExecContext(ctx, deleteNames, string(appendNames(nil, del))); err != nil {
			return err
		}
	}
	if n > 0 {
		if _, err := tx.ExecContext(ctx, upsertNames, string(b)); err != nil {
			return err
		}
	}
	return nil
}

// appendRow appends a record as a JSON row for upsertPeers.
func appendRow(b []byte, r *peer.Record) []byte {
	b = append(b, '[')
	b = appendInt(b, int64(r.Key.Kind))
	b = append(b, ',')
	b = appendInt(b, r.Key.ID)
	b = append(b, ',')
	b = appendInt(b, r.AccessHash)
	b = append(b, ',')
	b = appendBool(b, r.HasHash)
	b = append(b, ',')
	b = appendBool(b, r.Min)
	b = append(b, ',')
	b = appendInt(b, int64(r.FromMessage.Peer.Kind))
	b = append(b, ',')
	b = appendInt(b, r.FromMessage.Peer.ID)
	b = append(b, ',')
	b = appendInt(b, int64(r.FromMessage.MsgID))
	b = append(b, ',')
	if r.Usernames == nil {
		b = append(b, "null"...)
	} else {
		// The column holds the list's JSON text, passed as a string so
		// that it is stored exactly as written.
		b = appendString(b, encodeNames(r.Usernames))
	}
	b = append(b, ',')
	b = appendString(b, r.Phone)
	b = append(b, ',')
	b = appendString(b, r.Title)
	b = append(b, ',')
	var flags int64
	if r.Self {
		flags |= flagSelf
	}
	if r.Bot {
		flags |= flagBot
	}
	if r.Broadcast {
		flags |= flagBroadcast
	}
	b = appendInt(b, flags)
	b = append(b, ',')
	if r.UpdatedAt.IsZero() {
		b = append(b, "null"...)
	} else {
		b = appendInt(b, r.UpdatedAt.UnixNano())
	}
	return append(b, ']')
}

// normalizeNames returns a new list of the usernames in the form
// peer.NormalizeUsername gives, without empty names and duplicates, as
// peer.Merge keeps them. It keeps nil apart from an empty list.
func normalizeNames(names []string) []string {
	if names == nil {
		return nil
	}
	out := make([]string, 0, len(names))
	for _, n := range names {
		n = peer.NormalizeUsername(n)
		if n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}
