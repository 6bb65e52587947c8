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
// username seen on one peer leaves its previous owner, and so on. A batch
// is one transaction: committed whole or not at all, even if the process
// is killed in the middle.
//
// The file is in WAL mode with a busy timeout. Lookups run in parallel
// with each other and with a write; writes through one Store are
// serialized on one connection, so they never fail on each other's locks,
// and several Stores or processes may share a file, each write waiting for
// the others' (BEGIN IMMEDIATE). The schema is versioned (PRAGMA user_version): Open migrates
// an older file and refuses a newer one with a *VersionError, and refuses
// a file that is not a session file (a Pyrogram or Telethon session, say)
// with a *NotSessionError, leaving both files untouched.
//
// Tables: peers (kind, id, phone, and the rest of the record as a JSON
// object in data), usernames (each username and the peer that has it),
// invites (each invite link's hash, the peer it led to and when), and the
// view peers_view, which shows each record's fields as columns for the
// sqlite3 shell.
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

const (
	selectPeer = `SELECT kind, id, phone, data FROM peers WHERE kind = ?1 AND id = ?2`

	selectUsername = `SELECT p.kind, p.id, p.phone, p.data
FROM usernames AS u JOIN peers AS p ON p.kind = u.kind AND p.id = u.id
WHERE u.username = ?1`

	// At most one user holds a number (Put takes it from the previous
	// holder); the order only makes the answer certain if a file says
	// otherwise. "+kind" keeps the planner on the phone index.
	selectPhone = `SELECT kind, id, phone, data FROM peers
WHERE phone = ?1 AND +kind = 1
ORDER BY data->>'updated' DESC, id LIMIT 1`
)

// Peer implements peer.Store.
func (s *Store) Peer(ctx context.Context, key peer.Key) (peer.Record, bool, error) {
	rec, _, found, err := s.lookup(ctx, func() string { return "look up " + key.String() }, selectPeer, false, int64(key.Kind), key.ID)
	return rec, found, err
}

// Username implements peer.Store. The username is compared in the form
// peer.NormalizeUsername gives.
func (s *Store) Username(ctx context.Context, username string) (peer.Record, time.Time, bool, error) {
	username = peer.NormalizeUsername(username)
	return s.lookup(ctx, func() string { return "look up username " + username }, selectUsername, false, username)
}

// Phone implements peer.Store. Only the digits of phone count.
func (s *Store) Phone(ctx context.Context, phone string) (peer.Record, bool, error) {
	phone = peer.NormalizePhone(phone)
	if phone == "" {
		return peer.Record{}, false, s.check()
	}
	rec, _, found, err := s.lookup(ctx, func() string { return "look up phone " + phone }, selectPhone, false, phone)
	return rec, found, err
}

// lookup runs query, which selects at most one peers row (kind, id, phone,
// data) and, if seenColumn, then the seen time of an index entry in Unix
// nanoseconds; op names the lookup in errors. It returns the row's record and the seen time: the
// column's, or else when the record's usernames were last seen.
func (s *Store) lookup(ctx context.Context, op func() string, query string, seenColumn bool, args ...any) (peer.Record, time.Time, bool, error) {
	if err := s.acquire(); err != nil {
		return peer.Record{}, time.Time{}, false, err
	}
	defer s.mu.RUnlock()
	var (
		r    row
		seen *int64
	)
	dest := r.dest()
	if seenColumn {
		seen = new(int64)
		dest = append(dest, seen)
	}
	err := s.r.QueryRowContext(ctx, query, args...).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return peer.Record{}, time.Time{}, false, nil
	}
	if err != nil {
		return peer.Record{}, time.Time{}, false, s.opError(op(), err)
	}
	rec, namesSeen, err := r.record()
	if err != nil {
		return peer.Record{}, time.Time{}, false, s.opError(op(), err)
	}
	if seenColumn {
		return rec, time.Unix(0, *seen), true, nil
	}
	return rec, namesSeen, true, nil
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
			return fmt.Errorf("sqlitestore: %s in %s: another Store or process held the file locked for longer than the busy timeout; retry, or raise the timeout with BusyTimeout: %w", op, s.path, err)
		case sqlite3.SQLITE_FULL:
			return fmt.Errorf("sqlitestore: %s in %s: the disk is full; free some space and retry: %w", op, s.path, err)
		case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
			return fmt.Errorf("sqlitestore: %s in %s: the file is damaged; move it aside and start a new session file: %w", op, s.path, err)
		}
	}
	return fmt.Errorf("sqlitestore: %s in %s: %w", op, s.path, err)
}

// damagedRow says what to do about a row this package cannot read.
const damagedRow = "delete the row, or move the file aside and start a new session file"

// row is a peers row as scanned.
type row struct {
	kind, id int64
	phone    sql.NullString
	data     string
}

// dest returns the scan destinations of kind, id, phone and data.
func (r *row) dest() []any { return []any{&r.kind, &r.id, &r.phone, &r.data} }

// record converts a row to a peer.Record, and returns when the usernames
// of the record were last seen.
func (r *row) record() (peer.Record, time.Time, error) {
	if r.kind < 0 || r.kind > math.MaxUint8 {
		return peer.Record{}, time.Time{}, fmt.Errorf("damaged peers row (kind %d, id %d): kind out of range; %s", r.kind, r.id, damagedRow)
	}
	rec := peer.Record{Key: peer.Key{Kind: peer.Kind(r.kind), ID: r.id}, Phone: r.phone.String}
	seen, err := decodeData(r.data, &rec)
	if err != nil {
		return peer.Record{}, time.Time{}, fmt.Errorf("damaged peers row (kind %d, id %d): %w; %s", r.kind, r.id, err, damagedRow)
	}
	return rec, seen, nil
}

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

const (
	selectInvite = `SELECT p.kind, p.id, p.phone, p.data, i.seen
FROM invites AS i JOIN peers AS p ON p.kind = i.kind AND p.id = i.id
WHERE i.hash = ?1`

	upsertInvite = `INSERT INTO invites (hash, kind, id, seen) VALUES (?1, ?2, ?3, ?4)
ON CONFLICT (hash) DO UPDATE SET kind = excluded.kind, id = excluded.id, seen = excluded.seen`
)

// PutInvite implements peer.Store. A zero seen is stamped with the
// current time.
func (s *Store) PutInvite(ctx context.Context, hash string, key peer.Key, seen time.Time) error {
	if err := peer.CheckInviteHash(hash); err != nil {
		return fmt.Errorf("sqlitestore: put invite: %w", err)
	}
	if err := key.Validate(); err != nil {
		return fmt.Errorf("sqlitestore: put invite %q: %w", hash, err)
	}
	if seen.IsZero() {
		seen = s.now()
	}
	if !storableTime(seen) {
		return fmt.Errorf("sqlitestore: put invite %q: seen time %v is outside the years 1678 to 2262 that a session file holds", hash, seen)
	}
	if err := s.acquire(); err != nil {
		return err
	}
	defer s.mu.RUnlock()
	err := s.write(ctx, func(tx *sql.Tx, _ *working) error {
		_, err := tx.ExecContext(ctx, upsertInvite, hash, int64(key.Kind), key.ID, seen.UnixNano())
		return err
	})
	if err != nil {
		return s.opError("put invite "+hash, err)
	}
	return nil
}

// Invite implements peer.Store.
func (s *Store) Invite(ctx context.Context, hash string) (peer.Record, time.Time, bool, error) {
	return s.lookup(ctx, func() string { return "look up invite " + hash }, selectInvite, true, hash)
}
