package peer

import (
	"context"
	"time"
)

// Record is what a Store keeps about one peer: enough to build its
// InputPeer, InputUser or InputChannel without a network call.
type Record struct {
	// Key names the peer: its kind and raw (unmarked) ID.
	Key Key
	// AccessHash is the peer's access hash. Basic chats have none.
	AccessHash int64
	// HasHash reports whether AccessHash was ever seen.
	HasHash bool
	// Min reports that only min objects of the peer have been seen: no
	// full access hash is known, and AccessHash, if HasHash, is valid only
	// in the context where it was seen. A min hash never replaces a full
	// one.
	Min bool
	// FromMessage is where a min peer was last seen, for
	// inputPeerUserFromMessage and inputPeerChannelFromMessage, whether or
	// not its min object carried a hash. Zero if unknown.
	FromMessage MessageRef
	// Usernames are all usernames of the peer, active ones, lowercased.
	Usernames []string
	// Phone is the user's phone number, digits only.
	Phone string
	// Self marks the account's own user.
	Self bool
	// Bot marks a bot user.
	Bot bool
	// Broadcast marks a broadcast channel (as opposed to a supergroup).
	Broadcast bool
	// Title is the display name: first and last name, or the chat title.
	Title string
	// MigratedTo is, for a basic group that became a supergroup, the raw
	// ID of that supergroup's channel. Zero for every other peer.
	MigratedTo int64
	// UpdatedAt is when the record was last written.
	UpdatedAt time.Time
}

// MessageRef is a message in a chat: where a min peer was seen.
type MessageRef struct {
	Peer  Key // the chat the message is in (user, chat or channel)
	MsgID int
}

// Store keeps peer records. Implementations are safe for concurrent use.
//
// Put merges each record into the stored one by Merge's rules, so a min
// hash never overwrites a full one. Lookups return found=false, err=nil for
// a peer the store has never seen.
//
// The contract, which package peer/storetest checks:
//   - Put rejects the whole batch, storing nothing, when a record's Key is
//     invalid (Key.Validate), and returns that error.
//   - Put stamps a record whose UpdatedAt is zero with the current time.
//     The usernames listed in a record put are seen at its UpdatedAt; the
//     usernames a record keeps from before keep their seen time.
//   - A username belongs to one peer: putting it on another peer moves it
//     there and removes it from the previous owner's Usernames. A username
//     dropped from a peer's list leaves the index.
//   - A phone number belongs to one user, the last one put with it.
//   - ForgetUsername removes the username from the index and from its
//     owner's Usernames; the record itself stays.
//   - Username and Phone accept the forms NormalizeUsername and Merge
//     produce; stores may normalize their argument too.
//   - Keys of different kinds never collide: user 5, chat 5 and channel 5
//     are three peers.
//   - PutInvite maps an invite link's hash, compared exactly, to a peer;
//     a later PutInvite of the hash replaces the mapping. Invite returns
//     the peer's current record, and found=false when the store holds no
//     mapping for the hash or no record of its peer. PutInvite stamps a
//     zero seen time with the current time, and rejects an invalid key
//     (*IDError) or hash (CheckInviteHash) storing nothing.
type Store interface {
	// Peer returns the record of the peer with the given key.
	Peer(ctx context.Context, key Key) (rec Record, found bool, err error)
	// Username returns the record that owns username (lowercased, no '@')
	// and when that username was last seen on it.
	Username(ctx context.Context, username string) (rec Record, seen time.Time, found bool, err error)
	// Phone returns the user with the phone number (digits only).
	Phone(ctx context.Context, phone string) (rec Record, found bool, err error)
	// Put merges records into the store, in one batch.
	Put(ctx context.Context, recs ...Record) error
	// ForgetUsername drops a username from the index, for example after
	// USERNAME_NOT_OCCUPIED.
	ForgetUsername(ctx context.Context, username string) error
	// PutInvite remembers that the invite link with the hash led to the
	// peer key (a chat or channel the account is in) at seen.
	PutInvite(ctx context.Context, hash string, key Key, seen time.Time) error
	// Invite returns the record of the peer that the invite link with the
	// hash led to, and when that was seen.
	Invite(ctx context.Context, hash string) (rec Record, seen time.Time, found bool, err error)
}

// CheckInviteHash returns a *RefError if hash cannot be the hash of an
// invite link (1 to 256 base64url characters). Stores check the hashes
// they are given with it.
func CheckInviteHash(hash string) error {
	if !isInviteHash(hash) {
		return refErr(hash, "not an invite link hash: want 1 to 256 letters, digits, '-' or '_'")
	}
	return nil
}
