package peer

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/tgraw/tgraw/tg"
)

// Query is a reference parsed with no network: what a resolver must look
// up. Exactly the fields of its Kind are set.
type Query struct {
	Kind QueryKind
	// Key is the peer of a QueryPeer.
	Key Key
	// Username of a QueryUsername: lowercased, without '@'.
	Username string
	// Phone of a QueryPhone: digits only.
	Phone string
	// Invite is the hash of an invite link, for QueryInvite; case matters.
	Invite string
	// MsgID is the message of a message link (t.me/name/123,
	// t.me/c/ID/123), or zero.
	MsgID int
	// Input is the InputPeer of a QueryInput.
	Input tg.InputPeerClass
}

// String describes the query, for example `username "durov"`.
func (q Query) String() string {
	var s string
	switch q.Kind {
	case QueryPeer:
		s = "peer " + q.Key.String()
	case QuerySelf:
		s = "self"
	case QueryUsername:
		s = "username " + strconv.Quote(q.Username)
	case QueryPhone:
		s = "phone +" + q.Phone
	case QueryInvite:
		s = "invite " + strconv.Quote(q.Invite)
	case QueryInput:
		s = fmt.Sprintf("input %T%+v", q.Input, q.Input)
		s = strings.TrimPrefix(s, "input *tg.")
		s = "input " + s
	default:
		return q.Kind.String()
	}
	if q.MsgID != 0 {
		s += " message " + strconv.Itoa(q.MsgID)
	}
	return s
}

// ParseRef parses a reference to a peer, with no network call. A reference
// is one of (the package doc has the same as a table):
//
//   - a marked ID (Bot API and TDLib style) as any Go integer type:
//     777000 (user), -123456 (basic chat), -1001234567890 (channel);
//   - a marked chat or channel ID as a negative decimal string:
//     "-123456", "-1001234567890";
//   - a phone number: a string of digits, with or without '+', with
//     spaces, dots, dashes or parentheses between them ("393281234567",
//     "+34 600 000 000", "(555) 123-4567"), t.me/+15551234567 (a +link of
//     digits only), tg://resolve?phone=15551234567. A string of digits is
//     never a user ID: pass a user ID as an integer or as
//     "tg://user?id=777000";
//   - "me" or "self": the account's own user;
//   - a username: "durov", "@durov", compared case-insensitively;
//   - a link: t.me/durov, https://t.me/durov, telegram.me/durov,
//     telegram.dog/durov, www.t.me/durov, durov.t.me,
//     tg://resolve?domain=durov; message links t.me/durov/123,
//     t.me/c/1234567890/55 and tg://privatepost?channel=1234567890&post=55
//     give the peer and set MsgID; tg://user?id=777000 gives the user;
//   - an invite link: t.me/+HASH, t.me/joinchat/HASH,
//     telegram.me/joinchat/HASH, tg://join?invite=HASH;
//   - a Key;
//   - a tg value: a Peer (tg.PeerUser, tg.PeerChat, tg.PeerChannel), an
//     InputPeer, InputUser or InputChannel, or a User, Chat or Channel
//     object. Those that carry an access hash become a QueryInput used as
//     they are; the others become a QueryPeer.
//
// Anything else, and any malformed reference, gives a *RefError saying
// what is wrong.
func ParseRef(ref any) (Query, error) {
	switch v := ref.(type) {
	case string:
		return parseString(v)
	case Key:
		if err := v.Validate(); err != nil {
			return Query{}, idRefErr(v.String(), err)
		}
		return Query{Kind: QueryPeer, Key: v}, nil
	case nil:
		return Query{}, refErr("nil", "nil reference: want a username, a link, a phone number, a marked ID or a tg peer value")
	}
	if q, ok, err := parseInt(ref); ok {
		return q, err
	}
	if q, ok, err := parseTG(ref); ok {
		return q, err
	}
	return Query{}, refErr(fmt.Sprintf("%T", ref),
		"unsupported reference type %T: want a string, an integer marked ID, a peer.Key or a tg Peer, InputPeer, InputUser, InputChannel, User, Chat or Channel", ref)
}

// keyQuery checks key, named by the tg value ref, and returns a QueryPeer
// for it.
func keyQuery(ref any, key Key) (Query, bool, error) {
	if err := key.Validate(); err != nil {
		return Query{}, true, idRefErr(fmt.Sprintf("%T", ref), err)
	}
	return Query{Kind: QueryPeer, Key: key}, true, nil
}

// inputQuery checks key, named by the tg value ref, and returns a
// QueryInput of in.
func inputQuery(ref any, key Key, in tg.InputPeerClass) (Query, bool, error) {
	if err := key.Validate(); err != nil {
		return Query{}, true, idRefErr(fmt.Sprintf("%T", ref), err)
	}
	return Query{Kind: QueryInput, Input: in}, true, nil
}

