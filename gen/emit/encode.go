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

// emitEncode writes Encode, which writes the ID and then the fields: all
// at offsets of one tlrt.Extend when every field has a fixed size, by
// EncodeBare otherwise, and by the runtime, as the wire table says, for a
// definition with no generated codec (gen.Def.Code).
func emitEncode(f *jen.File, d *gen.Def) {
	const doc = "Encode writes m to b with its ID."
	if !d.Code {
		emitRuntimeMethod(f, d, doc, "Encode", buf(), rt("EncodeBoxedFields").Call(jen.Id("b"), jen.Op("&").Id(schemaVar), jen.Lit(d.WireDef), unsafePointer()))
		return
	}
	body := []jen.Code{nilCheck()}
	if words, ok := fixedDef(d); ok {
		declared := false
		id := word{4, jen.Id(d.TypeIDName()), nil}
		body = append(body, putWords(append([]word{id}, words...), &declared)...)
		body = append(body, jen.Return(jen.Nil()))
	} else {
		body = append(body,
			rt("PutUint32").Call(jen.Id("b"), jen.Id(d.TypeIDName())),
			jen.Return(jen.Id("m").Dot("EncodeBare").Call(jen.Id("b"))))
	}
	emitDoc(f, doc)
	f.Func().Params(jen.Id("m").Op("*").Id(d.GoName)).Id("Encode").Params(buf()).Error().Block(body...)
	f.Line()
}

// fixedDef returns the words of d's fields if each is required and has a
// fixed size; ok is false otherwise.
func fixedDef(d *gen.Def) (words []word, ok bool) {
	for _, fd := range d.Fields {
		ws := fixedWords(fd)
		if ws == nil || fd.Flag != nil || fd.Type.Kind == gen.KindFlags {
			return nil, false
		}
		words = append(words, ws...)
	}
	return words, true
}

// emitEncodeBare writes EncodeBare, which writes the fields: each flags
// word with the bits of the fields that are present, then every field
// that is required or present. The flags words are worked out first, so
// that consecutive fields of fixed size (flags words, ints, longs,
// doubles, vector headers) under the same condition are written at
// offsets of one tlrt.Extend. A definition with no generated codec
// (gen.Def.Code) hands the value to the runtime, which writes it as the
// wire table says.
func emitEncodeBare(f *jen.File, d *gen.Def) {
	const doc = "EncodeBare writes m to b without its ID."
	if !d.Code {
		emitRuntimeMethod(f, d, doc, "EncodeBare", buf(), rt("EncodeFields").Call(jen.Id("b"), jen.Op("&").Id(schemaVar), jen.Lit(d.WireDef), unsafePointer()))
		return
	}
	body := []jen.Code{nilCheck()}
	for _, fd := range d.Fields {
		if fd.Type.Kind == gen.KindFlags {
			body = append(body, encodeFlags(fd)...)
		}
	}
	var group []*gen.Field
	declared := false // whether the body's scope has w
	flush := func() {
		if len(group) == 0 {
			return
		}
		if w := group[0].Flag; w != nil {
			inner := false
			code := encodeFields(group, d.TLName, &inner)
			body = append(body, jen.If(jen.Id(w.Word.Local).Dot("Has").Call(jen.Lit(w.Bit))).Block(code...))
		} else {
			body = append(body, encodeFields(group, d.TLName, &declared)...)
		}
		group = nil
	}
	for _, fd := range d.Fields {
		if fd.Type.Kind == gen.KindTrue {
			continue // the flag alone carries it
		}
		if len(group) > 0 && group[0].Flag != fd.Flag {
			flush()
		}
		group = append(group, fd)
	}
	flush()
	body = append(body, jen.Return(jen.Nil()))
	emitDoc(f, doc)
	f.Func().Params(jen.Id("m").Op("*").Id(d.GoName)).Id("EncodeBare").Params(buf()).Error().Block(body...)
	f.Line()
}

// encodeFlags works out a flags word into the local copy the model names:
// the word with the bits that fields decide alone cleared, then each bit
// set whose fields are present by their values, with no branch for a
// field of its own.
func encodeFlags(w *gen.Field) []jen.Code {
	init := jen.Id(w.Local).Op(":=").Id("m").Dot(w.GoName)
	if mask := derivedMask(w); mask != nil {
		init.Op("&^").Parens(mask)
	}
	out := []jen.Code{init}
	for _, fb := range w.Bits {
		out = append(out, jen.Id(w.Local).Op("|=").Add(rt("Bit")).Call(anyNonZero(fb.Fields), jen.Lit(fb.Bit)))
	}
	return out
}

// word is a fixed-size part of a field: 4 or 8 bytes of value.
type word struct {
	size  int
	value jen.Code
	// vectorLen is, for the ID of a boxed vector, the vector's length.
	vectorLen jen.Code
}

// fixedWords returns the words of field fd when its encoding has a fixed
// size (a flags word, an int, a long or a double), or nil.
func fixedWords(fd *gen.Field) []word {
	v := jen.Id("m").Dot(fd.GoName)
	switch fd.Type.Kind {
	case gen.KindFlags:
		return []word{{4, jen.Uint32().Parens(jen.Id(fd.Local)), nil}}
	case gen.KindInt:
		return []word{{4, jen.Uint32().Parens(v), nil}}
	case gen.KindLong:
		return []word{{8, jen.Uint64().Parens(v), nil}}
	case gen.KindDouble:
		return []word{{8, jen.Qual("math", "Float64bits").Call(v), nil}}
	}
	return nil
}

