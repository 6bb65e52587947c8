package tlrt

import (
	"fmt"
	"math"
	"reflect"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/gotd/td/bin"
)

// Encoding and decoding by the schema: the codec of a definition whose
// generated methods carry no code of their own (EncodeFields,
// DecodeAt). The Schema says what is on the wire, field by field;
// the definition's Go struct, found through Schema.New and reflect, says
// where each field is in memory. Both are read once per definition into
// a layout, after which a value is read and written by offsets, with the
// same checks, the same errors and the same accounting of what decoding
// allocates (Decoder.Spend) as the generated code.

// EncodeFields writes the fields of the value at p, a *T of the
// definition s.Defs[def], without its ID: EncodeBare for a definition
// whose codec is the schema. A nil p is ErrNilValue.
func EncodeFields(b *bin.Buffer, s *Schema, def int, p unsafe.Pointer) error {
	if p == nil {
		return ErrNilValue
	}
	l, err := s.layout(def)
	if err != nil {
		return err
	}
	return l.encode(b, p)
}

// EncodeBoxedFields writes the ID of s.Defs[def], then the fields of the
// value at p: Encode for a definition whose codec is the schema.
func EncodeBoxedFields(b *bin.Buffer, s *Schema, def int, p unsafe.Pointer) error {
	if p == nil {
		return ErrNilValue
	}
	PutUint32(b, s.Defs[def].ID)
	return EncodeFields(b, s, def, p)
}

// DecodeAt reads the fields of v, nested depth levels deep in what d
// decodes, into v, which it does not clear: by v's generated DecodeBareAt
// when it has one (DecoderAt), else by the Schema d decodes with.
func DecodeAt(d *Decoder, v Object, depth int) error {
	if v == nil {
		return ErrNilValue
	}
	if a, ok := v.(DecoderAt); ok {
		return a.DecodeBareAt(d, depth)
	}
	s := d.schema
	if s == nil {
		return fmt.Errorf("tlrt: %s: no schema to decode it by", v.TypeName())
	}
	i := s.def(v.TypeID())
	if i < 0 {
		return fmt.Errorf("tlrt: %s: not in the schema", v.TypeName())
	}
	l, err := s.layout(i)
	if err != nil {
		return err
	}
	p := reflect.ValueOf(v).UnsafePointer()
	if p == nil {
		return ErrNilValue
	}
	return l.decode(d, p, depth)
}

// DecodeFields reads the fields of s.Defs[def] into the value at p, a *T
// of the definition, nested depth levels deep, by the schema even when
// the definition has a generated DecodeBareAt (values nested in it are
// read as DecodeAt reads them). Generated code calls DecodeAt; the tests
// of a generated package compare the two.
func DecodeFields(d *Decoder, s *Schema, def int, p unsafe.Pointer, depth int) error {
	if p == nil {
		return ErrNilValue
	}
	l, err := s.layout(def)
	if err != nil {
		return err
	}
	return l.decode(d, p, depth)
}

// DecodeValue reads v with its ID from b, clearing v first, with a Decoder
// of its own over a value of type root (v's bare type in s.Types): Decode.
func DecodeValue(b *bin.Buffer, s *Schema, root int32, v Object) error {
	if err := ConsumeID(b, v.TypeID(), v.TypeName()); err != nil {
		return DecodeErr(err, v.TypeName(), "")
	}
	return DecodeValueBare(b, s, root, v)
}

// DecodeValueBare is DecodeValue for a value without its ID: DecodeBare.
func DecodeValueBare(b *bin.Buffer, s *Schema, root int32, v Object) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return ErrNilValue
	}
	rv.Elem().SetZero()
	d := getDecoder(b, s, root)
	defer putDecoder(d)
	return Finish(b, d, DecodeAt(d, v, 0))
}

// DecodeClassAt reads a boxed value of the class s.Types[root], or any
// value of the schema when root is its Object type, nested depth levels
// deep: the decoder function of a class without generated codecs.
func DecodeClassAt(d *Decoder, s *Schema, root int32, depth int) (Object, error) {
	t := &s.Types[root]
	if t.Kind != SchemaClass && t.Kind != SchemaObject {
		return nil, fmt.Errorf("tlrt: type %d of the schema is no class", root)
	}
	v := value{ls: s.layouts(), t: t}
	l, p, err := v.decodeObject(d, depth)
	if err != nil {
		return nil, err
	}
	return l.object(p), nil
}

