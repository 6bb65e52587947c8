package peer

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestParseMarked(t *testing.T) {
	for _, tc := range []struct {
		marked  int64
		want    Key
		errKind Kind // for an error: the kind it names
		secret  bool
		errText string
	}{
		{marked: math.MinInt64, errText: "is not a peer ID: users are 1..1099511627775"},
		{marked: -4000000000001, errText: "is not a peer ID"},
		{marked: -4000000000000, errKind: KindChannel, errText: "monoforums -2002147483649..-3999999999999"},
		{marked: -3999999999999, want: ChannelKey(2999999999999)},
		{marked: -3000000000000, want: ChannelKey(2000000000000)},
		{marked: -2002147483649, want: ChannelKey(1002147483649)},
		{marked: -2002147483648, secret: true, errText: "secret chat -2147483648: secret chats are not peers of the raw API"},
		{marked: -2000000000001, secret: true, errText: "secret chat -1:"},
		{marked: -2000000000000, errText: "is not a peer ID"},
		{marked: -1999999999999, secret: true, errText: "secret chat 1:"},
		{marked: -1997852516353, secret: true, errText: "secret chat 2147483647:"},
		{marked: -1997852516352, errKind: KindChannel, errText: "channels are -1000000000001..-1997852516351"},
		{marked: -1997852516351, want: ChannelKey(997852516351)},
		{marked: -1001234567890, want: ChannelKey(1234567890)},
		{marked: -1000000000001, want: ChannelKey(1)},
		{marked: -1000000000000, errText: "is not a peer ID"},
		{marked: -999999999999, want: ChatKey(999999999999)},
		{marked: -123456, want: ChatKey(123456)},
		{marked: -1, want: ChatKey(1)},
		{marked: 0, errText: "marked ID 0 is not a peer ID"},
		{marked: 1, want: UserKey(1)},
		{marked: 777000, want: UserKey(777000)},
		{marked: 1099511627775, want: UserKey(1099511627775)},
		{marked: 1099511627776, errText: "is not a peer ID"},
		{marked: math.MaxInt64, errText: "is not a peer ID"},
	} {
		got, err := ParseMarked(tc.marked)
		if tc.errText == "" {
			if err != nil || got != tc.want {
				t.Errorf("ParseMarked(%d) = %v, %v; want %v", tc.marked, got, err, tc.want)
				continue
			}
			back, err := got.Marked()
			if err != nil || back != tc.marked {
				t.Errorf("%v.Marked() = %d, %v; want %d", got, back, err, tc.marked)
			}
			continue
		}
		var idErr *IDError
		if !errors.As(err, &idErr) {
			t.Errorf("ParseMarked(%d) = %v, %v; want an *IDError", tc.marked, got, err)
			continue
		}
		if idErr.ID != tc.marked || !idErr.Marked || idErr.Kind != tc.errKind || idErr.SecretChat != tc.secret {
			t.Errorf("ParseMarked(%d) error = %+v; want kind %v, secret %v", tc.marked, idErr, tc.errKind, tc.secret)
		}
		if !strings.Contains(err.Error(), tc.errText) {
			t.Errorf("ParseMarked(%d) error %q; want it to contain %q", tc.marked, err, tc.errText)
		}
	}
}

func TestKeyValidate(t *testing.T) {
	for _, tc := range []struct {
		key     Key
		errText string // empty: valid
	}{
		{key: Key{}, errText: "invalid peer kind Kind(0) for ID 0"},
		{key: Key{Kind: 4, ID: 1}, errText: "invalid peer kind Kind(4)"},
		{key: UserKey(-1), errText: "user ID -1 is out of range: users are 1..1099511627775"},
		{key: UserKey(0), errText: "user ID 0 is out of range"},
		{key: UserKey(1)},
		{key: UserKey(MaxUserID)},
		{key: UserKey(MaxUserID + 1), errText: "user ID 1099511627776 is out of range"},
		{key: ChatKey(0), errText: "chat ID 0 is out of range: basic chats are 1..999999999999"},
		{key: ChatKey(1)},
		{key: ChatKey(MaxChatID)},
		{key: ChatKey(MaxChatID + 1), errText: "chat ID 1000000000000 is out of range"},
		{key: ChatKey(-5), errText: "chat ID -5 is out of range"},
		{key: ChannelKey(0), errText: "channel ID 0 is out of range: channels are 1..997852516351, monoforums 1002147483649..2999999999999"},
		{key: ChannelKey(1)},
		{key: ChannelKey(MaxChannelID)},
		{key: ChannelKey(MaxChannelID + 1), errText: "channel ID 997852516352 is out of range"},
		{key: ChannelKey(1000000000000), errText: "channel ID 1000000000000 is out of range"},
		{key: ChannelKey(MinMonoforumID - 1), errText: "channel ID 1002147483648 is out of range"},
		{key: ChannelKey(MinMonoforumID)},
		{key: ChannelKey(MaxMonoforumID)},
		{key: ChannelKey(MaxMonoforumID + 1), errText: "channel ID 3000000000000 is out of range"},
		{key: ChannelKey(-1001234567890), errText: "channel ID -1001234567890 is out of range"},
	} {
		err := tc.key.Validate()
		_, markErr := tc.key.Marked()
		if tc.errText == "" {
			if err != nil || markErr != nil {
				t.Errorf("%v: Validate() = %v, Marked() error %v; want valid", tc.key, err, markErr)
			}
			continue
		}
		var idErr *IDError
		if !errors.As(err, &idErr) || idErr.Marked || idErr.ID != tc.key.ID || idErr.Kind != tc.key.Kind {
			t.Errorf("%v: Validate() = %#v; want an *IDError for it", tc.key, err)
			continue
		}
		if !strings.Contains(err.Error(), tc.errText) {
			t.Errorf("%v: Validate() = %q; want it to contain %q", tc.key, err, tc.errText)
		}
		if markErr == nil {
			t.Errorf("%v: Marked() succeeded on an invalid key", tc.key)
		}
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{0: "Kind(0)", KindUser: "user", KindChat: "chat", KindChannel: "channel", 200: "Kind(200)"} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q; want %q", k, got, want)
		}
	}
	if got := ChannelKey(5).String(); got != "channel 5" {
		t.Errorf("ChannelKey(5).String() = %q", got)
	}
}
