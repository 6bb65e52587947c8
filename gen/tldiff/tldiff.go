// Package tldiff says what a new TL schema changes, and what each change
// does to the Go API that package gen generates from it.
//
// Diff compares two models (see gen.LoadModel) by TL name: constructors
// and functions added, removed, or changed (same name, new ID); their
// fields added, removed, retyped, made optional or required; function
// results retyped; and types whose Go form changes, from a struct (one
// constructor) to an interface (several) or back. Every change carries its
// effect on the generated Go API:
//
//   - additive: code that compiled still compiles and means the same: a
//     new constructor, function or optional field;
//   - breaking: code that compiled may not compile, or may silently send
//     something else: a removed constructor, function or field, a field
//     or result whose Go type changes, a new required field (existing code
//     sends its zero value), a type that turns from a struct into an
//     interface or back, a Go name that changes;
//   - none: only the wire changes, the Go API does not: a new ID, a flag
//     bit that moves, a TL type spelled differently with the same Go type.
package tldiff

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/tgraw/tgraw/gen"
)

// Effect is what a change does to the generated Go API.
type Effect string

// The effects, from the worst.
const (
	Breaking Effect = "breaking"
	Additive Effect = "additive"
	None     Effect = "none"
)

func (e Effect) rank() int {
	switch e {
	case Breaking:
		return 0
	case Additive:
		return 1
	}
	return 2
}

// Kind says what changed.
type Kind string

// The kinds of change.
const (
	ConstructorAdded   Kind = "constructor added"
	ConstructorRemoved Kind = "constructor removed"
	ConstructorChanged Kind = "constructor changed" // same name, new ID
	ConstructorMoved   Kind = "constructor moved"   // to another type
	FunctionAdded      Kind = "function added"
	FunctionRemoved    Kind = "function removed"
	FunctionChanged    Kind = "function changed" // same name, new ID
	ResultChanged      Kind = "result changed"
	FieldAdded         Kind = "field added"
	FieldRemoved       Kind = "field removed"
	FieldRetyped       Kind = "field retyped"
	FieldOptional      Kind = "field made optional"
	FieldRequired      Kind = "field made required"
	FieldFlagMoved     Kind = "field flag moved"
	FieldFlagShared    Kind = "field flag shared"        // other fields behind its bit
	TypeToInterface    Kind = "type became an interface" // one constructor -> several
	TypeToStruct       Kind = "type became a struct"     // several constructors -> one
	GoNameChanged      Kind = "Go name changed"
)

// Change is one difference between two schemas.
type Change struct {
	Kind Kind `json:"kind"`
	// Name is the TL name of the constructor, function or type.
	Name string `json:"name"`
	// Field is the TL name of the field, for field changes.
	Field string `json:"field,omitempty"`
	// Old and New are what changed, as TL: "user#215c4438",
	// "flags2.5?int"; empty for what does not exist on that side.
	Old string `json:"old,omitempty"`
	New string `json:"new,omitempty"`
	// Effect is what the change does to the Go API, and Go says how.
	Effect Effect `json:"effect"`
	Go     string `json:"go"`

	order int // position of the field, for sorting
}

// Subject is how the text report names what changed: "user#b1b8cc83",
// "user.stories_max_id", "messages.Messages".
func (c Change) Subject() string {
	if c.Field != "" {
		return c.Name + "." + c.Field
	}
	return c.Name
}

// Report is the difference between two schemas.
type Report struct {
	OldLayer int      `json:"old_layer"`
	NewLayer int      `json:"new_layer"`
	Changes  []Change `json:"changes"`
}

// Count returns the number of changes with effect e.
func (r *Report) Count(e Effect) int {
	n := 0
	for _, c := range r.Changes {
		if c.Effect == e {
			n++
		}
	}
	return n
}

// Breaking reports whether any change breaks the Go API.
func (r *Report) Breaking() bool { return r.Count(Breaking) > 0 }

// Find returns the changes of the given kind to the named definition or
// type (and field, if not empty).
func (r *Report) Find(kind Kind, name, field string) []Change {
	var out []Change
	for _, c := range r.Changes {
		if c.Kind == kind && c.Name == name && c.Field == field {
			out = append(out, c)
		}
	}
	return out
}