// layouts are the layouts of a Schema's definitions, made on first use.
type layouts struct {
	s    *Schema
	defs []atomic.Pointer[layout]
	// encoders holds, by the itab of a dynamic type for a class's
	// interface, its itab for bin.Encoder (*encoderTab): found once for
	// each, by reflect and a type assertion, then kept.
	encoders sync.Map
}

// encoderTab is the itab for bin.Encoder of the dynamic type whose itab
// for a class's interface is class.
type encoderTab struct{ class, encoder unsafe.Pointer }

// layouts returns the layouts of s.
func (s *Schema) layouts() *layouts {
	if ls := s.byOffsets.Load(); ls != nil {
		return ls
	}
	s.byOffsets.CompareAndSwap(nil, &layouts{s: s, defs: make([]atomic.Pointer[layout], len(s.Defs))})
	return s.byOffsets.Load()
}

// layout returns the layout of s.Defs[def], made on first use.
func (s *Schema) layout(def int) (*layout, error) { return s.layouts().get(def) }

// get returns the layout of the definition def, made on first use.
func (ls *layouts) get(def int) (*layout, error) {
	if def < 0 || def >= len(ls.defs) {
		return nil, fmt.Errorf("tlrt: no definition %d in the schema", def)
	}
	if l := ls.defs[def].Load(); l != nil {
		return l, nil
	}
	l, err := newLayout(ls, def)
	if err != nil {
		return nil, err
	}
	ls.defs[def].Store(l)
	return l, nil
}

// An interface value in memory is two words: the itab of its dynamic type
// for the interface type (nil for a nil interface), and the pointer to the
// value. The layout of a definition keeps the itabs of its struct's
// pointer for the interfaces decoding stores it as, so that it makes those
// interface values without the lookups of reflect.Value.Set and of type
// assertions. TestTableCodec and the tests of every generated package
// decode through them.
type iface [2]unsafe.Pointer

// itabOf returns the itab of the pointer type ptr for the interface type
// i, which ptr implements.
func itabOf(i, ptr reflect.Type) unsafe.Pointer {
	v := reflect.New(i).Elem()
	v.Set(reflect.New(ptr.Elem()))
	return (*iface)(v.Addr().UnsafePointer())[0]
}

// classTab is the itab of a layout's struct pointer for the Go interface
// of a field that holds values of its class.
type classTab struct {
	typ reflect.Type
	tab unsafe.Pointer
}

// layout is where the fields of a definition are in its Go struct, and
// how each is encoded.
type layout struct {
	ls  *layouts
	def *SchemaDef
	typ reflect.Type // the Go struct
	// code reports that the struct has a generated DecodeBareAt.
	code bool
	// The itabs of a pointer to the struct for Object and DecoderAt (nil
	// unless code), and for the interface of its class, found on first
	// use (see iface).
	objectTab, atTab unsafe.Pointer
	classTab         atomic.Pointer[classTab]
	// plain is, for a struct that holds no pointers, its size in 8-byte
	// words: a value of it decoded on its own comes from the Decoder's
	// chunks (New). It is 0 for others.
	plain int
	words []uintptr // the offsets of the flags words, first to last
	// optional are the indexes in fields of the fields behind a flag.
	optional []int
	// derived has, for each flags word, the bits that its fields decide
	// alone (true, pointer and interface fields): decoding clears them
	// from the word and encoding sets them from the fields.
	derived []bin.Fields
	fields  []field
}

// field is a field of a layout.
type field struct {
	name string
	off  uintptr
	v    *value
	kind SchemaKind // v.t.Kind
	word int        // 0 for a required field; else 1 + the index of its flags word
	bit  int        // its bit in the word
	set  bool       // optional, and present when set (not when non-zero)
}

// value is how a value of a schema type is held in memory.
type value struct {
	ls   *layouts
	t    *SchemaType
	typ  reflect.Type // its Go type
	size uintptr
	ptr  bool   // for a struct, whether it is held by pointer
	elem *value // a vector's element
	// last is, for a class, the encoderTab of the dynamic type encoded
	// last: a field mostly holds values of one constructor, whose next
	// value is then encoded with no lookup at all.
	last atomic.Pointer[encoderTab]
}

