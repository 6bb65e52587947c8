// Package sqlitestore is the persistent peer store of tgraw: a peer.Store
// kept in one SQLite file per account, through modernc.org/sqlite (pure Go,
// no cgo).
//
// A session file remembers every peer the account has met, its usernames
// and phone number, across restarts:
//
//	store, err := sqlitestore.Open(ctx, "account.session")
//	if err != nil {
//		return err
//	}
//	defer store.Close()
//
// Put applies peer.Merge to each record, so the file follows the same rules
// as every other store: a min access hash never replaces a full one, a
// username seen on one peer leaves its previous owner, and so on.
//
// Importing this package compiles SQLite; importing package peer does not.
package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/tgraw/tgraw/peer"
)

var _ peer.Store = (*Store)(nil)

// The columns of a peers row, in the order row.dest scans them.
const peerColumns = `kind, id, access_hash, has_hash, min, msg_peer_kind, msg_peer_id, msg_id, usernames, phone, title, flags, updated_at`

// The bits of peers.flags.
const (
	flagSelf = 1 << iota
	flagBot
	flagBroadcast
)

const (
	selectPeer = `SELECT ` + peerColumns + ` FROM peers WHERE kind = ?1 AND id = ?2`

	selectUsername = `SELECT u.seen_at, p.kind, p.id, p.access_hash, p.has_hash, p.min, p.msg_peer_kind,
	p.msg_peer_id, p.msg_id, p.usernames, p.phone, p.title, p.flags, p.updated_at
FROM usernames AS u JOIN peers AS p ON p.kind = u.kind AND p.id = u.id
WHERE u.username = ?1`

	// At most one user holds a number (Put takes it from the previous
	// holder); the order only makes the answer certain if a file says
	// otherwise.
	selectPhone = `SELECT ` + peerColumns + ` FROM peers
WHERE phone = ?1 AND phone <> '' AND +kind = 1
ORDER BY updated_at DESC, id LIMIT 1`
)

// Peer implements peer.Store.
func (s *Store) Peer(ctx context.Context, key peer.Key) (peer.Record, bool, error) {
	if err := s.acquire(); err != nil {
		return peer.Record{}, false, err
	}
	defer s.mu.RUnlock()
	var r row
	err := s.r.QueryRowContext(ctx, selectPeer, int64(key.Kind), key.ID).Scan(r.dest()...)
	if errors.Is(err, sql.ErrNoRows) {
		return peer.Record{}, false, nil
	}
	if err != nil {
		return peer.Record{}, false, s.opError("look up "+key.String(), err)
	}
	rec, err := r.record()
	if err != nil {
		return peer.Record{}, false, s.opError("look up "+key.String(), err)
	}
	return rec, true, nil
}

// Username implements peer.Store. The username is compared in the form
// peer.NormalizeUsername gives.
func (s *Store) Username(ctx context.Context, username string) (peer.Record, time.Time, bool, error) {
	username = peer.NormalizeUsername(username)
	if err := s.acquire(); err != nil {
		return peer.Record{}, time.Time{}, false, err
	}
	defer s.mu.RUnlock()
	var (
		r    row
		seen int64
	)
	err := s.r.QueryRowContext(ctx, selectUsername, username).Scan(append([]any{&seen}, r.dest()...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return peer.Record{}, time.Time{}, false, nil
	}
	if err != nil {
		return peer.Record{}, time.Time{}, false, s.opError("look up username "+username, err)
	}
	rec, err := r.record()
	if err != nil {
		return peer.Record{}, time.Time{}, false, s.opError("look up username "+username, err)
	}
	return rec, fromNanos(seen), true, nil
}

// Phone implements peer.Store. Only the digits of phone count.
func (s *Store) Phone(ctx context.Context, phone string) (peer.Record, bool, error) {
	phone = digits(phone)
	if phone == "" {
		return peer.Record{}, false, s.check()
	}
	if err := s.acquire(); err != nil {
		return peer.Record{}, false, err
	}
	defer s.mu.RUnlock()
	var r row
	err := s.r.QueryRowContext(ctx, selectPhone, phone).Scan(r.dest()...)
	if errors.Is(err, sql.ErrNoRows) {
		return peer.Record{}, false, nil
	}
	if err != nil {
		return peer.Record{}, false, s.opError("look up phone "+phone, err)
	}
	rec, err := r.record()
	if err != nil {
		return peer.Record{}, false, s.opError("look up phone "+phone, err)
	}
	return rec, true, nil
}

// acquire holds off Close until the caller calls s.mu.RUnlock, or returns
// ErrClosed.
func (s *Store) acquire() error {
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return ErrClosed
	}
	return nil
}

