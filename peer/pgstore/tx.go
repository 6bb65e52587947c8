package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/tgraw/tgraw/peer"
)

// tx is the peer.IndexTx of Update. Statements wait in a batch until the
// transaction needs an answer: Load sends what waits (at first the
// transaction's start and the account's lock) with its own queries, in one
// round trip; Save only adds to the batch, which the commit sends.
type tx struct {
	ix         *index
	conn       *pgx.Conn
	b          *pgx.Batch // statements not sent yet
	begun      bool       // the batch that starts the transaction is made
	commitSent bool
	own        []ownEntry // what the commit sets in this process's cache
}

var _ peer.IndexTx = (*tx)(nil)

// batch returns the statements waiting to be sent.
func (t *tx) batch() *pgx.Batch {
	if t.b == nil {
		t.b = &pgx.Batch{}
		if !t.begun {
			t.b.Queue("begin")
			t.b.Queue(t.ix.db.sql.lock, t.ix.account)
			t.begun = true
		}
	}
	return t.b
}

// send sends what waits and reads every answer.
func (t *tx) send(ctx context.Context) error {
	b := t.b
	t.b = nil
	if b == nil {
		return nil
	}
	return t.conn.SendBatch(ctx, b).Close()
}

// commit sends what waits with the commit.
func (t *tx) commit(ctx context.Context) error {
	if !t.begun {
		return nil // fn wrote nothing
	}
	t.batch().Queue("commit")
	t.commitSent = true
	return t.send(ctx)
}

// abort rolls back what the transaction did, if the connection is still
// in it; a connection left in a transaction is closed when released.
func (t *tx) abort(ctx context.Context) {
	if t.conn.IsClosed() || t.conn.PgConn().TxStatus() == 'I' {
		return
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_, _ = t.conn.Exec(rctx, "rollback")
}

// Load implements peer.IndexTx.
func (t *tx) Load(ctx context.Context, q *peer.IndexQuery, st *peer.IndexState) error {
	sql := t.ix.db.sql
	acct := t.ix.account
	b := t.batch()
	seen := make(map[peer.Key]bool, len(q.Keys))
	records := func(rows pgx.Rows) error {
		var r row
		dest := r.dest()
		for rows.Next() {
			r = row{}
			if err := rows.Scan(dest...); err != nil {
				return err
			}
			s, err := r.stored()
			if err != nil {
				return err
			}
			if !seen[s.Key] {
				seen[s.Key] = true
				st.Records = append(st.Records, s)
			}
		}
		return rows.Err()
	}
	if len(q.Keys) > 0 {
		kinds := make([]int16, len(q.Keys))
		ids := make([]int64, len(q.Keys))
		for i, k := range q.Keys {
			kinds[i], ids[i] = int16(k.Kind), k.ID
		}
		b.Queue(sql.loadKeys, acct, kinds, ids).Query(records)
	}
	if len(q.Phones) > 0 {
		b.Queue(sql.loadPhones, acct, q.Phones).Query(records)
	}
	if len(q.Usernames) > 0 {
		b.Queue(sql.loadOwners, acct, q.Usernames).Query(func(rows pgx.Rows) error {
			var (
				name string
				kind int16
				id   int64
			)
			for rows.Next() {
				if err := rows.Scan(&name, &kind, &id); err != nil {
					return err
				}
				if kind < 0 || kind > 255 {
					return fmt.Errorf("%w of usernames %q: kind %d; delete the row", errDamaged, name, kind)
				}
				st.Owners = append(st.Owners, peer.Owner{Username: name, Key: peer.Key{Kind: peer.Kind(kind), ID: id}})
			}
			return rows.Err()
		})
		b.Queue(sql.loadOwnerRecords, acct, q.Usernames).Query(records)
	}
	return t.send(ctx)
}

// Save implements peer.IndexTx: its statements go with the commit.
func (t *tx) Save(_ context.Context, c *peer.IndexChanges) error {
	sql := t.ix.db.sql
	acct := t.ix.account
	b := t.batch()
	ch := changes{account: acct}
	if n := len(c.Records); n > 0 {
		var (
			kinds, msgKinds               = make([]int16, n), make([]int16, n)
			ids, hashes, msgPeers, migrTo = make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
			hasHash, mins                 = make([]bool, n), make([]bool, n)
			selfs, bots, broadcasts       = make([]bool, n), make([]bool, n), make([]bool, n)
			msgIDs, first, count          = make([]int32, n), make([]int32, n), make([]int32, n)
			seen, updated                 = make([]pgtype.Int8, n), make([]pgtype.Int8, n)
			phones                        = make([]string, n)
			titles                        = make([][]byte, n)
			names                         []string
		)
		for i := range c.Records {
			rc := &c.Records[i]
			r := &rc.Record
			kinds[i], ids[i] = int16(r.Key.Kind), r.Key.ID
			hashes[i], hasHash[i], mins[i] = r.AccessHash, r.HasHash, r.Min
			msgKinds[i], msgPeers[i], msgIDs[i] = int16(r.FromMessage.Peer.Kind), r.FromMessage.Peer.ID, int32(r.FromMessage.MsgID)
			first[i], count[i] = int32(len(names)+1), -1
			if r.Usernames != nil {
				count[i] = int32(len(r.Usernames))
				names = append(names, r.Usernames...)
			}
			seen[i], updated[i] = nanos(r.UsernamesSeen), nanos(r.UpdatedAt)
			phones[i], titles[i] = r.Phone, []byte(r.Title)
			selfs[i], bots[i], broadcasts[i], migrTo[i] = r.Self, r.Bot, r.Broadcast, r.MigratedTo

			ch.keys = append(ch.keys, r.Key)
			// The cache copies the record.
			t.own = append(t.own, ownEntry{k: peerKey(acct, r.Key), v: cval{rec: &rc.Record}})
			if r.Key.Kind == peer.KindUser && rc.OldPhone != r.Phone {
				for _, p := range []string{rc.OldPhone, r.Phone} {
					if p != "" {
						ch.phones = append(ch.phones, p)
						t.own = append(t.own, ownEntry{k: stringKey(acct, cPhone, p)})
					}
				}
			}
		}
		if names == nil {
			names = []string{}
		}
		b.Queue(sql.upsertPeers, acct, kinds, ids, hashes, hasHash, mins, msgKinds, msgPeers, msgIDs,
			first, count, seen, phones, titles, selfs, bots, broadcasts, migrTo, updated, names)
	}
	var del, set struct {
		names []string
		kinds []int16
		ids   []int64
	}
	for _, u := range c.Usernames {
		if u.New.IsZero() {
			del.names, del.kinds, del.ids = append(del.names, u.Username), append(del.kinds, int16(u.Old.Kind)), append(del.ids, u.Old.ID)
		} else {
			set.names, set.kinds, set.ids = append(set.names, u.Username), append(set.kinds, int16(u.New.Kind)), append(set.ids, u.New.ID)
		}
		ch.names = append(ch.names, u.Username)
		t.own = append(t.own, ownEntry{k: stringKey(acct, cUsername, u.Username)})
	}
	if len(del.names) > 0 {
		b.Queue(sql.deleteNames, acct, del.names, del.kinds, del.ids)
	}
	if len(set.names) > 0 {
		b.Queue(sql.upsertNames, acct, set.names, set.kinds, set.ids)
	}
	for _, p := range ch.payloads(t.ix.db.origin) {
		b.Queue(sql.notify, t.ix.db.schema, p)
	}
	return nil
}
