package tg_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gotd/td/bin"

	"github.com/tgraw/tgraw/schema"
	"github.com/tgraw/tgraw/tg"
)

// seedsPerID is how many random values of each constructor and function
// the round trip checks; -seeds raises it for a longer search.
var seedsPerID = flag.Int64("seeds", 8, "random values of each constructor and function in TestRoundTrip")

// TestRegistry checks the registry against the schema tg was generated
// from: the same layer, and exactly its constructors and functions, each
// with its TL name.
func TestRegistry(t *testing.T) {
	in := loadInfo(t)
	if tg.Layer != in.model.Layer || tg.Layer != schema.Layer {
		t.Errorf("tg.Layer is %d, the schema's layer %d, schema.Layer %d", tg.Layer, in.model.Layer, schema.Layer)
	}
	ids := tg.IDs()
	for i := 1; i < len(ids); i++ {
		if ids[i-1] >= ids[i] {
			t.Fatalf("tg.IDs() is not increasing at %d: %#08x, %#08x", i, ids[i-1], ids[i])
		}
	}
	if want := slices.Sorted(maps.Keys(in.byID)); !slices.Equal(ids, want) {
		for _, id := range want {
			if _, ok := slices.BinarySearch(ids, id); !ok {
				t.Errorf("tg.IDs() lacks %s#%08x", in.byID[id].TLName, id)
			}
		}
		for _, id := range ids {
			if in.byID[id] == nil {
				t.Errorf("tg.IDs() has %#08x, which the schema does not", id)
			}
		}
		t.Fatalf("tg.IDs() has %d IDs, the schema %d", len(ids), len(want))
	}
	var ctors, funcs int
	for _, id := range ids {
		d := in.byID[id]
		if d.Function {
			funcs++
		} else {
			ctors++
		}
		v := tg.New(id)
		if v == nil {
			t.Fatalf("tg.New(%#08x) = nil", id)
		}
		if v.TypeID() != id || v.TypeName() != d.TLName || tg.Name(id) != d.TLName {
			t.Errorf("%#08x: TypeID %#08x, TypeName %q, Name %q; want %s", id, v.TypeID(), v.TypeName(), tg.Name(id), d.TLName)
		}
		if reflect.TypeOf(v).Elem().Size() > 0 && tg.New(id) == v {
			t.Errorf("tg.New(%#08x) returns the same value twice", id)
		}
	}
	t.Logf("layer %d: %d constructors and %d functions", tg.Layer, ctors, funcs)
	for _, id := range []uint32{0, 1, 0xffffffff, bin.TypeVector} {
		if v := tg.New(id); v != nil {
			t.Errorf("tg.New(%#08x) = %T, want nil", id, v)
		}
		if name := tg.Name(id); name != "" {
			t.Errorf("tg.Name(%#08x) = %q, want empty", id, name)
		}
	}
}

// TestRoundTrip fills every constructor and function at random, encodes
// it, decodes that and encodes again: the bytes must be the same, and the
// decoded value the original one with its flags words normalized.
func TestRoundTrip(t *testing.T) {
	in := loadInfo(t)
	n := 0
	for _, id := range tg.IDs() {
		name := tg.Name(id)
		for seed := int64(0); seed < *seedsPerID; seed++ {
			orig := fill(t, id, seed)
			twin := fill(t, id, seed)
			data := encode(t, orig)
			if diff := cmp.Diff(twin, orig, cmpOpts...); diff != "" {
				t.Fatalf("%s seed %d: Encode changed its receiver (-before +after):\n%s", name, seed, diff)
			}
			if got := encode(t, orig); !bytes.Equal(got, data) {
				t.Fatalf("%s seed %d: two encodings differ", name, seed)
			}
			if err := checkRoundTrip(in, id, data, twin); err != nil {
				t.Fatalf("%s seed %d: %v\nencoding: %x", name, seed, err, data)
			}
		}
		n++
	}
	t.Logf("%d IDs round-tripped, %d values each", n, *seedsPerID)
	if n != len(in.byID) {
		t.Errorf("round-tripped %d IDs, the schema has %d", n, len(in.byID))
	}
}

