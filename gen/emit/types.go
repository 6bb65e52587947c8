package emit

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/tgraw/tgraw/gen"
)

// emitInterface writes the interface of a class of several constructors,
// sealed by its marker method.
func emitInterface(f *jen.File, c *gen.Class) {
	ctors := make([]string, len(c.Constructors))
	for i, d := range c.Constructors {
		ctors[i] = d.GoName
	}
	d := (&doc{}).para("%s is the TL type %s: one of %s.", c.Interface, c.TLName, strings.Join(ctors, ", "))
	if c.Doc != "" {
		d.para("%s", sentence(c.Doc))
	}
	if c.Link != "" {
		d.para("See %s.", c.Link)
	}
	f.Add(d.comment())
	f.Type().Id(c.Interface).Interface(
		jen.Id("Object"),
		jen.Id(c.Marker).Params(),
	)
	f.Line()
}

// emitClassDecoders writes DecodeX and decodeX, which read any
// constructor of a class of several.
func emitClassDecoders(f *jen.File, c *gen.Class) {
	if !c.Code {
		emitRuntimeClassDecoders(f, c)
		return
	}
	cases := make([]jen.Code, 0, len(c.Constructors)+1)
	counted := false // a value of a constructor sets size
	for _, d := range c.Constructors {
		// The value as the class, and as what decodes its fields.
		set := jen.List(jen.Id("v"), jen.Id("at")).Op("=").List(jen.Id("x"), jen.Id("x"))
		if !d.Plain && len(d.Fields) > 0 {
			set = jen.List(jen.Id("v"), jen.Id("at"), jen.Id("size")).Op("=").List(jen.Id("x"), jen.Id("x"), sizeOf(d))
			counted = true
		}
		cases = append(cases, jen.Case(jen.Id(d.TypeIDName())).Block(jen.Id("x").Op(":=").Add(newValue(d)), set))
	}
	cases = append(cases, jen.Default().Block(
		jen.Return(jen.Nil(), jen.Op("&").Id("UnknownIDError").Values(
			jen.Id("ID").Op(":").Id("id"),
			jen.Id("Type").Op(":").Lit(c.TLName),
		)),
	))
	emitDoc(f, fmt.Sprintf("%s decodes any constructor of %s.", c.Decoder, c.TLName))
	top := rt("Decode").Call(jen.Id("b"), jen.Op("&").Id(schemaVar), jen.Lit(c.WireRoot), jen.Id(c.DecoderAt))
	f.Func().Id(c.Decoder).Params(buf()).Params(jen.Id(c.Interface), jen.Error()).Block(jen.Return(top))
	f.Line()
	emitDoc(f, fmt.Sprintf("%s is %s for a value nested depth levels deep.", c.DecoderAt, c.Decoder))
	body := []jen.Code{
		jen.List(jen.Id("id"), jen.Err()).Op(":=").Id("d").Dot("ID").Call(),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
		jen.Var().Id("v").Id(c.Interface),
		jen.Var().Id("at").Add(rt("DecoderAt")),
	}
	if counted {
		body = append(body, jen.Var().Id("size").Uintptr().Comment("of the value, which the Decoder counts"))
	}
	body = append(body, jen.Switch(jen.Id("id")).Block(cases...))
	if counted {
		body = append(body, jen.Id("d").Dot("Spend").Call(jen.Id("size")))
	}
	body = append(body,
		jen.If(jen.Err().Op(":=").Id("at").Dot("DecodeBareAt").Call(jen.Id("d"), jen.Id("depth")), jen.Err().Op("!=").Nil()).Block(
			jen.Return(jen.Nil(), jen.Err()),
		),
		jen.Return(jen.Id("v"), jen.Nil()),
	)
	f.Func().Id(c.DecoderAt).Params(dec(), jen.Id("depth").Int()).Params(jen.Id(c.Interface), jen.Error()).Block(body...)
	f.Line()
}

