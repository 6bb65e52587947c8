package gen

import "fmt"

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
	if d.Result.Kind == KindStruct && !d.Result.Bare {
		return "*" + d.Result.Def.GoName
	}
	return goTypeString(d.Result, false)
}

// goTypeString is goType as text.
func goTypeString(t *Type, ptr bool) string {
	switch t.Kind {
	case KindInt:
		return "int"
	case KindLong:
		return "int64"
	case KindDouble:
		return "float64"
	case KindString:
		return "string"
	case KindBytes:
		return "[]byte"
	case KindInt128:
		return "bin.Int128"
	case KindInt256:
		return "bin.Int256"
	case KindBool, KindTrue:
		return "bool"
	case KindFlags:
		return "bin.Fields"
	case KindClass:
		return t.Class.Interface
	case KindStruct:
		if ptr {
			return "*" + t.Def.GoName
		}
		return t.Def.GoName
	case KindVector:
		return "[]" + goTypeString(t.Elem, false)
	case KindObject:
		return "Object"
	}
	panic(fmt.Sprintf("gen: unknown kind %d", t.Kind))
}