// checkRoundTrip decodes data, the encoding of orig (which it normalizes),
// and checks the decoded value and its encoding.
func checkRoundTrip(in *schemaInfo, id uint32, data []byte, orig tg.Object) error {
	dec := tg.New(id)
	b := &bin.Buffer{Buf: bytes.Clone(data)}
	if err := dec.Decode(b); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	if b.Len() != 0 {
		return fmt.Errorf("decode left %d bytes", b.Len())
	}
	var out bin.Buffer
	if err := dec.Encode(&out); err != nil {
		return fmt.Errorf("re-encode: %w", err)
	}
	if !bytes.Equal(out.Buf, data) {
		return fmt.Errorf("re-encoding differs:\n got %x\nwant %x", out.Buf, data)
	}
	// The bare forms are the boxed ones less the ID.
	var bare bin.Buffer
	if err := dec.EncodeBare(&bare); err != nil {
		return fmt.Errorf("EncodeBare: %w", err)
	}
	if !bytes.Equal(bare.Buf, data[4:]) {
		return fmt.Errorf("EncodeBare gives %x, want %x", bare.Buf, data[4:])
	}
	decBare := tg.New(id)
	if err := decBare.DecodeBare(&bin.Buffer{Buf: bare.Buf}); err != nil {
		return fmt.Errorf("DecodeBare: %w", err)
	}
	if diff := cmp.Diff(dec, decBare, cmpOpts...); diff != "" {
		return fmt.Errorf("DecodeBare differs from Decode (-Decode +DecodeBare):\n%s", diff)
	}
	in.normalize(reflect.ValueOf(orig))
	if diff := cmp.Diff(orig, dec, cmpOpts...); diff != "" {
		return fmt.Errorf("decoded value differs (-want +got):\n%s", diff)
	}
	// Decoding again, through the registry and into a reused value, is
	// stable.
	again, err := tg.DecodeObject(&bin.Buffer{Buf: out.Buf})
	if err != nil {
		return fmt.Errorf("DecodeObject: %w", err)
	}
	if diff := cmp.Diff(dec, again, cmpOpts...); diff != "" {
		return fmt.Errorf("second decode differs (-first +second):\n%s", diff)
	}
	if err := dec.Decode(&bin.Buffer{Buf: out.Buf}); err != nil {
		return fmt.Errorf("decode into a used value: %w", err)
	}
	if diff := cmp.Diff(again, dec, cmpOpts...); diff != "" {
		return fmt.Errorf("decode into a used value differs (-fresh +reused):\n%s", diff)
	}
	return nil
}

// TestPresentZero checks by hand the rule of optional values: SetX sends a
// zero value, decode keeps its presence and nothing else, HasX reports it,
// and ClearX drops it from the wire.
func TestPresentZero(t *testing.T) {
	// account.updateProfile flags:# first_name:flags.0?string
	// last_name:flags.1?string about:flags.2?string = User
	req := &tg.AccountUpdateProfileRequest{About: "x"}
	req.SetLastName("") // present and empty
	data := encode(t, req)
	id := binary.LittleEndian.AppendUint32(nil, tg.AccountUpdateProfileRequestTypeID)
	want := slices.Concat(id, []byte{
		0x06, 0, 0, 0, // flags: last_name and about
		0, 0, 0, 0, // last_name ""
		1, 'x', 0, 0, // about "x"
	})
	if !bytes.Equal(data, want) {
		t.Fatalf("encoding\n got %x\nwant %x", data, want)
	}
	if !req.HasLastName() || !req.HasAbout() || req.HasFirstName() {
		t.Errorf("Has: first %v, last %v, about %v; want false, true, true", req.HasFirstName(), req.HasLastName(), req.HasAbout())
	}
	var dec tg.AccountUpdateProfileRequest
	if err := dec.Decode(&bin.Buffer{Buf: data}); err != nil {
		t.Fatal(err)
	}
	if !dec.HasLastName() || !dec.HasAbout() || dec.HasFirstName() || dec.About != "x" || dec.LastName != "" {
		t.Errorf("decoded %+v", dec)
	}
	if diff := cmp.Diff(req, &dec); diff != "" {
		t.Errorf("decoded differs from what was encoded (-sent +decoded):\n%s", diff)
	}
	dec.ClearAbout()
	if got := encode(t, &dec); !bytes.Equal(got, slices.Concat(id, []byte{0x02, 0, 0, 0, 0, 0, 0, 0})) {
		t.Errorf("clearing about: got %x", got)
	}
	dec.ClearLastName()
	if got := encode(t, &dec); !bytes.Equal(got, slices.Concat(id, []byte{0, 0, 0, 0})) {
		t.Errorf("clearing last_name: got %x", got)
	}

	// Clear my bio: an empty about, sent.
	var clearBio tg.AccountUpdateProfileRequest
	clearBio.SetAbout("")
	if got := encode(t, &clearBio); !bytes.Equal(got, slices.Concat(id, []byte{0x04, 0, 0, 0, 0, 0, 0, 0})) {
		t.Errorf("SetAbout(\"\"): got %x", got)
	}

	// Fields that share a flag are present together: bot:flags.14?true and
	// bot_info_version:flags.14?int of user.
	u := &tg.User{ID: 1, Bot: true}
	if !u.HasBotInfoVersion() {
		t.Error("a bot user: HasBotInfoVersion is false, but the flag that sends it is set")
	}
	u.Bot = false
	if u.HasBotInfoVersion() {
		t.Error("a user with no bot flag: HasBotInfoVersion is true")
	}

	// An optional interface: nil is absent, whatever the flags word says.
	// messageFwdHeader flags:# ... from_id:flags.0?Peer ... date:int
	h := &tg.MessageFwdHeader{Date: 5}
	h.Flags.Set(0)
	if got := encode(t, h); !bytes.Equal(got[4:8], []byte{0, 0, 0, 0}) {
		t.Errorf("nil from_id with its bit set: flags %x, want 0", got[4:8])
	}
}