// emitRuntimeClassDecoders writes the decoder functions of a class without
// generated codecs: the runtime reads the ID and finds the constructor in
// the wire table.
func emitRuntimeClassDecoders(f *jen.File, c *gen.Class) {
	emitDoc(f, fmt.Sprintf("%s decodes any constructor of %s.", c.Decoder, c.TLName))
	top := rt("Decode").Call(jen.Id("b"), jen.Op("&").Id(schemaVar), jen.Lit(c.WireRoot), jen.Id(c.DecoderAt))
	f.Func().Id(c.Decoder).Params(buf()).Params(jen.Id(c.Interface), jen.Error()).Block(jen.Return(top))
	f.Line()
	emitDoc(f, fmt.Sprintf("%s is %s for a value nested depth levels deep.", c.DecoderAt, c.Decoder))
	f.Func().Id(c.DecoderAt).Params(dec(), jen.Id("depth").Int()).Params(jen.Id(c.Interface), jen.Error()).Block(
		jen.List(jen.Id("v"), jen.Err()).Op(":=").Add(rt("DecodeClassAt")).Call(jen.Id("d"), jen.Op("&").Id(schemaVar), jen.Lit(c.WireRoot), jen.Id("depth")),
		jen.List(jen.Id("c"), jen.Id("_")).Op(":=").Id("v").Assert(jen.Id(c.Interface)),
		jen.Return(jen.Id("c"), jen.Err()),
	)
	f.Line()
}

// emitStruct writes the struct of a definition, with its doc: the
// description, the TL line, how optional fields work and the link.
func emitStruct(f *jen.File, d *gen.Def) {
	what := "constructor"
	if d.Function {
		what = "function"
	}
	dc := &doc{}
	if d.Doc != "" {
		dc.para("%s is the TL %s %s. %s", d.GoName, what, d.TLName, sentence(d.Doc))
	} else {
		dc.para("%s is the TL %s %s.", d.GoName, what, d.TLName)
	}
	dc.code(d.Source)
	if d.Primitive != 0 {
		dc.para("It declares the wire primitive %s: fields of that type are Go %s values. This struct only carries the declaration's ID.",
			d.TLName, d.Primitive.Go())
	}
	if fd := firstPresenceField(d); fd != nil {
		dc.para("An optional field is sent when it is not zero, nil or false. %s and the other Set methods send a zero value too; %s reports whether %s is present (sent, or received) and %s leaves it out.",
			fd.Methods.Set, fd.Methods.Has, fd.GoName, fd.Methods.Clear)
	}
	if d.Link != "" {
		dc.para("See %s.", d.Link)
	}
	f.Add(dc.comment())

	documented := false
	for _, fd := range d.Fields {
		if fd.Doc != "" {
			documented = true
		}
	}
	fields := make([]jen.Code, 0, len(d.Fields))
	for _, fd := range d.Fields {
		if documented && fd.Doc != "" {
			fields = append(fields, (&doc{indent: 4}).para("%s", sentence(fd.Doc)).comment())
		}
		c := jen.Id(fd.GoName).Add(goType(fd.Type.Go))
		switch {
		case fd.Flag != nil:
			c.Comment(fmt.Sprintf("%s.%d?%s", fd.Flag.Word.TLName, fd.Flag.Bit, fd.Type.TL))
		case fd.Type.Kind == gen.KindFlags:
			c.Comment("flags word; Encode adds the bits of the fields that are set")
		}
		fields = append(fields, c)
	}
	f.Type().Id(d.GoName).Struct(fields...)
	f.Line()
}

// firstPresenceField returns the first field of d that has presence
// methods, nil if none does.
func firstPresenceField(d *gen.Def) *gen.Field {
	for _, fd := range d.Fields {
		if fd.Methods != nil {
			return fd
		}
	}
	return nil
}

// emitTypeID writes the ID constant of a definition and the methods that
// name it: TypeID, TypeName and, for a constructor of an interface, the
// marker.
func emitTypeID(f *jen.File, d *gen.Def) {
	emitDoc(f, fmt.Sprintf("%s is the ID of %s.", d.TypeIDName(), d.TLName))
	f.Const().Id(d.TypeIDName()).Op("=").Add(hexID(d.ID))
	f.Line()

	emitDoc(f, fmt.Sprintf("TypeID returns %#08x, the ID of %s.", d.ID, d.TLName))
	f.Func().Params(jen.Op("*").Id(d.GoName)).Id("TypeID").Params().Uint32().Block(jen.Return(jen.Id(d.TypeIDName())))
	f.Line()
	emitDoc(f, fmt.Sprintf("TypeName returns %q.", d.TLName))
	f.Func().Params(jen.Op("*").Id(d.GoName)).Id("TypeName").Params().String().Block(jen.Return(jen.Lit(d.TLName)))
	f.Line()
	if d.Class != nil && d.Class.Interface != "" {
		emitDoc(f, fmt.Sprintf("%s marks %s as %s %s.", d.Class.Marker, d.GoName, article(d.Class.Interface), d.Class.Interface))
		f.Func().Params(jen.Op("*").Id(d.GoName)).Id(d.Class.Marker).Params().Block()
		f.Line()
	}
}