// newLayout reads the layout of s.Defs[def] from the schema and the Go
// struct of the definition.
func newLayout(ls *layouts, def int) (*layout, error) {
	s := ls.s
	d := &s.Defs[def]
	if s.New == nil {
		return nil, fmt.Errorf("tlrt: %s: the schema has no New", d.Name)
	}
	obj := s.New(d.ID)
	if obj == nil {
		return nil, fmt.Errorf("tlrt: %s: New has no value of ID %#08x", d.Name, d.ID)
	}
	pt := reflect.TypeOf(obj)
	st := pt.Elem()
	l := &layout{ls: ls, def: d, typ: st, objectTab: itabOf(reflect.TypeFor[Object](), pt)}
	if at := reflect.TypeFor[DecoderAt](); pt.Implements(at) {
		l.code, l.atTab = true, itabOf(at, pt)
	}
	if !hasPointers(st) {
		l.plain = words(st.Size())
	}
	end := len(s.Fields)
	if def+1 < len(s.Defs) {
		end = int(s.Defs[def+1].Fields)
	}
	for _, sf := range s.Fields[d.Fields:end] {
		if int(sf.Go) < 0 || int(sf.Go) >= st.NumField() {
			return nil, fmt.Errorf("tlrt: %s.%s: no Go field %d in %s", d.Name, sf.Name, sf.Go, st)
		}
		gf := st.Field(int(sf.Go))
		t := &s.Types[sf.Type]
		v, err := newValue(ls, t, gf.Type)
		if err != nil {
			return nil, fmt.Errorf("tlrt: %s.%s: %w", d.Name, sf.Name, err)
		}
		f := field{name: sf.Name, off: gf.Offset, v: v, kind: t.Kind, word: int(sf.Word), bit: int(sf.Bit)}
		if t.Kind == SchemaFlags {
			if len(l.words) == maxWords {
				return nil, fmt.Errorf("tlrt: %s: more than %d flags words", d.Name, maxWords)
			}
			l.words = append(l.words, gf.Offset)
			l.derived = append(l.derived, 0)
		}
		if f.word > len(l.words) {
			return nil, fmt.Errorf("tlrt: %s.%s: flags word %d comes after it", d.Name, sf.Name, f.word)
		}
		if f.word != 0 {
			switch t.Kind {
			case SchemaTrue, SchemaClass, SchemaObject:
				f.set = true
			case SchemaStruct:
				f.set = v.ptr
			}
		}
		if f.word != 0 {
			l.optional = append(l.optional, len(l.fields))
		}
		l.fields = append(l.fields, f)
	}
	// A bit is derived when every field behind it is present when set.
	for w := range l.derived {
		var all, notSet bin.Fields
		for _, f := range l.fields {
			if f.word == w+1 {
				all.Set(f.bit)
				if !f.set {
					notSet.Set(f.bit)
				}
			}
		}
		l.derived[w] = all &^ notSet
	}
	return l, nil
}

// newValue returns how a value of schema type t is held in Go type typ,
// or an error when typ cannot hold it.
func newValue(ls *layouts, t *SchemaType, typ reflect.Type) (*value, error) {
	s := ls.s
	v := &value{ls: ls, t: t, typ: typ, size: typ.Size()}
	want := map[SchemaKind]reflect.Kind{
		SchemaInt: reflect.Int, SchemaLong: reflect.Int64, SchemaDouble: reflect.Float64,
		SchemaString: reflect.String, SchemaBytes: reflect.Slice, SchemaInt128: reflect.Array,
		SchemaInt256: reflect.Array, SchemaBool: reflect.Bool, SchemaTrue: reflect.Bool,
		SchemaFlags: reflect.Uint32, SchemaClass: reflect.Interface, SchemaObject: reflect.Interface,
		SchemaVector: reflect.Slice,
	}[t.Kind]
	switch {
	case t.Kind == SchemaStruct:
		v.ptr = typ.Kind() == reflect.Pointer
		st := typ
		if v.ptr {
			st = typ.Elem()
		}
		if st.Kind() != reflect.Struct {
			return nil, fmt.Errorf("%s holds no struct", typ)
		}
		return v, nil
	case want == 0 || typ.Kind() != want:
		return nil, fmt.Errorf("%s cannot hold a value of kind %d", typ, t.Kind)
	case t.Kind == SchemaInt128 && typ.Len() != 16, t.Kind == SchemaInt256 && typ.Len() != 32:
		return nil, fmt.Errorf("%s cannot hold a value of kind %d", typ, t.Kind)
	case t.Kind == SchemaBytes && typ.Elem().Kind() != reflect.Uint8:
		return nil, fmt.Errorf("%s cannot hold bytes", typ)
	case t.Kind == SchemaVector:
		e, err := newValue(ls, &s.Types[t.Ref], typ.Elem())
		if err != nil {
			return nil, err
		}
		v.elem = e
	}
	return v, nil
}

