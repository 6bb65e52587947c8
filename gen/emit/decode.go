package emit

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/tgraw/tgraw/gen"
)

// emitDecode writes Decode, which checks the ID and then reads the fields
// through DecodeBare. A definition with a generated codec (gen.Def.Code)
// calls DecodeBare directly, not through the runtime and an interface, so
// that a value decoded into stays where its caller put it; the others hand
// m to the runtime (tlrt.DecodeValue).
func emitDecode(f *jen.File, d *gen.Def) {
	if !d.Code {
		emitRuntimeMethod(f, d, "Decode reads m from b, checking its ID.", "Decode", buf(),
			rt("DecodeValue").Call(jen.Id("b"), jen.Op("&").Id(schemaVar), jen.Lit(d.WireRoot), jen.Id("m")))
		return
	}
	emitDoc(f, "Decode reads m from b, checking its ID.")
	f.Func().Params(jen.Id("m").Op("*").Id(d.GoName)).Id("Decode").Params(buf()).Error().Block(
		jen.If(
			jen.Err().Op(":=").Add(rt("ConsumeID")).Call(jen.Id("b"), jen.Id(d.TypeIDName()), jen.Lit(d.TLName)),
			jen.Err().Op("!=").Nil(),
		).Block(jen.Return(rt("DecodeErr").Call(jen.Err(), jen.Lit(d.TLName), jen.Lit("")))),
		jen.Return(jen.Id("m").Dot("DecodeBare").Call(jen.Id("b"))),
	)
	f.Line()
}

// emitDecodeBare writes DecodeBare, Decode for a value without its ID. With
// a generated codec it clears a value with optional fields, so that absent
// fields do not keep what a reused m held (values DecodeBareAt reads into
// below the top are new), and makes the Decoder of the value; without one,
// the runtime does that (tlrt.DecodeValueBare).
func emitDecodeBare(f *jen.File, d *gen.Def) {
	doc := "DecodeBare reads m from b, which holds no ID."
	if d.SharesInput {
		doc += " Its strings and bytes share a few chunks of memory of their own, none of b's."
	}
	if !d.Code {
		emitRuntimeMethod(f, d, doc, "DecodeBare", buf(),
			rt("DecodeValueBare").Call(jen.Id("b"), jen.Op("&").Id(schemaVar), jen.Lit(d.WireRoot), jen.Id("m")))
		return
	}
	var body []jen.Code
	for _, fd := range d.Fields {
		// An optional field, or a struct held by value, which may have
		// optional fields of its own.
		if fd.Flag != nil || fd.Type.Kind == gen.KindStruct && !fd.Type.Ptr {
			body = append(body, nilCheck(), jen.Op("*").Id("m").Op("=").Id(d.GoName).Values())
			break
		}
	}
	body = append(body,
		jen.Id("d").Op(":=").Add(rt("NewDecoder")).Call(jen.Id("b"), jen.Op("&").Id(schemaVar), jen.Lit(d.WireRoot)),
		jen.Return(rt("Finish").Call(jen.Id("b"), jen.Id("d"), jen.Id("m").Dot("DecodeBareAt").Call(jen.Id("d"), jen.Lit(0)))),
	)
	emitDoc(f, doc)
	f.Func().Params(jen.Id("m").Op("*").Id(d.GoName)).Id("DecodeBare").Params(buf()).Error().Block(body...)
	f.Line()
}

// emitDecodeBareAt writes DecodeBareAt, which reads the fields of a value
// nested depth levels deep: a definition that nests refuses a depth above
// MaxDecodeDepth. Only a definition with a generated codec (gen.Def.Code)
// has one: the runtime reads the fields of the others as the wire table
// says (tlrt.DecodeAt).
func emitDecodeBareAt(f *jen.File, d *gen.Def) {
	body := []jen.Code{nilCheck()}
	depth := jen.Id("depth").Int()
	if d.Nests {
		body = append(body, jen.If(jen.Id("depth").Op(">").Id("MaxDecodeDepth")).Block(
			jen.Return(rt("DecodeErr").Call(jen.Id("ErrTooDeep"), jen.Lit(d.TLName), jen.Lit(""))),
		))
	} else {
		depth = jen.Id("_").Int()
	}
	body = append(body, decodeFields(d)...)
	body = append(body, jen.Return(jen.Nil()))
	emitDoc(f, "DecodeBareAt is DecodeBare for a value nested depth levels deep in what d decodes, read into a new m: it does not clear m.")
	f.Func().Params(jen.Id("m").Op("*").Id(d.GoName)).Id("DecodeBareAt").Params(dec(), depth).Error().Block(body...)
	f.Line()
}

