package pgstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/tgraw/tgraw/session"
)

var _ session.Storage = (*Store)(nil)

// Load implements session.Storage: the account's MTProto session and the
// auth keys of other DCs, read in one statement. It returns
// session.ErrNotFound before the first Save, and a *session.KeyError when
// a stored auth key does not match its stored ID.
func (s *Store) Load(ctx context.Context) (*session.Session, error) {
	ix := s.ix
	if err := ix.db.check(); err != nil {
		return nil, err
	}
	var (
		sess     session.Session
		key      []byte
		keyID    pgtype.Int8
		offset   int64
		channels []int64
		pts      []int32
		dk       dcKeyColumns
		err      error
	)
	for try := 1; ; try++ {
		err = ix.db.pool.QueryRow(ctx, ix.db.sql.loadSession, ix.account).Scan(&sess.DC, &sess.Addr, &sess.Test,
			&key, &keyID, &sess.Salt, &offset, &sess.UserID, &sess.Bot,
			&sess.Updates.Pts, &sess.Updates.Qts, &sess.Updates.Date, &sess.Updates.Seq, &channels, &pts,
			&dk.dcs, &dk.keys, &dk.ids, &dk.salts, &dk.users)
		if err == nil || errors.Is(err, pgx.ErrNoRows) || try == attempts || !retryable(ctx, err) {
			break
		}
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, session.ErrNotFound
	}
	if err != nil {
		return nil, ix.opError("load the session", err)
	}
	sess.TimeOffset = time.Duration(offset)
	if sess.AuthKey, err = session.KeyFromStorage(key, keyID.Int64); err != nil {
		return nil, fmt.Errorf("pgstore: load the session of account %q: %w", ix.name, err)
	}
	if len(channels) != len(pts) {
		return nil, fmt.Errorf("pgstore: load the session of account %q: %d channels and %d pts", ix.name, len(channels), len(pts))
	}
	sess.Updates.Channels = make(map[int64]int, len(channels))
	for i, id := range channels {
		sess.Updates.Channels[id] = int(pts[i])
	}
	if sess.Keys, err = dk.keyMap(); err != nil {
		return nil, fmt.Errorf("pgstore: load the session of account %q: %w", ix.name, err)
	}
	return &sess, nil
}

// dcKeyColumns are the auth keys of other DCs as the arrays of
// loadSession, and of upsertDCKeys, hold them: one element per DC.
type dcKeyColumns struct {
	dcs          []int32
	keys         [][]byte
	ids          []int64
	salts, users []int64
}

// dcKeyColumnsOf returns the columns of the keys of m; a zero key is no
// key.
func dcKeyColumnsOf(m map[int]session.DCKey) dcKeyColumns {
	c := dcKeyColumns{dcs: []int32{}, keys: [][]byte{}, ids: []int64{}, salts: []int64{}, users: []int64{}}
	for dc, k := range m {
		if k.Key.IsZero() {
			continue
		}
		c.dcs, c.keys, c.ids = append(c.dcs, int32(dc)), append(c.keys, k.Key.Bytes()), append(c.ids, k.Key.ID())
		c.salts, c.users = append(c.salts, k.Salt), append(c.users, k.UserID)
	}
	return c
}

// keyMap returns the keys of c, each checked against its stored ID.
func (c *dcKeyColumns) keyMap() (map[int]session.DCKey, error) {
	n := len(c.dcs)
	if len(c.keys) != n || len(c.ids) != n || len(c.salts) != n || len(c.users) != n {
		return nil, fmt.Errorf("the auth keys of other DCs: %d DCs, %d keys, %d IDs, %d salts, %d users",
			n, len(c.keys), len(c.ids), len(c.salts), len(c.users))
	}
	m := make(map[int]session.DCKey, n)
	for i, dc := range c.dcs {
		k, err := session.KeyFromStorage(c.keys[i], c.ids[i])
		if err != nil {
			return nil, fmt.Errorf("the auth key of DC %d: %w", dc, err)
		}
		m[int(dc)] = session.DCKey{Key: k, Salt: c.salts[i], UserID: c.users[i]}
	}
	return m, nil
}

// Save implements session.Storage: it replaces the account's session, the
// auth keys of other DCs included, in one transaction, sent in one round
// trip. Saves of one account take
// turns under an advisory lock of their own, so the row and the channels
// always come from one Save.
func (s *Store) Save(ctx context.Context, sess *session.Session) error {
	ix := s.ix
	if err := ix.db.check(); err != nil {
		return err
	}
	if err := checkSession(sess); err != nil {
		return fmt.Errorf("pgstore: save the session of account %q: %w", ix.name, err)
	}
	var (
		key   []byte
		keyID pgtype.Int8
	)
	if !sess.AuthKey.IsZero() {
		key, keyID = sess.AuthKey.Bytes(), pgtype.Int8{Int64: sess.AuthKey.ID(), Valid: true}
	}
	ids := make([]int64, 0, len(sess.Updates.Channels))
	pts := make([]int32, 0, len(sess.Updates.Channels))
	for id, p := range sess.Updates.Channels {
		ids, pts = append(ids, id), append(pts, int32(p))
	}
	dk := dcKeyColumnsOf(sess.Keys)
	u := sess.Updates
	var err error
	for try := 1; ; try++ {
		b := &pgx.Batch{}
		b.Queue("begin")
		b.Queue(ix.db.sql.lockSession, ix.account)
		b.Queue(ix.db.sql.upsertSession, ix.account, sess.DC, sess.Addr, sess.Test, key, keyID,
			sess.Salt, int64(sess.TimeOffset), sess.UserID, sess.Bot, u.Pts, u.Qts, u.Date, u.Seq)
		b.Queue(ix.db.sql.deleteChannels, ix.account, ids)
		b.Queue(ix.db.sql.upsertChannels, ix.account, ids, pts)
		b.Queue(ix.db.sql.deleteDCKeys, ix.account, dk.dcs)
		b.Queue(ix.db.sql.upsertDCKeys, ix.account, dk.dcs, dk.keys, dk.ids, dk.salts, dk.users)
		b.Queue("commit")
		// The session replaces what is stored: making the Save again
		// leaves the same, whether the first one committed or not.
		err = ix.db.pool.SendBatch(ctx, b).Close()
		if err == nil || try == attempts || !retryable(ctx, err) {
			break
		}
	}
	if err != nil {
		return ix.opError("save the session", err)
	}
	return nil
}

// checkSession returns why the store cannot keep sess as it is.
func checkSession(sess *session.Session) error {
	u := sess.Updates
	for _, v := range []struct {
		name string
		n    int
	}{{"DC", sess.DC}, {"pts", u.Pts}, {"qts", u.Qts}, {"date", u.Date}, {"seq", u.Seq}} {
		if int(int32(v.n)) != v.n {
			return fmt.Errorf("%s %d does not fit in 32 bits", v.name, v.n)
		}
	}
	for id, p := range u.Channels {
		if int(int32(p)) != p {
			return fmt.Errorf("the pts %d of channel %d does not fit in 32 bits", p, id)
		}
	}
	for dc := range sess.Keys {
		if int(int32(dc)) != dc {
			return fmt.Errorf("the DC %d of an auth key does not fit in 32 bits", dc)
		}
	}
	if hasNUL(sess.Addr) {
		return fmt.Errorf("address %q has a NUL byte", sess.Addr)
	}
	return nil
}