// vectorHeader returns the words that start vector v of type t: the
// vector's ID unless it is bare, then its length.
func vectorHeader(v *jen.Statement, t *gen.Type) []word {
	n := word{4, jen.Uint32().Parens(jen.Len(v)), nil}
	if t.Bare {
		return []word{n}
	}
	return []word{{4, jen.Qual(binPath, "TypeVector"), jen.Len(v)}, n}
}

// encodeFields writes fields, which are all present or absent together:
// runs of words at offsets of one tlrt.Extend, the rest as encodeValue
// does. *declared says whether the scope already has w.
func encodeFields(fields []*gen.Field, typ string, declared *bool) []jen.Code {
	var out []jen.Code
	var run []word
	flush := func() {
		out = append(out, putWords(run, declared)...)
		run = nil
	}
	for _, fd := range fields {
		v := jen.Id("m").Dot(fd.GoName)
		if ws := fixedWords(fd); ws != nil {
			run = append(run, ws...)
			continue
		}
		if fd.Type.Kind == gen.KindVector {
			run = append(run, vectorHeader(v, fd.Type)...)
			flush()
			out = append(out, encodeElems(v, fd.Type, typ, fd.TLName, 0))
			continue
		}
		flush()
		out = append(out, encodeValue(v, fd.Type, typ, fd.TLName, 0)...)
	}
	flush()
	return out
}

// putWords writes run: a lone word or vector header by a tlrt call, more
// at offsets of one tlrt.Extend, into w, which *declared says whether the
// scope already has.
func putWords(run []word, declared *bool) []jen.Code {
	size := 0
	for _, w := range run {
		size += w.size
	}
	switch {
	case len(run) == 0:
		return nil
	case len(run) == 2 && run[0].vectorLen != nil:
		return []jen.Code{rt("PutVectorHeader").Call(jen.Id("b"), run[0].vectorLen)}
	case len(run) == 1 && size == 4:
		return []jen.Code{rt("PutUint32").Call(jen.Id("b"), run[0].value)}
	case len(run) == 1:
		return []jen.Code{rt("PutUint64").Call(jen.Id("b"), run[0].value)}
	}
	op := ":="
	if *declared {
		op = "="
	}
	*declared = true
	out := []jen.Code{
		jen.Id("w").Op(op).Add(rt("Extend")).Call(jen.Id("b"), jen.Lit(size)),
		jen.Id("_").Op("=").Id("w").Index(jen.Lit(size - 1)),
	}
	off := 0
	for _, w := range run {
		at := jen.Id("w")
		if off > 0 {
			at = jen.Id("w").Index(jen.Lit(off).Op(":"))
		}
		put := "PutUint32"
		if w.size == 8 {
			put = "PutUint64"
		}
		out = append(out, jen.Qual("encoding/binary", "LittleEndian").Dot(put).Call(at, w.value))
		off += w.size
	}
	return out
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

// putMethod is the call that writes a value of a primitive type that
// fixedWords does not write at an offset.
var putMethod = map[gen.Kind]func(v jen.Code) jen.Code{
	gen.KindInt:    func(v jen.Code) jen.Code { return rt("PutUint32").Call(jen.Id("b"), jen.Uint32().Parens(v)) },
	gen.KindLong:   func(v jen.Code) jen.Code { return rt("PutUint64").Call(jen.Id("b"), jen.Uint64().Parens(v)) },
	gen.KindDouble: func(v jen.Code) jen.Code { return jen.Id("b").Dot("PutDouble").Call(v) },
	gen.KindString: func(v jen.Code) jen.Code { return rt("PutString").Call(jen.Id("b"), v) },
	gen.KindBytes:  func(v jen.Code) jen.Code { return rt("PutBytes").Call(jen.Id("b"), v) },
	gen.KindInt128: func(v jen.Code) jen.Code { return jen.Id("b").Dot("PutInt128").Call(v) },
	gen.KindInt256: func(v jen.Code) jen.Code { return jen.Id("b").Dot("PutInt256").Call(v) },
	gen.KindBool:   func(v jen.Code) jen.Code { return jen.Id("b").Dot("PutBool").Call(v) },
}

// encodeValue writes v of type t; depth names the loop variables of nested
// vectors.
func encodeValue(v *jen.Statement, t *gen.Type, typ, field string, depth int) []jen.Code {
	if put, ok := putMethod[t.Kind]; ok {
		return []jen.Code{put(v)}
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
			header = rt("PutUint32").Call(jen.Id("b"), jen.Uint32().Parens(jen.Len(v)))
		} else {
			header = rt("PutVectorHeader").Call(jen.Id("b"), jen.Len(v))
		}
		return []jen.Code{header, encodeElems(v, t, typ, field, depth)}
	}
	panic(fmt.Sprintf("emit: unknown kind %d", t.Kind))
}

// encodeElems writes the elements of vector v of type t, after its header.
func encodeElems(v *jen.Statement, t *gen.Type, typ, field string, depth int) jen.Code {
	idx := "i"
	if depth > 0 {
		idx += strconv.Itoa(depth)
	}
	body := encodeValue(v.Clone().Index(jen.Id(idx)), t.Elem, typ, field, depth+1)
	return jen.For(jen.Id(idx).Op(":=").Range().Add(v)).Block(body...)
}