// words is how many 8-byte words hold size bytes.
func words(size uintptr) int { return int((size + 7) / 8) }

// hasPointers reports whether a value of t holds a pointer.
func hasPointers(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return false
	case reflect.Array:
		return t.Len() > 0 && hasPointers(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if hasPointers(t.Field(i).Type) {
				return true
			}
		}
		return false
	}
	return true
}

// object is the Object whose value, of l's struct, is at p.
func (l *layout) object(p unsafe.Pointer) Object {
	var o Object
	*(*iface)(unsafe.Pointer(&o)) = iface{l.objectTab, p}
	return o
}

// encode writes the fields of the value at p.
func (l *layout) encode(b *bin.Buffer, p unsafe.Pointer) error {
	var words [maxWords]bin.Fields
	for w, off := range l.words {
		words[w] = *(*bin.Fields)(unsafe.Add(p, off)) &^ l.derived[w]
	}
	for _, i := range l.optional {
		if f := &l.fields[i]; f.v.present(unsafe.Add(p, f.off), f.set) {
			words[f.word-1].Set(f.bit)
		}
	}
	w := 0
	for i := range l.fields {
		f := &l.fields[i]
		at := unsafe.Add(p, f.off)
		switch {
		case f.kind == SchemaTrue:
			continue
		case f.kind == SchemaFlags:
			PutUint32(b, uint32(words[w]))
			w++
			continue
		case f.word != 0 && !words[f.word-1].Has(f.bit):
			continue
		}
		if err := f.v.encode(b, at); err != nil {
			return EncodeErr(err, l.def.Name, f.name)
		}
	}
	return nil
}

// present reports whether the optional value at p is sent: when set, or
// when not zero (see field.set).
func (v *value) present(p unsafe.Pointer, set bool) bool {
	switch v.t.Kind {
	case SchemaTrue, SchemaBool:
		return *(*bool)(p)
	case SchemaClass, SchemaObject:
		return (*iface)(p)[0] != nil
	case SchemaStruct:
		return !set || *(*unsafe.Pointer)(p) != nil
	case SchemaString:
		return *(*string)(p) != ""
	case SchemaBytes, SchemaVector:
		return (*sliceHeader)(p).len > 0
	case SchemaDouble:
		return *(*float64)(p) != 0
	}
	// Numbers and arrays of bytes: not all zero.
	for _, c := range unsafe.Slice((*byte)(p), v.size) {
		if c != 0 {
			return true
		}
	}
	return false
}

// sliceHeader is the memory of a slice.
type sliceHeader struct {
	data     unsafe.Pointer
	len, cap int
}

// encode writes the value at p.
func (v *value) encode(b *bin.Buffer, p unsafe.Pointer) error {
	switch v.t.Kind {
	case SchemaInt:
		PutUint32(b, uint32(*(*int)(p)))
	case SchemaLong:
		PutUint64(b, uint64(*(*int64)(p)))
	case SchemaDouble:
		PutUint64(b, math.Float64bits(*(*float64)(p)))
	case SchemaString:
		PutString(b, *(*string)(p))
	case SchemaBytes:
		PutBytes(b, *(*[]byte)(p))
	case SchemaInt128:
		b.PutInt128(*(*bin.Int128)(p))
	case SchemaInt256:
		b.PutInt256(*(*bin.Int256)(p))
	case SchemaBool:
		b.PutBool(*(*bool)(p))
	case SchemaClass, SchemaObject:
		i := *(*iface)(p)
		if i[0] == nil {
			return ErrNilValue
		}
		t := v.last.Load()
		if t == nil || t.class != i[0] {
			var err error
			if t, err = v.encoderTab(p); err != nil {
				return err
			}
			v.last.Store(t)
		}
		var e bin.Encoder
		*(*iface)(unsafe.Pointer(&e)) = iface{t.encoder, i[1]}
		return e.Encode(b)
	case SchemaStruct:
		if v.ptr {
			p = *(*unsafe.Pointer)(p)
			if p == nil {
				return ErrNilValue
			}
		}
		l, err := v.ls.get(int(v.t.Ref))
		if err != nil {
			return err
		}
		switch {
		case l.code && v.t.Bare:
			return l.object(p).EncodeBare(b)
		case l.code:
			return l.object(p).Encode(b)
		case !v.t.Bare:
			PutUint32(b, l.def.ID)
		}
		return l.encode(b, p)
	case SchemaVector:
		h := (*sliceHeader)(p)
		if v.t.Bare {
			PutUint32(b, uint32(h.len))
		} else {
			PutVectorHeader(b, h.len)
		}
		for i := range h.len {
			if err := v.elem.encode(b, unsafe.Add(h.data, uintptr(i)*v.elem.size)); err != nil {
				return err
			}
		}
	}
	return nil
}

