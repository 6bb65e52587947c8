package peer

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
)

// QueryKind says how a Query names its peer.
type QueryKind uint8

// The kinds of queries ParseRef returns.
const (
	// QueryPeer names a peer by key (a marked ID, a tg Peer value, a
	// t.me/c/ID link): the store must know its access hash, or Telegram
	// must return it for hash 0.
	QueryPeer QueryKind = iota + 1
	// QuerySelf names the account's own user ("me", "self").
	QuerySelf
	// QueryUsername names a public peer by username.
	QueryUsername
	// QueryPhone names a user by phone number.
	QueryPhone
	// QueryInvite names a chat by the hash of an invite link.
	QueryInvite
	// QueryInput carries a ready InputPeer: nothing to look up.
	QueryInput
)

// String returns the name of the query kind, for example "username".
func (k QueryKind) String() string {
	switch k {
	case QueryPeer:
		return "peer"
	case QuerySelf:
		return "self"
	case QueryUsername:
		return "username"
	case QueryPhone:
		return "phone"
	case QueryInvite:
		return "invite"
	case QueryInput:
		return "input"
	}
	return "QueryKind(" + strconv.Itoa(int(k)) + ")"
}

// RefError reports a reference that cannot name a peer. It is returned
// before any network call. Err, when set, is the underlying error (an
// *IDError for a marked ID out of range).
type RefError struct {
	Ref    string // the reference as given, or its Go type for other values
	Reason string // what is wrong with it
	Err    error
}

func (e *RefError) Error() string {
	return "peer: bad reference " + strconv.Quote(e.Ref) + ": " + e.Reason
}

func (e *RefError) Unwrap() error { return e.Err }

func refErr(ref, format string, args ...any) *RefError {
	return &RefError{Ref: ref, Reason: fmt.Sprintf(format, args...)}
}

// idRefErr returns the *RefError of a reference whose ID is out of range;
// err is the error of Key.Validate or ParseMarked.
func idRefErr(ref string, err error) *RefError {
	reason := err.Error()
	var idErr *IDError
	if errors.As(err, &idErr) {
		reason = idErr.reason()
	}
	return &RefError{Ref: ref, Reason: reason, Err: err}
}

// parseInt converts integers of any Go type to a marked ID query.
func parseInt(ref any) (Query, bool, error) {
	var id int64
	switch v := ref.(type) {
	case int:
		id = int64(v)
	case int64:
		id = v
	case int32:
		id = int64(v)
	case int16:
		id = int64(v)
	case int8:
		id = int64(v)
	case uint:
		if uint64(v) > math.MaxInt64 {
			return Query{}, true, refErr(strconv.FormatUint(uint64(v), 10), "too large for a marked ID")
		}
		id = int64(v)
	case uint64:
		if v > math.MaxInt64 {
			return Query{}, true, refErr(strconv.FormatUint(v, 10), "too large for a marked ID")
		}
		id = int64(v)
	case uint32:
		id = int64(v)
	case uint16:
		id = int64(v)
	case uint8:
		id = int64(v)
	default:
		return Query{}, false, nil
	}
	q, err := markedQuery("", id)
	return q, true, err
}

// markedQuery returns the query of a marked ID. ref is the reference as
// given; empty means the decimal form of id.
func markedQuery(ref string, id int64) (Query, error) {
	key, err := ParseMarked(id)
	if err != nil {
		if ref == "" {
			ref = strconv.FormatInt(id, 10)
		}
		return Query{}, idRefErr(ref, err)
	}
	return Query{Kind: QueryPeer, Key: key}, nil
}

// parseString parses the string forms of a reference.
func parseString(ref string) (Query, error) {
	s := strings.TrimSpace(ref)
	if s == "" {
		return Query{}, refErr(ref, "empty: want a username, a link, a phone number or a marked ID")
	}
	if strings.EqualFold(s, "me") || strings.EqualFold(s, "self") {
		return Query{Kind: QuerySelf}, nil
	}
	// A negative decimal number is a marked chat or channel ID.
	if s[0] == '-' {
		if !isDigits(s[1:]) {
			return Query{}, refErr(ref, "not a marked ID: a chat or channel ID is '-' and digits, such as -1001234567890")
		}
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return Query{}, refErr(ref, "marked ID out of the 64-bit range")
		}
		return markedQuery(ref, id)
	}
	// Digits, with or without '+', are a phone number, as Pyrogram and
	// Telethon read them; a user ID as a string is tg://user?id=ID.
	if c := s[0]; c == '+' || c == '(' || c >= '0' && c <= '9' {
		if digits, ok := phoneDigits(strings.TrimPrefix(s, "+")); ok {
			return Query{Kind: QueryPhone, Phone: digits}, nil
		}
		if c == '+' || phoneShaped(s) {
			return Query{}, refErr(ref, "not a phone number: want 1 to 32 digits, with or without '+', with spaces, dots, dashes or parentheses between them")
		}
	}
	lower := strings.ToLower(s)
	switch {
	case strings.HasPrefix(lower, "tg:"):
		return parseTGLink(ref, s[len("tg:"):])
	case strings.HasPrefix(lower, "https://"):
		return parseWebLink(ref, s[len("https://"):])
	case strings.HasPrefix(lower, "http://"):
		return parseWebLink(ref, s[len("http://"):])
	case strings.ContainsAny(s, "/.:?"):
		return parseWebLink(ref, s)
	}
	name := strings.TrimPrefix(s, "@")
	if reason := usernameProblem(name); reason != "" {
		return Query{}, refErr(ref, "%s", reason)
	}
	return Query{Kind: QueryUsername, Username: strings.ToLower(name)}, nil
}

