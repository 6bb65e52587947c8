// Package session is what an MTProto client keeps between runs: the data
// centre and auth key it talks to, the server salt and clock offset it
// learnt, the account signed in, and the state of its updates.
//
// A Storage loads and saves one Session. Memory is the in-memory one;
// package peer/sqlitestore keeps the session in the same SQLite file as
// the peers, so an account is one file.
package session

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/tgraw/tgraw/mtcrypto"
)

// Session is one account's connection state. Printing it shows neither
// the auth key nor the salt.
type Session struct {
	// DC is the ID of the account's data centre, and Addr its address
	// (host:port) as last used.
	DC   int
	Addr string
	// Test reports a session of Telegram's test servers.
	Test bool
	// AuthKey is the authorization key made with DC; its ID is
	// AuthKey.ID(). The zero AuthKey means none yet.
	AuthKey mtcrypto.AuthKey
	// Salt is the last server salt.
	Salt int64
	// TimeOffset is the server's time minus the local time.
	TimeOffset time.Duration
	// UserID is the account signed in with AuthKey, 0 before sign-in;
	// Bot reports a bot account.
	UserID int64
	Bot    bool
	// Updates is the state of the account's updates, for catching up
	// after a restart.
	Updates UpdateState
	// Keys are the auth keys made with data centres other than DC, by DC
	// ID: the DCs of files and media, CDN DCs, and DCs the account moved
	// from. A restart reuses them instead of making new ones.
	Keys map[int]DCKey
}

// DCKey is an auth key made with a data centre other than the session's.
type DCKey struct {
	Key  mtcrypto.AuthKey
	Salt int64
	// UserID is the account the key is signed in to (by
	// auth.importAuthorization, or by sign-in while DC was the account's
	// home); 0 for none.
	UserID int64
}

// UpdateState is where an account's updates stand: the common sequences
// (pts, qts, seq and date) and the pts of each channel.
type UpdateState struct {
	Pts  int
	Qts  int
	Date int
	Seq  int
	// Channels maps a channel's ID to its pts.
	Channels map[int64]int
}

// IsZero reports a state never fetched.
func (u UpdateState) IsZero() bool {
	return u.Pts == 0 && u.Qts == 0 && u.Date == 0 && u.Seq == 0 && len(u.Channels) == 0
}

// Clone returns a copy that shares nothing with u.
func (u UpdateState) Clone() UpdateState {
	u.Channels = maps.Clone(u.Channels)
	return u
}

// Clone returns a copy of s that shares no map with it.
func (s *Session) Clone() *Session {
	c := *s
	c.Updates = s.Updates.Clone()
	c.Keys = maps.Clone(s.Keys)
	return &c
}

// Format prints the session without its auth keys (only their IDs) and
// salts.
func (s Session) Format(f fmt.State, _ rune) {
	_, _ = fmt.Fprintf(f, "session{dc %d %s test=%v %v offset %v user %d bot=%v updates pts %d qts %d seq %d date %d, %d channels",
		s.DC, s.Addr, s.Test, s.AuthKey, s.TimeOffset, s.UserID, s.Bot,
		s.Updates.Pts, s.Updates.Qts, s.Updates.Seq, s.Updates.Date, len(s.Updates.Channels))
	for _, dc := range slices.Sorted(maps.Keys(s.Keys)) {
		k := s.Keys[dc]
		_, _ = fmt.Fprintf(f, "; dc %d %v user %d", dc, k.Key, k.UserID)
	}
	_, _ = fmt.Fprint(f, "}")
}

// Format prints the key's ID, never its bytes or salt.
func (k DCKey) Format(f fmt.State, _ rune) {
	_, _ = fmt.Fprintf(f, "dc key{%v user %d}", k.Key, k.UserID)
}

// ErrNotFound is the error of Load when no session was saved.
var ErrNotFound = errors.New("session: none saved")

// Storage keeps one session. Implementations are safe for concurrent use
// and never share maps with the caller.
type Storage interface {
	// Load returns the saved session, or ErrNotFound.
	Load(ctx context.Context) (*Session, error)
	// Save replaces the saved session with s.
	Save(ctx context.Context, s *Session) error
}

// KeyError reports a stored auth key whose bytes do not give the stored
// auth key ID: the storage is damaged. The key is not used.
type KeyError struct {
	StoredID, KeyID int64
}

func (e *KeyError) Error() string {
	return fmt.Sprintf("session: the stored auth key has ID %#x, the stored ID is %#x: the storage is damaged; delete the session to make a new key", uint64(e.KeyID), uint64(e.StoredID))
}

// KeyFromStorage returns the auth key of stored bytes, checked against
// the stored ID: storages call it on Load. No bytes and ID 0 is no key.
func KeyFromStorage(b []byte, id int64) (mtcrypto.AuthKey, error) {
	if len(b) == 0 && id == 0 {
		return mtcrypto.AuthKey{}, nil
	}
	k, err := mtcrypto.NewAuthKey(b)
	if err != nil {
		return mtcrypto.AuthKey{}, fmt.Errorf("session: the stored auth key: %w", err)
	}
	if k.ID() != id {
		return mtcrypto.AuthKey{}, &KeyError{StoredID: id, KeyID: k.ID()}
	}
	return k, nil
}
