package tlrt

import (
	"errors"
	"unsafe"

	"github.com/gotd/td/bin"
)

// EncodeFields writes the fields of the value at p, a *T of the
// definition s.Defs[def], without its ID: EncodeBare for a definition
// whose codec is the schema. A nil p is ErrNilValue.
func EncodeFields(b *bin.Buffer, s *Schema, def int, p unsafe.Pointer) error {
	return errors.New("tlrt: EncodeFields: not built yet")
}

// EncodeBoxedFields writes the ID of s.Defs[def], then the fields of the
// value at p: Encode for a definition whose codec is the schema.
func EncodeBoxedFields(b *bin.Buffer, s *Schema, def int, p unsafe.Pointer) error {
	return errors.New("tlrt: EncodeBoxedFields: not built yet")
}

// DecodeFields reads the fields of s.Defs[def] into the value at p, nested
// depth levels deep: DecodeBareAt for a definition whose codec is the
// schema. It does not clear the value first.
func DecodeFields(d *Decoder, s *Schema, def int, p unsafe.Pointer, depth int) error {
	return errors.New("tlrt: DecodeFields: not built yet")
}

// DecodeValue reads v with its ID from b, clearing v first, with a Decoder
// of its own over a value of type root (v's bare type in s.Types): Decode.
func DecodeValue(b *bin.Buffer, s *Schema, root int32, v Object) error {
	return errors.New("tlrt: DecodeValue: not built yet")
}

// DecodeValueBare is DecodeValue for a value without its ID: DecodeBare.
func DecodeValueBare(b *bin.Buffer, s *Schema, root int32, v Object) error {
	return errors.New("tlrt: DecodeValueBare: not built yet")
}
