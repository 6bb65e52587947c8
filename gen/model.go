package gen

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/gotd/tl"
)

// Model is the Go-facing view of a TL schema. Every naming and typing
// decision is made here, once; the emitters only read the model.
type Model struct {
	// Package is the Go package name of the output.
	Package string
	// Layer is the schema's layer, 0 if it has none.
	Layer int
	// Defs are all constructors and functions, in schema order.
	Defs []*Def
	// Classes are the boxed types, ordered by TL name.
	Classes []*Class
	// Wire is the encoding of the definitions as data, for the Decoder's
	// check of its input (see WireTable).
	Wire *WireTable
	// InvokeWithLayer is the function invokeWithLayer {X:Type} layer:int
	// query:!X = X when the schema has it in that form, else nil. The
	// package's LayerInvoker and WithLayer wrap calls in it.
	InvokeWithLayer *Def
}

// Def is a TL constructor or function: one Go struct.
type Def struct {
	TLName    string // "inputPeerChannel", "channels.inviteToChannel"
	Namespace string // "" or "channels"
	GoName    string // "InputPeerChannel", "ChannelsInviteToChannelRequest"
	ID        uint32
	Function  bool
	Line      int    // line of the definition in the schema file, 0 if unknown
	Source    string // the definition as TL: "inputPeerChannel#27bcbbfc ... = InputPeer"
	Fields    []*Field

	// Class is the boxed type a constructor builds; nil for functions.
	Class *Class
	// Result is what a function returns; nil for constructors.
	Result *Type
	// Generic reports a function whose result is its type parameter, as in
	// invokeWithLayer {X:Type} layer:int query:!X = X.
	Generic bool
	// Method is the name of the Client method of a function.
	Method string
	// Primitive is, for a primitive declaration such as
	// "int#a8509bda ? = Int" or TDLib's "int32 = Int32", the wire kind it
	// declares; 0 for every other definition. Fields of that type use the
	// kind; the declaration's own struct only carries its ID.
	Primitive Kind
	// Nests reports that a field holds other constructors, so that
	// decoding d goes a level deeper and checks the nesting bound.
	Nests bool
	// MinSize is the number of bytes of the smallest encoding of d's
	// fields, without its ID (see Type.MinSize).
	MinSize int
	// SharesInput reports that a value of d can hold strings or bytes.
	// Their bytes share chunks of memory that the decoder copies them
	// into, none of the caller's buffer.
	SharesInput bool
	// WireRoot is the index in Model.Wire.Types of d read bare, where its
	// DecodeBare starts.
	WireRoot int
	// WireDef is the index of d in Model.Wire.Defs.
	WireDef int
	// Code reports that d's codec is generated code: its Encode,
	// EncodeBare, Decode, DecodeBare and DecodeBareAt read and write its
	// fields one by one. Otherwise they hand d to the runtime, which
	// encodes and decodes it as Model.Wire describes it: slower, but the
	// package compiles with far less code (see decideCode).
	Code bool
	// Plain reports that d's struct holds no pointers and takes memory:
	// numbers and bools only, or structs of them held by value. Decoding
	// takes the values of d it would allocate one by one from chunks of
	// such values (see decidePlain).
	Plain bool
	// Doc is the description of the schema's //@description annotation,
	// "" if it has none.
	Doc string
	// Link is the page that documents the definition: its page on
	// core.telegram.org for a schema with no descriptions of its own, ""
	// for one with descriptions, whose definitions Telegram's site does
	// not document (TDLib's td_api.tl).
	Link string
}

// TypeIDName is the name of the constant that holds the ID of d.
func (d *Def) TypeIDName() string { return typeIDName(d.GoName) }

