package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unsafe"

	"github.com/tgraw/tgraw/peer"
)

// selectLoad[m] reads what a batch touches, in one statement: the records
// of lists of users, chats and channels (JSON arrays of IDs in ?1, ?2 and
// ?3), the users holding a list of phone numbers (?4), and the index
// entries of a list of usernames with their owners' records (?5). Bit i of
// m includes part i. Every row is (username, kind, id, phone, data):
// username is NULL but for the entries of ?5, and data is NULL for an
// entry whose peer has no row. modernc.org/sqlite compiles every statement
// on each run, so one statement over 250 keys costs far less than 250, and
// leaving out the parts a batch does not need pays.
var selectLoad = func() (q [32]string) {
	// json_each drives each part and the table is searched by key for
	// each value: cheaper than IN (SELECT ...), which first sorts the
	// values into a temporary index.
	const cols = `SELECT NULL, p.kind, p.id, p.phone, p.data FROM json_each(?%d) AS j CROSS JOIN peers AS p ON `
	parts := [5]string{
		fmt.Sprintf(cols, 1) + `p.kind = 1 AND p.id = j.value`,
		fmt.Sprintf(cols, 2) + `p.kind = 2 AND p.id = j.value`,
		fmt.Sprintf(cols, 3) + `p.kind = 3 AND p.id = j.value`,
		// "+kind" keeps the planner on the phone index.
		fmt.Sprintf(cols, 4) + `p.phone = j.value AND +p.kind = 1`,
		`SELECT u.username, u.kind, u.id, p.phone, p.data FROM json_each(?5) AS j
CROSS JOIN usernames AS u ON u.username = j.value
LEFT JOIN peers AS p ON p.kind = u.kind AND p.id = u.id`,
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

// tx is the peer.IndexTx of a write transaction. It answers Load from the
// writer's mirror where it can, leaves out what the writer knows the file
// does not hold (known), and reads the rest from the file; it keeps what
// it read and saved for the mirror.
type tx struct {
	c *conn
	m *mirror
	// What the transaction read and wrote. The core hands them over and
	// does not change them afterwards.
	queries []*peer.IndexQuery
	states  []*peer.IndexState
	changes []*peer.IndexChanges
}

var _ peer.IndexTx = (*tx)(nil)

func newTx(c *conn, m *mirror) *tx { return &tx{c: c, m: m} }

// Load implements peer.IndexTx.
func (t *tx) Load(ctx context.Context, q *peer.IndexQuery, st *peer.IndexState) error {
	var (
		ids    [3][]int64 // users, chats, channels
		phones []string
		names  []string
		// Each key is asked once, of the mirror or of the file; true once
		// its record is in st.
		asked = make(map[peer.Key]bool, len(q.Keys))
	)
	want := func(k peer.Key) {
		if _, dup := asked[k]; dup {
			return
		}
		s, ok := t.m.peers[k]
		asked[k] = ok
		if ok {
			st.Records = append(st.Records, s)
		} else if k.Kind >= peer.KindUser && k.Kind <= peer.KindChannel {
			ids[k.Kind-1] = append(ids[k.Kind-1], k.ID)
		}
	}
	for _, k := range q.Keys {
		want(k)
	}
	for _, p := range q.Phones {
		if h, ok := t.m.phones[p]; ok && (h.IsZero() || t.m.peers[h].Key == h) {
			if !h.IsZero() {
				want(h)
			}
			continue
		}
		phones = append(phones, p)
	}
	for _, u := range q.Usernames {
		if o, ok := t.m.names[u]; ok {
			st.Owners = append(st.Owners, peer.Owner{Username: u, Key: o})
			want(o)
			continue
		}
		names = append(names, u)
	}
	// Of what the mirror does not know, known rules out what the file
	// cannot hold, all at once.
	phones, names = t.m.known.filter(&ids, phones, names)
	t.queries = append(t.queries, q)
	t.states = append(t.states, st)

	var (
		args [5]arg
		mask int
	)
	for i, l := range ids {
		if len(l) > 0 {
			args[i], mask = textArg(idArray(l)), mask|1<<i
		}
	}
	if len(phones) > 0 {
		args[3], mask = textArg(stringArray(phones)), mask|1<<3
	}
	if len(names) > 0 {
		args[4], mask = textArg(stringArray(names)), mask|1<<4
	}
	if mask == 0 {
		return nil
	}
	rows, err := t.c.start(ctx, selectLoad[mask], args[:])
	if err != nil {
		return err
	}
	defer rows.close()
	for {
		more, err := rows.step(ctx)
		if err != nil || !more {
			return err
		}
		r := row{kind: rows.int64(1), id: rows.int64(2)}
		if !rows.null(0) {
			name := rows.text(0)
			if r.kind < 0 || r.kind > 255 {
				return fmt.Errorf("damaged usernames row %q: kind %d; %s", name, r.kind, damagedRow)
			}
			st.Owners = append(st.Owners, peer.Owner{Username: name, Key: peer.Key{Kind: peer.Kind(r.kind), ID: r.id}})
			if rows.null(4) {
				continue
			}
		}
		k := peer.Key{Kind: peer.Kind(r.kind), ID: r.id}
		if asked[k] {
			continue
		}
		asked[k] = true
		if !rows.null(3) {
			r.phone = sql.NullString{String: rows.text(3), Valid: true}
		}
		r.data = rows.text(4)
		s, err := r.stored()
		if err != nil {
			return err
		}
		st.Records = append(st.Records, s)
	}
}

// saveScratch is what Save writes a batch's statements from, kept on the
// connection so that batch after batch reuses its room.
type saveScratch struct {
	ins, ups, upd, del, nins, nups values
	ends                           []int
}

// Save implements peer.IndexTx.
func (t *tx) Save(ctx context.Context, c *peer.IndexChanges) error {
	sc := &t.c.saves
	ins, ups, upd := &sc.ins, &sc.ups, &sc.upd
	ins.init(insertPeersHead, "", 4, len(c.Records))
	ups.init(upsertPeersHead, upsertPeersTail, 4, len(c.Records))
	upd.init(updateDataHead, updateDataTail, 3, len(c.Records))
	// Every record's data, written one after another in the connection's
	// scratch buffer. The statements bind them from there: binding
	// copies each value into C memory, and nothing writes the buffer
	// again before Save returns.
	buf := t.c.scratch[:0]
	ends := sc.ends[:0]
	for i := range c.Records {
		buf = appendData(buf, &c.Records[i].Record)
		ends = append(ends, len(buf))
	}
	all := unsafe.String(unsafe.SliceData(buf), len(buf))
	t.c.scratch, sc.ends = buf, ends
	for i := range c.Records {
		ch := &c.Records[i]
		n := &ch.Record
		kind, id := intArg(int64(n.Key.Kind)), intArg(n.Key.ID)
		from := 0
		if i > 0 {
			from = ends[i-1]
		}
		data := textArg(all[from:ends[i]])
		switch {
		case ch.Added:
			ins.add(kind, id, phoneArg(n.Phone), data)
		case ch.OldPhone != n.Phone:
			ups.add(kind, id, phoneArg(n.Phone), data)
		default:
			upd.add(kind, id, data)
		}
	}
	for _, v := range []*values{ins, ups, upd} {
		if err := v.exec(ctx, t.c); err != nil {
			return err
		}
	}

	del, nins, nups := &sc.del, &sc.nins, &sc.nups
	del.init(deleteNamesHead, deleteNamesTail, 3, len(c.Usernames))
	nins.init(insertNamesHead, "", 3, len(c.Usernames))
	nups.init(upsertNamesHead, upsertNamesTail, 3, len(c.Usernames))
	for _, u := range c.Usernames {
		switch {
		case u.New.IsZero():
			del.add(textArg(u.Username), intArg(int64(u.Old.Kind)), intArg(u.Old.ID))
		case u.Old.IsZero():
			nins.add(textArg(u.Username), intArg(int64(u.New.Kind)), intArg(u.New.ID))
		default:
			nups.add(textArg(u.Username), intArg(int64(u.New.Kind)), intArg(u.New.ID))
		}
	}
	for _, v := range []*values{del, nins, nups} {
		if err := v.exec(ctx, t.c); err != nil {
			return err
		}
	}
	t.changes = append(t.changes, c)
	return nil
}

// phoneArg is the phone column's value for a phone number: NULL for none.
func phoneArg(phone string) arg {
	if phone == "" {
		return nullArg()
	}
	return textArg(phone)
}

// idArray returns the JSON array of IDs that json_each reads.
func idArray(ids []int64) string {
	b := make([]byte, 0, 2+12*len(ids))
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, ']'))
}

// stringArray returns the JSON array of strings that json_each reads.
func stringArray(list []string) string {
	// A list of strings always encodes.
	b, _ := json.Marshal(list)
	return string(b)
}
