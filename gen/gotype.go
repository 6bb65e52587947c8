package gen

import (
	"fmt"

	"github.com/dave/jennifer/jen"
)

// GoType is the Go spelling of the field's type in the generated package,
// as it appears in the struct: "int64", "*InputPeerChannel", "[]UserClass".
// Package-local names are unqualified; bin's types are "bin.Int128" and
// so on.
func (f *Field) GoType() string { return goTypeString(f.Type, fieldPtr(f)) }

// ResultGoType is the Go type a function's Client method returns, or
// "Object" for a generic function, whose method decodes into a
// bin.Decoder the caller gives.
func (d *Def) ResultGoType() string {
	if d.Result == nil {
		return ""
	}
	if d.Generic {
		return "Object"
	}
	return goTypeString(d.Result, resultPtr(d.Result))
}

// goTypeString is goType as text.
func goTypeString(t *Type, ptr bool) string {
	return fmt.Sprintf("%#v", jen.Add(goType(t, ptr)))
}