// Class is a boxed TL type. With more than one constructor it becomes a Go
// interface with a decoder function; with one, its constructor's struct
// stands for it.
type Class struct {
	TLName       string // "InputPeer", "messages.Messages"
	Namespace    string
	Constructors []*Def
	// Interface is the Go interface name ("InputPeerClass"), or "" when the
	// class has a single constructor.
	Interface string
	// DecoderAt is the unexported form of Decoder that tracks nesting depth
	// ("decodeInputPeer").
	DecoderAt string
	// Decoder is the name of the function that decodes any constructor of
	// an interface class ("DecodeInputPeer").
	Decoder string
	// Marker is the unexported method that seals the interface.
	Marker string
	// MinSize is the number of bytes of the smallest encoding of a value
	// of the class: the ID and fields of its smallest constructor.
	MinSize int
	// SharesInput reports that a constructor of the class can hold strings
	// or bytes (see Def.SharesInput).
	SharesInput bool
	// WireRoot is, for a class of several constructors, the index in
	// Model.Wire.Types of the class, where its Decoder starts.
	WireRoot int
	// Code reports that, for a class of several constructors, its decoder
	// functions are generated code: a switch over its constructors. Else
	// they hand the value to the runtime, which finds the constructor in
	// the wire table (tlrt.DecodeClassAt). It is set as its constructors'
	// Def.Code (see decideCode).
	Code bool
	// Slab is the constructor whose values a vector of the class takes
	// from slabs, arrays of several values allocated at once (see
	// decideSlabs); nil for a class of one constructor.
	Slab *Def
	// Doc is the description of the schema's //@class annotation, "" if
	// it has none.
	Doc string
	// Link is the page that documents the type, as for Def.
	Link string
}

// Field is a parameter of a constructor or function.
type Field struct {
	TLName string
	GoName string
	Type   *Type
	// Flag is the flags word and bit that make the field optional; nil for a
	// required field. Fields that share a bit share one FlagBit.
	Flag *FlagBit
	// Presence says how an encoder knows that the field is present.
	Presence Presence
	// Methods names the presence methods of a field whose Presence is
	// IfNotZero; nil for every other field.
	Methods *PresenceMethods
	// Bits are, for a flags word, the bits its fields use, in the order of
	// the fields; nil for other fields.
	Bits []*FlagBit
	// Local is, for a flags word, the name of its copy in the encoder:
	// "flags", "flags2", "typeWord" (see flagsLocals).
	Local string
	// Doc is the description of the field in the schema's annotations, ""
	// if it has none.
	Doc string
}

// FlagBit is a bit of a flags word and the optional fields behind it.
type FlagBit struct {
	Word *Field // the # field
	Bit  int
	// Fields are the fields behind the bit, in order: more than one when
	// they share it, as bot:flags.14?true and bot_info_version:flags.14?int
	// do. They are present together.
	Fields []*Field
	// Derived reports that every field behind the bit is IfSet: the
	// encoder sets the bit exactly when one of them is set, and a decoded
	// flags word keeps none of it. Otherwise the flags word keeps the bit
	// when its fields arrived present and zero (or SetX marked them so).
	Derived bool
}

// Presence is how an encoder knows that a field is present.
type Presence int

// The kinds of presence.
const (
	// Always: a required field or a flags word, always on the wire.
	Always Presence = iota
	// IfSet: an optional true flag, interface, Object or pointer, present
	// when true or not nil. The field alone decides its bit.
	IfSet
	// IfNotZero: an optional value (a number, string, bytes, Bool,
	// int128, int256 or vector), present when it is not zero, or when its
	// bit is set in the flags word, which its SetX method does and which
	// decoding keeps for a value that arrived present and zero.
	IfNotZero
)

// PresenceMethods are the names of the methods that send a present zero
// value and say whether a field is present: "HasAbout", "SetAbout",
// "ClearAbout".
type PresenceMethods struct {
	Has, Set, Clear string
}

// Kind is the wire form of a type.
type Kind int