// isDigits reports whether s is one or more ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isInviteHash reports whether s can be the hash of an invite link: base64url
// characters.
func isInviteHash(s string) bool {
	if s == "" || len(s) > 256 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isLetter(c) && !(c >= '0' && c <= '9') && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

// reservedSubdomains are the subdomains of t.me that are not usernames.
var reservedSubdomains = map[string]bool{
	"addemoji": true, "addlist": true, "addstickers": true, "addstyle": true, "addtheme": true,
	"auction": true, "auth": true, "boost": true, "call": true, "confirmphone": true, "contact": true,
	"giftcode": true, "invoice": true, "joinchat": true, "login": true, "m": true, "nft": true,
	"proxy": true, "setlanguage": true, "share": true, "socks": true, "web": true, "a": true,
	"k": true, "z": true,
}

// nonPeerPaths are first path segments of t.me links that name something
// other than a peer.
var nonPeerPaths = map[string]bool{
	"addemoji": true, "addlist": true, "addstickers": true, "addstyle": true, "addtheme": true,
	"auction": true, "auth": true, "bg": true, "boost": true, "call": true, "confirmphone": true,
	"contact": true, "giftcode": true, "i": true, "invoice": true, "iv": true, "login": true,
	"m": true, "nft": true, "proxy": true, "setlanguage": true, "share": true, "socks": true,
	"msg": true, "msg_url": true,
}

// parseWebLink parses a t.me, telegram.me or telegram.dog link without its
// scheme.
func parseWebLink(ref, s string) (Query, error) {
	s, _, _ = strings.Cut(s, "#")
	rest, rawQuery, _ := strings.Cut(s, "?")
	host, path, _ := strings.Cut(rest, "/")
	host = strings.ToLower(host)
	host = strings.TrimPrefix(host, "www.")
	switch host {
	case "t.me", "telegram.me", "telegram.dog":
	default:
		sub, ok := strings.CutSuffix(host, ".t.me")
		if !ok {
			return Query{}, refErr(ref, "not a Telegram link: want t.me, telegram.me, telegram.dog or NAME.t.me")
		}
		if reservedSubdomains[sub] {
			return Query{}, refErr(ref, "%s.t.me is not a peer link", sub)
		}
		if reason := usernameProblem(sub); reason != "" {
			return Query{}, refErr(ref, "subdomain %q: %s", sub, reason)
		}
		// NAME.t.me/PATH is t.me/NAME/PATH.
		path = sub + "/" + path
	}
	path = strings.TrimPrefix(strings.Trim(path, "/"), "s/")
	if path == "" {
		return Query{}, refErr(ref, "link names no peer: want t.me/USERNAME, t.me/+HASH, t.me/joinchat/HASH or t.me/c/ID/POST")
	}
	seg := strings.Split(path, "/")
	first := seg[0]
	switch {
	case first == "joinchat":
		if len(seg) != 2 || !isInviteHash(seg[1]) {
			return Query{}, refErr(ref, "joinchat link without a valid invite hash")
		}
		return Query{Kind: QueryInvite, Invite: seg[1]}, nil
	case strings.HasPrefix(first, "+"), strings.HasPrefix(first, " "):
		// A '+' in a URL path may arrive decoded as a space.
		hash := first[1:]
		if len(seg) != 1 {
			return Query{}, refErr(ref, "unexpected path after the +link")
		}
		if isPhoneNumber(hash) {
			return Query{Kind: QueryPhone, Phone: hash}, nil
		}
		if !isInviteHash(hash) {
			return Query{}, refErr(ref, "+link with neither a phone number nor a valid invite hash")
		}
		return Query{Kind: QueryInvite, Invite: hash}, nil
	case first == "c":
		if len(seg) < 2 {
			return Query{}, refErr(ref, "t.me/c/ link without a channel ID")
		}
		id, err := strconv.ParseInt(seg[1], 10, 64)
		if err != nil || !isDigits(seg[1]) {
			return Query{}, refErr(ref, "t.me/c/ link with a bad channel ID %q: want the channel's unmarked ID", seg[1])
		}
		key := ChannelKey(id)
		if err := key.Validate(); err != nil {
			return Query{}, idRefErr(ref, err)
		}
		msg, err := postID(ref, seg[2:])
		if err != nil {
			return Query{}, err
		}
		return Query{Kind: QueryPeer, Key: key, MsgID: msg}, nil
	case nonPeerPaths[strings.ToLower(first)]:
		return Query{}, refErr(ref, "t.me/%s links do not name a peer", first)
	}
	if reason := usernameProblem(first); reason != "" {
		return Query{}, refErr(ref, "%s", reason)
	}
	msg, err := postID(ref, seg[1:])
	if err != nil {
		return Query{}, err
	}
	_ = rawQuery // ?start=, ?text=, ?profile and the like do not change the peer.
	return Query{Kind: QueryUsername, Username: strings.ToLower(first), MsgID: msg}, nil
}

// postID reads the message ID of a message link: /POST or /TOPIC/POST.
func postID(ref string, seg []string) (int, error) {
	if len(seg) == 0 {
		return 0, nil
	}
	if len(seg) > 2 {
		return 0, refErr(ref, "too many path segments for a message link")
	}
	var id int
	for _, s := range seg {
		n, err := strconv.ParseInt(s, 10, 32)
		if err != nil || n <= 0 || !isDigits(s) {
			return 0, refErr(ref, "message ID %q is not a positive 32-bit number", s)
		}
		id = int(n)
	}
	return id, nil
}

// parseTGLink parses a tg: or tg:// link after its "tg:".
func parseTGLink(ref, s string) (Query, error) {
	s = strings.TrimPrefix(s, "//")
	s, _, _ = strings.Cut(s, "#")
	action, rawQuery, _ := strings.Cut(s, "?")
	action = strings.ToLower(strings.TrimSuffix(action, "/"))
	args, err := url.ParseQuery(rawQuery)
	if err != nil {
		return Query{}, refErr(ref, "bad query string: %v", err)
	}
	switch action {
	case "resolve":
		if phone := args.Get("phone"); phone != "" {
			digits, ok := phoneDigits(strings.TrimPrefix(phone, "+"))
			if !ok {
				return Query{}, refErr(ref, "phone %q is not 1 to 32 digits", phone)
			}
			return Query{Kind: QueryPhone, Phone: digits}, nil
		}
		domain := args.Get("domain")
		if domain == "" {
			return Query{}, refErr(ref, "tg://resolve needs domain= or phone=")
		}
		if reason := usernameProblem(domain); reason != "" {
			return Query{}, refErr(ref, "domain %q: %s", domain, reason)
		}
		var msg int
		if post := args.Get("post"); post != "" {
			if msg, err = postID(ref, []string{post}); err != nil {
				return Query{}, err
			}
		}
		return Query{Kind: QueryUsername, Username: strings.ToLower(domain), MsgID: msg}, nil
	case "join":
		hash := args.Get("invite")
		if !isInviteHash(hash) {
			return Query{}, refErr(ref, "tg://join needs invite= with a valid invite hash")
		}
		return Query{Kind: QueryInvite, Invite: hash}, nil
	case "privatepost":
		ch := args.Get("channel")
		id, err := strconv.ParseInt(ch, 10, 64)
		if err != nil || !isDigits(ch) {
			return Query{}, refErr(ref, "tg://privatepost needs channel= with the channel's unmarked ID")
		}
		key := ChannelKey(id)
		if err := key.Validate(); err != nil {
			return Query{}, idRefErr(ref, err)
		}
		var msg int
		if post := args.Get("post"); post != "" {
			if msg, err = postID(ref, []string{post}); err != nil {
				return Query{}, err
			}
		}
		return Query{Kind: QueryPeer, Key: key, MsgID: msg}, nil
	case "user", "openmessage":
		raw := args.Get("id")
		if raw == "" {
			raw = args.Get("user_id")
		}
		id, err := strconv.ParseInt(raw, 10, 64)
		key := UserKey(id)
		if err != nil || key.Validate() != nil {
			return Query{}, refErr(ref, "tg://%s needs id= with a user ID (1..%d)", action, MaxUserID)
		}
		return Query{Kind: QueryPeer, Key: key}, nil
	case "":
		return Query{}, refErr(ref, "tg: link without an action")
	}
	return Query{}, refErr(ref, "tg://%s links do not name a peer: want resolve, join, privatepost or user", action)
}
