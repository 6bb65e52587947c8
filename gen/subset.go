package gen

import (
	"fmt"
	"path"
)

// Subset returns the part of m that the functions matching patterns need:
// those functions, the types of their parameters and results and, for
// every type reached, all of its constructors and what their fields need,
// recursively. The registry and Client of the subset hold only these.
//
// A pattern is a TL function name ("messages.sendMessage") or a
// path.Match pattern over TL names ("channels.*", "*"). Every pattern must
// match at least one function.
//
// invokeWithLayer is always kept when the schema has it, so that the
// subset has LayerInvoker and WithLayer; it needs no other type.
//
// Names are those of the full model, so code written against a subset
// compiles against the full package too.
func Subset(m *Model, patterns []string) (*Model, error) {
	pats := splitList(patterns)
	if len(pats) == 0 {
		return nil, fmt.Errorf("subset: no function patterns")
	}
	keep := map[*Def]bool{}
	classes := map[*Class]bool{}
	var visitDef func(d *Def)
	var visitType func(t *Type)
	visitClass := func(c *Class) {
		if classes[c] {
			return
		}
		classes[c] = true
		for _, d := range c.Constructors {
			visitDef(d)
		}
	}
	visitType = func(t *Type) {
		switch t.Kind {
		case KindClass:
			visitClass(t.Class)
		case KindStruct:
			visitDef(t.Def)
		case KindVector:
			visitType(t.Elem)
		}
	}
	visitDef = func(d *Def) {
		if keep[d] {
			return
		}
		keep[d] = true
		if d.Class != nil {
			visitClass(d.Class)
		}
		for _, f := range d.Fields {
			visitType(f.Type)
		}
		if d.Result != nil {
			visitType(d.Result)
		}
	}
	for _, p := range pats {
		if _, err := path.Match(p, ""); err != nil {
			return nil, fmt.Errorf("subset: bad pattern %q: %v", p, err)
		}
		matched := false
		for _, d := range m.Defs {
			if ok, _ := path.Match(p, d.TLName); ok && d.Function {
				matched = true
				visitDef(d)
			}
		}
		if !matched {
			for _, d := range m.Defs {
				if ok, _ := path.Match(p, d.TLName); ok {
					return nil, fmt.Errorf("subset: pattern %q matches constructor %s but no function: -only selects functions, and the types they need come with them", p, d.TLName)
				}
			}
			return nil, fmt.Errorf("subset: pattern %q matches no function of the schema", p)
		}
	}
	if m.InvokeWithLayer != nil {
		visitDef(m.InvokeWithLayer)
	}

	out := &Model{Package: m.Package, Layer: m.Layer, InvokeWithLayer: m.InvokeWithLayer}
	for _, d := range m.Defs {
		if keep[d] {
			out.Defs = append(out.Defs, d)
		}
	}
	// m.Classes is ordered by TL name, and so is what the filter keeps.
	for _, c := range m.Classes {
		if classes[c] {
			out.Classes = append(out.Classes, c)
		}
	}
	// The wire table indexes what the subset keeps; the roots of the
	// definitions it shares with m now index it.
	if err := decideWireTable(out); err != nil {
		return nil, err
	}
	return out, nil
}