// The kinds of types. Each has one Go spelling and one wire encoding.
const (
	KindInt    Kind = iota + 1 // int: int, 4 bytes
	KindLong                   // long: int64, 8 bytes
	KindDouble                 // double: float64
	KindString                 // string
	KindBytes                  // bytes: []byte
	KindInt128                 // int128: bin.Int128
	KindInt256                 // int256: bin.Int256
	KindBool                   // Bool: bool, as boolTrue or boolFalse
	KindTrue                   // flags.N?true: bool carried by the flag alone
	KindFlags                  // #: bin.Fields
	KindClass                  // a boxed type of several constructors: its interface
	KindStruct                 // one constructor: its struct, boxed or bare
	KindVector                 // Vector<T> (boxed) or vector<T> (bare)
	KindObject                 // !X or Object: any value of the registry
)

// Type is the type of a field, result or vector element. Each use of a
// type has its own Type, as pointer-ness depends on the use.
type Type struct {
	Kind  Kind
	Bare  bool   // KindStruct: no constructor ID; KindVector: no vector ID
	Class *Class // KindClass
	Def   *Def   // KindStruct
	Elem  *Type  // KindVector
	TL    string // the TL spelling, for docs and errors
	// Recursive marks a required struct field whose type contains, by
	// value, the definition that holds it: Go needs a pointer there.
	Recursive bool
	// Ptr reports a struct held by pointer: an optional field (nil is
	// absent), a Recursive one, or the boxed result of a function.
	Ptr bool
	// Go is the Go spelling of the type in the generated package.
	Go GoType
	// WireRoot is, for the result of a function, the index of the type in
	// Model.Wire.Types, where the decoding of the result starts.
	WireRoot int
}

// Nests reports whether values of type t hold other constructors, so that
// decoding one goes a level deeper.
func (t *Type) Nests() bool {
	switch t.Kind {
	case KindClass, KindStruct, KindObject:
		return true
	case KindVector:
		return t.Elem.Nests()
	}
	return false
}

// ModelError is an error in a schema, found while building the model. It
// prints as "file:line: definition: what is wrong".
type ModelError struct {
	File string // the schema file, "" if unknown
	Line int    // 0 if unknown
	Def  string // the TL name of the definition
	Msg  string
}