// encoderTab returns the encoderTab of the dynamic type of the class
// value at p, which is not nil.
func (v *value) encoderTab(p unsafe.Pointer) (*encoderTab, error) {
	class := (*iface)(p)[0]
	if t, ok := v.ls.encoders.Load(class); ok {
		return t.(*encoderTab), nil
	}
	o := reflect.NewAt(v.typ, p).Elem().Interface()
	e, ok := o.(bin.Encoder)
	if !ok {
		return nil, fmt.Errorf("tlrt: %T cannot be encoded", o)
	}
	t, _ := v.ls.encoders.LoadOrStore(class, &encoderTab{class: class, encoder: (*iface)(unsafe.Pointer(&e))[0]})
	return t.(*encoderTab), nil
}

// decode reads the fields of the value at p, nested depth levels deep, as
// the generated DecodeBareAt does.
func (l *layout) decode(d *Decoder, p unsafe.Pointer, depth int) error {
	if l.def.Nests && depth > MaxDecodeDepth {
		return DecodeErr(ErrTooDeep, l.def.Name, "")
	}
	for i := range l.fields {
		f := &l.fields[i]
		at := unsafe.Add(p, f.off)
		switch {
		case f.kind == SchemaTrue:
			*(*bool)(at) = (*(*bin.Fields)(unsafe.Add(p, l.words[f.word-1]))).Has(f.bit)
			continue
		case f.word != 0 && !(*(*bin.Fields)(unsafe.Add(p, l.words[f.word-1]))).Has(f.bit):
			continue
		}
		if err := f.v.decode(d, at, depth+1); err != nil {
			return DecodeErr(err, l.def.Name, f.name)
		}
	}
	// Keep in each flags word only what the fields cannot say: the bits
	// of optional values that arrived zero, and bits the schema does not
	// define.
	for w, off := range l.words {
		word := (*bin.Fields)(unsafe.Add(p, off))
		*word &^= l.derived[w]
		for _, i := range l.optional {
			if f := &l.fields[i]; f.word == w+1 && !l.derived[w].Has(f.bit) && f.v.present(unsafe.Add(p, f.off), f.set) {
				word.Unset(f.bit)
			}
		}
	}
	return nil
}

// decode reads a value into p, nested depth levels deep.
func (v *value) decode(d *Decoder, p unsafe.Pointer, depth int) error {
	var err error
	switch v.t.Kind {
	case SchemaFlags:
		err = (*bin.Fields)(p).Decode(&d.Buffer)
	case SchemaInt:
		*(*int)(p), err = d.Int()
	case SchemaLong:
		*(*int64)(p), err = d.Long()
	case SchemaDouble:
		*(*float64)(p), err = d.Double()
	case SchemaString:
		*(*string)(p), err = String(d)
	case SchemaBytes:
		*(*[]byte)(p), err = Bytes(d)
	case SchemaInt128:
		*(*bin.Int128)(p), err = d.Int128()
	case SchemaInt256:
		*(*bin.Int256)(p), err = d.Int256()
	case SchemaBool:
		*(*bool)(p), err = d.Bool()
	case SchemaClass, SchemaObject:
		var l *layout
		var q unsafe.Pointer
		if l, q, err = v.decodeObject(d, depth); err == nil {
			tab := l.objectTab
			if v.t.Kind == SchemaClass {
				tab, err = l.classTabFor(v.typ)
			}
			*(*iface)(p) = iface{tab, q}
		}
	case SchemaStruct:
		err = v.decodeStruct(d, p, depth)
	case SchemaVector:
		err = v.decodeVector(d, p, depth)
	}
	return err
}

// classTabFor returns the itab of l's struct pointer for the interface
// type i, that of the fields that hold values of its class.
func (l *layout) classTabFor(i reflect.Type) (unsafe.Pointer, error) {
	if ct := l.classTab.Load(); ct != nil && ct.typ == i {
		return ct.tab, nil
	}
	pt := reflect.PointerTo(l.typ)
	if !pt.Implements(i) {
		return nil, fmt.Errorf("tlrt: %s does not implement %s", pt, i)
	}
	ct := &classTab{typ: i, tab: itabOf(i, pt)}
	l.classTab.Store(ct)
	return ct.tab, nil
}

