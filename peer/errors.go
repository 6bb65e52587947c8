package peer

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
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
// or when they are contacts of the account; the Resolver has looked in
// both.
type PhoneError struct {
	Phone string
	Err   error
}

func (e *PhoneError) Error() string {
	s := "peer: no user found for phone +" + e.Phone +
		": they may hide their number and are not a contact; import them as a contact (contacts.importContacts) or use their username"
	if id, err := strconv.ParseInt(e.Phone, 10, 64); err == nil && e.Phone[0] != '0' && UserKey(id).Validate() == nil {
		// A string of digits is a phone number; this one could be an ID.
		s += "; if " + e.Phone + " is a user ID, pass it as an integer, int64(" + e.Phone +
			"), or as \"tg://user?id=" + e.Phone + "\""
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
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

// rpcError is what this package reads of a Telegram RPC error: the error
// in a chain that has an IsType(string) bool method, such as gotd/td's
// *tgerr.Error, and its type string.
//
// The type string is read from the error's exported Type field when it has
// one. Telegram sends the type with a number for some errors
// (FLOOD_WAIT_30); a transport may keep it so, or split it off into an
// exported integer Argument field as gotd/td does (Type FLOOD_WAIT,
// Argument 30). Both read the same here.
type rpcError struct {
	err interface{ IsType(string) bool }
	// typ is the type without its number, "" if the error has no Type
	// field; arg is the number, and hasArg reports whether there is one.
	typ    string
	arg    int64
	hasArg bool
}

// asRPC finds the RPC error in err's chain.
func asRPC(err error) (rpcError, bool) {
	var r rpcError
	if err == nil || !errors.As(err, &r.err) {
		return rpcError{}, false
	}
	v := reflect.ValueOf(r.err)
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return r, true
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return r, true
	}
	if f, err := field(v, "Type"); err == nil && f.Kind() == reflect.String {
		r.typ = f.String()
	}
	if f, err := field(v, "Argument"); err == nil && f.CanInt() && f.Int() != 0 {
		r.arg, r.hasArg = f.Int(), true
	}
	// FLOOD_WAIT_30 as Telegram sends it: the number is the last part.
	if i := strings.LastIndexByte(r.typ, '_'); i > 0 && isDigits(r.typ[i+1:]) {
		if n, err := strconv.ParseInt(r.typ[i+1:], 10, 64); err == nil {
			r.typ, r.arg, r.hasArg = r.typ[:i], n, true
		}
	}
	return r, true
}

// field returns the exported field of the struct v with the name.
func field(v reflect.Value, name string) (reflect.Value, error) {
	f, ok := v.Type().FieldByName(name)
	if !ok || !f.IsExported() {
		return reflect.Value{}, errors.New("no field " + name)
	}
	return v.FieldByIndexErr(f.Index)
}

// is reports whether the error is of one of the types, given without
// their number (FLOOD_WAIT, not FLOOD_WAIT_30).
func (r rpcError) is(types ...string) bool {
	for _, t := range types {
		if r.typ == t || r.err.IsType(t) {
			return true
		}
	}
	return false
}

// rpcType reports whether err is a Telegram RPC error of one of the types.
func rpcType(err error, types ...string) bool {
	r, ok := asRPC(err)
	return ok && r.is(types...)
}
