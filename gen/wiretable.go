package gen

import (
	"fmt"
	"sort"
)

// WireTable is the encoding of a model's definitions as data: the rows of
// the tlrt.Schema that a generated package holds, with which its Decoders
// check input without decoding it and the runtime encodes and decodes the
// definitions that have no generated codec (Def.Code). Defs are by increasing ID; the fields of
// Defs[i] are Fields[Defs[i].Fields:Defs[i+1].Fields]; types refer to each
// other, to definitions and to classes by index.
type WireTable struct {
	Defs    []WireDef
	Fields  []WireField
	Types   []WireType
	Classes []*Class // the classes of several constructors, ordered by TL name
	// ObjectRoot is the index in Types of any value of the schema, where
	// DecodeObject starts.
	ObjectRoot int
}

// WireDef is a row of WireTable.Defs.
type WireDef struct {
	Def    *Def
	Class  int // index in Classes of its class of several constructors; -1 if none
	Fields int // index in Fields of its first field
}

// WireField is a row of WireTable.Fields.
type WireField struct {
	Field *Field
	Type  int // index in Types
	Word  int // 1 + the index of its flags word among the definition's flags words; 0 if required
	// Go is the index of the field of the definition's Go struct that
	// holds it, as reflect.Type.Field counts them.
	Go int
}

// WireType is a row of WireTable.Types: a kind, with for a struct the
// index of its definition in Defs, for a class its index in Classes, for a
// vector the index of its element's type in Types and the element's
// MinSize.
type WireType struct {
	Kind    Kind
	Bare    bool
	Ref     int
	MinSize int
}

// maxFlagsWords is the most flags words a definition may have: the
// Decoder's check of the input keeps them in an array.
const maxFlagsWords = 8

// decideWireTable builds Model.Wire, the index in it of each definition
// (Def.WireDef) and those of the types that decoding starts from:
// Def.WireRoot, Class.WireRoot and the roots of functions' results
// (Type.WireRoot).
func decideWireTable(m *Model) error {
	w := &WireTable{}
	defs := append([]*Def(nil), m.Defs...)
	sort.Slice(defs, func(i, j int) bool { return defs[i].ID < defs[j].ID })
	defIndex := make(map[*Def]int, len(defs))
	for i, d := range defs {
		defIndex[d] = i
	}
	classIndex := map[*Class]int{}
	for _, c := range m.Classes {
		if c.Interface != "" {
			classIndex[c] = len(w.Classes)
			w.Classes = append(w.Classes, c)
		}
	}
	typeIndex := map[WireType]int{}
	add := func(t WireType) int {
		i, ok := typeIndex[t]
		if !ok {
			i = len(w.Types)
			typeIndex[t] = i
			w.Types = append(w.Types, t)
		}
		return i
	}
	var typeOf func(t *Type) int
	typeOf = func(t *Type) int {
		switch t.Kind {
		case KindStruct:
			return add(WireType{Kind: KindStruct, Bare: t.Bare, Ref: defIndex[t.Def]})
		case KindClass:
			return add(WireType{Kind: KindClass, Ref: classIndex[t.Class]})
		case KindVector:
			return add(WireType{Kind: KindVector, Bare: t.Bare, Ref: typeOf(t.Elem), MinSize: t.Elem.MinSize()})
		}
		return add(WireType{Kind: t.Kind})
	}
	for _, d := range defs {
		row := WireDef{Def: d, Class: -1, Fields: len(w.Fields)}
		if i, ok := classIndex[d.Class]; ok && d.Class != nil {
			row.Class = i
		}
		w.Defs = append(w.Defs, row)
		if len(d.Fields) > 1<<15-1 {
			return d.errorf("%d fields, more than the wire table's int16 counts", len(d.Fields))
		}
		words := map[*Field]int{}
		for i, f := range d.Fields {
			if f.Type.Kind == KindFlags {
				words[f] = len(words) + 1
				if len(words) > maxFlagsWords {
					return d.errorf("more than %d flags words", maxFlagsWords)
				}
			}
			// The struct has a field per TL field, in order (emitStruct).
			wf := WireField{Field: f, Type: typeOf(f.Type), Go: i}
			if f.Flag != nil {
				wf.Word = words[f.Flag.Word]
			}
			w.Fields = append(w.Fields, wf)
		}
	}
	for i, d := range defs {
		d.WireDef = i
		d.WireRoot = add(WireType{Kind: KindStruct, Bare: true, Ref: defIndex[d]})
		if d.Result != nil {
			d.Result.WireRoot = typeOf(d.Result)
		}
	}
	for i, c := range w.Classes {
		c.WireRoot = add(WireType{Kind: KindClass, Ref: i})
	}
	w.ObjectRoot = add(WireType{Kind: KindObject})
	if len(w.Types) > 1<<31-1 || len(w.Fields) > 1<<31-1 {
		return fmt.Errorf("the wire table has %d types and %d fields, more than an int32 counts", len(w.Types), len(w.Fields))
	}
	m.Wire = w
	return nil
}