// decodeObject reads a boxed value of a class, or any value of the
// schema (SchemaObject), nested depth levels deep, into a new value: it
// returns the layout of its definition and its address.
func (v *value) decodeObject(d *Decoder, depth int) (*layout, unsafe.Pointer, error) {
	s := v.ls.s
	id, err := d.ID()
	if err != nil {
		return nil, nil, err
	}
	i := s.def(id)
	switch {
	case v.t.Kind == SchemaObject && i < 0:
		return nil, nil, &UnknownIDError{ID: id, Type: "Object"}
	case v.t.Kind == SchemaClass && (i < 0 || s.Defs[i].Class != v.t.Ref):
		return nil, nil, &UnknownIDError{ID: id, Type: s.Classes[v.t.Ref]}
	}
	l, err := v.ls.get(i)
	if err != nil {
		return nil, nil, err
	}
	p := l.alloc(d)
	if err := l.decodeAt(d, p, depth); err != nil {
		return nil, nil, err
	}
	return l, p, nil
}

// alloc returns the address of a new value of l's struct, nested in what
// d decodes: from d's chunks when it holds no pointers, else allocated
// and counted.
func (l *layout) alloc(d *Decoder) unsafe.Pointer {
	switch size := l.typ.Size(); {
	case size == 0:
		return reflect.New(l.typ).UnsafePointer()
	case l.plain > 0:
		return d.plain.take(d, l.plain)
	default:
		d.Spend(size)
		return reflect.New(l.typ).UnsafePointer()
	}
}

// decodeAt reads the fields of the value at p, nested depth levels deep:
// by its generated DecodeBareAt, or by the layout.
func (l *layout) decodeAt(d *Decoder, p unsafe.Pointer, depth int) error {
	if !l.code {
		return l.decode(d, p, depth)
	}
	var at DecoderAt
	*(*iface)(unsafe.Pointer(&at)) = iface{l.atTab, p}
	return at.DecodeBareAt(d, depth)
}

// decodeStruct reads a struct into p (held by pointer, when v.ptr),
// nested depth levels deep.
func (v *value) decodeStruct(d *Decoder, p unsafe.Pointer, depth int) error {
	l, err := v.ls.get(int(v.t.Ref))
	if err != nil {
		return err
	}
	if v.ptr {
		q := l.alloc(d)
		*(*unsafe.Pointer)(p) = q
		p = q
	}
	if !v.t.Bare {
		if err := ConsumeID(&d.Buffer, l.def.ID, l.def.Name); err != nil {
			return DecodeErr(err, l.def.Name, "")
		}
	}
	return l.decodeAt(d, p, depth)
}

// decodeVector reads a vector into the slice at p, its elements nested
// depth levels deep (a level deeper for vectors of vectors), as
// decodeElems does: the same check of its count, the same bytes held
// back for the elements after each, the same room made ahead.
func (v *value) decodeVector(d *Decoder, p unsafe.Pointer, depth int) error {
	e := v.elem
	if e.t.Kind == SchemaVector {
		depth++
	}
	minSize := max(int(v.t.MinSize), 1)
	n, err := vectorLen(&d.Buffer, v.t.Bare, minSize)
	if err != nil {
		return err
	}
	room := preallocateSize(n, minSize, int(e.size))
	if d.Spend(uintptr(room) * e.size); d.failed() {
		return errRefused
	}
	// The array is read and written by its address; the slice header
	// goes to p once it is whole.
	arr := reflect.MakeSlice(v.typ, room, room)
	err = eachElem(d, n, minSize, func(i int) error {
		if i == arr.Len() {
			next := grow(i, n)
			if d.Spend(uintptr(next) * e.size); d.failed() {
				return errRefused
			}
			bigger := reflect.MakeSlice(v.typ, next, next)
			reflect.Copy(bigger, arr)
			arr = bigger
		}
		return e.decode(d, unsafe.Add(arr.UnsafePointer(), uintptr(i)*e.size), depth)
	})
	if err != nil {
		return err
	}
	*(*sliceHeader)(p) = sliceHeader{data: arr.UnsafePointer(), len: n, cap: arr.Len()}
	return nil
}