// parseTG parses tg values. ok is false for a value of another type.
func parseTG(ref any) (q Query, ok bool, err error) {
	// The reference's type names it in errors; it is spelled out only then,
	// as this runs on every resolution of a tg value.
	if _, isObj := ref.(tg.Object); isObj {
		if rv := reflect.ValueOf(ref); rv.Kind() == reflect.Pointer && rv.IsNil() {
			what := fmt.Sprintf("%T", ref)
			return Query{}, true, refErr(what, "nil %s", what)
		}
	}
	switch v := ref.(type) {
	case *tg.PeerUser:
		return keyQuery(ref, UserKey(v.UserID))
	case *tg.PeerChat:
		return keyQuery(ref, ChatKey(v.ChatID))
	case *tg.PeerChannel:
		return keyQuery(ref, ChannelKey(v.ChannelID))

	case *tg.InputPeerSelf, *tg.InputUserSelf:
		return Query{Kind: QuerySelf}, true, nil
	case *tg.InputPeerEmpty, *tg.InputUserEmpty, *tg.InputChannelEmpty:
		return Query{}, true, refErr(fmt.Sprintf("%T", ref), "empty input peer names no peer")
	case *tg.InputPeerChat:
		return inputQuery(ref, ChatKey(v.ChatID), v)
	case *tg.InputPeerUser:
		if v.AccessHash == 0 {
			return keyQuery(ref, UserKey(v.UserID))
		}
		return inputQuery(ref, UserKey(v.UserID), v)
	case *tg.InputPeerChannel:
		if v.AccessHash == 0 {
			return keyQuery(ref, ChannelKey(v.ChannelID))
		}
		return inputQuery(ref, ChannelKey(v.ChannelID), v)
	case *tg.InputPeerUserFromMessage:
		if v.Peer == nil {
			return Query{}, true, refErr(fmt.Sprintf("%T", ref), "inputPeerUserFromMessage without the peer of its message")
		}
		return inputQuery(ref, UserKey(v.UserID), v)
	case *tg.InputPeerChannelFromMessage:
		if v.Peer == nil {
			return Query{}, true, refErr(fmt.Sprintf("%T", ref), "inputPeerChannelFromMessage without the peer of its message")
		}
		return inputQuery(ref, ChannelKey(v.ChannelID), v)
	case *tg.InputUser:
		if v.AccessHash == 0 {
			return keyQuery(ref, UserKey(v.UserID))
		}
		return inputQuery(ref, UserKey(v.UserID), &tg.InputPeerUser{UserID: v.UserID, AccessHash: v.AccessHash})
	case *tg.InputUserFromMessage:
		if v.Peer == nil {
			return Query{}, true, refErr(fmt.Sprintf("%T", ref), "inputUserFromMessage without the peer of its message")
		}
		return inputQuery(ref, UserKey(v.UserID),
			&tg.InputPeerUserFromMessage{Peer: v.Peer, MsgID: v.MsgID, UserID: v.UserID})
	case *tg.InputChannel:
		if v.AccessHash == 0 {
			return keyQuery(ref, ChannelKey(v.ChannelID))
		}
		return inputQuery(ref, ChannelKey(v.ChannelID), &tg.InputPeerChannel{ChannelID: v.ChannelID, AccessHash: v.AccessHash})
	case *tg.InputChannelFromMessage:
		if v.Peer == nil {
			return Query{}, true, refErr(fmt.Sprintf("%T", ref), "inputChannelFromMessage without the peer of its message")
		}
		return inputQuery(ref, ChannelKey(v.ChannelID),
			&tg.InputPeerChannelFromMessage{Peer: v.Peer, MsgID: v.MsgID, ChannelID: v.ChannelID})

	case *tg.User:
		if v.Self {
			return Query{Kind: QuerySelf}, true, nil
		}
		if v.Min || !userHasHash(v) {
			return keyQuery(ref, UserKey(v.ID))
		}
		return inputQuery(ref, UserKey(v.ID), &tg.InputPeerUser{UserID: v.ID, AccessHash: v.AccessHash})
	case *tg.UserEmpty:
		return keyQuery(ref, UserKey(v.ID))
	case *tg.Chat:
		if v.MigratedTo != nil {
			// Resolved by key, to the supergroup it became.
			return keyQuery(ref, ChatKey(v.ID))
		}
		return inputQuery(ref, ChatKey(v.ID), &tg.InputPeerChat{ChatID: v.ID})
	case *tg.ChatForbidden:
		return inputQuery(ref, ChatKey(v.ID), &tg.InputPeerChat{ChatID: v.ID})
	case *tg.ChatEmpty:
		return keyQuery(ref, ChatKey(v.ID))
	case *tg.Channel:
		if v.Min || !channelHasHash(v) {
			return keyQuery(ref, ChannelKey(v.ID))
		}
		return inputQuery(ref, ChannelKey(v.ID), &tg.InputPeerChannel{ChannelID: v.ID, AccessHash: v.AccessHash})
	case *tg.ChannelForbidden:
		return inputQuery(ref, ChannelKey(v.ID), &tg.InputPeerChannel{ChannelID: v.ID, AccessHash: v.AccessHash})
	}
	return Query{}, false, nil
}

func userHasHash(u *tg.User) bool       { return u.HasAccessHash() }
func channelHasHash(c *tg.Channel) bool { return c.HasAccessHash() }