// decodeFields reads the fields of d into m, and leaves in each flags word
// only what the fields cannot say.
func decodeFields(d *gen.Def) []jen.Code {
	var out []jen.Code
	needErr := false
	for _, fd := range d.Fields {
		if fd.Type.Kind != gen.KindTrue {
			needErr = true
		}
	}
	if needErr {
		out = append(out, jen.Var().Err().Error())
	}
	deeper := jen.Id("depth").Op("+").Lit(1)
	fail := func(field string) jen.Code {
		return jen.Return(rt("DecodeErr").Call(jen.Err(), jen.Lit(d.TLName), jen.Lit(field)))
	}
	for _, fd := range d.Fields {
		target := jen.Id("m").Dot(fd.GoName)
		var stmts []jen.Code
		switch {
		case fd.Type.Kind == gen.KindFlags:
			stmts = []jen.Code{jen.If(jen.Err().Op("=").Add(target).Dot("Decode").Call(jen.Op("&").Id("d").Dot("Buffer")), jen.Err().Op("!=").Nil()).Block(fail(fd.TLName))}
		case fd.Type.Kind == gen.KindTrue:
			stmts = []jen.Code{target.Op("=").Id("m").Dot(fd.Flag.Word.GoName).Dot("Has").Call(jen.Lit(fd.Flag.Bit))}
		case fd.Type.Kind == gen.KindStruct:
			ref := target.Clone()
			if fd.Type.Ptr {
				if sd := fd.Type.Def; !sd.Plain && len(sd.Fields) > 0 {
					stmts = append(stmts, jen.Id("d").Dot("Spend").Call(sizeOf(sd)))
				}
				stmts = append(stmts, target.Clone().Op("=").Add(newValue(fd.Type.Def)))
			} else {
				ref = jen.Op("&").Add(target.Clone())
			}
			var call jen.Code
			switch {
			case fd.Type.Bare && fd.Type.Def.Code:
				call = target.Clone().Dot("DecodeBareAt").Call(jen.Id("d"), deeper)
			case fd.Type.Bare:
				call = rt("DecodeAt").Call(jen.Id("d"), ref, deeper)
			default:
				call = rt("DecodeBoxed").Call(jen.Id("d"), ref, deeper)
			}
			stmts = append(stmts, jen.If(jen.Err().Op("=").Add(call), jen.Err().Op("!=").Nil()).Block(fail(fd.TLName)))
		default:
			stmts = []jen.Code{jen.If(
				jen.List(target, jen.Err()).Op("=").Add(decodeCall(fd.Type, deeper)),
				jen.Err().Op("!=").Nil(),
			).Block(fail(fd.TLName))}
		}
		if fd.Flag != nil && fd.Type.Kind != gen.KindTrue {
			out = append(out, jen.If(jen.Id("m").Dot(fd.Flag.Word.GoName).Dot("Has").Call(jen.Lit(fd.Flag.Bit))).Block(stmts...))
			continue
		}
		out = append(out, stmts...)
	}
	// Keep only the bits the fields cannot carry: those of optional
	// values that arrived zero, and bits this schema does not define.
	for _, fd := range d.Fields {
		if mask := derivedMask(fd); mask != nil {
			out = append(out, jen.Id("m").Dot(fd.GoName).Op("&^=").Add(mask))
		}
	}
	for _, fd := range d.Fields {
		for _, fb := range fd.Bits {
			if !fb.Derived {
				out = append(out, jen.If(anyNonZero(fb.Fields)).Block(
					jen.Id("m").Dot(fd.GoName).Dot("Unset").Call(jen.Lit(fb.Bit)),
				))
			}
		}
	}
	return out
}

// newValue is a new zero value of d, from the Decoder's chunks when d is
// Plain; a value of another definition with fields is for the caller to
// count (sizeOf, Decoder.Spend).
func newValue(d *gen.Def) jen.Code {
	if d.Plain {
		return rt("New").Index(jen.Id(d.GoName)).Call(jen.Id("d"))
	}
	return jen.Op("&").Id(d.GoName).Values()
}

// sizeOf is the size in memory of a value of d.
func sizeOf(d *gen.Def) jen.Code {
	return jen.Qual("unsafe", "Sizeof").Call(jen.Id(d.GoName).Values())
}

// schemaVar is the package's tlrt.Schema, which emitSchema writes.
const schemaVar = "wireSchema"

// readMethod is the bin.Buffer method that reads a primitive type; a
// tlrt.Decoder has it too.
var readMethod = map[gen.Kind]string{
	gen.KindInt: "Int", gen.KindLong: "Long", gen.KindDouble: "Double",
	gen.KindInt128: "Int128", gen.KindInt256: "Int256", gen.KindBool: "Bool",
}

// readText is the tlrt function that reads strings or bytes into the
// Decoder's chunks.
var readText = map[gen.Kind]string{gen.KindString: "String", gen.KindBytes: "Bytes"}

