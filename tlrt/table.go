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
// DecodeFields). The Schema says what is on the wire, field by field;
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

// DecodeFields reads the fields of s.Defs[def] into the value at p, nested
// depth levels deep: DecodeBareAt for a definition whose codec is the
// schema. It does not clear the value first.
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
	d := NewDecoder(b, s, root)
	return Finish(b, d, v.DecodeBareAt(d, 0))
}

// layouts are the layouts of a Schema's definitions, made on first use.
type layouts struct {
	once sync.Once
	defs []atomic.Pointer[layout]
}

// layoutsOf holds the layouts of every Schema that has encoded or decoded
// by offsets; a generated package has one Schema, which lives as long as
// the program.
var layoutsOf sync.Map // *Schema → *layouts

// layout returns the layout of s.Defs[def], made on first use.
func (s *Schema) layout(def int) (*layout, error) {
	v, ok := layoutsOf.Load(s)
	if !ok {
		v, _ = layoutsOf.LoadOrStore(s, &layouts{})
	}
	ls := v.(*layouts)
	ls.once.Do(func() { ls.defs = make([]atomic.Pointer[layout], len(s.Defs)) })
	if def < 0 || def >= len(ls.defs) {
		return nil, fmt.Errorf("tlrt: no definition %d in the schema", def)
	}
	if l := ls.defs[def].Load(); l != nil {
		return l, nil
	}
	l, err := newLayout(s, def)
	if err != nil {
		return nil, err
	}
	ls.defs[def].Store(l)
	return l, nil
}

// layout is where the fields of a definition are in its Go struct, and
// how each is encoded.
type layout struct {
	s   *Schema
	def *SchemaDef
	typ reflect.Type // the Go struct
	// plain is, for a struct that holds no pointers, its size in 8-byte
	// words: a value of it decoded on its own comes from the Decoder's
	// chunks (New). It is 0 for others.
	plain int
	words []uintptr // the offsets of the flags words, first to last
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
	word int  // 0 for a required field; else 1 + the index of its flags word
	bit  int  // its bit in the word
	set  bool // optional, and present when set (not when non-zero)
}

// value is how a value of a schema type is held in memory.
type value struct {
	s    *Schema
	t    *SchemaType
	typ  reflect.Type // its Go type
	size uintptr
	// For a struct, whether it is held by pointer; for a struct of no
	// pointers (held by pointer, or a class's value), its size in words,
	// to come from the Decoder's chunks; 0 otherwise.
	ptr   bool
	plain int
	elem  *value // a vector's element
}

