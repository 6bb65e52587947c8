package emit

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/dave/jennifer/jen"

	"github.com/tgraw/tgraw/gen"
)

// nilCheck refuses a nil receiver.
func nilCheck() jen.Code {
	return jen.If(jen.Id("m").Op("==").Nil()).Block(jen.Return(jen.Id("ErrNilValue")))
}

// emitEncode writes Encode, which writes the ID and then the fields.
func emitEncode(f *jen.File, d *gen.Def) {
	emitDoc(f, "Encode writes m to b with its ID.")
	f.Func().Params(jen.Id("m").Op("*").Id(d.GoName)).Id("Encode").Params(buf()).Error().Block(
		nilCheck(),
		jen.Id("b").Dot("PutID").Call(jen.Id(d.TypeIDName())),
		jen.Return(jen.Id("m").Dot("EncodeBare").Call(jen.Id("b"))),
	)
	f.Line()
}

// emitEncodeBare writes EncodeBare, which writes the fields: each flags
// word with the bits of the fields that are present, then every field
// that is required or present.
func emitEncodeBare(f *jen.File, d *gen.Def) {
	body := []jen.Code{nilCheck()}
	for _, fd := range d.Fields {
		switch {
		case fd.Type.Kind == gen.KindFlags:
			body = append(body, encodeFlags(fd)...)
		case fd.Type.Kind == gen.KindTrue:
			// The flag alone carries it.
		case fd.Flag != nil:
			body = append(body, jen.If(jen.Id(fd.Flag.Word.Local).Dot("Has").Call(jen.Lit(fd.Flag.Bit))).Block(
				encodeValue(jen.Id("m").Dot(fd.GoName), fd.Type, d.TLName, fd.TLName, 0)...,
			))
		default:
			body = append(body, encodeValue(jen.Id("m").Dot(fd.GoName), fd.Type, d.TLName, fd.TLName, 0)...)
		}
	}
	body = append(body, jen.Return(jen.Nil()))
	emitDoc(f, "EncodeBare writes m to b without its ID.")
	f.Func().Params(jen.Id("m").Op("*").Id(d.GoName)).Id("EncodeBare").Params(buf()).Error().Block(body...)
	f.Line()
}

// encodeFlags writes a flags word from the local copy the model names:
// the word with the bits that fields decide alone cleared, then each bit
// set whose fields are present by their values.
func encodeFlags(w *gen.Field) []jen.Code {
	init := jen.Id(w.Local).Op(":=").Id("m").Dot(w.GoName)
	if mask := derivedMask(w); mask != nil {
		init.Op("&^").Parens(mask)
	}
	out := []jen.Code{init}
	for _, fb := range w.Bits {
		out = append(out, jen.If(anyNonZero(fb.Fields)).Block(jen.Id(w.Local).Dot("Set").Call(jen.Lit(fb.Bit))))
	}
	return append(out, jen.Id("b").Dot("PutUint32").Call(jen.Uint32().Parens(jen.Id(w.Local))))
}

// derivedMask is the mask of the bits of flags word w that its fields
// decide alone, as 1<<a | 1<<b; nil if none.
func derivedMask(w *gen.Field) jen.Code {
	var bits []int
	for _, fb := range w.Bits {
		if fb.Derived {
			bits = append(bits, fb.Bit)
		}
	}
	if len(bits) == 0 {
		return nil
	}
	sort.Ints(bits)
	mask := jen.Lit(1).Op("<<").Lit(bits[0])
	for _, bit := range bits[1:] {
		mask.Op("|").Lit(1).Op("<<").Lit(bit)
	}
	return mask
}

// checkEncode calls call and returns its error, located in field of typ.
func checkEncode(call jen.Code, typ, field string) jen.Code {
	return jen.If(jen.Err().Op(":=").Add(call), jen.Err().Op("!=").Nil()).Block(
		jen.Return(rt("EncodeErr").Call(jen.Err(), jen.Lit(typ), jen.Lit(field))),
	)
}

// putMethod is the bin.Buffer method that writes a primitive type.
var putMethod = map[gen.Kind]string{
	gen.KindInt: "PutInt", gen.KindLong: "PutLong", gen.KindDouble: "PutDouble", gen.KindString: "PutString",
	gen.KindBytes: "PutBytes", gen.KindInt128: "PutInt128", gen.KindInt256: "PutInt256", gen.KindBool: "PutBool",
}

// encodeValue writes v of type t; depth names the loop variables of nested
// vectors.
func encodeValue(v *jen.Statement, t *gen.Type, typ, field string, depth int) []jen.Code {
	if m, ok := putMethod[t.Kind]; ok {
		return []jen.Code{jen.Id("b").Dot(m).Call(v)}
	}
	switch t.Kind {
	case gen.KindClass, gen.KindObject:
		return []jen.Code{checkEncode(rt("EncodeObject").Call(jen.Id("b"), v), typ, field)}
	case gen.KindStruct:
		method := "Encode"
		if t.Bare {
			method = "EncodeBare"
		}
		return []jen.Code{checkEncode(v.Clone().Dot(method).Call(jen.Id("b")), typ, field)}
	case gen.KindVector:
		var header jen.Code
		if t.Bare {
			header = jen.Id("b").Dot("PutInt").Call(jen.Len(v))
		} else {
			header = jen.Id("b").Dot("PutVectorHeader").Call(jen.Len(v))
		}
		idx := "i"
		if depth > 0 {
			idx += strconv.Itoa(depth)
		}
		body := encodeValue(v.Clone().Index(jen.Id(idx)), t.Elem, typ, field, depth+1)
		return []jen.Code{header, jen.For(jen.Id(idx).Op(":=").Range().Add(v)).Block(body...)}
	}
	panic(fmt.Sprintf("emit: unknown kind %d", t.Kind))
}
