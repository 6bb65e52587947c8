package emit

import (
	"fmt"
	"sort"

	"github.com/dave/jennifer/jen"

	"github.com/tgraw/tgraw/gen"
)

// emitDocFile writes the package doc, the check of the runtime's version
// and the aliases of the runtime's names that users of the package need.
func emitDocFile(m *gen.Model) *jen.File {
	f := newFile(m.Package)
	layer := ""
	if m.Layer != 0 {
		layer = fmt.Sprintf(", layer %d", m.Layer)
	}
	var funcs, ctors int
	for _, d := range m.Defs {
		if d.Function {
			funcs++
		} else {
			ctors++
		}
	}
	pkgDoc := (&doc{}).
		para("Package %s holds the %d constructors and %d functions of a TL schema%s, as Go types with their exact binary encoding. tlgen generated it.",
			m.Package, ctors, funcs, layer).
		para("A constructor or function is a struct with TypeID, Encode and Decode (with its ID) and EncodeBare and DecodeBare (without). A type of several constructors is an interface, XClass, read by DecodeX. New makes a value of any ID, Name names it and DecodeObject reads any value. Client has one method per function and sends calls through any Invoker, gotd/td's telegram.Client among them.").
		para("An optional field is sent when it is not zero. An optional value's SetX method sends it even when zero, HasX reports whether it is present (set so, or received) and ClearX leaves it out; decoding then encoding gives back the same bytes.").
		para("Decoding never panics: bad input gives a *DecodeError that says where it was met, such as \"messages.messages: messages[3].media: unexpected constructor 0xdeadbeef for MessageMedia\".")
	f.PackageComment(pkgDoc.String())

	f.Add((&doc{}).para("This package is written for version %d of package tlrt, and does not compile with a tlrt that cannot serve it: see tlrt.EnforceVersion.", runtimeVersion).comment())
	f.Const().Defs(
		jen.Id("_").Op("=").Add(rt("EnforceVersion")).Call(rt("Version").Op("-").Lit(runtimeVersion)),
		jen.Id("_").Op("=").Add(rt("EnforceVersion")).Call(jen.Lit(runtimeVersion).Op("-").Add(rt("MinVersion"))),
	)
	f.Line()

	alias := func(name, docText string) {
		emitDoc(f, docText)
		f.Type().Id(name).Op("=").Add(rt(name))
		f.Line()
	}
	alias("Object", "Object is any constructor or function of the schema; tlrt.Object says more.")
	alias("Invoker", "Invoker sends a request and decodes its result. gotd/td's telegram.Client is one.")
	alias("DecodeError", "DecodeError is an error met while decoding, with where it was met; tlrt.DecodeError says more.")
	alias("EncodeError", "EncodeError is an error met while encoding, with where it was met.")
	alias("UnknownIDError", "UnknownIDError reports an ID that is not valid where it was met; Name says what the ID is, if this package knows it.")
	emitDoc(f, "MaxDecodeDepth is how deeply values may nest in decoded input.")
	f.Const().Id("MaxDecodeDepth").Op("=").Add(rt("MaxDecodeDepth"))
	f.Line()
	f.Var().Defs(
		jen.Comment("ErrTooDeep is the error for input nested more than MaxDecodeDepth levels."),
		jen.Id("ErrTooDeep").Op("=").Add(rt("ErrTooDeep")),
		jen.Line(),
		(&doc{}).para("ErrNilValue is the error for a required value left nil, or for encoding or decoding into a nil pointer.").comment(),
		jen.Id("ErrNilValue").Op("=").Add(rt("ErrNilValue")),
	)
	return f
}

// emitRegistryFile writes Layer, New, Name, IDs and DecodeObject, which
// know every ID of the schema.
func emitRegistryFile(m *gen.Model) *jen.File {
	f := newFile(m.Package)
	emitDoc(f, "Layer is the API layer of the schema this package was generated from.")
	f.Const().Id("Layer").Op("=").Lit(m.Layer)
	f.Line()

	defs := append([]*gen.Def(nil), m.Defs...)
	sort.Slice(defs, func(i, j int) bool { return defs[i].ID < defs[j].ID })

	cases := make([]jen.Code, 0, len(defs))
	rows := make([]jen.Code, 0, len(defs))
	for _, d := range defs {
		cases = append(cases, jen.Case(jen.Id(d.TypeIDName())).Block(jen.Return(jen.Op("&").Id(d.GoName).Values())))
		rows = append(rows, jen.Values(jen.Id("ID").Op(":").Id(d.TypeIDName()), jen.Id("Name").Op(":").Lit(d.TLName)))
	}
	emitDoc(f, "New returns a new zero value of the constructor or function with the given ID, or nil if the schema has no such ID.")
	f.Func().Id("New").Params(jen.Id("id").Uint32()).Id("Object").Block(
		jen.Switch(jen.Id("id")).Block(cases...),
		jen.Return(jen.Nil()),
	)
	f.Line()
	emitDoc(f, "Name returns the TL name of a constructor or function ID, or \"\" if the schema has no such ID.")
	f.Func().Id("Name").Params(jen.Id("id").Uint32()).String().Block(jen.Return(jen.Id("registry").Dot("Name").Call(jen.Id("id"))))
	f.Line()
	emitDoc(f, "IDs returns the IDs of every constructor and function, in increasing order.")
	f.Func().Id("IDs").Params().Index().Uint32().Block(jen.Return(jen.Id("registry").Dot("IDs").Call()))
	f.Line()
	emitDoc(f, "DecodeObject decodes any constructor or function of the schema, chosen by the ID it starts with.")
	f.Func().Id("DecodeObject").Params(buf()).Params(jen.Id("Object"), jen.Error()).Block(
		jen.Return(rt("Decode").Call(jen.Id("b"), jen.Op("&").Id(schemaVar), jen.Lit(m.Wire.ObjectRoot), jen.Id("decodeObject"))),
	)
	f.Line()
	emitDoc(f, "decodeObject is DecodeObject for a value nested depth levels deep.")
	f.Func().Id("decodeObject").Params(dec(), jen.Id("depth").Int()).Params(jen.Id("Object"), jen.Error()).Block(
		jen.Return(rt("DecodeObject").Call(jen.Id("d"), jen.Id("depth"), jen.Id("New"))),
	)
	f.Line()
	emitSchema(f, m.Wire)
	f.Line()
	emitDoc(f, "registry lists every ID with its TL name, by increasing ID.")
	f.Var().Id("registry").Op("=").Add(rt("Registry")).Custom(jen.Options{Open: "{", Close: "}", Separator: ",", Multi: true}, rows...)
	return f
}

