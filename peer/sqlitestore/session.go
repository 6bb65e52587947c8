package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/tgraw/tgraw/session"
)

var _ session.Storage = (*Store)(nil)

const (
	selectSession = `SELECT dc, addr, test, auth_key, auth_key_id, salt, time_offset, user_id, bot, pts, qts, date, seq
FROM session WHERE id = 1`

	selectChannelPts = `SELECT channel_id, pts FROM channel_pts`

	selectDCKeys = `SELECT dc, auth_key, auth_key_id, salt, user_id FROM dc_keys`

	deleteDCKeys = `DELETE FROM dc_keys`

	insertDCKey = `INSERT INTO dc_keys (dc, auth_key, auth_key_id, salt, user_id) VALUES (?1, ?2, ?3, ?4, ?5)`

	upsertSession = `INSERT INTO session
	(id, dc, addr, test, auth_key, auth_key_id, salt, time_offset, user_id, bot, pts, qts, date, seq)
VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
ON CONFLICT (id) DO UPDATE SET dc = excluded.dc, addr = excluded.addr, test = excluded.test,
	auth_key = excluded.auth_key, auth_key_id = excluded.auth_key_id, salt = excluded.salt,
	time_offset = excluded.time_offset, user_id = excluded.user_id, bot = excluded.bot,
	pts = excluded.pts, qts = excluded.qts, date = excluded.date, seq = excluded.seq`

	// The channels of a JSON object {"id": pts, ...}: rows that changed are
	// written, the others left alone, and those not in it deleted.
	upsertChannelPts = `INSERT INTO channel_pts (channel_id, pts)
SELECT CAST(key AS INTEGER), value FROM json_each(?1) WHERE true
ON CONFLICT (channel_id) DO UPDATE SET pts = excluded.pts WHERE pts != excluded.pts`

	deleteChannelPts = `DELETE FROM channel_pts
WHERE channel_id NOT IN (SELECT CAST(key AS INTEGER) FROM json_each(?1))`
)

// Load implements session.Storage: the MTProto session kept in the file
// beside the peers. It returns session.ErrNotFound before the first Save,
// and a *session.KeyError when the stored auth key does not match its
// stored ID.
func (s *Store) Load(ctx context.Context) (*session.Session, error) {
	ix := s.ix
	if err := ix.acquire(); err != nil {
		return nil, err
	}
	defer ix.mu.RUnlock()
	sess, err := ix.loadSession(ctx)
	if err != nil && !errors.Is(err, session.ErrNotFound) {
		var ke *session.KeyError
		if errors.As(err, &ke) {
			return nil, fmt.Errorf("sqlitestore: load the session of %s: %w", ix.path, err)
		}
		return nil, ix.opError("load the session", err)
	}
	return sess, err
}

func (ix *index) loadSession(ctx context.Context) (*session.Session, error) {
	// One read transaction: the row and the channels of one Save.
	tx, err := ix.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var (
		sess      session.Session
		test, bot bool
		key       []byte
		keyID     sql.NullInt64
		offset    int64
	)
	err = tx.QueryRowContext(ctx, selectSession).Scan(&sess.DC, &sess.Addr, &test, &key, &keyID,
		&sess.Salt, &offset, &sess.UserID, &bot,
		&sess.Updates.Pts, &sess.Updates.Qts, &sess.Updates.Date, &sess.Updates.Seq)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, session.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	sess.Test, sess.Bot, sess.TimeOffset = test, bot, time.Duration(offset)
	if sess.AuthKey, err = session.KeyFromStorage(key, keyID.Int64); err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, selectChannelPts)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	sess.Updates.Channels = map[int64]int{}
	for rows.Next() {
		var id int64
		var pts int
		if err := rows.Scan(&id, &pts); err != nil {
			return nil, err
		}
		sess.Updates.Channels[id] = pts
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if sess.Keys, err = loadDCKeys(ctx, tx); err != nil {
		return nil, err
	}
	return &sess, nil
}

// loadDCKeys reads the auth keys of other DCs, each checked against its
// stored ID.
func loadDCKeys(ctx context.Context, tx *sql.Tx) (map[int]session.DCKey, error) {
	rows, err := tx.QueryContext(ctx, selectDCKeys)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	keys := map[int]session.DCKey{}
	for rows.Next() {
		var (
			dc    int
			b     []byte
			keyID int64
			k     session.DCKey
		)
		if err := rows.Scan(&dc, &b, &keyID, &k.Salt, &k.UserID); err != nil {
			return nil, err
		}
		if k.Key, err = session.KeyFromStorage(b, keyID); err != nil {
			return nil, fmt.Errorf("the auth key of DC %d: %w", dc, err)
		}
		keys[dc] = k
	}
	return keys, rows.Err()
}

// Save implements session.Storage: it replaces the session in the file,
// in one transaction.
func (s *Store) Save(ctx context.Context, sess *session.Session) error {
	ix := s.ix
	if err := ix.acquire(); err != nil {
		return err
	}
	defer ix.mu.RUnlock()
	channels := make(map[string]int, len(sess.Updates.Channels))
	for id, pts := range sess.Updates.Channels {
		channels[strconv.FormatInt(id, 10)] = pts
	}
	chJSON, err := json.Marshal(channels)
	if err != nil {
		return err
	}
	var key any
	var keyID any
	if !sess.AuthKey.IsZero() {
		key, keyID = sess.AuthKey.Bytes(), sess.AuthKey.ID()
	}
	// One transaction on the writer connection, like the peers' writes.
	u := sess.Updates
	err = ix.write(ctx, func(t *tx) error {
		c := t.c
		if err := c.exec(ctx, upsertSession, sess.DC, sess.Addr, sess.Test, key, keyID,
			sess.Salt, int64(sess.TimeOffset), sess.UserID, sess.Bot, u.Pts, u.Qts, u.Date, u.Seq); err != nil {
			return err
		}
		if err := c.exec(ctx, upsertChannelPts, string(chJSON)); err != nil {
			return err
		}
		if err := c.exec(ctx, deleteChannelPts, string(chJSON)); err != nil {
			return err
		}
		if err := c.exec(ctx, deleteDCKeys); err != nil {
			return err
		}
		for dc, k := range sess.Keys {
			if k.Key.IsZero() {
				continue
			}
			if err := c.exec(ctx, insertDCKey, dc, k.Key.Bytes(), k.Key.ID(), k.Salt, k.UserID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return ix.opError("save the session", err)
	}
	return nil
}
