package tg_test

import (
	"bytes"
	"testing"

	"github.com/gotd/td/bin"

	"github.com/tgraw/tgraw/tg"
)

// FuzzDecode decodes any input with tg.DecodeObject. Whatever decodes must
// encode, and that encoding must decode again and encode to the same bytes.
// The seed corpus holds an encoding of every constructor and function.
func FuzzDecode(f *testing.F) {
	for _, id := range tg.IDs() {
		f.Add(encode(f, fill(f, id, 2000)))
	}
	f.Add([]byte{})
	f.Add([]byte{0x15, 0xc4, 0xb5, 0x1c, 0, 0, 0, 0}) // a vector: no object
	f.Fuzz(func(t *testing.T, data []byte) {
		b := &bin.Buffer{Buf: data}
		v, err := tg.DecodeObject(b)
		if err != nil {
			if v != nil {
				t.Fatalf("DecodeObject returned %T with error %v", v, err)
			}
			return
		}
		var first bin.Buffer
		if err := v.Encode(&first); err != nil {
			t.Fatalf("%s decoded but does not encode: %v", v.TypeName(), err)
		}
		w := tg.New(v.TypeID())
		rest := &bin.Buffer{Buf: bytes.Clone(first.Buf)}
		if err := w.Decode(rest); err != nil {
			t.Fatalf("%s: its encoding %x does not decode: %v", v.TypeName(), first.Buf, err)
		}
		if rest.Len() != 0 {
			t.Fatalf("%s: decoding %x left %d bytes", v.TypeName(), first.Buf, rest.Len())
		}
		var second bin.Buffer
		if err := w.Encode(&second); err != nil {
			t.Fatalf("%s: re-encode: %v", v.TypeName(), err)
		}
		if !bytes.Equal(first.Buf, second.Buf) {
			t.Fatalf("%s: encodings differ:\n first %x\nsecond %x", v.TypeName(), first.Buf, second.Buf)
		}
	})
}
