// Package nodes is a small schema written by hand the way tlgen writes
// generated code, for the tests of tlrt and tlrttest:
//
//	leaf#00000011 n:int = Node;
//	box#00000022 inner:Object = Node;
//	list#00000033 items:Vector<Object> = Node;
package nodes

import (
	"github.com/gotd/td/bin"

	"github.com/tgraw/tgraw/tlrt"
)

// The IDs of the constructors.
const (
	LeafID = 0x11
	BoxID  = 0x22
	ListID = 0x33
)

var registry = tlrt.Registry{{ID: LeafID, Name: "leaf"}, {ID: BoxID, Name: "box"}, {ID: ListID, Name: "list"}}

// New returns a new value of id, nil for an ID of no constructor.
func New(id uint32) tlrt.Object {
	switch id {
	case LeafID:
		return &Leaf{}
	case BoxID:
		return &Box{}
	case ListID:
		return &List{}
	}
	return nil
}

// Name returns the TL name of id, "" for an ID of no constructor.
func Name(id uint32) string { return registry.Name(id) }

// IDs returns the IDs of the constructors.
func IDs() []uint32 { return registry.IDs() }

// Schema describes the encoding of the constructors, as tlgen writes it.
var Schema = tlrt.Schema{
	Defs: []tlrt.SchemaDef{
		{ID: LeafID, Name: "leaf", Class: -1, Fields: 0},
		{ID: BoxID, Name: "box", Class: -1, Fields: 1, Nests: true},
		{ID: ListID, Name: "list", Class: -1, Fields: 2, Nests: true},
	},
	Fields: []tlrt.SchemaField{{Name: "n", Type: 0}, {Name: "inner", Type: 1}, {Name: "items", Type: 2}},
	Types: []tlrt.SchemaType{
		{Kind: tlrt.SchemaInt},
		{Kind: tlrt.SchemaObject},
		{Kind: tlrt.SchemaVector, Ref: 1, MinSize: 4},
		{Kind: tlrt.SchemaStruct, Bare: true, Ref: 0},
		{Kind: tlrt.SchemaStruct, Bare: true, Ref: 1},
		{Kind: tlrt.SchemaStruct, Bare: true, Ref: 2},
	},
}

// The roots of decoding in Schema.Types: any constructor, and each one
// bare.
const (
	ObjectRoot = 1
	LeafRoot   = 3
	BoxRoot    = 4
	ListRoot   = 5
)

// DecodeObject decodes any constructor.
func DecodeObject(b *bin.Buffer) (tlrt.Object, error) {
	return tlrt.Decode(b, &Schema, ObjectRoot, Decode)
}

// Decode decodes any constructor nested depth levels deep.
func Decode(b *tlrt.Decoder, depth int) (tlrt.Object, error) {
	return tlrt.DecodeObject(b, depth, New)
}

// Leaf is leaf#00000011 n:int = Node.
type Leaf struct{ N int }

func (*Leaf) TypeID() uint32   { return LeafID }
func (*Leaf) TypeName() string { return "leaf" }
func (m *Leaf) Encode(b *bin.Buffer) error {
	b.PutID(LeafID)
	return m.EncodeBare(b)
}
func (m *Leaf) EncodeBare(b *bin.Buffer) error {
	b.PutInt(m.N)
	return nil
}
func (m *Leaf) Decode(b *bin.Buffer) error     { return DecodeValue(b, m, false) }
func (m *Leaf) DecodeBare(b *bin.Buffer) error { return DecodeValue(b, m, true) }
func (m *Leaf) DecodeBareAt(b *tlrt.Decoder, _ int) error {
	var err error
	if m.N, err = b.Int(); err != nil {
		return tlrt.DecodeErr(err, "leaf", "n")
	}
	return nil
}

// Box is box#00000022 inner:Object = Node.
type Box struct{ Inner tlrt.Object }

func (*Box) TypeID() uint32   { return BoxID }
func (*Box) TypeName() string { return "box" }
func (m *Box) Encode(b *bin.Buffer) error {
	b.PutID(BoxID)
	return m.EncodeBare(b)
}
func (m *Box) EncodeBare(b *bin.Buffer) error {
	if err := tlrt.EncodeObject(b, m.Inner); err != nil {
		return tlrt.EncodeErr(err, "box", "inner")
	}
	return nil
}
func (m *Box) Decode(b *bin.Buffer) error     { return DecodeValue(b, m, false) }
func (m *Box) DecodeBare(b *bin.Buffer) error { return DecodeValue(b, m, true) }
func (m *Box) DecodeBareAt(b *tlrt.Decoder, depth int) error {
	if depth > tlrt.MaxDecodeDepth {
		return tlrt.DecodeErr(tlrt.ErrTooDeep, "box", "")
	}
	var err error
	if m.Inner, err = Decode(b, depth+1); err != nil {
		return tlrt.DecodeErr(err, "box", "inner")
	}
	return nil
}

// List is list#00000033 items:Vector<Object> = Node.
type List struct{ Items []tlrt.Object }

func (*List) TypeID() uint32   { return ListID }
func (*List) TypeName() string { return "list" }
func (m *List) Encode(b *bin.Buffer) error {
	b.PutID(ListID)
	return m.EncodeBare(b)
}
func (m *List) EncodeBare(b *bin.Buffer) error {
	b.PutVectorHeader(len(m.Items))
	for i := range m.Items {
		if err := tlrt.EncodeObject(b, m.Items[i]); err != nil {
			return tlrt.EncodeErr(err, "list", "items")
		}
	}
	return nil
}
func (m *List) Decode(b *bin.Buffer) error     { return DecodeValue(b, m, false) }
func (m *List) DecodeBare(b *bin.Buffer) error { return DecodeValue(b, m, true) }
func (m *List) DecodeBareAt(b *tlrt.Decoder, depth int) error {
	if depth > tlrt.MaxDecodeDepth {
		return tlrt.DecodeErr(tlrt.ErrTooDeep, "list", "")
	}
	var err error
	if m.Items, err = tlrt.DecodeVectorAt(b, 4, depth+1, Decode); err != nil {
		return tlrt.DecodeErr(err, "list", "items")
	}
	return nil
}

// DecodeValue decodes v from b, with its ID unless bare is set, as the
// Decode and DecodeBare methods of generated code do.
func DecodeValue(b *bin.Buffer, v tlrt.Object, bare bool) error {
	if !bare {
		if err := tlrt.ConsumeID(b, v.TypeID(), v.TypeName()); err != nil {
			return tlrt.DecodeErr(err, v.TypeName(), "")
		}
	}
	root := map[uint32]int32{LeafID: LeafRoot, BoxID: BoxRoot, ListID: ListRoot}[v.TypeID()]
	d := tlrt.NewDecoder(b, &Schema, root)
	return tlrt.Finish(b, d, tlrt.DecodeAt(d, v, 0))
}

// Encode returns the encoding of v.
func Encode(v bin.Encoder) []byte {
	var b bin.Buffer
	if err := v.Encode(&b); err != nil {
		panic(err)
	}
	return b.Buf
}