// decodeCall is an expression that decodes one value of type t from the
// Decoder d, giving (T, error); depth is the value's nesting depth.
func decodeCall(t *gen.Type, depth jen.Code) jen.Code {
	d := jen.Id("d")
	if m, ok := readMethod[t.Kind]; ok {
		return d.Dot(m).Call()
	}
	if fn, ok := readText[t.Kind]; ok {
		return rt(fn).Call(d)
	}
	if t.Kind == gen.KindVector {
		if !t.Elem.Nests() {
			helper := "DecodeVector"
			if t.Bare {
				helper = "DecodeBareVector"
			}
			return rt(helper).Call(d, jen.Lit(t.Elem.MinSize()), leafDecoder(t.Elem))
		}
		if e := t.Elem; e.Kind == gen.KindStruct {
			// Decoded in place: no copy of each element.
			return rt("DecodeStructs").Index(jen.Id(e.Def.GoName)).Call(d, jen.Lit(t.Bare), jen.Lit(e.Bare), jen.Lit(e.MinSize()), depth)
		}
		if e := t.Elem; e.Kind == gen.KindClass && e.Class.Slab != nil {
			// The values of the class's main constructor come from slabs.
			return rt("DecodeSlabs").Index(jen.Id(e.Class.Slab.GoName)).Call(d, jen.Lit(t.Bare), jen.Lit(e.MinSize()), depth, jen.Id(e.Class.DecoderAt))
		}
		helper := "DecodeVectorAt"
		if t.Bare {
			helper = "DecodeBareVectorAt"
		}
		return rt(helper).Call(d, jen.Lit(t.Elem.MinSize()), depth, decoderOf(t.Elem))
	}
	return jen.Add(decoderOf(t)).Call(d, depth)
}

// leafDecoder is a function value that decodes one value of a type that
// holds no constructors: func(*tlrt.Decoder) (T, error).
func leafDecoder(t *gen.Type) jen.Code {
	if m, ok := readMethod[t.Kind]; ok {
		return jen.Parens(jen.Op("*").Add(rt("Decoder"))).Dot(m)
	}
	if fn, ok := readText[t.Kind]; ok {
		return rt(fn)
	}
	// A vector of primitives.
	return jen.Func().Params(dec()).Params(goType(t.Go), jen.Error()).Block(
		jen.Return(decodeCall(t, nil)),
	)
}

// decoderOf is a function value that decodes one value of type t that
// holds constructors, at a depth: func(*tlrt.Decoder, int) (T, error). A
// struct has none: vectors decode structs in place (DecodeStructs).
func decoderOf(t *gen.Type) jen.Code {
	switch t.Kind {
	case gen.KindClass:
		return jen.Id(t.Class.DecoderAt)
	case gen.KindObject:
		return jen.Id("decodeObject")
	case gen.KindVector:
		return jen.Func().Params(dec(), jen.Id("depth").Int()).Params(goType(t.Go), jen.Error()).Block(
			jen.Return(decodeCall(t, jen.Id("depth").Op("+").Lit(1))),
		)
	}
	panic(fmt.Sprintf("emit: kind %d holds no constructors", t.Kind))
}

// resultDecoder is how a Client method decodes a function's result:
// func(*bin.Buffer) (T, error).
func resultDecoder(t *gen.Type) jen.Code {
	switch {
	case t.Kind == gen.KindStruct && t.Ptr:
		return rt("DecodePtr").Index(jen.Id(t.Def.GoName))
	case t.Kind == gen.KindClass:
		return jen.Id(t.Class.Decoder)
	case t.Kind == gen.KindObject:
		return jen.Id("DecodeObject")
	case readMethod[t.Kind] != "":
		return jen.Parens(jen.Op("*").Qual(binPath, "Buffer")).Dot(readMethod[t.Kind])
	}
	return jen.Func().Params(buf()).Params(goType(t.Go), jen.Error()).Block(
		jen.Return(rt("Decode").Call(jen.Id("b"), jen.Op("&").Id(schemaVar), jen.Lit(t.WireRoot), jen.Func().Params(dec(), jen.Id("depth").Int()).Params(goType(t.Go), jen.Error()).Block(
			jen.Return(decodeCall(t, jen.Id("depth"))),
		))),
	)
}

// emitRuntimeMethod writes a method of d whose body is one call of the
// runtime, which returns its error: params are the method's parameters.
// It is kept out of line (go:noinline): called through an interface, as
// it mostly is, an inlined copy gains nothing, and the package and each
// that imports it would compile one for every definition.
func emitRuntimeMethod(f *jen.File, d *gen.Def, doc, name string, params, call jen.Code) {
	emitDoc(f, doc)
	f.Comment("//go:noinline")
	f.Func().Params(jen.Id("m").Op("*").Id(d.GoName)).Id(name).Params(params).Error().Block(jen.Return(call))
	f.Line()
}

// unsafePointer is m, the receiver, as the unsafe.Pointer the runtime's
// codec by the wire table takes.
func unsafePointer() jen.Code { return jen.Qual("unsafe", "Pointer").Call(jen.Id("m")) }

// dec is the parameter d *tlrt.Decoder.
func dec() jen.Code { return jen.Id("d").Op("*").Add(rt("Decoder")) }
