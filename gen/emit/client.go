package emit

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/tgraw/tgraw/gen"
)

// emitClientFile writes the Client type and, for a schema with
// invokeWithLayer, the layer wrapper. The methods of the Client are in the
// files of their functions.
func emitClientFile(m *gen.Model) *jen.File {
	f := newFile(m.Package)
	emitClient(f)
	if m.InvokeWithLayer != nil {
		emitLayer(f, m.InvokeWithLayer)
	}
	return f
}

// emitClient writes Client, ClientOption, NewClient and Client.Invoker.
func emitClient(f *jen.File) {
	emitDoc(f,
		"Client has one method per function of the schema. Each takes the function's request struct and returns its result, typed.",
		"A nil request sends the function with no optional parameters and zero required ones.")
	f.Type().Id("Client").Struct(jen.Id("invoker").Id("Invoker"))
	f.Line()
	emitDoc(f, "ClientOption configures a Client.")
	f.Type().Id("ClientOption").Func().Params(jen.Op("*").Id("Client"))
	f.Line()
	emitDoc(f, "NewClient returns a Client that sends every call through invoker, as the options arrange.")
	f.Func().Id("NewClient").Params(jen.Id("invoker").Id("Invoker"), jen.Id("opts").Op("...").Id("ClientOption")).Op("*").Id("Client").Block(
		jen.Id("c").Op(":=").Op("&").Id("Client").Values(jen.Dict{jen.Id("invoker"): jen.Id("invoker")}),
		jen.For(jen.List(jen.Id("_"), jen.Id("o")).Op(":=").Range().Id("opts")).Block(jen.Id("o").Call(jen.Id("c"))),
		jen.Return(jen.Id("c")),
	)
	f.Line()
	emitDoc(f, "Invoker returns the Invoker the client sends calls through, with the wrapping its options added.")
	f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id("Invoker").Params().Id("Invoker").Block(jen.Return(jen.Id("c").Dot("invoker")))
	f.Line()
}

// emitMethod writes the Client method of a function, whose doc points at
// the function's request struct.
func emitMethod(f *jen.File, d *gen.Def) {
	emitDoc(f, fmt.Sprintf("%s calls %s: see %s.", d.Method, d.TLName, d.GoName))
	ctx := jen.Id("ctx").Qual("context", "Context")
	req := jen.Id("req").Op("*").Id(d.GoName)
	orDefault := jen.If(jen.Id("req").Op("==").Nil()).Block(jen.Id("req").Op("=").New(jen.Id(d.GoName)))
	if d.Generic {
		f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(d.Method).
			Params(ctx, req, jen.Id("result").Qual(binPath, "Decoder")).Error().Block(
			orDefault,
			jen.Return(jen.Id("c").Dot("invoker").Dot("Invoke").Call(jen.Id("ctx"), jen.Id("req"), jen.Id("result"))),
		)
		f.Line()
		return
	}
	f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(d.Method).
		Params(ctx, req).Params(goType(d.Result.Go), jen.Error()).Block(
		orDefault,
		jen.Return(rt("Invoke").Call(jen.Id("ctx"), jen.Id("c").Dot("invoker"), jen.Id("req"), resultDecoder(d.Result))),
	)
	f.Line()
}

// emitLayer writes LayerInvoker and WithLayer, which wrap every call in
// invokeWithLayer(Layer, call). d is invokeWithLayer, whose form the model
// checked: {X:Type} layer:int query:!X = X.
func emitLayer(f *jen.File, d *gen.Def) {
	ctx := jen.Id("ctx").Qual("context", "Context")
	in := jen.Id("input").Qual(binPath, "Encoder")
	out := jen.Id("output").Qual(binPath, "Decoder")

	emitDoc(f, fmt.Sprintf("LayerInvoker returns an Invoker that sends every call through next as "+
		"invokeWithLayer(Layer, call), so that the server reads the call and "+
		"writes its result in this package's layer, whatever layer the transport "+
		"announced when it connected (gotd/td's telegram.Client announces its "+
		"own). A call that already is %s passes unchanged, so "+
		"wrapping an Invoker twice sends one wrapper.", d.TLName))
	f.Func().Id("LayerInvoker").Params(jen.Id("next").Id("Invoker")).Id("Invoker").Block(
		jen.Return(jen.Op("&").Id("layerInvoker").Values(jen.Id("next"))),
	)
	f.Line()
	emitDoc(f, "WithLayer makes a Client send every call as invokeWithLayer(Layer, call): "+
		"NewClient(inv, WithLayer()) is NewClient(LayerInvoker(inv)).")
	f.Func().Id("WithLayer").Params().Id("ClientOption").Block(
		jen.Return(jen.Func().Params(jen.Id("c").Op("*").Id("Client")).Block(
			jen.Id("c").Dot("invoker").Op("=").Id("LayerInvoker").Call(jen.Id("c").Dot("invoker")),
		)),
	)
	f.Line()
	emitDoc(f, "layerInvoker is the Invoker of LayerInvoker.")
	f.Type().Id("layerInvoker").Struct(jen.Id("next").Id("Invoker"))
	f.Line()
	emitDoc(f, "Invoke sends input as invokeWithLayer(Layer, input), unless it is one already.")
	f.Func().Params(jen.Id("l").Op("*").Id("layerInvoker")).Id("Invoke").Params(ctx, in, out).Error().Block(
		jen.Switch(jen.Id("input").Assert(jen.Type())).Block(
			jen.Case(jen.Op("*").Id(d.GoName), jen.Id("layerCall")).Block(
				jen.Return(jen.Id("l").Dot("next").Dot("Invoke").Call(jen.Id("ctx"), jen.Id("input"), jen.Id("output"))),
			),
		),
		jen.Return(jen.Id("l").Dot("next").Dot("Invoke").Call(jen.Id("ctx"), jen.Id("layerCall").Values(jen.Id("input")), jen.Id("output"))),
	)
	f.Line()
	emitDoc(f, fmt.Sprintf("layerCall is %s(Layer, query) for any query, also one that is not an Object of this package.", d.TLName))
	f.Type().Id("layerCall").Struct(jen.Id("query").Qual(binPath, "Encoder"))
	f.Line()
	emitDoc(f, fmt.Sprintf("TypeID returns the ID of %s.", d.TLName))
	f.Func().Params(jen.Id("layerCall")).Id("TypeID").Params().Uint32().Block(jen.Return(jen.Id(d.TypeIDName())))
	f.Line()
	emitDoc(f, "Encode writes the call with its ID.")
	f.Func().Params(jen.Id("c").Id("layerCall")).Id("Encode").Params(buf()).Error().Block(
		jen.Id("b").Dot("PutID").Call(jen.Id(d.TypeIDName())),
		jen.Id("b").Dot("PutInt").Call(jen.Id("Layer")),
		checkEncode(rt("EncodeObject").Call(jen.Id("b"), jen.Id("c").Dot("query")), d.TLName, d.Fields[1].TLName),
		jen.Return(jen.Nil()),
	)
}
