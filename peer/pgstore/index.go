package pgstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tgraw/tgraw/peer"
)

// index is the peer.Index of one account: lookups through the DB's cache,
// writes in transactions that hold the account's advisory lock.
type index struct {
	db      *DB
	account int32
	name    string
}

var _ peer.Index = (*index)(nil)

// attempts bounds the tries of an operation whose connection failed
// before anything was committed.
const attempts = 3

// Peer implements peer.Index.
func (ix *index) Peer(ctx context.Context, key peer.Key) (peer.Record, bool, error) {
	c := ix.db.cache
	start, on := c.begin()
	ck := peerKey(ix.account, key)
	if on {
		if e, ok := c.get(ck); ok {
			return e.rec.Record, true, nil
		}
	}
	s, _, found, err := ix.lookup(ctx, "look up", key, ix.db.sql.peer, false, ix.account, int16(key.Kind), key.ID)
	if err != nil || !found {
		return peer.Record{}, false, err
	}
	if on {
		c.fill(start, ck, cval{rec: &s})
	}
	return s.Record, true, nil
}

// Username implements peer.Index.
func (ix *index) Username(ctx context.Context, username string) (peer.Record, time.Time, bool, error) {
	if hasNUL(username) {
		// No such username can be stored.
		return peer.Record{}, time.Time{}, false, ix.db.check()
	}
	s, _, found, err := ix.byString(ctx, cUsername, username, "look up username", ix.db.sql.username, false)
	if !found {
		return peer.Record{}, time.Time{}, false, err
	}
	return s.Record, s.UsernamesSeen, true, nil
}

// Phone implements peer.Index.
func (ix *index) Phone(ctx context.Context, phone string) (peer.Record, bool, error) {
	if phone == "" || hasNUL(phone) {
		return peer.Record{}, false, ix.db.check()
	}
	s, _, found, err := ix.byString(ctx, cPhone, phone, "look up phone", ix.db.sql.phone, false)
	if !found {
		return peer.Record{}, false, err
	}
	return s.Record, true, nil
}

// Invite implements peer.Index.
func (ix *index) Invite(ctx context.Context, hash string) (peer.Record, time.Time, bool, error) {
	if hasNUL(hash) {
		return peer.Record{}, time.Time{}, false, ix.db.check()
	}
	s, seen, found, err := ix.byString(ctx, cInvite, hash, "look up invite", ix.db.sql.invite, true)
	if !found {
		return peer.Record{}, time.Time{}, false, err
	}
	return s.Record, seen, true, nil
}

// byString looks up the record that a username, phone number or invite
// link leads to: from the cache, when it holds both the entry and the
// record, else from the server, filling the cache with both. The record
// is shared with the cache: it is not to be changed.
func (ix *index) byString(ctx context.Context, what uint8, s, op, query string, seenColumn bool) (*peer.Stored, time.Time, bool, error) {
	c := ix.db.cache
	start, on := c.begin()
	ck := stringKey(ix.account, what, s)
	if on {
		if e, ok := c.get(ck); ok {
			if r, ok := c.record(ix.account, e); ok {
				return r, e.seen, true, nil
			}
		}
	}
	rec, seen, found, err := ix.lookup(ctx, op, s, query, seenColumn, ix.account, s)
	if err != nil || !found {
		return nil, time.Time{}, false, err
	}
	if on {
		r := c.fill(start, peerKey(ix.account, rec.Key), cval{rec: &rec})
		if e := c.fill(start, ck, cval{key: rec.Key, seen: seen}); e != nil && r != nil {
			e.link.Store(r)
		}
	}
	return &rec, seen, true, nil
}