// check returns ErrClosed if the store is closed.
func (s *Store) check() error {
	if err := s.acquire(); err != nil {
		return err
	}
	s.mu.RUnlock()
	return nil
}

// opError names the store and the operation in err, and says what to do
// about the errors that have a remedy.
func (s *Store) opError(op string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("sqlitestore: %s: %w", op, err)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return fmt.Errorf("sqlitestore: %s in %s: another process held the file locked for longer than the busy timeout; retry, or raise the timeout with BusyTimeout: %w", op, s.path, err)
		case sqlite3.SQLITE_FULL:
			return fmt.Errorf("sqlitestore: %s in %s: the disk is full: %w", op, s.path, err)
		case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
			return fmt.Errorf("sqlitestore: %s in %s: the file is damaged; move it aside and start a new session file: %w", op, s.path, err)
		}
	}
	return fmt.Errorf("sqlitestore: %s in %s: %w", op, s.path, err)
}

// row is a peers row as scanned.
type row struct {
	kind, id, hash, hasHash, min int64
	msgKind, msgPeer, msgID      int64
	usernames                    sql.NullString
	phone, title                 string
	flags                        int64
	updated                      sql.NullInt64
}

// dest returns the scan destinations of the columns of peerColumns.
func (r *row) dest() []any {
	return []any{&r.kind, &r.id, &r.hash, &r.hasHash, &r.min, &r.msgKind, &r.msgPeer, &r.msgID,
		&r.usernames, &r.phone, &r.title, &r.flags, &r.updated}
}

// record converts a row to a peer.Record.
func (r *row) record() (peer.Record, error) {
	if r.kind < 0 || r.kind > math.MaxUint8 || r.msgKind < 0 || r.msgKind > math.MaxUint8 {
		return peer.Record{}, fmt.Errorf("damaged peers row (kind %d, id %d): kind out of range", r.kind, r.id)
	}
	rec := peer.Record{
		Key:        peer.Key{Kind: peer.Kind(r.kind), ID: r.id},
		AccessHash: r.hash,
		HasHash:    r.hasHash != 0,
		Min:        r.min != 0,
		Phone:      r.phone,
		Title:      r.title,
		Self:       r.flags&flagSelf != 0,
		Bot:        r.flags&flagBot != 0,
		Broadcast:  r.flags&flagBroadcast != 0,
	}
	if r.msgKind != 0 || r.msgPeer != 0 || r.msgID != 0 {
		rec.FromMessage = peer.MessageRef{Peer: peer.Key{Kind: peer.Kind(r.msgKind), ID: r.msgPeer}, MsgID: int(r.msgID)}
	}
	if r.usernames.Valid {
		names, err := decodeNames(r.usernames.String)
		if err != nil {
			return peer.Record{}, fmt.Errorf("damaged peers row (kind %d, id %d): usernames: %w", r.kind, r.id, err)
		}
		rec.Usernames = names
	}
	if r.updated.Valid {
		rec.UpdatedAt = fromNanos(r.updated.Int64)
	}
	return rec, nil
}

// fromNanos converts a stored time (Unix nanoseconds) back.
func fromNanos(n int64) time.Time { return time.Unix(0, n) }

// The times a file can hold: Unix nanoseconds in an int64, years 1678 to
// 2262.
var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

// storableTime reports whether t fits in the file.
func storableTime(t time.Time) bool {
	return t.IsZero() || !t.Before(minTime) && !t.After(maxTime)
}

// digits returns the digits of s, as peer.Merge keeps a phone number.
func digits(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			b := make([]byte, 0, len(s))
			for j := 0; j < len(s); j++ {
				if s[j] >= '0' && s[j] <= '9' {
					b = append(b, s[j])
				}
			}
			return string(b)
		}
	}
	return s
}
