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
// A Store is a peer.IndexedStore over an SQLite peer.Index: the rules of
// every store (peer.Merge, a username seen on one peer leaves its previous
// owner, and so on) are package peer's, the file is this package's. A
// batch is one transaction: committed whole or not at all, even if the
// process is killed in the middle.
//
// The file is in WAL mode with a busy timeout. Lookups run in parallel
// with each other and with a write; writes through one Store are
// serialized on one connection, so they never fail on each other's locks,
// and several Stores or processes may share a file, each write waiting for
// the others' (BEGIN IMMEDIATE). A goroutine of the Store, on a connection
// of its own, copies the log into the file (checkpoints) while writes go
// on, so that a Put seldom waits for one. The writer keeps in memory a fingerprint
// of every peer key, username and phone number in the file, 16 to 32 bytes
// a peer, so that a batch of peers met for the first time reads nothing
// before it writes them. The schema is versioned (PRAGMA
// user_version): Open migrates an older file and refuses a newer one with
// a *VersionError, refuses a file that is not a session file (a Pyrogram
// or Telethon session, say) with a *NotSessionError, leaving both files
// untouched, and refuses a file it could not write with a
// *ReadOnlyError, leaving no -wal or -shm file behind.
//
// Tables: peers (kind, id, phone, and the rest of the record as a JSON
// object in data), usernames (each username and the peer that has it),
// invites (each invite link's hash, the peer it led to and when), and the
// view peers_view, which shows each record's fields as columns for the
// sqlite3 shell.
//
// A Store is also a session.Storage: the MTProto session of the account
// (its DC, auth key, salt, clock offset, user, and update state) is one
// row of the table session, the channels' pts are rows of channel_pts
// and the auth keys made with other data centres rows of dc_keys, so that client.Options{Session: store, Peers: store} keeps
// a whole account in one file. The auth key lives there and nowhere else:
// keep the file as private as a password.
//
// Importing this package compiles SQLite; importing package peer does not.
package sqlitestore

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/tgraw/tgraw/peer"
)

// Store is a peer store kept in one SQLite file, one file per account (the
// Go counterpart of Pyrogram's NAME.session). It is safe for concurrent use
// by many goroutines, and several processes may open the same file.
//
// Its lookups, ForgetUsername, PutInvite and Invite are those of
// peer.IndexedStore; their errors name the file and, where there is one,
// the remedy. Methods called after Close return ErrClosed.
type Store struct {
	*peer.IndexedStore
	ix *index
}

var _ peer.Store = (*Store)(nil)

// Put implements peer.Store by the rules of peer.IndexedStore: it merges
// every record with the stored one by peer.Merge, in order, and commits
// the batch as one transaction: all of it or none of it is stored.
//
// A record without UpdatedAt is stamped with the current time. Put
// returns an error wrapping a *peer.IDError, and stores nothing, if a
// record's key is invalid, and an error, storing nothing, if its
// UpdatedAt is outside the years 1678 to 2262 that a file holds.
func (s *Store) Put(ctx context.Context, recs ...peer.Record) error {
	if len(recs) == 0 {
		return s.ix.check()
	}
	for i, r := range recs {
		if !storableTime(r.UpdatedAt) {
			return fmt.Errorf("sqlitestore: put: record %d of %d (%v): UpdatedAt %v is outside the years 1678 to 2262 that a session file holds", i+1, len(recs), r.Key, r.UpdatedAt)
		}
	}
	if err := s.IndexedStore.Put(ctx, recs...); err != nil {
		return s.ix.opError(fmt.Sprintf("put a batch of %d", len(recs)), err)
	}
	return nil
}

// ForgetUsername implements peer.Store: the username leaves the index and
// the record that lists it.
func (s *Store) ForgetUsername(ctx context.Context, username string) error {
	if err := s.IndexedStore.ForgetUsername(ctx, username); err != nil {
		return s.ix.opError("forget username "+peer.NormalizeUsername(username), err)
	}
	return nil
}

// PutInvite implements peer.Store. A zero seen is stamped with the
// current time.
func (s *Store) PutInvite(ctx context.Context, hash string, key peer.Key, seen time.Time) error {
	if !storableTime(seen) {
		return fmt.Errorf("sqlitestore: put invite %q: seen time %v is outside the years 1678 to 2262 that a session file holds", hash, seen)
	}
	if err := s.IndexedStore.PutInvite(ctx, hash, key, seen); err != nil {
		return s.ix.opError("put invite "+hash, err)
	}
	return nil
}

// Path returns the path the store was opened with.
func (s *Store) Path() string { return s.ix.path }

// Close closes the store. Calls after the first return nil; methods called
// after Close return ErrClosed.
func (s *Store) Close() error { return s.ix.close() }

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
