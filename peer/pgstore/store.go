// Package pgstore keeps the peers and MTProto sessions of many accounts in
// one PostgreSQL database (through github.com/jackc/pgx/v5), shared by
// every process that serves them: a fleet of workers for many accounts, or
// many workers of one bot account on several machines.
//
//	db, err := pgstore.Open(ctx, "postgres://tgraw@db.internal/tgraw")
//	if err != nil {
//		return err
//	}
//	defer db.Close()
//	store, err := db.Account(ctx, "support-bot")
//	if err != nil {
//		return err
//	}
//	c := client.New(appID, appHash, client.Options{Session: store, Peers: store})
//
// A Store is a peer.IndexedStore over an Index of one account: the rules
// of every store (peer.Merge, a username belongs to one peer, a phone
// number to one user) are package peer's, the rows are this package's.
// Every row is keyed by its account. Access hashes belong to the account
// that received them, and no lookup of one account answers with what
// another has seen. A Store is also the account's session.Storage.
//
// Writes. A Put is one transaction, committed whole or not at all, that
// holds the account's advisory lock: the writers of one account, in any
// process, take turns, and none loses another's write. It takes two round
// trips whatever the size of the batch: one that starts the transaction,
// takes the lock and reads everything the batch touches (peers by key,
// holders of its phone numbers, owners of its usernames), and one that
// writes every change (one statement per table, the rows in arrays) and
// commits. A Put whose connection fails before the commit is sent is made
// again on another connection.
//
// The cache. A DB keeps what lookups found in memory (CacheSize), so that
// a lookup met before takes a few hundred nanoseconds and no round trip.
// It stays right across processes: each write notifies what it changed in
// its transaction (NOTIFY on a channel named after the schema), and every
// DB drops those entries when the notification arrives, which on a local
// network is well within a millisecond of the commit; a process's own
// writes are in its cache when Put returns, and Sync waits for every
// write committed before it. While the connection that listens is down,
// lookups read the server; the cache starts again empty when it is back.
// Writes never read the cache: their rules apply to what the server holds.
//
// The schema. The tables live in a PostgreSQL schema of their own (tgraw
// unless Schema says otherwise), created by Open. Its version is kept in
// the table schema_version; Open migrates an older one in one transaction
// under an advisory lock, so many workers may start at once, and refuses a
// newer one with a *VersionError. Tables: accounts (the name of each
// account and its ID), peers (a record per row, keyed by account, kind and
// ID; times in Unix nanoseconds), usernames, invites, sessions,
// channel_pts and dc_keys (the auth keys of other data centres). The auth
// keys live in sessions and dc_keys: keep the database as private as a
// password.
//
// Importing this package compiles pgx; importing package peer does not.
package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/tgraw/tgraw/peer"
)

// Store is the peer store and session storage of one account of a DB. It
// is safe for concurrent use, and any number of Stores of one account, in
// any number of processes, may be used at once.
//
// Its lookups, ForgetUsername, PutInvite and Invite are those of
// peer.IndexedStore; their errors name the account. Records returned by
// lookups share their Usernames slice with the cache: treat it as
// read-only. Methods called after the DB is closed return ErrClosed.
type Store struct {
	*peer.IndexedStore
	ix *index
}

var _ peer.Store = (*Store)(nil)

func newStore(db *DB, name string, id int32) *Store {
	ix := &index{db: db, account: id, name: name}
	return &Store{IndexedStore: peer.NewIndexedStore(ix, db.now), ix: ix}
}

// Account returns the name of the store's account.
func (s *Store) Account() string { return s.ix.name }

// DB returns the database of the store.
func (s *Store) DB() *DB { return s.ix.db }

// Put implements peer.Store by the rules of peer.IndexedStore, in one
// transaction: all of the batch or none of it is stored.
//
// A record without UpdatedAt is stamped with the current time. Put returns
// an error, storing nothing, if a record's key is invalid (wrapping a
// *peer.IDError), if its UpdatedAt is outside the years 1678 to 2262, if
// a username has a NUL byte (which PostgreSQL's text cannot hold) or if
// its message ID does not fit in 32 bits.
func (s *Store) Put(ctx context.Context, recs ...peer.Record) error {
	if len(recs) == 0 {
		return s.ix.db.check()
	}
	for i := range recs {
		if err := checkRecord(&recs[i]); err != nil {
			return fmt.Errorf("pgstore: put: record %d of %d (%v): %w", i+1, len(recs), recs[i].Key, err)
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
	if hasNUL(username) {
		return s.ix.db.check() // no such username can be stored
	}
	if err := s.IndexedStore.ForgetUsername(ctx, username); err != nil {
		return s.ix.opError("forget username "+peer.NormalizeUsername(username), err)
	}
	return nil
}

// PutInvite implements peer.Store. A zero seen is stamped with the
// current time.
func (s *Store) PutInvite(ctx context.Context, hash string, key peer.Key, seen time.Time) error {
	if !storableTime(seen) {
		return fmt.Errorf("pgstore: put invite %q: seen time %v is outside the years 1678 to 2262 that the store holds", hash, seen)
	}
	if err := s.IndexedStore.PutInvite(ctx, hash, key, seen); err != nil {
		return s.ix.opError("put invite "+hash, err)
	}
	return nil
}