// emitPresenceMethods writes HasX, SetX and ClearX for every optional
// value field of d.
func emitPresenceMethods(f *jen.File, d *gen.Def) {
	for _, fd := range d.Fields {
		if fd.Methods == nil {
			continue
		}
		var others []string
		for _, o := range fd.Flag.Fields {
			if o != fd {
				others = append(others, o.GoName)
			}
		}
		shared := ""
		if len(others) > 0 {
			shared = fmt.Sprintf(" It shares its flag with %s: they are present together.", strings.Join(others, " and "))
		}
		recv := jen.Id("m").Op("*").Id(d.GoName)
		word := jen.Id("m").Dot(fd.Flag.Word.GoName)
		bit := jen.Lit(fd.Flag.Bit)

		emitDoc(f, fmt.Sprintf("%s reports whether %s is present: not zero, set by %s, or received.%s", fd.Methods.Has, fd.GoName, fd.Methods.Set, shared))
		f.Func().Params(recv.Clone()).Id(fd.Methods.Has).Params().Bool().Block(
			jen.Return(jen.Add(anyNonZero(fd.Flag.Fields)).Op("||").Add(word.Clone()).Dot("Has").Call(bit)),
		)
		f.Line()
		emitDoc(f, fmt.Sprintf("%s sets %s to v and marks it present, so that it is sent even when v is zero.", fd.Methods.Set, fd.GoName))
		f.Func().Params(recv.Clone()).Id(fd.Methods.Set).Params(jen.Id("v").Add(goType(fd.Type.Go))).Block(
			jen.Id("m").Dot(fd.GoName).Op("=").Id("v"),
			word.Clone().Dot("Set").Call(bit),
		)
		f.Line()
		clear := fmt.Sprintf("%s sets %s to its zero value and marks it absent.", fd.Methods.Clear, fd.GoName)
		if len(others) > 0 {
			clear = fmt.Sprintf("%s sets %s to its zero value and marks it absent; it is still sent, as zero, when %s, which shares its flag, is set.", fd.Methods.Clear, fd.GoName, strings.Join(others, " or "))
		}
		emitDoc(f, clear)
		f.Func().Params(recv.Clone()).Id(fd.Methods.Clear).Params().Block(
			jen.Id("m").Dot(fd.GoName).Op("=").Add(zeroValue(fd)),
			word.Clone().Dot("Unset").Call(bit),
		)
		f.Line()
	}
}

// zeroValue is the zero value of an optional value field.
func zeroValue(fd *gen.Field) jen.Code {
	switch fd.Type.Kind {
	case gen.KindInt, gen.KindLong, gen.KindDouble:
		return jen.Lit(0)
	case gen.KindString:
		return jen.Lit("")
	case gen.KindBool:
		return jen.False()
	case gen.KindInt128, gen.KindInt256:
		return jen.Add(goType(fd.Type.Go)).Values()
	}
	return jen.Nil() // bytes and vectors
}

// nonZero is the condition under which an optional field is present by
// its value alone.
func nonZero(fd *gen.Field) jen.Code {
	v := jen.Id("m").Dot(fd.GoName)
	switch fd.Type.Kind {
	case gen.KindInt, gen.KindLong, gen.KindDouble:
		return v.Op("!=").Lit(0)
	case gen.KindString:
		return v.Op("!=").Lit("")
	case gen.KindBytes, gen.KindVector:
		return jen.Len(v).Op(">").Lit(0)
	case gen.KindInt128, gen.KindInt256:
		return v.Op("!=").Parens(jen.Add(goType(fd.Type.Go)).Values())
	case gen.KindBool, gen.KindTrue:
		return v
	}
	return v.Op("!=").Nil()
}

// anyNonZero is the condition under which one of fields is present by its
// value alone.
func anyNonZero(fields []*gen.Field) jen.Code {
	var c *jen.Statement
	for _, fd := range fields {
		if c == nil {
			c = jen.Add(nonZero(fd))
			continue
		}
		c = c.Op("||").Add(nonZero(fd))
	}
	return c
}
