// The examples pin the bundled layer's bytes: they build without the
// gotdlayer tag, which gen's TestOtherSchemas sets for its copy of tg at
// layer 170.

//go:build !gotdlayer

package tg_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/gotd/td/bin"

	"github.com/tgraw/tgraw/tg"
)

// recorder is an Invoker that keeps the bytes of the last request and
// answers with a canned result. A real program passes gotd/td's
// telegram.Client instead, which sends the request to Telegram.
type recorder struct {
	request []byte
	answer  bin.Encoder
}

func (r *recorder) Invoke(ctx context.Context, input bin.Encoder, output bin.Decoder) error {
	var b bin.Buffer
	if err := input.Encode(&b); err != nil {
		return err
	}
	r.request = b.Copy()
	b.Reset()
	if err := r.answer.Encode(&b); err != nil {
		return err
	}
	return output.Decode(&b)
}

// words prints data as little-endian 4-byte words, eight to a line, as the
// TL documentation shows encodings.
func words(data []byte) string {
	var s strings.Builder
	for i := 0; i < len(data); i += 4 {
		switch {
		case i == 0:
		case i%32 == 0:
			s.WriteByte('\n')
		default:
			s.WriteByte(' ')
		}
		fmt.Fprintf(&s, "%x", data[i:min(i+4, len(data))])
	}
	return s.String()
}

// The examples print the bytes of their requests at tg's layer, 228.
// internal/oracle's TestExampleBytes checks them with encoders other than
// tg's: gotd/td's (layer 170) for account.updateProfile and
// account.setPrivacy, which layer 228 left as they were; for
// channels.inviteToChannel, whose ID changed in layer 228, a layout by hand
// from its TL definition, with each ID recomputed as the CRC32 of its
// definition.

func ExampleClient_AccountUpdateProfile() {
	inv := &recorder{answer: &tg.User{Self: true, ID: 42, FirstName: "Dan", LastName: "Tès"}}
	api := tg.NewClient(inv)

	user, err := api.AccountUpdateProfile(context.Background(), &tg.AccountUpdateProfileRequest{
		FirstName: "Dan",
		LastName:  "Tès",
		About:     "Bio written from tgraw",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(words(inv.request))
	if u, ok := user.(*tg.User); ok {
		fmt.Printf("user %d: %s %s\n", u.ID, u.FirstName, u.LastName)
	}
	// Output:
	// 75575178 07000000 0344616e 0454c3a8 73000000 1642696f 20777269 7474656e
	// 2066726f 6d207467 72617700
	// user 42: Dan Tès
}

func ExampleClient_AccountSetPrivacy() {
	inv := &recorder{answer: &tg.AccountPrivacyRules{
		Rules: []tg.PrivacyRuleClass{&tg.PrivacyValueAllowContacts{}},
	}}
	api := tg.NewClient(inv)

	rules, err := api.AccountSetPrivacy(context.Background(), &tg.AccountSetPrivacyRequest{
		Key:   &tg.InputPrivacyKeyStatusTimestamp{},
		Rules: []tg.InputPrivacyRuleClass{&tg.InputPrivacyValueAllowContacts{}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(words(inv.request))
	for _, r := range rules.Rules {
		fmt.Println(r.TypeName())
	}
	// Output:
	// e81cf8c9 18cb964f 15c4b51c 01000000 7be0090d
	// privacyValueAllowContacts
}

func ExampleClient_ChannelsInviteToChannel() {
	inv := &recorder{answer: &tg.MessagesInvitedUsers{
		Updates:         &tg.Updates{Date: 1700000000},
		MissingInvitees: []tg.MissingInvitee{{UserID: 103, PremiumWouldAllowInvite: true}},
	}}
	api := tg.NewClient(inv)

	invited, err := api.ChannelsInviteToChannel(context.Background(), &tg.ChannelsInviteToChannelRequest{
		Channel: &tg.InputChannel{ChannelID: 1234567890, AccessHash: 0x0102030405060708},
		Users: []tg.InputUserClass{
			&tg.InputUser{UserID: 101, AccessHash: 1001},
			&tg.InputUser{UserID: 102, AccessHash: 1002},
			&tg.InputUser{UserID: 103, AccessHash: 1003},
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(words(inv.request))
	fmt.Println(invited.Updates.TypeName())
	for _, m := range invited.MissingInvitees {
		// Privacy settings kept this user out; an invite link may do.
		fmt.Printf("user %d not invited (Premium would allow it: %v)\n", m.UserID, m.PremiumWouldAllowInvite)
	}
	// Output:
	// 543de3c9 28ec5af3 d2029649 00000000 08070605 04030201 15c4b51c 03000000
	// c65811f2 65000000 00000000 e9030000 00000000 c65811f2 66000000 00000000
	// ea030000 00000000 c65811f2 67000000 00000000 eb030000 00000000
	// updates
	// user 103 not invited (Premium would allow it: true)
}
