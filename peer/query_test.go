package peer

import (
	"errors"
	"strings"
	"testing"

	"github.com/tgraw/tgraw/tg"
)

func TestParseRef(t *testing.T) {
	user := func(id int64) Query { return Query{Kind: QueryPeer, Key: UserKey(id)} }
	chat := func(id int64) Query { return Query{Kind: QueryPeer, Key: ChatKey(id)} }
	channel := func(id int64) Query { return Query{Kind: QueryPeer, Key: ChannelKey(id)} }
	name := func(u string) Query { return Query{Kind: QueryUsername, Username: u} }
	phone := func(p string) Query { return Query{Kind: QueryPhone, Phone: p} }
	invite := func(h string) Query { return Query{Kind: QueryInvite, Invite: h} }
	self := Query{Kind: QuerySelf}
	withMsg := func(q Query, id int) Query { q.MsgID = id; return q }

	inPeerUser := &tg.InputPeerUser{UserID: 5, AccessHash: 55}
	inPeerChannel := &tg.InputPeerChannel{ChannelID: 7, AccessHash: 77}
	inPeerChat := &tg.InputPeerChat{ChatID: 9}
	fromMsg := &tg.InputPeerUserFromMessage{Peer: inPeerChannel, MsgID: 3, UserID: 5}
	chanFromMsg := &tg.InputPeerChannelFromMessage{Peer: inPeerChat, MsgID: 4, ChannelID: 8}
	chatObj := &tg.Chat{ID: 9, Title: "group"}

	for _, tc := range []struct {
		ref  any
		want Query
		err  string // the exact error, when the reference is bad
	}{
		// Marked IDs, as integers and strings.
		{ref: 777000, want: user(777000)},
		{ref: int64(-1001234567890), want: channel(1234567890)},
		{ref: int32(-42), want: chat(42)},
		{ref: uint8(7), want: user(7)},
		{ref: uint64(1 << 63), err: `peer: bad reference "9223372036854775808": too large for a marked ID`},
		{ref: 0, err: `peer: bad reference "0": marked ID 0 is not a peer ID: users are 1..1099511627775, basic chats -1..-999999999999, channels -1000000000001..-1997852516351 and, for monoforums, -2002147483649..-3999999999999`},
		{ref: " -1001234567890 ", want: channel(1234567890)},
		{ref: "-123456", want: chat(123456)},
		{ref: "-2002147483649", want: channel(1002147483649)},
		{ref: "-1999999999999", err: `peer: bad reference "-1999999999999": marked ID -1999999999999 is secret chat 1: secret chats are not peers of the raw API (use the user you chat with, or the end-to-end encrypted layer)`},
		{ref: "-5000000000000", err: `peer: bad reference "-5000000000000": marked ID -5000000000000 is not a peer ID: users are 1..1099511627775, basic chats -1..-999999999999, channels -1000000000001..-1997852516351 and, for monoforums, -2002147483649..-3999999999999`},
		{ref: "-99999999999999999999", err: `peer: bad reference "-99999999999999999999": marked ID out of the 64-bit range`},
		{ref: "-", err: `peer: bad reference "-": not a marked ID: a chat or channel ID is '-' and digits, such as -1001234567890`},
		{ref: "-12 34", err: `peer: bad reference "-12 34": not a marked ID: a chat or channel ID is '-' and digits, such as -1001234567890`},
		{ref: "-0x10", err: `peer: bad reference "-0x10": not a marked ID: a chat or channel ID is '-' and digits, such as -1001234567890`},

		// Self.
		{ref: "me", want: self},
		{ref: "SELF", want: self},
		{ref: &tg.InputPeerSelf{}, want: self},

		// Usernames.
		{ref: "durov", want: name("durov")},
		{ref: "@Durov", want: name("durov")},
		{ref: "  @TeleGram_Bot ", want: name("telegram_bot")},
		{ref: "a", want: name("a")},
		{ref: "abcd", want: name("abcd")},
		{ref: "a" + strings.Repeat("b", 31), want: name("a" + strings.Repeat("b", 31))},
		{ref: "a" + strings.Repeat("b", 32), err: `peer: bad reference "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb": username longer than 32 characters`},
		{ref: "1abc", err: `peer: bad reference "1abc": a username starts with a Latin letter`},
		{ref: "_abc", err: `peer: bad reference "_abc": a username starts with a Latin letter`},
		{ref: "abc_", err: `peer: bad reference "abc_": a username does not end with an underscore`},
		{ref: "ab__c", err: `peer: bad reference "ab__c": a username has no double underscore`},
		{ref: "ab-c", err: `peer: bad reference "ab-c": a username has only Latin letters, digits and underscores`},
		{ref: "pável", err: `peer: bad reference "pável": a username has only Latin letters, digits and underscores`},
		{ref: "@", err: `peer: bad reference "@": empty username`},
		{ref: "", err: `peer: bad reference "": empty: want a username, a link, a phone number or a marked ID`},
		{ref: "   ", err: `peer: bad reference "   ": empty: want a username, a link, a phone number or a marked ID`},

		// Username links.
		{ref: "t.me/durov", want: name("durov")},
		{ref: "https://t.me/Durov", want: name("durov")},
		{ref: "http://telegram.me/durov/", want: name("durov")},
		{ref: "HTTPS://WWW.Telegram.Dog/durov?start=42", want: name("durov")},
		{ref: "https://t.me/s/durov", want: name("durov")},
		{ref: "durov.t.me", want: name("durov")},
		{ref: "https://durov.t.me/", want: name("durov")},
		{ref: "tg://resolve?domain=Durov", want: name("durov")},
		{ref: "tg:resolve?domain=durov&start=x", want: name("durov")},
		{ref: "addstickers.t.me", err: `peer: bad reference "addstickers.t.me": addstickers.t.me is not a peer link`},
		{ref: "my-name.t.me", err: `peer: bad reference "my-name.t.me": subdomain "my-name": a username has only Latin letters, digits and underscores`},
		{ref: "https://example.com/durov", err: `peer: bad reference "https://example.com/durov": not a Telegram link: want t.me, telegram.me, telegram.dog or NAME.t.me`},
		{ref: "https://t.me/", err: `peer: bad reference "https://t.me/": link names no peer: want t.me/USERNAME, t.me/+HASH, t.me/joinchat/HASH or t.me/c/ID/POST`},
		{ref: "t.me/addstickers/Animals", err: `peer: bad reference "t.me/addstickers/Animals": t.me/addstickers links do not name a peer`},
		{ref: "t.me/i/abc", err: `peer: bad reference "t.me/i/abc": t.me/i links do not name a peer`},
		{ref: "t.me/du__rov", err: `peer: bad reference "t.me/du__rov": a username has no double underscore`},
		{ref: "tg://resolve", err: `peer: bad reference "tg://resolve": tg://resolve needs domain= or phone=`},
		{ref: "tg://resolve?domain=9lives", err: `peer: bad reference "tg://resolve?domain=9lives": domain "9lives": a username starts with a Latin letter`},
		{ref: "tg://settings", err: `peer: bad reference "tg://settings": tg://settings links do not name a peer: want resolve, join, privatepost or user`},
		{ref: "tg:", err: `peer: bad reference "tg:": tg: link without an action`},

		// Message links.
		{ref: "t.me/durov/123", want: withMsg(name("durov"), 123)},
		{ref: "https://t.me/forum/5/678", want: withMsg(name("forum"), 678)},
		{ref: "https://t.me/c/1234567890/55", want: withMsg(channel(1234567890), 55)},
		{ref: "t.me/c/1234567890", want: channel(1234567890)},
		{ref: "tg://privatepost?channel=1234567890&post=55", want: withMsg(channel(1234567890), 55)},
		{ref: "tg://resolve?domain=durov&post=9", want: withMsg(name("durov"), 9)},
		{ref: "t.me/durov/0", err: `peer: bad reference "t.me/durov/0": message ID "0" is not a positive 32-bit number`},
		{ref: "t.me/durov/abc", err: `peer: bad reference "t.me/durov/abc": message ID "abc" is not a positive 32-bit number`},
		{ref: "t.me/durov/1/2/3", err: `peer: bad reference "t.me/durov/1/2/3": too many path segments for a message link`},
		{ref: "t.me/c/-1001234567890/55", err: `peer: bad reference "t.me/c/-1001234567890/55": t.me/c/ link with a bad channel ID "-1001234567890": want the channel's unmarked ID`},
		{ref: "t.me/c/997852516352/1", err: `peer: bad reference "t.me/c/997852516352/1": channel ID 997852516352 is out of range: channels are 1..997852516351, monoforums 1002147483649..2999999999999`},
		{ref: "t.me/c/", err: `peer: bad reference "t.me/c/": t.me/c/ link without a channel ID`},
		{ref: "tg://privatepost?post=5", err: `peer: bad reference "tg://privatepost?post=5": tg://privatepost needs channel= with the channel's unmarked ID`},
		{ref: "tg://user?id=777000", want: user(777000)},
		{ref: "tg://user?id=0", err: `peer: bad reference "tg://user?id=0": tg://user needs id= with a user ID (1..1099511627775)`},

		// Invite links.
		{ref: "https://t.me/+AbCdEf_-123", want: invite("AbCdEf_-123")},
		{ref: "t.me/joinchat/AAAAAEkk2WdoDrB4-Q8-gg", want: invite("AAAAAEkk2WdoDrB4-Q8-gg")},
		{ref: "https://telegram.me/joinchat/XyZ", want: invite("XyZ")},
		{ref: "tg://join?invite=XyZ", want: invite("XyZ")},
		{ref: "t.me/joinchat/", err: `peer: bad reference "t.me/joinchat/": joinchat link without a valid invite hash`},
		{ref: "t.me/joinchat/a$b", err: `peer: bad reference "t.me/joinchat/a$b": joinchat link without a valid invite hash`},
		{ref: "tg://join?invite=", err: `peer: bad reference "tg://join?invite=": tg://join needs invite= with a valid invite hash`},
		{ref: "t.me/+", err: `peer: bad reference "t.me/+": +link with neither a phone number nor a valid invite hash`},

		// Phones.
		{ref: "+34 600 000 000", want: phone("34600000000")},
		// A string of digits is a phone number, with or without '+'
		// (Pyrogram's raw-API page resolves "393281234567" by phone).
		{ref: "393281234567", want: phone("393281234567")},
		{ref: "777000", want: phone("777000")},
		{ref: "15551234567", want: phone("15551234567")},
		{ref: " 39 328 123 4567 ", want: phone("393281234567")},
		{ref: "(555) 123-45.67", want: phone("5551234567")},
		{ref: "99999999999999999999", want: phone("99999999999999999999")},
		{ref: "0", want: phone("0")},
		{ref: strings.Repeat("1", 33), err: `peer: bad reference "111111111111111111111111111111111": not a phone number: want 1 to 32 digits, with or without '+', with spaces, dots, dashes or parentheses between them`},
		{ref: "()", err: `peer: bad reference "()": not a phone number: want 1 to 32 digits, with or without '+', with spaces, dots, dashes or parentheses between them`},
		{ref: "tg://user?id=393281234567", want: user(393281234567)}, // a user ID as a string
		{ref: "+1 (555) 123-45.67", want: phone("15551234567")},
		{ref: "+15551234567", want: phone("15551234567")},
		{ref: "https://t.me/+15551234567", want: phone("15551234567")},
		{ref: "tg://resolve?phone=15551234567", want: phone("15551234567")},
		{ref: "tg://resolve?phone=%2B34600", want: phone("34600")},
		{ref: "+", err: `peer: bad reference "+": not a phone number: want 1 to 32 digits, with or without '+', with spaces, dots, dashes or parentheses between them`},
		{ref: "+34 abc", err: `peer: bad reference "+34 abc": not a phone number: want 1 to 32 digits, with or without '+', with spaces, dots, dashes or parentheses between them`},
		{ref: "+" + strings.Repeat("1", 33), err: `peer: bad reference "+111111111111111111111111111111111": not a phone number: want 1 to 32 digits, with or without '+', with spaces, dots, dashes or parentheses between them`},
		{ref: "tg://resolve?phone=12ab", err: `peer: bad reference "tg://resolve?phone=12ab": phone "12ab" is not 1 to 32 digits`},

		// Keys and tg values.
		{ref: ChannelKey(5), want: channel(5)},
		{ref: Key{Kind: KindChat}, err: `peer: bad reference "chat 0": chat ID 0 is out of range: basic chats are 1..999999999999`},
		{ref: &tg.PeerUser{UserID: 5}, want: user(5)},
		{ref: &tg.PeerChat{ChatID: 6}, want: chat(6)},
		{ref: &tg.PeerChannel{ChannelID: 7}, want: channel(7)},
		{ref: &tg.PeerChannel{ChannelID: -1001234567890}, err: `peer: bad reference "*tg.PeerChannel": channel ID -1001234567890 is out of range: channels are 1..997852516351, monoforums 1002147483649..2999999999999`},
		{ref: (*tg.PeerUser)(nil), err: `peer: bad reference "*tg.PeerUser": nil *tg.PeerUser`},
		{ref: inPeerUser, want: Query{Kind: QueryInput, Input: inPeerUser}},
		{ref: inPeerChannel, want: Query{Kind: QueryInput, Input: inPeerChannel}},
		{ref: inPeerChat, want: Query{Kind: QueryInput, Input: inPeerChat}},
		{ref: &tg.InputPeerUser{UserID: 5}, want: user(5)},
		{ref: &tg.InputPeerChannel{ChannelID: 7}, want: channel(7)},
		{ref: fromMsg, want: Query{Kind: QueryInput, Input: fromMsg}},
		{ref: chanFromMsg, want: Query{Kind: QueryInput, Input: chanFromMsg}},
		{ref: &tg.InputPeerUserFromMessage{UserID: 5}, err: `peer: bad reference "*tg.InputPeerUserFromMessage": inputPeerUserFromMessage without the peer of its message`},
		{ref: &tg.InputPeerEmpty{}, err: `peer: bad reference "*tg.InputPeerEmpty": empty input peer names no peer`},
		{ref: &tg.User{ID: 5, AccessHash: 55}, want: Query{Kind: QueryInput, Input: &tg.InputPeerUser{UserID: 5, AccessHash: 55}}},
		{ref: &tg.User{ID: 5, AccessHash: 55, Min: true}, want: user(5)},
		{ref: &tg.User{ID: 5, Self: true}, want: self},
		{ref: chatObj, want: Query{Kind: QueryInput, Input: &tg.InputPeerChat{ChatID: 9}}},
		{ref: &tg.Chat{ID: 9, Deactivated: true, MigratedTo: &tg.InputChannel{ChannelID: 7, AccessHash: 77}}, want: chat(9)}, // resolved to its supergroup
		{ref: &tg.Channel{ID: 7, AccessHash: 77}, want: Query{Kind: QueryInput, Input: &tg.InputPeerChannel{ChannelID: 7, AccessHash: 77}}},
		{ref: &tg.ChannelForbidden{ID: 7, AccessHash: 77}, want: Query{Kind: QueryInput, Input: &tg.InputPeerChannel{ChannelID: 7, AccessHash: 77}}},
		{ref: &tg.InputChannel{ChannelID: 7, AccessHash: 77}, want: Query{Kind: QueryInput, Input: &tg.InputPeerChannel{ChannelID: 7, AccessHash: 77}}},
		{ref: &tg.InputUser{UserID: 5}, want: user(5)},
		{ref: nil, err: `peer: bad reference "nil": nil reference: want a username, a link, a phone number, a marked ID or a tg peer value`},
		{ref: 3.5, err: `peer: bad reference "float64": unsupported reference type float64: want a string, an integer marked ID, a peer.Key or a tg Peer, InputPeer, InputUser, InputChannel, User, Chat or Channel`},
		{ref: &tg.Message{}, err: `peer: bad reference "*tg.Message": unsupported reference type *tg.Message: want a string, an integer marked ID, a peer.Key or a tg Peer, InputPeer, InputUser, InputChannel, User, Chat or Channel`},
	} {
		got, err := ParseRef(tc.ref)
		if tc.err != "" {
			var refErr *RefError
			if err == nil || err.Error() != tc.err || !errors.As(err, &refErr) {
				t.Errorf("ParseRef(%#v) = %v, %v\n  want error %s", tc.ref, got, err, tc.err)
			}
			continue
		}
		if err != nil || !sameQuery(got, tc.want) {
			t.Errorf("ParseRef(%#v) = %v, %v; want %v", tc.ref, got, err, tc.want)
		}
	}
}

// sameQuery compares queries, with their Input by value.
func sameQuery(a, b Query) bool {
	ai, bi := a.Input, b.Input
	a.Input, b.Input = nil, nil
	if a != b {
		return false
	}
	if ai == nil || bi == nil {
		return ai == bi
	}
	return a.String() == b.String() && (Query{Kind: QueryInput, Input: ai}).String() == (Query{Kind: QueryInput, Input: bi}).String()
}

func TestParseRefMarkedIDErrorUnwraps(t *testing.T) {
	_, err := ParseRef("-1999999999999")
	var idErr *IDError
	if !errors.As(err, &idErr) || !idErr.SecretChat {
		t.Fatalf("ParseRef of a secret chat ID = %v; want an *IDError with SecretChat", err)
	}
}
