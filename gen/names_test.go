package gen

import (
	"strings"
	"testing"
)

func TestSplitWords(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
	}{
		{"inputPeerChannel", "InputPeerChannel"},
		{"access_hash", "AccessHash"},
		{"channel_id", "ChannelID"},
		{"getCdnConfig", "GetCDNConfig"},
		{"ipPort", "IPPort"},
		{"user_ids", "UserIDs"},
		{"url", "URL"},
		{"photo_small_2", "PhotoSmall2"},
		{"HTTPWait", "HTTPWait"},
		{"_x", "X"},
		{"2fa", "X2fa"},
		{"json", "JSON"},
	} {
		if got := pascal(tc.in); got != tc.want {
			t.Errorf("pascal(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := strings.Join(splitWords("inputPeerUserFromMessage"), " "); got != "input Peer User From Message" {
		t.Errorf("splitWords = %q", got)
	}
}