// schemaKinds are the tlrt names of the kinds of gen.
var schemaKinds = map[gen.Kind]string{
	gen.KindInt: "SchemaInt", gen.KindLong: "SchemaLong", gen.KindDouble: "SchemaDouble",
	gen.KindString: "SchemaString", gen.KindBytes: "SchemaBytes", gen.KindInt128: "SchemaInt128",
	gen.KindInt256: "SchemaInt256", gen.KindBool: "SchemaBool", gen.KindTrue: "SchemaTrue",
	gen.KindFlags: "SchemaFlags", gen.KindClass: "SchemaClass", gen.KindStruct: "SchemaStruct",
	gen.KindVector: "SchemaVector", gen.KindObject: "SchemaObject",
}

// emitSchema writes wireSchema, the tlrt.Schema of the package: the rows
// of the model's WireTable and New, with which a Decoder checks its input
// and the runtime encodes and decodes the definitions with no generated
// codec.
func emitSchema(f *jen.File, w *gen.WireTable) {
	list := func(rows []jen.Code) jen.Code {
		return jen.Custom(jen.Options{Open: "{", Close: "}", Separator: ",", Multi: true}, rows...)
	}
	defs := make([]jen.Code, len(w.Defs))
	for i, d := range w.Defs {
		row := []jen.Code{
			jen.Id("ID").Op(":").Id(d.Def.TypeIDName()),
			jen.Id("Name").Op(":").Lit(d.Def.TLName),
			jen.Id("Class").Op(":").Lit(d.Class),
			jen.Id("Fields").Op(":").Lit(d.Fields),
		}
		if d.Def.Nests {
			row = append(row, jen.Id("Nests").Op(":").True())
		}
		defs[i] = jen.Values(row...)
	}
	fields := make([]jen.Code, len(w.Fields))
	for i, fd := range w.Fields {
		row := []jen.Code{jen.Id("Name").Op(":").Lit(fd.Field.TLName), jen.Id("Type").Op(":").Lit(fd.Type)}
		if fd.Word != 0 {
			row = append(row, jen.Id("Word").Op(":").Lit(fd.Word), jen.Id("Bit").Op(":").Lit(fd.Field.Flag.Bit))
		}
		row = append(row, jen.Id("Go").Op(":").Lit(fd.Go))
		fields[i] = jen.Values(row...)
	}
	types := make([]jen.Code, len(w.Types))
	for i, t := range w.Types {
		row := []jen.Code{jen.Id("Kind").Op(":").Add(rt(schemaKinds[t.Kind]))}
		if t.Bare {
			row = append(row, jen.Id("Bare").Op(":").True())
		}
		switch t.Kind {
		case gen.KindStruct, gen.KindClass:
			row = append(row, jen.Id("Ref").Op(":").Lit(t.Ref))
		case gen.KindVector:
			row = append(row, jen.Id("Ref").Op(":").Lit(t.Ref), jen.Id("MinSize").Op(":").Lit(t.MinSize))
		}
		types[i] = jen.Values(row...)
	}
	classes := make([]jen.Code, len(w.Classes))
	for i, c := range w.Classes {
		classes[i] = jen.Lit(c.TLName)
	}
	emitDoc(f, schemaVar+" is how the constructors and functions are encoded, as data: with it, a Decoder checks input that would make it allocate much, before it does, and the runtime encodes and decodes the definitions whose methods hand it their values.")
	f.Var().Id(schemaVar).Op("=").Add(rt("Schema")).Add(list([]jen.Code{
		jen.Id("Defs").Op(":").Index().Add(rt("SchemaDef")).Add(list(defs)),
		jen.Id("Fields").Op(":").Index().Add(rt("SchemaField")).Add(list(fields)),
		jen.Id("Types").Op(":").Index().Add(rt("SchemaType")).Add(list(types)),
		jen.Id("Classes").Op(":").Index().String().Add(list(classes)),
		jen.Id("New").Op(":").Id("New"),
	}))
}
