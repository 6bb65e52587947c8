package tlrt

import (
	"sort"
	"sync/atomic"

	"github.com/gotd/td/bin"
)

// Schema describes how the definitions of a generated package are
// encoded, as data: what a Decoder needs to check input without decoding
// it (see Decoder). Its checks are those of the generated decoders, in the
// same order, with the same errors: input the generated code refuses,
// Validate refuses with the same *DecodeError, and what it accepts, the
// generated code decodes.
type Schema struct {
	// Defs are the constructors and functions, by increasing ID.
	Defs []SchemaDef
	// Fields are the fields of every definition: those of Defs[i] are
	// Fields[Defs[i].Fields:Defs[i+1].Fields], the last definition's
	// run to the end.
	Fields []SchemaField
	// Types are the types of the fields, of vector elements and of the
	// values the package's decoders start from.
	Types []SchemaType
	// Classes are the TL names of the types of several constructors.
	Classes []string
	// New returns a new zero value of the constructor or function id, nil
	// for an ID the package does not define: the package's New. Encoding
	// and decoding by the schema (EncodeFields, DecodeFields) take the Go
	// types of the definitions from it.
	New func(id uint32) Object

	// byOffsets holds the layouts of the definitions, with which
	// EncodeFields and DecodeAt read and write them, made on first use.
	byOffsets atomic.Pointer[layouts]
}

// SchemaDef is a constructor or function of a Schema.
type SchemaDef struct {
	ID     uint32
	Name   string // the TL name: "message"
	Class  int32  // index in Classes of the type of several constructors it builds; -1 if none
	Fields int32  // index in Fields of its first field
	Nests  bool   // a field holds other constructors: decoding it checks the depth
}

// SchemaField is a field of a SchemaDef.
type SchemaField struct {
	Name string // the TL name: "from_id"
	Type int32  // index in Types
	// Word is, for an optional field, the flags word that holds its bit:
	// 1 for the definition's first flags field, 2 for its second...; 0
	// for a required field.
	Word int8
	Bit  uint8 // its bit in the word
	// Go is the index, among the fields of the definition's Go struct, of
	// the one that holds the field (reflect.Type.Field).
	Go int16
}

// SchemaType is a type of a Schema.
type SchemaType struct {
	Kind SchemaKind
	// Bare is set for a bare struct (no ID) or a bare vector (no vector
	// ID).
	Bare bool
	// Ref is, for a struct, the index of its definition in Defs; for a
	// class, its index in Classes; for a vector, the index of the
	// element's type in Types.
	Ref int32
	// MinSize is, for a vector, the smallest encoding of an element.
	MinSize int32
}

// SchemaKind is the wire form of a SchemaType.
type SchemaKind uint8

// The kinds of types, as gen names them.
const (
	SchemaInt SchemaKind = iota + 1
	SchemaLong
	SchemaDouble
	SchemaString
	SchemaBytes
	SchemaInt128
	SchemaInt256
	SchemaBool
	SchemaTrue
	SchemaFlags
	SchemaClass
	SchemaStruct
	SchemaVector
	SchemaObject
)

// maxWords is the most flags words a definition may have for Validate.
const maxWords = 8

// def returns the index in Defs of the definition id, -1 if s has none.
func (s *Schema) def(id uint32) int {
	i := sort.Search(len(s.Defs), func(i int) bool { return s.Defs[i].ID >= id })
	if i < len(s.Defs) && s.Defs[i].ID == id {
		return i
	}
	return -1
}

// Validate checks that b starts with a valid value of type root (an index
// in Types), as the generated decoders would read it, without allocating
// anything unless the input is invalid. It returns the error the decoders
// would return, and moves b past the value.
func (s *Schema) Validate(b *bin.Buffer, root int32) error {
	return s.value(b, &s.Types[root], 0)
}

// value checks a value of type t; depth is the nesting depth of a struct,
// class or Object, and of a vector's elements.
func (s *Schema) value(b *bin.Buffer, t *SchemaType, depth int) error {
	var err error
	switch t.Kind {
	case SchemaInt:
		_, err = b.Int()
	case SchemaLong:
		_, err = b.Long()
	case SchemaDouble:
		_, err = b.Double()
	case SchemaString:
		_, err = text(b, "string")
	case SchemaBytes:
		_, err = text(b, "bytes")
	case SchemaInt128:
		_, err = b.Int128()
	case SchemaInt256:
		_, err = b.Int256()
	case SchemaBool:
		_, err = b.Bool()
	case SchemaStruct:
		d := &s.Defs[t.Ref]
		if !t.Bare {
			if err := ConsumeID(b, d.ID, d.Name); err != nil {
				return DecodeErr(err, d.Name, "")
			}
		}
		return s.fields(b, int(t.Ref), depth)
	case SchemaClass, SchemaObject:
		id, err := b.ID()
		if err != nil {
			return err
		}
		i := s.def(id)
		if t.Kind == SchemaObject && i < 0 {
			return &UnknownIDError{ID: id, Type: "Object"}
		}
		if t.Kind == SchemaClass && (i < 0 || s.Defs[i].Class != t.Ref) {
			return &UnknownIDError{ID: id, Type: s.Classes[t.Ref]}
		}
		return s.fields(b, i, depth)
	case SchemaVector:
		return s.vector(b, t, depth)
	}
	return err
}

// fields checks the fields of Defs[i], a value nested depth levels deep,
// as its DecodeBareAt reads them.
func (s *Schema) fields(b *bin.Buffer, i, depth int) error {
	d := &s.Defs[i]
	if d.Nests && depth > MaxDecodeDepth {
		return DecodeErr(ErrTooDeep, d.Name, "")
	}
	end := len(s.Fields)
	if i+1 < len(s.Defs) {
		end = int(s.Defs[i+1].Fields)
	}
	var words [maxWords + 1]bin.Fields
	n := 0
	for _, f := range s.Fields[d.Fields:end] {
		if f.Word != 0 && !words[f.Word].Has(int(f.Bit)) {
			continue
		}
		t := &s.Types[f.Type]
		var err error
		switch t.Kind {
		case SchemaTrue:
			continue
		case SchemaFlags:
			n++
			err = words[min(n, maxWords)].Decode(b)
		default:
			err = s.value(b, t, depth+1)
		}
		if err != nil {
			return DecodeErr(err, d.Name, f.Name)
		}
	}
	return nil
}

// vector checks a vector of type t whose elements are nested depth levels
// deep, as decodeElems reads it: the same check of its count, and the
// same bytes held back for the elements after each.
func (s *Schema) vector(b *bin.Buffer, t *SchemaType, depth int) error {
	minSize := max(int(t.MinSize), 1)
	n, err := vectorLen(b, t.Bare, minSize)
	if err != nil {
		return err
	}
	elem := &s.Types[t.Ref]
	if elem.Kind == SchemaVector {
		depth++ // a vector of vectors reads its elements a level deeper
	}
	for i := range n {
		held := (n - 1 - i) * minSize
		b.Buf = b.Buf[:len(b.Buf)-held]
		err := s.value(b, elem, depth)
		b.Buf = b.Buf[:len(b.Buf)+held]
		if err != nil {
			return decodeElemErr(err, i)
		}
	}
	return nil
}
