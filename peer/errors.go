package peer

import (
	"errors"
	"strconv"
)

// ErrNotFound matches, with errors.Is, every error that says a peer could
// not be found: *NotFoundError, *UsernameError, *PhoneError and
// *InviteError.
var ErrNotFound = errors.New("peer not found")

// NotFoundError reports a peer named by key whose access hash is unknown:
// the store has not met it and Telegram did not return it for hash 0.
type NotFoundError struct {
	Key Key
	// Err is the error of the last lookup call, if any (PEER_ID_INVALID,
	// CHANNEL_INVALID, ...).
	Err error
}

func (e *NotFoundError) Error() string {
	s := "peer: " + e.Key.String()
	if m, err := e.Key.Marked(); err == nil {
		s += " (marked ID " + strconv.FormatInt(m, 10) + ")"
	}
	s += " not known yet: no access hash has been seen for it; resolve it by username or invite link, " +
		"or fetch dialogs (Dialogs), the members of a shared chat (Participants) or a message that mentions it first"
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *NotFoundError) Unwrap() error        { return e.Err }
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// UsernameError reports a username that no peer has (USERNAME_NOT_OCCUPIED)
// or that Telegram rejects (USERNAME_INVALID). The username has been
// removed from the store.
type UsernameError struct {
	Username string
	Err      error
}

func (e *UsernameError) Error() string {
	return "peer: no peer has username @" + e.Username +
		": check its spelling, or find the peer by link, ID or dialogs: " + e.Err.Error()
}

func (e *UsernameError) Unwrap() error        { return e.Err }
func (e *UsernameError) Is(target error) bool { return target == ErrNotFound }

// PhoneError reports a phone number that resolves to no visible user.
// Telegram finds users by phone only when their privacy settings allow it,
// or when they are contacts.
type PhoneError struct {
	Phone string
	Err   error
}

func (e *PhoneError) Error() string {
	return "peer: no user found for phone +" + e.Phone +
		": they may hide their number; import them as a contact (contacts.importContacts) or use their username: " +
		e.Err.Error()
}

func (e *PhoneError) Unwrap() error        { return e.Err }
func (e *PhoneError) Is(target error) bool { return target == ErrNotFound }

// InviteError reports an invite link that is invalid or has expired.
type InviteError struct {
	Hash string
	Err  error
}

func (e *InviteError) Error() string {
	return "peer: invite link " + strconv.Quote(e.Hash) + " is invalid or expired: ask for a new link: " + e.Err.Error()
}

func (e *InviteError) Unwrap() error        { return e.Err }
func (e *InviteError) Is(target error) bool { return target == ErrNotFound }

// NotMemberError reports an invite link to a chat the account is not a
// member of: Telegram shows its title but not the chat itself.
type NotMemberError struct {
	Hash  string // the invite hash
	Title string // the chat's title
	// Channel is set for a channel or supergroup, unset for a basic chat.
	Channel bool
	// RequestNeeded is set when joining needs an administrator's approval.
	RequestNeeded bool
}

func (e *NotMemberError) Error() string {
	s := "peer: not a member of " + strconv.Quote(e.Title) +
		": join it first with messages.importChatInvite (hash " + strconv.Quote(e.Hash) + ")"
	if e.RequestNeeded {
		s += "; an administrator must approve the request"
	}
	return s
}

// KindError reports a peer of another kind than the call needs: a channel
// where a user is needed, say.
type KindError struct {
	Want Kind
	// Got describes what was given, for example "channel 5" or
	// "inputPeerChat".
	Got string
}

func (e *KindError) Error() string {
	return "peer: " + e.Got + " is not a " + e.Want.String() + ": pass a reference to a " + e.Want.String()
}

// rpcType reports whether err is a Telegram RPC error of one of the types.
// It matches any error with an IsType(string) bool method, such as gotd/td's
// *tgerr.Error, without a dependency on it.
func rpcType(err error, types ...string) bool {
	var rpc interface{ IsType(string) bool }
	if !errors.As(err, &rpc) {
		return false
	}
	for _, t := range types {
		if rpc.IsType(t) {
			return true
		}
	}
	return false
}
