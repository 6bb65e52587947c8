package oracle_test

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/gotd/td/bin"
	gotd "github.com/gotd/td/tg"
)

// The request bytes that the examples of package tg print (tg/example_test.go),
// as 4-byte words.
const (
	updateProfileWords = `75575178 07000000 0344616e 0454c3a8 73000000 1642696f 20777269 7474656e
2066726f 6d207467 72617700`
	setPrivacyWords      = `e81cf8c9 18cb964f 15c4b51c 01000000 7be0090d`
	inviteToChannelWords = `6c3a9f19 28ec5af3 d2029649 00000000 08070605 04030201 15c4b51c 03000000
c65811f2 65000000 00000000 e9030000 00000000 c65811f2 66000000 00000000
ea030000 00000000 c65811f2 67000000 00000000 eb030000 00000000`
)

func unwords(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestExampleBytes encodes the requests of tg's examples with gotd: the
// bytes must be those the examples print.
func TestExampleBytes(t *testing.T) {
	for _, tt := range []struct {
		name  string
		req   bin.Encoder
		words string
	}{
		{"account.updateProfile", &gotd.AccountUpdateProfileRequest{
			FirstName: "Dan",
			LastName:  "Tès",
			About:     "Bio written from tgraw",
		}, updateProfileWords},
		{"account.setPrivacy", &gotd.AccountSetPrivacyRequest{
			Key:   &gotd.InputPrivacyKeyStatusTimestamp{},
			Rules: []gotd.InputPrivacyRuleClass{&gotd.InputPrivacyValueAllowContacts{}},
		}, setPrivacyWords},
		{"channels.inviteToChannel", &gotd.ChannelsInviteToChannelRequest{
			Channel: &gotd.InputChannel{ChannelID: 1234567890, AccessHash: 0x0102030405060708},
			Users: []gotd.InputUserClass{
				&gotd.InputUser{UserID: 101, AccessHash: 1001},
				&gotd.InputUser{UserID: 102, AccessHash: 1002},
				&gotd.InputUser{UserID: 103, AccessHash: 1003},
			},
		}, inviteToChannelWords},
	} {
		var b bin.Buffer
		if err := tt.req.Encode(&b); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if want := unwords(t, tt.words); !bytes.Equal(b.Buf, want) {
			t.Errorf("%s: gotd encodes\n%x\nthe example prints\n%x", tt.name, b.Buf, want)
		}
	}
}
