// Package tlrttest checks a package that tlgen generated: every
// constructor and function round-trips through its encoding, and no
// truncated input makes decoding panic. A test of a generated package is
// one call:
//
//	func TestRoundTrip(t *testing.T) {
//		tlrttest.RoundTrip(t, tlrttest.Package{IDs: IDs(), New: New, Name: Name, DecodeObject: DecodeObject})
//	}
package tlrttest

import (
	"bytes"
	"fmt"
	"reflect"
	"testing"

	"github.com/gotd/td/bin"

	"github.com/tgraw/tgraw/tlrt"
)

// Package is what the checks need of a generated package: its registry.
type Package struct {
	IDs          []uint32
	New          func(id uint32) tlrt.Object
	Name         func(id uint32) string
	DecodeObject func(b *bin.Buffer) (tlrt.Object, error)
}

// RoundTrip fills every constructor and function of p with values that are
// not zero, then checks that encode, decode, encode gives the same bytes,
// both through the type's own Decode and through DecodeObject; that
// decoding reads every byte; and that every strict prefix of the encoding
// fails to decode, with an error and no panic.
func RoundTrip(t testing.TB, p Package) {
	t.Helper()
	f := newFiller(p)
	for _, id := range p.IDs {
		if err := roundTrip(p, f, id); err != nil {
			t.Errorf("%#08x %s: %v", id, p.Name(id), err)
		}
	}
}

func roundTrip(p Package, f *filler, id uint32) error {
	v := p.New(id)
	if v == nil {
		return fmt.Errorf("no value: New returns nil")
	}
	if got := v.TypeID(); got != id {
		return fmt.Errorf("TypeID() = %#08x", got)
	}
	if got := v.TypeName(); got != p.Name(id) {
		return fmt.Errorf("TypeName() = %q", got)
	}
	var zero bin.Buffer
	if err := v.Encode(&zero); err != nil {
		zero.Buf = nil // a required value left nil
	}
	f.fill(reflect.ValueOf(v).Elem(), 0)
	var first bin.Buffer
	if err := v.Encode(&first); err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	if hasFields(v) && bytes.Equal(first.Buf, zero.Buf) {
		return fmt.Errorf("filled, it encodes as its zero value: %x", first.Buf)
	}
	w := p.New(id)
	in := &bin.Buffer{Buf: bytes.Clone(first.Buf)}
	if err := w.Decode(in); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	if in.Len() != 0 {
		return fmt.Errorf("decode left %d of %d bytes", in.Len(), len(first.Buf))
	}
	var second bin.Buffer
	if err := w.Encode(&second); err != nil {
		return fmt.Errorf("encode after decode: %w", err)
	}
	if !bytes.Equal(first.Buf, second.Buf) {
		return fmt.Errorf("encode, decode, encode differs:\n%x\n%x", first.Buf, second.Buf)
	}
	o, err := p.DecodeObject(&bin.Buffer{Buf: bytes.Clone(first.Buf)})
	if err != nil {
		return fmt.Errorf("DecodeObject: %w", err)
	}
	var third bin.Buffer
	if err := o.Encode(&third); err != nil || !bytes.Equal(first.Buf, third.Buf) {
		return fmt.Errorf("DecodeObject then encode: %v\n%x\n%x", err, first.Buf, third.Buf)
	}
	for n := range len(first.Buf) {
		if err := decodeNoPanic(p.New(id), first.Buf[:n]); err == nil {
			return fmt.Errorf("a prefix of %d of %d bytes decodes with no error", n, len(first.Buf))
		}
	}
	return nil
}

// decodeNoPanic decodes data into v, turning a panic into an error.
func decodeNoPanic(v tlrt.Object, data []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("decode of %x panics: %v", data, r)
		}
	}()
	if err := v.Decode(&bin.Buffer{Buf: bytes.Clone(data)}); err != nil {
		return err
	}
	return nil
}

// hasFields reports whether v has a field other than a flags word.
func hasFields(v tlrt.Object) bool {
	t := reflect.TypeOf(v).Elem()
	for i := range t.NumField() {
		if t.Field(i).Type != fieldsType {
			return true
		}
	}
	return false
}