// TestUnknownID checks the error for an ID that does not belong where it is
// met.
func TestUnknownID(t *testing.T) {
	// inputPeerChannel where an InputChannel is expected, inside
	// channels.getFullChannel channel:InputChannel.
	var b bin.Buffer
	b.PutID(tg.ChannelsGetFullChannelRequestTypeID)
	b.PutID(tg.InputPeerChannelTypeID)
	b.PutLong(1) // channel_id
	b.PutLong(2) // access_hash
	_, err := tg.DecodeObject(&b)
	var unknown *tg.UnknownIDError
	if !errors.As(err, &unknown) || unknown.ID != tg.InputPeerChannelTypeID || unknown.Type != "InputChannel" {
		t.Fatalf("got %v, want an UnknownIDError for inputPeerChannel as InputChannel", err)
	}
	var de *tg.DecodeError
	if !errors.As(err, &de) || de.Type() != "channels.getFullChannel" || de.Path() != "channel" {
		t.Errorf("got %v, want a DecodeError at channels.getFullChannel: channel", err)
	}
	if got, want := err.Error(), fmt.Sprintf("channels.getFullChannel: channel: unexpected constructor 0x%08x for InputChannel", tg.InputPeerChannelTypeID); got != want {
		t.Errorf("error %q, want %q", got, want)
	}
	_, err = tg.DecodeObject(&bin.Buffer{Buf: []byte{1, 2, 3, 4}})
	if !errors.As(err, &unknown) || unknown.ID != 0x04030201 {
		t.Errorf("got %v, want an UnknownIDError for 0x04030201", err)
	}
}

// TestPrefixes decodes every strict prefix of an encoding of every
// constructor and function: each must fail with an error, and none may
// panic.
func TestPrefixes(t *testing.T) {
	for _, id := range tg.IDs() {
		for seed := int64(0); seed < 2; seed++ {
			data := encode(t, fill(t, id, 1000+seed))
			for n := 0; n < len(data); n++ {
				prefix := bytes.Clone(data[:n])
				err := decodeNoPanic(tg.New(id), prefix)
				if err == nil {
					t.Fatalf("%s: prefix of %d of %d bytes decoded without error\nencoding: %x", tg.Name(id), n, len(data), data)
				}
				if !truncated(err) {
					t.Fatalf("%s: prefix of %d of %d bytes: got %v, want a DecodeError for truncated input", tg.Name(id), n, len(data), err)
				}
				if _, err := decodeObjectNoPanic(prefix); err == nil {
					t.Fatalf("%s: DecodeObject of a prefix of %d of %d bytes gave no error", tg.Name(id), n, len(data))
				}
			}
		}
	}
}

// truncated reports whether err is what decoding a truncated input gives:
// a DecodeError, located in the type, for input that ends too early or a
// vector longer than what is left.
func truncated(err error) bool {
	var de *tg.DecodeError
	var il *bin.InvalidLengthError
	return errors.As(err, &de) && de.Type() != "" && (errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &il))
}

func decodeNoPanic(v tg.Object, data []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = nil
			panic(fmt.Sprintf("%s: decode of %x panicked: %v", v.TypeName(), data, r))
		}
	}()
	return v.Decode(&bin.Buffer{Buf: data})
}

func decodeObjectNoPanic(data []byte) (v tg.Object, err error) {
	defer func() {
		if r := recover(); r != nil {
			panic(fmt.Sprintf("DecodeObject of %x panicked: %v", data, r))
		}
	}()
	return tg.DecodeObject(&bin.Buffer{Buf: data})
}