// WriteText writes the report for people: a summary line, then one line
// per change, breaking changes first.
func (r *Report) WriteText(w io.Writer) error {
	if _, err := fmt.Fprintf(w, "layer %d -> %d: %d changes: %d breaking, %d additive, %d wire only\n",
		r.OldLayer, r.NewLayer, len(r.Changes), r.Count(Breaking), r.Count(Additive), r.Count(None)); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range r.Changes {
		what := c.Subject()
		switch {
		case c.Old != "" && c.New != "":
			what += ": " + c.Old + " -> " + c.New
		case c.New != "":
			what += ": " + c.New
		case c.Old != "":
			what += ": was " + c.Old
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.Effect, c.Kind, what, c.Go)
	}
	return tw.Flush()
}

// Diff compares the model of an old schema with that of a new one.
func Diff(old, new *gen.Model) *Report {
	r := &Report{OldLayer: old.Layer, NewLayer: new.Layer}
	add := func(c Change) { r.Changes = append(r.Changes, c) }

	oldDefs, newDefs := index(old), index(new)
	newClasses := map[string]*gen.Class{}
	for _, c := range new.Classes {
		newClasses[c.TLName] = c
	}

	for _, o := range old.Defs {
		n := newDefs[key(o)]
		if n == nil {
			add(removed(o))
			continue
		}
		diffDef(o, n, add)
	}
	for _, n := range new.Defs {
		if oldDefs[key(n)] == nil {
			add(added(n, old))
		}
	}
	for _, oc := range old.Classes {
		nc := newClasses[oc.TLName]
		if nc == nil {
			continue // its constructors are reported removed
		}
		switch {
		case oc.Interface == "" && nc.Interface != "":
			add(Change{Kind: TypeToInterface, Name: oc.TLName,
				Old: ctorNames(oc), New: ctorNames(nc), Effect: Breaking,
				Go: fmt.Sprintf("fields and results of type %s change from the struct %s to the interface %s", oc.TLName, oc.Constructors[0].GoName, nc.Interface)})
		case oc.Interface != "" && nc.Interface == "":
			add(Change{Kind: TypeToStruct, Name: oc.TLName,
				Old: ctorNames(oc), New: ctorNames(nc), Effect: Breaking,
				Go: fmt.Sprintf("interface %s is removed: fields and results of type %s become the struct %s", oc.Interface, oc.TLName, nc.Constructors[0].GoName)})
		case oc.Interface != "" && oc.Interface != nc.Interface:
			add(Change{Kind: GoNameChanged, Name: oc.TLName, Old: oc.Interface, New: nc.Interface, Effect: Breaking,
				Go: fmt.Sprintf("interface %s is renamed %s", oc.Interface, nc.Interface)})
		}
	}
	sort.SliceStable(r.Changes, func(i, j int) bool {
		a, b := r.Changes[i], r.Changes[j]
		if a.Effect != b.Effect {
			return a.Effect.rank() < b.Effect.rank()
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.order < b.order
	})
	return r
}

// key tells constructors and functions of one name apart.
func key(d *gen.Def) string {
	if d.Function {
		return "f " + d.TLName
	}
	return "c " + d.TLName
}

func index(m *gen.Model) map[string]*gen.Def {
	out := make(map[string]*gen.Def, len(m.Defs))
	for _, d := range m.Defs {
		out[key(d)] = d
	}
	return out
}

// ident is how a change names a definition: "user#215c4438".
func ident(d *gen.Def) string { return fmt.Sprintf("%s#%08x", d.TLName, d.ID) }

func ctorNames(c *gen.Class) string {
	names := make([]string, len(c.Constructors))
	for i, d := range c.Constructors {
		names[i] = d.TLName
	}
	return strings.Join(names, " | ")
}

func removed(o *gen.Def) Change {
	if o.Function {
		return Change{Kind: FunctionRemoved, Name: o.TLName, Old: ident(o), Effect: Breaking,
			Go: fmt.Sprintf("method (*Client).%s and struct %s are removed", o.Method, o.GoName)}
	}
	return Change{Kind: ConstructorRemoved, Name: o.TLName, Old: ident(o), Effect: Breaking,
		Go: fmt.Sprintf("struct %s is removed", o.GoName)}
}

func added(n *gen.Def, old *gen.Model) Change {
	if n.Function {
		return Change{Kind: FunctionAdded, Name: n.TLName, New: ident(n), Effect: Additive,
			Go: fmt.Sprintf("new method (*Client).%s and struct %s", n.Method, n.GoName)}
	}
	c := Change{Kind: ConstructorAdded, Name: n.TLName, New: ident(n), Effect: Additive}
	existed := false
	for _, oc := range old.Classes {
		if oc.TLName == n.Class.TLName {
			existed = true
		}
	}
	switch {
	case !existed:
		c.Go = fmt.Sprintf("new struct %s, of the new type %s", n.GoName, n.Class.TLName)
	case n.Class.Interface != "":
		c.Go = fmt.Sprintf("new struct %s, one more implementation of %s", n.GoName, n.Class.Interface)
	default:
		c.Go = fmt.Sprintf("new struct %s", n.GoName)
	}
	return c
}

// diffDef compares a constructor or function with its namesake.
func diffDef(o, n *gen.Def, add func(Change)) {
	if o.ID != n.ID {
		kind := ConstructorChanged
		if o.Function {
			kind = FunctionChanged
		}
		add(Change{Kind: kind, Name: o.TLName, Old: ident(o), New: ident(n), Effect: None,
			Go: fmt.Sprintf("%s changes from %#08x to %#08x", n.TypeIDName(), o.ID, n.ID)})
	}
	if o.GoName != n.GoName {
		add(Change{Kind: GoNameChanged, Name: o.TLName, Old: o.GoName, New: n.GoName, Effect: Breaking,
			Go: fmt.Sprintf("struct %s is renamed %s", o.GoName, n.GoName)})
	}
	if o.Function && o.Method != n.Method {
		add(Change{Kind: GoNameChanged, Name: o.TLName, Old: o.Method, New: n.Method, Effect: Breaking,
			Go: fmt.Sprintf("method (*Client).%s is renamed %s", o.Method, n.Method)})
	}
	if !o.Function && o.Class.TLName != n.Class.TLName {
		add(Change{Kind: ConstructorMoved, Name: o.TLName, Old: o.Class.TLName, New: n.Class.TLName, Effect: Breaking,
			Go: fmt.Sprintf("%s now builds %s: it leaves %s", n.GoName, n.Class.TLName, goClass(o.Class))})
	}
	if o.Function {
		ot, nt := o.ResultGoType(), n.ResultGoType()
		switch {
		case ot != nt:
			add(Change{Kind: ResultChanged, Name: o.TLName, Old: o.Result.TL, New: n.Result.TL, Effect: Breaking,
				Go: fmt.Sprintf("(*Client).%s returns %s instead of %s", n.Method, nt, ot)})
		case o.Result.TL != n.Result.TL:
			add(Change{Kind: ResultChanged, Name: o.TLName, Old: o.Result.TL, New: n.Result.TL, Effect: None,
				Go: fmt.Sprintf("(*Client).%s still returns %s", n.Method, nt)})
		}
	}
	diffFields(o, n, add)
}

func goClass(c *gen.Class) string {
	if c.Interface != "" {
		return c.Interface
	}
	return c.TLName
}

// fieldTL is a field's type as TL, with its flag: "flags2.5?int".
func fieldTL(f *gen.Field) string {
	if f.Flag != nil {
		return fmt.Sprintf("%s.%d?%s", f.Flag.Word.TLName, f.Flag.Bit, f.Type.TL)
	}
	return f.Type.TL
}

// methods names the presence methods of f: "HasX, SetX and ClearX", or ""
// if it has none.
func methods(f *gen.Field) string {
	if f.Methods == nil {
		return ""
	}
	return f.Methods.Has + ", " + f.Methods.Set + " and " + f.Methods.Clear
}

// sharing lists the TL names of the other fields behind the flag bit of f,
// in order; "" if there are none or f is required.
func sharing(f *gen.Field) string {
	if f.Flag == nil {
		return ""
	}
	var names []string
	for _, o := range f.Flag.Fields {
		if o != f {
			names = append(names, o.TLName)
		}
	}
	return strings.Join(names, ", ")
}

// sharingChange says how the fields behind the bit of a field change.
func sharingChange(what string, of, nf *gen.Field) string {
	os, ns := sharing(of), sharing(nf)
	switch {
	case os == "":
		return fmt.Sprintf("%s now shares its flag with %s: setting one sends the other", what, ns)
	case ns == "":
		return fmt.Sprintf("%s no longer shares its flag with %s", what, os)
	}
	return fmt.Sprintf("%s shares its flag with %s instead of %s", what, ns, os)
}

func diffFields(o, n *gen.Def, add func(Change)) {
	oldFields := map[string]*gen.Field{}
	for _, f := range o.Fields {
		oldFields[f.TLName] = f
	}
	newFields := map[string]bool{}
	what := "struct " + n.GoName
	for i, nf := range n.Fields {
		newFields[nf.TLName] = true
		c := Change{Name: n.TLName, Field: nf.TLName, order: i}
		of := oldFields[nf.TLName]
		if of == nil {
			c.Kind, c.New = FieldAdded, fieldTL(nf)
			switch {
			case nf.Flag != nil || nf.Type.Kind == gen.KindFlags:
				c.Effect = Additive
				c.Go = fmt.Sprintf("%s gains the field %s %s", what, nf.GoName, nf.GoType())
				if m := methods(nf); m != "" {
					c.Go += ", with " + m
				}
			default:
				c.Effect = Breaking
				c.Go = fmt.Sprintf("%s gains the required field %s %s: code that does not set it sends its zero value", what, nf.GoName, nf.GoType())
			}
			add(c)
			continue
		}
		c.Old, c.New = fieldTL(of), fieldTL(nf)
		field := n.GoName + "." + nf.GoName
		ogo, ngo := of.GoType(), nf.GoType()
		om, nm := methods(of), methods(nf)
		if of.GoName != nf.GoName {
			add(Change{Kind: GoNameChanged, Name: n.TLName, Field: nf.TLName, order: i, Old: of.GoName, New: nf.GoName,
				Effect: Breaking, Go: fmt.Sprintf("field %s.%s is renamed %s", n.GoName, of.GoName, nf.GoName)})
		} else if om != "" && nm != "" && om != nm {
			add(Change{Kind: GoNameChanged, Name: n.TLName, Field: nf.TLName, order: i, Old: om, New: nm,
				Effect: Breaking, Go: fmt.Sprintf("the presence methods of %s are renamed %s", field, nm)})
		}
		// retyped rates a change of the field's type or presence: breaking
		// if its Go type changes or it loses its presence methods, e
		// otherwise.
		retyped := func(e Effect) {
			switch {
			case ogo != ngo:
				c.Effect = Breaking
				c.Go = fmt.Sprintf("%s changes from %s to %s", field, ogo, ngo)
			case om != "" && nm == "":
				c.Effect = Breaking
				c.Go = fmt.Sprintf("%s stays %s but loses %s", field, ngo, om)
			default:
				c.Effect = e
				c.Go = fmt.Sprintf("%s stays %s", field, ngo)
				if om == "" && nm != "" {
					c.Go += ", with " + nm
				}
			}
		}
		moved := of.Flag != nil && nf.Flag != nil && (of.Flag.Bit != nf.Flag.Bit || of.Flag.Word.TLName != nf.Flag.Word.TLName)
		shared := of.Flag != nil && nf.Flag != nil && sharing(of) != sharing(nf)
		switch {
		case of.Flag == nil && nf.Flag != nil:
			c.Kind = FieldOptional
			retyped(Additive)
			switch {
			case c.Effect == Breaking:
			case nf.Presence == gen.IfNotZero:
				c.Effect = Breaking
				c.Go += fmt.Sprintf("; a zero value, which was sent, now means absent: %s sends it", nf.Methods.Set)
			default:
				c.Go += "; nil, which could not be sent, now means absent"
			}
		case of.Flag != nil && nf.Flag == nil:
			c.Kind = FieldRequired
			retyped(Breaking)
			if ogo == ngo {
				c.Go += "; a zero value, which meant absent, is now sent"
			}
		case of.Type.TL != nf.Type.TL || ogo != ngo || om != "" && nm == "":
			// The same TL type changes its Go type when it turns from
			// a struct into an interface or back.
			c.Kind = FieldRetyped
			retyped(None)
		case moved:
			c.Kind = FieldFlagMoved
			retyped(None)
			if shared {
				c.Effect = Breaking
				c.Go = sharingChange(field, of, nf)
				shared = false
			}
		default:
			if !shared {
				continue
			}
		}
		if c.Kind != "" {
			add(c)
		}
		if shared {
			add(Change{Kind: FieldFlagShared, Name: n.TLName, Field: nf.TLName, order: i, Old: sharing(of), New: sharing(nf),
				Effect: Breaking, Go: sharingChange(field, of, nf)})
		}
	}
	for i, of := range o.Fields {
		if !newFields[of.TLName] {
			add(Change{Kind: FieldRemoved, Name: o.TLName, Field: of.TLName, order: i, Old: fieldTL(of), Effect: Breaking,
				Go: fmt.Sprintf("%s loses the field %s", what, of.GoName)})
		}
	}
}