// lookup runs query, which selects at most one row of recordColumns and,
// if seenColumn, a seen time after them; op and what name the lookup in
// errors.
func (ix *index) lookup(ctx context.Context, op string, what any, query string, seenColumn bool, args ...any) (peer.Stored, time.Time, bool, error) {
	if err := ix.db.check(); err != nil {
		return peer.Stored{}, time.Time{}, false, err
	}
	var (
		r    row
		seen int64
	)
	dest := r.dest()
	if seenColumn {
		dest = append(dest, &seen)
	}
	var err error
	for try := 1; ; try++ {
		err = ix.db.pool.QueryRow(ctx, query, args...).Scan(dest...)
		if err == nil || errors.Is(err, pgx.ErrNoRows) || try == attempts || !retryable(ctx, err) {
			break
		}
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return peer.Stored{}, time.Time{}, false, nil
	}
	if err != nil {
		return peer.Stored{}, time.Time{}, false, ix.opError(fmt.Sprint(op, " ", what), err)
	}
	s, err := r.stored()
	if err != nil {
		return peer.Stored{}, time.Time{}, false, ix.opError(fmt.Sprint(op, " ", what), err)
	}
	if seenColumn {
		return s, time.Unix(0, seen), true, nil
	}
	return s, time.Time{}, true, nil
}

// PutInvite implements peer.Index: one statement writes the link and
// notifies it.
func (ix *index) PutInvite(ctx context.Context, hash string, key peer.Key, seen time.Time) error {
	if err := ix.db.check(); err != nil {
		return err
	}
	c := ix.db.cache
	start, on := c.begin()
	ch := changes{account: ix.account, invites: []string{hash}}
	payload := ch.payloads(ix.db.origin)[0]
	var err error
	for try := 1; ; try++ {
		// An upsert is safe to make again, committed or not.
		_, err = ix.db.pool.Exec(ctx, ix.db.sql.putInvite, ix.account, hash, int16(key.Kind), key.ID, seen.UnixNano(), ix.db.schema, payload)
		if err == nil || try == attempts || !retryable(ctx, err) {
			break
		}
	}
	if err != nil {
		return err
	}
	if on {
		c.own(start, []ownEntry{{k: stringKey(ix.account, cInvite, hash), v: cval{key: key, seen: seen}}})
	}
	return nil
}

// Update implements peer.Index: fn runs in a transaction that holds the
// account's advisory lock, so the writers of one account, in any process,
// take turns. Its Load is one round trip (with the transaction's start and
// the lock) and its Save goes with the commit in another. When the
// connection fails before the commit is sent, fn runs again on another.
func (ix *index) Update(ctx context.Context, fn func(peer.IndexTx) error) error {
	if err := ix.db.check(); err != nil {
		return err
	}
	for try := 1; ; try++ {
		err, again := ix.update(ctx, fn)
		if err == nil || !again || try == attempts {
			return err
		}
	}
}

// update runs fn once. again reports that nothing was committed and the
// failure may pass on another connection.
func (ix *index) update(ctx context.Context, fn func(peer.IndexTx) error) (err error, again bool) {
	c := ix.db.cache
	start, on := c.begin()
	conn, err := ix.db.pool.Acquire(ctx)
	if err != nil {
		return err, false
	}
	defer conn.Release()
	t := &tx{ix: ix, conn: conn.Conn()}
	err = fn(t)
	if err == nil {
		err = t.commit(ctx)
	}
	if err != nil {
		t.abort(ctx)
		return err, !t.commitSent && retryable(ctx, err)
	}
	if on {
		c.own(start, t.own)
	}
	return nil, false
}

// retryable reports whether an operation that failed with err may pass if
// made again on another connection: the connection or the server failed,
// not the statement.
func retryable(ctx context.Context, err error) bool {
	if ctx.Err() != nil || errors.Is(err, errDamaged) || errors.Is(err, ErrClosed) {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "40001", "40P01", // serialization failure, deadlock
			"57P01", "57P02", "57P03", // the server shut down or is starting
			"08000", "08003", "08006": // connection failures
			return true
		}
		return false
	}
	return true
}

// opError names the store, the account and the operation in err, and says
// what to do about the errors that have a remedy.
func (ix *index) opError(op string, err error) error {
	if errors.Is(err, ErrClosed) {
		return err
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23503" {
		return fmt.Errorf("pgstore: %s for account %q: the account was deleted (DB.DeleteAccount); take its Store again with DB.Account: %w", op, ix.name, err)
	}
	return fmt.Errorf("pgstore: %s for account %q: %w", op, ix.name, err)
}
