package mt_test

import (
	"bytes"
	"math/rand"
	"reflect"
	"testing"

	"github.com/gotd/td/bin"

	"github.com/tgraw/tgraw/internal/tlrand"
	"github.com/tgraw/tgraw/mt"
)

// TestRoundTrip fills every constructor and function of MTProto's service
// schema at random: encode, decode and encode again give the same bytes,
// through the type's own Decode and through DecodeObject.
func TestRoundTrip(t *testing.T) {
	ids := mt.IDs()
	if len(ids) != 35+9 {
		t.Errorf("mt.IDs() has %d IDs, want 44 (35 constructors, 9 functions)", len(ids))
	}
	var types []reflect.Type
	for _, id := range ids {
		types = append(types, reflect.TypeOf(mt.New(id)))
	}
	f := tlrand.New(tlrand.Config{
		Types: types,
		Flag:  func(reflect.Type, string) (tlrand.Flag, bool) { return tlrand.Flag{}, false },
	})
	for _, id := range ids {
		for seed := int64(0); seed < 8; seed++ {
			v := mt.New(id)
			f.Fill(rand.New(rand.NewSource(seed)), v)
			var first bin.Buffer
			if err := v.Encode(&first); err != nil {
				t.Fatalf("%s: encode: %v", v.TypeName(), err)
			}
			w := mt.New(id)
			in := &bin.Buffer{Buf: bytes.Clone(first.Buf)}
			if err := w.Decode(in); err != nil || in.Len() != 0 {
				t.Fatalf("%s: decode: %v, %d bytes left", v.TypeName(), err, in.Len())
			}
			obj, err := mt.DecodeObject(&bin.Buffer{Buf: bytes.Clone(first.Buf)})
			if err != nil || obj.TypeID() != id {
				t.Fatalf("%s: DecodeObject: %v", v.TypeName(), err)
			}
			var second bin.Buffer
			if err := w.Encode(&second); err != nil {
				t.Fatalf("%s: encode after decode: %v", v.TypeName(), err)
			}
			if !bytes.Equal(first.Buf, second.Buf) {
				t.Errorf("%s: bytes differ after a round trip:\n%x\n%x", v.TypeName(), first.Buf, second.Buf)
			}
		}
	}
}

// TestWireForms pins the wire form of the messages whose layout the
// MTProto documentation spells out: a container holds bare messages (no
// constructor ID before each), and a message's body is a boxed object.
func TestWireForms(t *testing.T) {
	c := &mt.MsgContainer{Messages: []mt.Message{{MsgID: 0x0102030405060708, Seqno: 3, Bytes: 8, Body: &mt.PingRequest{PingID: 9}}}}
	var b bin.Buffer
	if err := c.Encode(&b); err != nil {
		t.Fatal(err)
	}
	var want bin.Buffer
	want.PutID(0x73f1f8dc)
	want.PutInt(1)
	want.PutLong(0x0102030405060708)
	want.PutInt(3)
	want.PutInt(8)
	want.PutID(0x7abe77ec)
	want.PutLong(9)
	if !bytes.Equal(b.Buf, want.Buf) {
		t.Errorf("msg_container:\n got  %x\n want %x", b.Buf, want.Buf)
	}
}
