package tg_test

import (
	"flag"
	"math/rand"
	"reflect"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/gotd/td/bin"

	"github.com/tgraw/tgraw/gen"
	"github.com/tgraw/tgraw/internal/tlrand"
	"github.com/tgraw/tgraw/schema"
	"github.com/tgraw/tgraw/tg"
)

// The tests of tg, but for the examples, hold at any layer: they take
// counts, IDs and field layouts from the schema tg was generated from
// (schema.API), never from constants, and name only types that every
// layer has. gen's TestOtherSchemas runs them on tg regenerated at layer
// 170 too, in a copy of the module.

// schemaInfo is what the tests know of tg from the schema it was generated
// from: the definition behind each struct type.
type schemaInfo struct {
	model  *gen.Model
	byID   map[uint32]*gen.Def
	byType map[reflect.Type]*gen.Def // struct type -> definition
	filler *tlrand.Filler
}

// maxDepth is how deep random values nest; see tlrand.Config.
var maxDepth = flag.Int("depth", 3, "nesting depth of random values")

var (
	infoOnce sync.Once
	info     *schemaInfo
	infoErr  error
)

func loadInfo(t testing.TB) *schemaInfo {
	t.Helper()
	infoOnce.Do(func() {
		s, err := gen.Parse(schema.API, "api.tl")
		if err != nil {
			infoErr = err
			return
		}
		m, err := gen.BuildModel(s, "tg", nil)
		if err != nil {
			infoErr = err
			return
		}
		in := &schemaInfo{model: m, byID: map[uint32]*gen.Def{}, byType: map[reflect.Type]*gen.Def{}}
		for _, d := range m.Defs {
			in.byID[d.ID] = d
		}
		var types []reflect.Type
		for _, id := range tg.IDs() {
			typ := reflect.TypeOf(tg.New(id))
			types = append(types, typ)
			if d := in.byID[id]; d != nil {
				in.byType[typ.Elem()] = d
			}
		}
		in.filler = tlrand.New(tlrand.Config{Types: types, Flag: in.flag, MaxDepth: *maxDepth})
		info = in
	})
	if infoErr != nil {
		t.Fatalf("schema model: %v", infoErr)
	}
	return info
}

// field returns the definition's field of Go name name.
func field(d *gen.Def, name string) *gen.Field {
	for _, f := range d.Fields {
		if f.GoName == name {
			return f
		}
	}
	return nil
}

func (in *schemaInfo) flag(t reflect.Type, name string) (tlrand.Flag, bool) {
	d := in.byType[t]
	if d == nil {
		panic("no definition for " + t.String())
	}
	f := field(d, name)
	if f == nil {
		panic("no field " + name + " in " + d.TLName)
	}
	if f.Flag == nil {
		return tlrand.Flag{}, false
	}
	return tlrand.Flag{Word: f.Flag.Word.GoName, Bit: f.Flag.Bit, True: f.Type.Kind == gen.KindTrue}, true
}

// fill returns tg.New(id) filled at random from seed.
func fill(t testing.TB, id uint32, seed int64) tg.Object {
	in := loadInfo(t)
	v := tg.New(id)
	in.filler.Fill(rand.New(rand.NewSource(seed)), v)
	return v
}

// encode returns the boxed encoding of v.
func encode(t testing.TB, v bin.Encoder) []byte {
	t.Helper()
	var b bin.Buffer
	if err := v.Encode(&b); err != nil {
		t.Fatalf("encode %T: %v", v, err)
	}
	return b.Buf
}

// nullable reports whether nil or false is the field's absent value, so
// that the value alone says whether it is present.
func nullable(f *gen.Field) bool {
	switch f.Type.Kind {
	case gen.KindTrue, gen.KindClass, gen.KindObject:
		return true
	case gen.KindStruct:
		return true // optional structs are pointers
	}
	return false
}

// nonZero is the generator's test for an optional value that is sent
// without its bit set by hand.
func nonZero(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Slice:
		return v.Len() > 0
	}
	return !v.IsZero()
}

// normalize changes v, in place and through every nested value, into what
// decoding its encoding gives: a flags word keeps only the bits that its
// fields cannot carry, those of present zero values and those no field
// owns.
func (in *schemaInfo) normalize(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			in.normalize(v.Elem())
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			in.normalize(v.Index(i))
		}
	case reflect.Struct:
		d := in.byType[v.Type()]
		if d == nil {
			return
		}
		type key struct {
			word string
			bit  int
		}
		owners := map[key][]*gen.Field{}
		var keys []key
		for _, f := range d.Fields {
			if f.Flag == nil {
				continue
			}
			k := key{f.Flag.Word.GoName, f.Flag.Bit}
			if owners[k] == nil {
				keys = append(keys, k)
			}
			owners[k] = append(owners[k], f)
		}
		for _, k := range keys {
			drop := true
			for _, f := range owners[k] {
				if !nullable(f) {
					drop = false
				}
			}
			for _, f := range owners[k] {
				if nonZero(v.FieldByName(f.GoName)) {
					drop = true
				}
			}
			if drop {
				w := v.FieldByName(k.word)
				w.SetUint(w.Uint() &^ (1 << k.bit))
			}
		}
		for i := 0; i < v.NumField(); i++ {
			in.normalize(v.Field(i))
		}
	}
}

// cmpOpts compare decoded values: an empty vector and a nil one are the
// same on the wire.
var cmpOpts = []cmp.Option{cmpopts.EquateEmpty()}