// newLayout reads the layout of s.Defs[def] from the schema and the Go
// struct of the definition.
func newLayout(s *Schema, def int) (*layout, error) {
	d := &s.Defs[def]
	if s.New == nil {
		return nil, fmt.Errorf("tlrt: %s: the schema has no New", d.Name)
	}
	obj := s.New(d.ID)
	if obj == nil {
		return nil, fmt.Errorf("tlrt: %s: New has no value of ID %#08x", d.Name, d.ID)
	}
	st := reflect.TypeOf(obj).Elem()
	l := &layout{s: s, def: d, typ: st}
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
		v, err := newValue(s, t, gf.Type)
		if err != nil {
			return nil, fmt.Errorf("tlrt: %s.%s: %w", d.Name, sf.Name, err)
		}
		f := field{name: sf.Name, off: gf.Offset, v: v, word: int(sf.Word), bit: int(sf.Bit)}
		if t.Kind == SchemaFlags {
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
func newValue(s *Schema, t *SchemaType, typ reflect.Type) (*value, error) {
	v := &value{s: s, t: t, typ: typ, size: typ.Size()}
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
		if v.ptr && !hasPointers(st) {
			v.plain = words(st.Size())
		}
		return v, nil
	case want == 0 || typ.Kind() != want:
		return nil, fmt.Errorf("%s cannot hold a value of kind %d", typ, t.Kind)
	case t.Kind == SchemaInt128 && typ.Len() != 16, t.Kind == SchemaInt256 && typ.Len() != 32:
		return nil, fmt.Errorf("%s cannot hold a value of kind %d", typ, t.Kind)
	case t.Kind == SchemaBytes && typ.Elem().Kind() != reflect.Uint8:
		return nil, fmt.Errorf("%s cannot hold bytes", typ)
	case t.Kind == SchemaVector:
		e, err := newValue(s, &s.Types[t.Ref], typ.Elem())
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

// objectAt is the Object whose value is at p, of Go type t (a struct
// type).
func objectAt(t reflect.Type, p unsafe.Pointer) (Object, error) {
	o, ok := reflect.NewAt(t, p).Interface().(Object)
	if !ok {
		return nil, fmt.Errorf("tlrt: %s is not an Object", t)
	}
	return o, nil
}

// encode writes the fields of the value at p.
func (l *layout) encode(b *bin.Buffer, p unsafe.Pointer) error {
	var words [maxWords]bin.Fields
	for w, off := range l.words {
		words[w] = *(*bin.Fields)(unsafe.Add(p, off)) &^ l.derived[w]
	}
	for _, f := range l.fields {
		if f.word != 0 && f.v.present(unsafe.Add(p, f.off), f.set) {
			words[f.word-1].Set(f.bit)
		}
	}
	w := 0
	for _, f := range l.fields {
		at := unsafe.Add(p, f.off)
		switch {
		case f.v.t.Kind == SchemaTrue:
			continue
		case f.v.t.Kind == SchemaFlags:
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
		return !reflect.NewAt(v.typ, p).Elem().IsNil()
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
		iv := reflect.NewAt(v.typ, p).Elem()
		if iv.IsNil() {
			return ErrNilValue
		}
		o := iv.Interface()
		e, ok := o.(bin.Encoder)
		if !ok {
			return fmt.Errorf("tlrt: %T cannot be encoded", o)
		}
		return e.Encode(b)
	case SchemaStruct:
		if v.ptr {
			p = *(*unsafe.Pointer)(p)
			if p == nil {
				return ErrNilValue
			}
		}
		st := v.typ
		if v.ptr {
			st = v.typ.Elem()
		}
		o, err := objectAt(st, p)
		if err != nil {
			return err
		}
		if v.t.Bare {
			return o.EncodeBare(b)
		}
		return o.Encode(b)
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

// decode reads the fields of the value at p, nested depth levels deep, as
// the generated DecodeBareAt does.
func (l *layout) decode(d *Decoder, p unsafe.Pointer, depth int) error {
	if l.def.Nests && depth > MaxDecodeDepth {
		return DecodeErr(ErrTooDeep, l.def.Name, "")
	}
	for _, f := range l.fields {
		at := unsafe.Add(p, f.off)
		switch {
		case f.v.t.Kind == SchemaTrue:
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
		for _, f := range l.fields {
			if f.word == w+1 && !l.derived[w].Has(f.bit) && f.v.present(unsafe.Add(p, f.off), f.set) {
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
		var o Object
		if o, err = v.decodeObject(d, depth); err == nil {
			err = v.setObject(p, o)
		}
	case SchemaStruct:
		err = v.decodeStruct(d, p, depth)
	case SchemaVector:
		err = v.decodeVector(d, p, depth)
	}
	return err
}

// setObject stores o in the interface at p, of type v.typ.
func (v *value) setObject(p unsafe.Pointer, o Object) error {
	ov := reflect.ValueOf(o)
	if !implements(ov.Type(), v.typ) {
		return fmt.Errorf("tlrt: %s does not implement %s", ov.Type(), v.typ)
	}
	reflect.NewAt(v.typ, p).Elem().Set(ov)
	return nil
}

// implemented caches which Go types implement which interfaces, as
// setObject checks them: a pair of reflect.Type.
var implemented sync.Map // [2]reflect.Type → bool

// implements reports whether t implements the interface type i.
func implements(t, i reflect.Type) bool {
	key := [2]reflect.Type{t, i}
	if ok, found := implemented.Load(key); found {
		return ok.(bool)
	}
	ok := t.Implements(i)
	implemented.Store(key, ok)
	return ok
}

// decodeObject reads a boxed value of a class, or any value of the
// schema (SchemaObject), nested depth levels deep, into a new value.
func (v *value) decodeObject(d *Decoder, depth int) (Object, error) {
	s := v.s
	id, err := d.ID()
	if err != nil {
		return nil, err
	}
	i := s.def(id)
	switch {
	case v.t.Kind == SchemaObject && i < 0:
		return nil, &UnknownIDError{ID: id, Type: "Object"}
	case v.t.Kind == SchemaClass && (i < 0 || s.Defs[i].Class != v.t.Ref):
		return nil, &UnknownIDError{ID: id, Type: s.Classes[v.t.Ref]}
	}
	l, err := s.layout(i)
	if err != nil {
		return nil, err
	}
	o, err := l.alloc(d)
	if err != nil {
		return nil, err
	}
	if err := o.DecodeBareAt(d, depth); err != nil {
		return nil, err
	}
	return o, nil
}

// alloc returns a new value of l's struct, nested in what d decodes: from
// d's chunks when it holds no pointers, else allocated and counted.
func (l *layout) alloc(d *Decoder) (Object, error) {
	var p unsafe.Pointer
	switch size := l.typ.Size(); {
	case size == 0:
		p = reflect.New(l.typ).UnsafePointer()
	case l.plain > 0:
		p = d.plain.take(d, l.plain)
	default:
		d.Spend(size)
		p = reflect.New(l.typ).UnsafePointer()
	}
	return objectAt(l.typ, p)
}

// decodeStruct reads a struct into p (held by pointer, when v.ptr),
// nested depth levels deep.
func (v *value) decodeStruct(d *Decoder, p unsafe.Pointer, depth int) error {
	st := v.typ
	if v.ptr {
		st = v.typ.Elem()
		var q unsafe.Pointer
		switch {
		case v.plain > 0:
			q = d.plain.take(d, v.plain)
		default:
			if st.Size() > 0 {
				d.Spend(st.Size())
			}
			q = reflect.New(st).UnsafePointer()
		}
		*(*unsafe.Pointer)(p) = q
		p = q
	}
	o, err := objectAt(st, p)
	if err != nil {
		return err
	}
	if v.t.Bare {
		return o.DecodeBareAt(d, depth)
	}
	return DecodeBoxed(d, o, depth)
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
	for i := range n {
		if i == arr.Len() {
			next := grow(i, n)
			if d.Spend(uintptr(next) * e.size); d.failed() {
				return errRefused
			}
			bigger := reflect.MakeSlice(v.typ, next, next)
			reflect.Copy(bigger, arr)
			arr = bigger
		}
		held := (n - 1 - i) * minSize
		d.Buf = d.Buf[:len(d.Buf)-held]
		err := e.decode(d, unsafe.Add(arr.UnsafePointer(), uintptr(i)*e.size), depth)
		if d.failed() {
			return errRefused
		}
		d.Buf = d.Buf[:len(d.Buf)+held]
		if err != nil {
			return decodeElemErr(err, i)
		}
	}
	*(*sliceHeader)(p) = sliceHeader{data: arr.UnsafePointer(), len: n, cap: arr.Len()}
	return nil
}
