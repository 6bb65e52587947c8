package peer

import (
	"context"
	"time"
)

// An Index is a storage engine under an IndexedStore: the primitives that
// read and write records, the username index, phone numbers and invite
// links, with none of the rules. The rules (Merge, a username belongs to
// one peer, a phone number to one user, what ForgetUsername drops) are
// IndexedStore's, so every engine follows the same ones, as database/sql
// keeps the rules and its drivers the storage.
//
// An Index keeps one account's peers, and this invariant, which the
// changes IndexedStore hands to Save keep: the username index names peer K
// for a username if and only if K's record lists it.
//
// A write is one call of Update: one Load with everything the batch
// touches, then one Save with everything it changes. An engine that talks
// to a server answers each in one round trip (a query or a pipeline of
// queries over arrays of keys, usernames and phone numbers, then one
// batched statement per table), never one round trip per record.
//
// Implementations are safe for concurrent use. Package peer/storetest
// checks one through an IndexedStore (storetest.RunIndex).
type Index interface {
	// Peer returns the stored record of key.
	Peer(ctx context.Context, key Key) (rec Record, found bool, err error)
	// Username returns the record that the index names for username, in
	// the form NormalizeUsername gives, and when its usernames were last
	// seen (Stored.UsernamesSeen).
	Username(ctx context.Context, username string) (rec Record, seen time.Time, found bool, err error)
	// Phone returns the user whose record has the phone number, digits
	// only; found is false for an empty one.
	Phone(ctx context.Context, phone string) (rec Record, found bool, err error)
	// PutInvite maps an invite link's hash (valid, compared exactly) to a
	// valid key, seen at a non-zero time, replacing any mapping of the
	// hash.
	PutInvite(ctx context.Context, hash string, key Key, seen time.Time) error
	// Invite returns the record of the peer that hash is mapped to, and
	// when the mapping was seen; found is false without a mapping or
	// without a record of its peer.
	Invite(ctx context.Context, hash string) (rec Record, seen time.Time, found bool, err error)
	// Update runs fn in one write transaction and commits what fn saved,
	// or nothing if fn or the commit fails. Updates of one store never
	// interleave: an engine shared by processes serializes the writers of
	// one account (a lock, or a retry of a serialization failure). fn may
	// be run again, with a new IndexTx, when the engine retries.
	Update(ctx context.Context, fn func(tx IndexTx) error) error
}

// IndexTx is an Index's write transaction, valid during Update's call of
// fn.
type IndexTx interface {
	// Load appends to st what the index holds of q: in st.Records the
	// stored record of every key of q.Keys, of every user whose phone
	// number is one of q.Phones, and of the owner of every username of
	// q.Usernames, each record once; in st.Owners the index entry of
	// each username of q.Usernames that has one. Keys, usernames and
	// phone numbers the index does not hold are left out.
	Load(ctx context.Context, q *IndexQuery, st *IndexState) error
	// Save writes the changes of a batch: each record change replaces
	// the stored record of its key (or adds one, when Old.Key is zero),
	// and each username change sets or drops an index entry.
	Save(ctx context.Context, c *IndexChanges) error
}

// Stored is a record as an Index keeps it.
type Stored struct {
	Record
	// UsernamesSeen is when the record's usernames were last listed by a
	// Put: the seen time of each of them in the username index. Zero
	// when the record lists none.
	UsernamesSeen time.Time
}

// IndexQuery is what a batch touches. Its lists have no duplicates;
// usernames are in the form NormalizeUsername gives and phone numbers are
// digits.
type IndexQuery struct {
	Keys      []Key
	Usernames []string
	Phones    []string
}

// Reset empties q, keeping its slices' memory.
func (q *IndexQuery) Reset() {
	q.Keys, q.Usernames, q.Phones = q.Keys[:0], q.Usernames[:0], q.Phones[:0]
}

// IndexState is what an Index holds of an IndexQuery.
type IndexState struct {
	Records []Stored
	Owners  []Owner
}

// Owner is an entry of the username index: the peer that has a username.
type Owner struct {
	Username string
	Key      Key
}

// IndexChanges is what a batch writes: the final state of every record
// and username index entry it changes, each once.
type IndexChanges struct {
	Records   []RecordChange
	Usernames []UsernameChange
}

// RecordChange replaces a stored record, or adds one.
type RecordChange struct {
	// Record is the record to store. Its Phone is what the phone number
	// lookup answers by.
	Record Stored
	// Added reports that Load found no record of the key: the record is
	// new.
	Added bool
	// OldPhone is the phone number of the record as Load found it.
	OldPhone string
}

// UsernameChange sets or drops an entry of the username index.
type UsernameChange struct {
	Username string
	// Old is the peer the entry named, as Load found it or as the
	// invariant tells from the records loaded; zero if it named none.
	Old Key
	// New is the peer the entry names from now on; zero drops the entry,
	// if it still names Old.
	New Key
}
