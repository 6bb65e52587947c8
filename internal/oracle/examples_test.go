//go:build !gotdlayer

package oracle_test

import (
	"bytes"
	"encoding/hex"
	"hash/crc32"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gotd/td/bin"
	gotd "github.com/gotd/td/tg"

	"github.com/tgraw/tgraw/schema"
)

// The request bytes that the examples of package tg print
// (tg/example_test.go), as 4-byte words. They are bytes of the bundled
// layer, so this file builds only where tg has it: not in the layer-170
// copy of gen's TestOtherSchemas (build tag gotdlayer).
const (
	updateProfileWords = `75575178 07000000 0344616e 0454c3a8 73000000 1642696f 20777269 7474656e
2066726f 6d207467 72617700`
	setPrivacyWords      = `e81cf8c9 18cb964f 15c4b51c 01000000 7be0090d`
	inviteToChannelWords = `543de3c9 28ec5af3 d2029649 00000000 08070605 04030201 15c4b51c 03000000
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

// TestExampleBytes encodes the requests of tg's examples with encoders
// other than tg's: the bytes must be those the examples print. gotd/td's
// encoder (layer 170) checks the requests that the bundled layer left as
// they were in 170; the others are laid out by hand from their TL
// definitions.
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
		{"channels.inviteToChannel", inviteToChannelByHand(t), inviteToChannelWords},
	} {
		var b bin.Buffer
		if err := tt.req.Encode(&b); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if want := unwords(t, tt.words); !bytes.Equal(b.Buf, want) {
			t.Errorf("%s: the independent encoding is\n%x\nthe example prints\n%x", tt.name, b.Buf, want)
		}
	}
}

// inviteToChannelByHand lays out the request of tg's
// channels.inviteToChannel example from the TL definitions of the bundled
// schema, which must be those it was written for, with each constructor ID
// recomputed from its definition. Only gotd/td's bin primitives write the
// bytes.
func inviteToChannelByHand(t *testing.T) bin.Encoder {
	invite := definitionID(t, "channels.inviteToChannel", "channel:InputChannel users:Vector<InputUser> = messages.InvitedUsers")
	channel := definitionID(t, "inputChannel", "channel_id:long access_hash:long = InputChannel")
	user := definitionID(t, "inputUser", "user_id:long access_hash:long = InputUser")
	vector := tlID("vector#1cb5c415 {t:Type} # [ t ] = Vector t;")
	if vector != bin.TypeVector {
		t.Fatalf("the vector ID from its definition is %#08x, bin.TypeVector %#08x", vector, bin.TypeVector)
	}

	var b bin.Buffer
	b.PutID(invite)
	b.PutID(channel) // channel:InputChannel, boxed
	b.PutLong(1234567890)
	b.PutLong(0x0102030405060708)
	b.PutID(vector) // users:Vector<InputUser>, boxed
	b.PutInt(3)
	for _, u := range []struct{ id, hash int64 }{{101, 1001}, {102, 1002}, {103, 1003}} {
		b.PutID(user) // each element boxed
		b.PutLong(u.id)
		b.PutLong(u.hash)
	}
	return laidOut(b.Buf)
}

// laidOut is bytes laid out by hand, as an Encoder.
type laidOut []byte

func (l laidOut) Encode(b *bin.Buffer) error {
	b.Put(l)
	return nil
}

// definitionID finds the definition of name in the bundled schema, checks
// that its fields and type are rest and that its ID is the one tlID
// computes from it, and returns that ID.
func definitionID(t *testing.T, name, rest string) uint32 {
	t.Helper()
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `#([0-9a-f]+) (.*);$`)
	m := re.FindSubmatch(schema.API)
	if m == nil {
		t.Fatalf("the schema has no definition of %s", name)
	}
	if string(m[2]) != rest {
		t.Fatalf("%s is %q in the schema, the example was laid out for %q", name, m[2], rest)
	}
	id, err := strconv.ParseUint(string(m[1]), 16, 32)
	if err != nil {
		t.Fatal(err)
	}
	if got := tlID(string(m[0])); got != uint32(id) {
		t.Fatalf("%s: the schema says #%08x, its definition gives #%08x", name, id, got)
	}
	return uint32(id)
}

// tlID computes a constructor's ID from its definition as Telegram's TL
// compiler does: the CRC32 (IEEE) of the definition without its #ID and
// final semicolon, with flags.N?true fields dropped, bytes written string,
// < as a space and >, { and } dropped. The rule gives back the ID of all
// but five of the 2461 definitions of layer 228.
func tlID(def string) uint32 {
	def = strings.TrimSuffix(strings.TrimSpace(def), ";")
	def = regexp.MustCompile(`^([\w.]+)#[0-9a-f]+`).ReplaceAllString(def, "$1")
	def = regexp.MustCompile(` \w+:\w+\.\d+\?true`).ReplaceAllString(def, "")
	def = strings.NewReplacer(":bytes ", ":string ", "?bytes ", "?string ", "<", " ", ">", "", "{", "", "}", "").Replace(def)
	return crc32.ChecksumIEEE([]byte(def))
}
