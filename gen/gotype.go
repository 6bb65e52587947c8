package gen

import (
	"fmt"
	"path"
)

// BinPath is the import path of the package of the wire primitives
// generated code uses: gotd/td's bin, so that generated types plug into
// gotd/td's transport.
const BinPath = "github.com/gotd/td/bin"

// GoType is a Go type as the generated package spells it: a name, maybe
// qualified by a package and behind a pointer, or a slice of such types.
type GoType struct {
	Slice bool    // a slice of Elem
	Elem  *GoType // the element type of a slice
	Ptr   bool    // a pointer to Name
	Pkg   string  // import path of Name's package; "" for a predeclared or local name
	Name  string  // "int64", "PeerColor", "Int128"
}

// String is the spelling in the generated package: "int64", "[]byte",
// "*PeerColor", "[]UserClass", "bin.Int128".
func (g GoType) String() string {
	if g.Slice {
		return "[]" + g.Elem.String()
	}
	s := g.Name
	if g.Pkg != "" {
		s = path.Base(g.Pkg) + "." + s
	}
	if g.Ptr {
		s = "*" + s
	}
	return s
}

// goTypes are the Go types of the kinds whose spelling does not depend on
// the schema.
var goTypes = map[Kind]GoType{
	KindInt:    {Name: "int"},
	KindLong:   {Name: "int64"},
	KindDouble: {Name: "float64"},
	KindString: {Name: "string"},
	KindBytes:  {Slice: true, Elem: &GoType{Name: "byte"}},
	KindInt128: {Pkg: BinPath, Name: "Int128"},
	KindInt256: {Pkg: BinPath, Name: "Int256"},
	KindBool:   {Name: "bool"},
	KindTrue:   {Name: "bool"},
	KindFlags:  {Pkg: BinPath, Name: "Fields"},
	KindObject: {Name: "Object"},
}

// Go returns the Go type of a kind whose spelling does not depend on the
// schema (not a class, struct or vector), as for a primitive declaration:
// KindInt -> int.
func (k Kind) Go() GoType { return goTypes[k] }

// spell sets the Go spelling of t and of its element types, once t.Ptr
// is decided.
func spell(t *Type) {
	switch t.Kind {
	case KindClass:
		t.Go = GoType{Name: t.Class.Interface}
	case KindStruct:
		t.Go = GoType{Name: t.Def.GoName, Ptr: t.Ptr}
	case KindVector:
		spell(t.Elem)
		t.Go = GoType{Slice: true, Elem: &t.Elem.Go}
	default:
		g, ok := goTypes[t.Kind]
		if !ok {
			panic(fmt.Sprintf("gen: unknown kind %d", t.Kind))
		}
		t.Go = g
	}
}

// GoType is the Go spelling of the field's type in the generated package,
// as it appears in the struct: "int64", "*InputPeerChannel", "[]UserClass".
func (f *Field) GoType() string { return f.Type.Go.String() }

// ResultGoType is the Go type a function's Client method returns, or
// "Object" for a generic function, whose method decodes into a
// bin.Decoder the caller gives; "" for a constructor.
func (d *Def) ResultGoType() string {
	if d.Result == nil {
		return ""
	}
	return d.Result.Go.String()
}