func (e *ModelError) Error() string {
	var b strings.Builder
	switch {
	case e.File != "" && e.Line > 0:
		b.WriteString(e.File + ":" + strconv.Itoa(e.Line) + ": ")
	case e.File != "":
		b.WriteString(e.File + ": ")
	case e.Line > 0:
		b.WriteString("line " + strconv.Itoa(e.Line) + ": ")
	}
	if e.Def != "" {
		b.WriteString(e.Def)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// PackageNames are the package-level names a generated package holds
// whatever its schema, besides those of its definitions and classes: the
// aliases of package tlrt's names, the registry, the Client and the layer
// wrapper, and the names of the packages its files import. Generated names
// keep away from them.
var PackageNames = []string{
	// Aliases of the runtime (package tlrt).
	"Object", "Invoker", "DecodeError", "EncodeError", "UnknownIDError",
	"ErrTooDeep", "ErrNilValue", "MaxDecodeDepth",
	// The registry.
	"Layer", "New", "Name", "IDs", "DecodeObject", "decodeObject", "registry", "wireSchema",
	// The Client and the layer wrapper.
	"Client", "ClientOption", "NewClient", "LayerInvoker", "WithLayer", "layerInvoker", "layerCall",
	// Imports.
	"bin", "tlrt", "context", "binary", "math", "unsafe",
}

// methodNames are the methods every generated struct has; fields and
// presence methods must not take these names.
var methodNames = map[string]bool{
	"TypeID": true, "TypeName": true, "Encode": true, "Decode": true,
	"EncodeBare": true, "DecodeBare": true, "DecodeBareAt": true,
}

// BuildModel turns a parsed schema into the Go-facing model. lines holds
// the line of each definition of s, in order (see DefinitionLines); it may
// be nil. Errors are *ModelError values; Generate and LoadModel fill in
// their file name.
func BuildModel(s *tl.Schema, pkg string, lines []int) (*Model, error) {
	m := &Model{Package: pkg, Layer: s.Layer}
	b := &builder{
		model:   m,
		classes: map[string]*Class{},
		ctors:   map[string]*Def{},
		funcsBy: map[string]*Def{},
		ids:     map[uint32]*Def{},
		names:   map[string]string{},
		prims:   map[string]Kind{},
	}
	for _, r := range PackageNames {
		b.names[r] = "the package"
	}
	// Pass 1: definitions and classes, so that types can refer forward.
	for i, sd := range s.Definitions {
		d := sd.Definition
		def := &Def{
			TLName:    tlName(d.Namespace, d.Name),
			Namespace: strings.Join(d.Namespace, "."),
			ID:        d.ID,
			Function:  sd.Category == tl.CategoryFunction,
			Source:    d.String(),
			Doc:       annotation(sd.Annotations, tl.AnnotationDescription),
			Code:      true,
		}
		if i < len(lines) {
			def.Line = lines[i]
		}
		if prev, ok := b.ids[def.ID]; ok {
			return nil, def.errorf("ID %#08x is already used by %s%s", def.ID, prev.TLName, at(prev))
		}
		b.ids[def.ID] = def
		if def.Function {
			if prev, ok := b.funcsBy[def.TLName]; ok {
				return nil, def.errorf("function %s is already defined%s", def.TLName, at(prev))
			}
			b.funcsBy[def.TLName] = def
			b.funcs = append(b.funcs, def)
		} else {
			if prev, ok := b.ctors[def.TLName]; ok {
				return nil, def.errorf("constructor %s is already defined%s", def.TLName, at(prev))
			}
			b.ctors[def.TLName] = def
			kind, err := primitiveDecl(d)
			if err != nil {
				return nil, def.errorf("%v", err)
			}
			if kind != 0 {
				def.Primitive = kind
				b.prims[def.TLName] = kind
			}
			cname := tlName(d.Type.Namespace, d.Type.Name)
			c := b.classes[cname]
			if c == nil {
				c = &Class{TLName: cname, Namespace: strings.Join(d.Type.Namespace, ".")}
				b.classes[cname] = c
			}
			c.Constructors = append(c.Constructors, def)
			def.Class = c
		}
		m.Defs = append(m.Defs, def)
		b.raw = append(b.raw, sd)
	}
	for _, c := range s.Classes {
		if cl := b.classes[c.Name]; cl != nil {
			cl.Doc = c.Description
		}
	}
	for _, c := range b.classes {
		m.Classes = append(m.Classes, c)
	}
	sort.Slice(m.Classes, func(i, j int) bool { return m.Classes[i].TLName < m.Classes[j].TLName })

	b.nameAll()

	// Pass 2: fields and results.
	for i, def := range m.Defs {
		if err := b.fields(def, b.raw[i]); err != nil {
			return nil, err
		}
	}
	markRecursive(m)
	for _, def := range m.Defs {
		decideRepresentation(def)
	}
	decideMinSizes(m)
	decideSharesInput(m)
	decideSlabs(m)
	decidePlain(m)
	if err := decideWireTable(m); err != nil {
		return nil, err
	}
	linkDocs(m)
	m.InvokeWithLayer = findInvokeWithLayer(m)
	return m, nil
}

// at names the line of a definition for an error message: " at line 12",
// or "" when the line is not known.
func at(d *Def) string {
	if d.Line == 0 {
		return ""
	}
	return " at line " + strconv.Itoa(d.Line)
}

// findInvokeWithLayer returns invokeWithLayer when it has the form the
// generated LayerInvoker encodes: {X:Type} layer:int query:!X = X.
func findInvokeWithLayer(m *Model) *Def {
	for _, d := range m.Defs {
		if !d.Function || d.TLName != "invokeWithLayer" || !d.Generic || len(d.Fields) != 2 {
			continue
		}
		layer, query := d.Fields[0], d.Fields[1]
		if layer.Flag == nil && layer.Type.Kind == KindInt && query.Flag == nil && query.Type.Kind == KindObject {
			return d
		}
	}
	return nil
}

// markRecursive finds required struct fields through which a definition
// contains itself by value, and marks them to be held by pointer.
func markRecursive(m *Model) {
	for _, def := range m.Defs {
		for _, f := range def.Fields {
			if f.Flag == nil && f.Type.Kind == KindStruct && containsByValue(f.Type.Def, def, map[*Def]bool{}) {
				f.Type.Recursive = true
			}
		}
	}
}

// containsByValue reports whether from holds target through a chain of
// required struct fields not already held by pointer.
func containsByValue(from, target *Def, seen map[*Def]bool) bool {
	if from == target {
		return true
	}
	if seen[from] {
		return false
	}
	seen[from] = true
	for _, f := range from.Fields {
		if f.Flag == nil && f.Type.Kind == KindStruct && !f.Type.Recursive && containsByValue(f.Type.Def, target, seen) {
			return true
		}
	}
	return false
}

type builder struct {
	model   *Model
	raw     []tl.SchemaDefinition
	funcs   []*Def
	classes map[string]*Class
	ctors   map[string]*Def
	funcsBy map[string]*Def
	ids     map[uint32]*Def
	prims   map[string]Kind   // primitive declarations: "int32" -> KindInt
	names   map[string]string // taken Go names -> who took them
	methods map[string]bool   // taken Client method names
}

func tlName(ns []string, name string) string {
	if len(ns) == 0 {
		return name
	}
	return strings.Join(ns, ".") + "." + name
}

func (d *Def) errorf(format string, args ...any) error {
	return &ModelError{Line: d.Line, Def: d.TLName, Msg: fmt.Sprintf(format, args...)}
}

// claim takes the first free set of names among names(""), names("2"),
// names("3")..., records them as owned by owner and returns the set. Earlier
// claims win, so the order of claims is the priority: constructors, then
// functions, then interfaces, each in schema or name order.
func (b *builder) claim(owner string, names func(suffix string) []string) []string {
	for n := 1; ; n++ {
		suffix := ""
		if n > 1 {
			suffix = strconv.Itoa(n)
		}
		all := names(suffix)
		free := true
		for _, a := range all {
			if _, taken := b.names[a]; taken {
				free = false
				break
			}
		}
		if !free {
			continue
		}
		for _, a := range all {
			b.names[a] = owner
		}
		return all
	}
}

// typeIDName is the name of the ID constant of the struct named s; the
// names claimed and the constants emitted both come from it.
func typeIDName(s string) string { return s + "TypeID" }

// nameAll gives every definition and class its Go names.
func (b *builder) nameAll() {
	for _, def := range b.model.Defs {
		if def.Function {
			continue
		}
		ns, name := splitTLName(def.TLName)
		base := goName(ns, name)
		def.GoName = b.claim(def.TLName, func(sfx string) []string {
			return []string{base + sfx, typeIDName(base + sfx)}
		})[0]
	}
	for _, def := range b.funcs {
		ns, name := splitTLName(def.TLName)
		base := goName(ns, name)
		def.GoName = b.claim(def.TLName, func(sfx string) []string {
			return []string{base + "Request" + sfx, typeIDName(base + "Request" + sfx)}
		})[0]
		// Client methods live in the Client's method set, not the package
		// scope, so they only have to differ from each other.
		def.Method = b.claimMethod(base)
	}
	for _, c := range b.model.Classes {
		if len(c.Constructors) < 2 {
			continue
		}
		ns, name := splitTLName(c.TLName)
		base := goName(ns, name)
		names := b.claim(c.TLName, func(sfx string) []string {
			return []string{base + "Class" + sfx, "Decode" + base + sfx, "decode" + base + sfx}
		})
		c.Interface, c.Decoder, c.DecoderAt = names[0], names[1], names[2]
		c.Marker = lowerFirst(c.Interface)
	}
}

func (b *builder) claimMethod(base string) string {
	if b.methods == nil {
		b.methods = map[string]bool{"Invoke": true}
	}
	name := base
	for n := 2; b.methods[name]; n++ {
		name = base + strconv.Itoa(n)
	}
	b.methods[name] = true
	return name
}

func splitTLName(s string) ([]string, string) {
	parts := strings.Split(s, ".")
	return parts[:len(parts)-1], parts[len(parts)-1]
}

// fields builds the fields of def and, for a function, its result.
func (b *builder) fields(def *Def, sd tl.SchemaDefinition) error {
	d := sd.Definition
	generic := map[string]bool{}
	for _, g := range d.GenericParams {
		generic[g] = true
	}
	byTL := map[string]*Field{}
	goNames := map[string]bool{}
	for i, p := range d.Params {
		f := &Field{TLName: p.Name, Doc: paramDoc(sd.Annotations, p.Name)}
		if f.TLName == "" {
			f.TLName = "arg" + strconv.Itoa(i)
		}
		base := pascal(f.TLName)
		if methodNames[base] {
			base += "Field"
		}
		f.GoName = base
		for n := 2; goNames[f.GoName]; n++ {
			f.GoName = base + strconv.Itoa(n)
		}
		goNames[f.GoName] = true

		switch {
		case p.Flags:
			f.Type = &Type{Kind: KindFlags, TL: "#"}
		default:
			t, err := b.resolve(p.Type, generic)
			if err != nil {
				return def.errorf("field %s: %v", f.TLName, err)
			}
			f.Type = t
		}
		if p.Flag != nil {
			word := byTL[p.Flag.Name]
			if word == nil || word.Type.Kind != KindFlags {
				return def.errorf("field %s: flags word %q is not a # field before it", f.TLName, p.Flag.Name)
			}
			if p.Flag.Index < 0 || p.Flag.Index > 31 {
				return def.errorf("field %s: flag bit %d out of range 0..31", f.TLName, p.Flag.Index)
			}
			f.Flag = word.bit(p.Flag.Index)
			f.Flag.Fields = append(f.Flag.Fields, f)
		} else if f.Type.Kind == KindTrue {
			return def.errorf("field %s: type true is only allowed behind a flag", f.TLName)
		}
		if _, dup := byTL[f.TLName]; dup {
			return def.errorf("field %s is defined twice", f.TLName)
		}
		byTL[f.TLName] = f
		def.Fields = append(def.Fields, f)
	}
	if !def.Function {
		return nil
	}
	if len(d.GenericParams) > 0 && d.Type.Name == d.GenericParams[0] && len(d.Type.Namespace) == 0 {
		def.Generic = true
		def.Result = &Type{Kind: KindObject, TL: d.Type.Name}
		return nil
	}
	t, err := b.resolve(d.Type, generic)
	if err != nil {
		return def.errorf("result: %v", err)
	}
	if t.Kind == KindTrue || t.Kind == KindFlags {
		return def.errorf("result: type %s cannot be returned", t.TL)
	}
	def.Result = t
	return nil
}

// resolve maps a TL type reference to its model type.
func (b *builder) resolve(t tl.Type, generic map[string]bool) (*Type, error) {
	spelling := t.String()
	if t.GenericRef {
		return &Type{Kind: KindObject, TL: spelling}, nil
	}
	if t.GenericArg != nil {
		if len(t.Namespace) != 0 || (t.Name != "Vector" && t.Name != "vector") {
			return nil, fmt.Errorf("unsupported generic type %s: only Vector<T> and vector<T> are", spelling)
		}
		elem, err := b.resolve(*t.GenericArg, generic)
		if err != nil {
			return nil, err
		}
		if elem.Kind == KindTrue || elem.Kind == KindFlags {
			return nil, fmt.Errorf("%s cannot be a vector element", elem.TL)
		}
		return &Type{Kind: KindVector, Bare: t.Name == "vector", Elem: elem, TL: spelling}, nil
	}
	if len(t.Namespace) == 0 {
		if k, ok := builtinKinds[t.Name]; ok && !t.Percent {
			return &Type{Kind: k, TL: spelling}, nil
		}
		if generic[t.Name] {
			return &Type{Kind: KindObject, TL: spelling}, nil
		}
		if t.Name == "Vector" || t.Name == "vector" {
			return nil, fmt.Errorf("%s needs an element type", t.Name)
		}
	}
	name := tlName(t.Namespace, t.Name)
	if t.Percent || t.Bare {
		// A bare reference: %Type names a type of one constructor,
		// a lowercase name names the constructor itself.
		if t.Percent {
			c := b.classes[name]
			if c == nil {
				// %name with a constructor's name is the bare
				// constructor, as name alone would be.
				if def := b.ctors[name]; def != nil && def.Primitive == 0 {
					return &Type{Kind: KindStruct, Bare: true, Def: def, TL: spelling}, nil
				}
				return nil, fmt.Errorf("unknown type %s", spelling)
			}
			if len(c.Constructors) != 1 {
				return nil, fmt.Errorf("bare %s: type %s has %d constructors, a bare reference needs exactly one", spelling, name, len(c.Constructors))
			}
			if k := c.Constructors[0].Primitive; k != 0 {
				return &Type{Kind: k, TL: spelling}, nil
			}
			return &Type{Kind: KindStruct, Bare: true, Def: c.Constructors[0], TL: spelling}, nil
		}
		if k, ok := b.prims[name]; ok {
			return &Type{Kind: k, TL: spelling}, nil
		}
		def := b.ctors[name]
		if def == nil {
			return nil, fmt.Errorf("unknown type %s", spelling)
		}
		return &Type{Kind: KindStruct, Bare: true, Def: def, TL: spelling}, nil
	}
	if name == "Object" {
		// Any value of the registry, even when a constructor such as
		// MTProto's gzip_packed declares the type Object.
		return &Type{Kind: KindObject, TL: spelling}, nil
	}
	c := b.classes[name]
	if c == nil {
		return nil, fmt.Errorf("unknown type %s", spelling)
	}
	if len(c.Constructors) == 1 && c.Constructors[0].Primitive != 0 {
		return nil, fmt.Errorf("boxed primitive type %s is not supported: use the bare %s", spelling, c.Constructors[0].TLName)
	}
	if len(c.Constructors) == 1 {
		return &Type{Kind: KindStruct, Def: c.Constructors[0], TL: spelling}, nil
	}
	return &Type{Kind: KindClass, Class: c, TL: spelling}, nil
}

// builtinKinds are the types a field may use with no declaration.
var builtinKinds = map[string]Kind{
	"int": KindInt, "long": KindLong, "double": KindDouble, "string": KindString,
	"bytes": KindBytes, "int128": KindInt128, "int256": KindInt256, "Bool": KindBool,
	"true": KindTrue,
}

// primitiveKinds are the wire primitives a primitive declaration can name.
// The first seven are built in: fields may use them with no declaration.
// int32, int53 and int64 are TDLib's names (td_api.tl), which its schema
// declares as "int32 = Int32;": they are 4-, 8- and 8-byte integers.
var primitiveKinds = map[string]Kind{
	"int": KindInt, "long": KindLong, "double": KindDouble, "string": KindString,
	"bytes": KindBytes, "int128": KindInt128, "int256": KindInt256,
	"int32": KindInt, "int53": KindLong, "int64": KindLong,
}

// primitiveDecl recognizes a primitive declaration: a constructor with no
// fields, named after a wire primitive, whose type is its name capitalized
// ("int#a8509bda ? = Int", "bytes = Bytes", "int32 = Int32"). It returns
// the kind declared, 0 for any other constructor, and an error for a
// declaration of a primitive tlgen does not know ("float ? = Float").
func primitiveDecl(d tl.Definition) (Kind, error) {
	if len(d.Namespace) != 0 || len(d.Params) != 0 || len(d.GenericParams) != 0 ||
		len(d.Type.Namespace) != 0 || d.Type.Name != upperFirst(d.Name) {
		if d.Base {
			return 0, fmt.Errorf("\"?\" marks a primitive declaration, which must have the form name ? = Name")
		}
		return 0, nil
	}
	if k, ok := primitiveKinds[d.Name]; ok {
		return k, nil
	}
	if d.Base {
		return 0, fmt.Errorf("unsupported primitive type %s: tlgen knows %s", d.Name, knownPrimitives())
	}
	return 0, nil
}

func knownPrimitives() string {
	names := make([]string, 0, len(primitiveKinds))
	for n := range primitiveKinds {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// annotation returns the value of the annotation named name, "" if anns
// has none.
func annotation(anns []tl.Annotation, name string) string {
	for _, a := range anns {
		if a.Name == name {
			return a.Value
		}
	}
	return ""
}

// paramDoc returns the description of the parameter named param: the
// annotation of its name, or, for a parameter named "description", the
// one gotd/tl calls param_description.
func paramDoc(anns []tl.Annotation, param string) string {
	if param == tl.AnnotationDescription {
		return annotation(anns, tl.AnnotationParamDescription)
	}
	return annotation(anns, param)
}

// linkDocs links each definition and class to its page on
// core.telegram.org, unless the schema describes its definitions itself:
// only Telegram's own schemas (api.tl, mtproto.tl) have pages there, and
// they carry no descriptions.
func linkDocs(m *Model) {
	for _, d := range m.Defs {
		if d.Doc != "" {
			return
		}
		for _, f := range d.Fields {
			if f.Doc != "" {
				return
			}
		}
	}
	for _, c := range m.Classes {
		if c.Doc != "" {
			return
		}
		c.Link = "https://core.telegram.org/type/" + c.TLName
	}
	for _, d := range m.Defs {
		kind := "constructor"
		if d.Function {
			kind = "method"
		}
		d.Link = "https://core.telegram.org/" + kind + "/" + d.TLName
	}
}

// decideCode sets Def.Code from types, the TL names of the boxed types
// ("Message", "messages.Messages"; an element may hold several, separated
// by commas) whose constructors keep generated codecs: those constructors
// keep them, and every other definition takes its codec from the wire
// table, functions included, which are encoded once per call. With no
// types, every definition keeps its generated codec. A class keeps
// generated decoder functions when its constructors keep theirs (Class.Code).
// A name that is no
// boxed type of the schema is an error that says what it is instead, if
// anything.
func decideCode(m *Model, types []string) error {
	if len(types) == 0 {
		for _, c := range m.Classes {
			c.Code = true
		}
		return nil
	}
	names := splitList(types)
	if len(names) == 0 {
		return &ModelError{Msg: "code: no type names"}
	}
	classes := make(map[string]*Class, len(m.Classes))
	for _, c := range m.Classes {
		classes[c.TLName] = c
	}
	code := map[*Def]bool{}
	for _, name := range names {
		c := classes[name]
		if c == nil {
			return &ModelError{Msg: "code: " + notAType(m, name)}
		}
		for _, d := range c.Constructors {
			code[d] = true
		}
	}
	for _, d := range m.Defs {
		d.Code = code[d]
	}
	for _, c := range m.Classes {
		c.Code = len(c.Constructors) > 0 && c.Constructors[0].Code
	}
	return nil
}

// notAType says why name, listed as a boxed type whose constructors keep
// generated codecs, is not one.
func notAType(m *Model, name string) string {
	for _, d := range m.Defs {
		if d.TLName != name {
			continue
		}
		if d.Function {
			return fmt.Sprintf("%s is a function, not a type: functions take their codec from the wire table", name)
		}
		return fmt.Sprintf("%s is a constructor, not a type: list its type %s", name, d.Class.TLName)
	}
	return fmt.Sprintf("the schema has no type %s", name)
}

// splitList returns the names of a list given as elements that may each
// hold several, separated by commas: spaces around a name and empty names
// are dropped.
func splitList(elems []string) []string {
	var names []string
	for _, e := range elems {
		for _, name := range strings.Split(e, ",") {
			if name = strings.TrimSpace(name); name != "" {
				names = append(names, name)
			}
		}
	}
	return names
}
