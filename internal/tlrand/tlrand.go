// Package tlrand fills values of generated TL types at random, for tests:
// round trips, differential tests against another encoder, fuzz seeds.
//
// It works by reflection on any package of generated TL structs: a struct
// per constructor or function, flags words of type bin.Fields, interfaces
// for types of several constructors. What reflection cannot see, which
// optional field a flags bit guards, comes from Config.Flag.
//
// A filled value is valid TL: every optional field of a bit that is set is
// filled (interfaces and pointers are never nil there), fields of a bit
// that is clear are zero, and a present value field is left zero now and
// then, its bit set, so that present zero values are exercised. Flags words
// also get random bits that no field owns.
package tlrand

import (
	"math"
	"math/rand"
	"reflect"

	"github.com/gotd/td/bin"
)

// Flag is the bit that makes a field optional.
type Flag struct {
	Word string // Go name of the flags word field: "Flags", "Flags2"
	Bit  int
	True bool // a flags.N?true field: a bool that the bit alone carries
}

// Config says how to fill a family of generated types.
type Config struct {
	// Types are the concrete types (pointers to structs) of every
	// constructor and function. An interface field gets one of those that
	// implement it.
	Types []reflect.Type
	// Flag reports whether the field of struct type t is optional, and its
	// bit.
	Flag func(t reflect.Type, field string) (Flag, bool)
	// MaxDepth bounds nesting: in a structure nested MaxDepth deep,
	// optional fields that hold structures are left out, vectors of
	// structures are empty and interfaces get their simplest constructors,
	// and so on below. 3 if zero.
	MaxDepth int
}

// Filler fills values. It is safe for concurrent use.
type Filler struct {
	maxDepth int
	types    []reflect.Type
	layouts  map[reflect.Type]*layout
	impls    map[reflect.Type][]reflect.Type // interface -> implementations
	simple   map[reflect.Type][]reflect.Type // interface -> implementations of least cost
	cost     map[reflect.Type]int
}

// layout is what the filler knows of a struct type.
type layout struct {
	required  []int            // indexes of required fields, flags words excluded
	words     map[string]int   // flags word name -> field index
	wordOrder []string         // flags word names, in field order
	groups    []bitGroup       // optional fields, grouped by bit
	owned     map[string]int64 // flags word name -> bits owned by fields
}

// bitGroup is the fields behind one bit of a flags word.
type bitGroup struct {
	word   string
	bit    int
	fields []int
	trues  []bool
}

var fieldsType = reflect.TypeOf(bin.Fields(0))

const inf = math.MaxInt32

// New prepares a Filler for the types of cfg.
func New(cfg Config) *Filler {
	f := &Filler{
		maxDepth: cfg.MaxDepth,
		types:    cfg.Types,
		layouts:  map[reflect.Type]*layout{},
		impls:    map[reflect.Type][]reflect.Type{},
		simple:   map[reflect.Type][]reflect.Type{},
		cost:     map[reflect.Type]int{},
	}
	if f.maxDepth == 0 {
		f.maxDepth = 3
	}
	for _, t := range cfg.Types {
		f.walk(t, cfg.Flag)
	}
	f.computeCosts()
	for it, impls := range f.impls {
		best := inf
		for _, t := range impls {
			best = min(best, f.cost[t.Elem()])
		}
		for _, t := range impls {
			if f.cost[t.Elem()] == best {
				f.simple[it] = append(f.simple[it], t)
			}
		}
	}
	return f
}

// walk records the layout of every struct type reachable from t and the
// implementations of every interface.
func (f *Filler) walk(t reflect.Type, flag func(reflect.Type, string) (Flag, bool)) {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		f.walk(t.Elem(), flag)
	case reflect.Interface:
		if _, ok := f.impls[t]; ok {
			return
		}
		var impls []reflect.Type
		for _, c := range f.types {
			if c.Implements(t) {
				impls = append(impls, c)
			}
		}
		f.impls[t] = impls
	case reflect.Struct:
		if _, ok := f.layouts[t]; ok {
			return
		}
		l := &layout{words: map[string]int{}, owned: map[string]int64{}}
		f.layouts[t] = l
		groups := map[Flag]int{} // Word and Bit only -> index in l.groups
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			if !sf.IsExported() {
				continue
			}
			if sf.Type == fieldsType {
				l.words[sf.Name] = i
				l.wordOrder = append(l.wordOrder, sf.Name)
				continue
			}
			f.walk(sf.Type, flag)
			fl, ok := flag(t, sf.Name)
			if !ok {
				l.required = append(l.required, i)
				continue
			}
			key := Flag{Word: fl.Word, Bit: fl.Bit}
			gi, ok := groups[key]
			if !ok {
				gi = len(l.groups)
				groups[key] = gi
				l.groups = append(l.groups, bitGroup{word: fl.Word, bit: fl.Bit})
			}
			g := &l.groups[gi]
			g.fields = append(g.fields, i)
			g.trues = append(g.trues, fl.True)
			l.owned[fl.Word] |= 1 << fl.Bit
		}
		for _, g := range l.groups {
			if _, ok := l.words[g.word]; !ok {
				panic("tlrand: " + t.String() + " has no flags word " + g.word)
			}
		}
	}
}

// computeCosts finds, for every struct, the depth that its required fields
// need at least: the filler picks the cheapest constructors once past
// MaxDepth, so that filling ends.
func (f *Filler) computeCosts() {
	for t := range f.layouts {
		f.cost[t] = inf
	}
	for changed := true; changed; {
		changed = false
		for t, l := range f.layouts {
			c := 1
			for _, i := range l.required {
				c = max(c, sat(f.typeCost(t.Field(i).Type)+1))
			}
			if c < f.cost[t] {
				f.cost[t] = c
				changed = true
			}
		}
	}
}

func sat(c int) int { return min(c, inf) }

func (f *Filler) typeCost(t reflect.Type) int {
	switch t.Kind() {
	case reflect.Pointer:
		return f.typeCost(t.Elem())
	case reflect.Struct:
		return f.cost[t]
	case reflect.Interface:
		best := inf
		for _, c := range f.impls[t] {
			best = min(best, f.cost[c.Elem()])
		}
		return best
	}
	return 0 // primitives, arrays of bytes, slices (which may be empty)
}

// deep reports whether values of t hold structures, which depth bounds.
func deep(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Struct, reflect.Interface:
		return true
	case reflect.Slice:
		return deep(t.Elem())
	}
	return false
}

// Fill fills the struct that v points to.
func (f *Filler) Fill(r *rand.Rand, v any) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		panic("tlrand: Fill needs a pointer to a struct")
	}
	f.fillStruct(r, rv.Elem(), 0)
}

// Pick returns a new value of a random implementation of the interface
// type it, filled.
func (f *Filler) Pick(r *rand.Rand, it reflect.Type) reflect.Value {
	v := reflect.New(it).Elem()
	f.fill(r, v, 0)
	return v
}

func (f *Filler) fill(r *rand.Rand, v reflect.Value, depth int) {
	t := v.Type()
	if t == fieldsType {
		v.SetUint(uint64(r.Uint32()))
		return
	}
	switch t.Kind() {
	case reflect.Bool:
		v.SetBool(r.Intn(2) == 0)
	case reflect.Int, reflect.Int32:
		v.SetInt(int64(randInt32(r)))
	case reflect.Int64:
		v.SetInt(randInt64(r))
	case reflect.Uint32:
		v.SetUint(uint64(r.Uint32()))
	case reflect.Float64:
		v.SetFloat(randFloat(r))
	case reflect.String:
		v.SetString(randString(r))
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			f.fill(r, v.Index(i), depth)
		}
	case reflect.Uint8:
		v.SetUint(uint64(r.Intn(256)))
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			v.SetBytes(randBytes(r))
			return
		}
		n := r.Intn(4)
		if depth >= f.maxDepth && deep(t.Elem()) {
			n = 0
		}
		s := reflect.MakeSlice(t, n, n)
		for i := 0; i < n; i++ {
			f.fill(r, s.Index(i), depth)
		}
		v.Set(s)
	case reflect.Pointer:
		p := reflect.New(t.Elem())
		f.fill(r, p.Elem(), depth)
		v.Set(p)
	case reflect.Interface:
		impls := f.impls[t]
		if depth >= f.maxDepth {
			impls = f.simple[t]
		}
		if len(impls) == 0 {
			panic("tlrand: no implementation of " + t.String())
		}
		c := impls[r.Intn(len(impls))]
		p := reflect.New(c.Elem())
		f.fillStruct(r, p.Elem(), depth)
		v.Set(p)
	case reflect.Struct:
		f.fillStruct(r, v, depth)
	default:
		panic("tlrand: cannot fill " + t.String())
	}
}

func (f *Filler) fillStruct(r *rand.Rand, v reflect.Value, depth int) {
	l := f.layouts[v.Type()]
	if l == nil {
		panic("tlrand: unknown struct " + v.Type().String())
	}
	for _, i := range l.required {
		f.fill(r, v.Field(i), depth+1)
	}
	words := map[string]uint32{}
	for _, name := range l.wordOrder {
		// Bits no field owns, now and then: decoders must keep them.
		words[name] = r.Uint32() & r.Uint32() & r.Uint32() & r.Uint32() &^ uint32(l.owned[name])
	}
	for _, g := range l.groups {
		present := r.Intn(2) == 0
		if depth+1 >= f.maxDepth {
			for _, i := range g.fields {
				if deep(v.Type().Field(i).Type) {
					present = false
				}
			}
		}
		if !present {
			continue
		}
		words[g.word] |= 1 << g.bit
		for k, i := range g.fields {
			fv := v.Field(i)
			switch {
			case g.trues[k]:
				fv.SetBool(true)
			case !deep(fv.Type()) && r.Intn(4) == 0:
				// A present zero value: only the bit says it is there.
			default:
				f.fill(r, fv, depth+1)
			}
		}
	}
	for _, name := range l.wordOrder {
		v.Field(l.words[name]).SetUint(uint64(words[name]))
	}
}

var (
	interestingInt32 = []int32{0, 1, -1, 2, 0x7f, 0xff, 0x7fffffff, -0x80000000, 1 << 16}
	interestingInt64 = []int64{0, 1, -1, 1 << 32, math.MaxInt64, math.MinInt64, 1<<53 + 1}
	words            = []string{"", "a", "Dan", "Tès", "日本語", "tgraw", "\x00", "hello, world", "👍🏻"}
)

func randInt32(r *rand.Rand) int32 {
	if r.Intn(3) == 0 {
		return interestingInt32[r.Intn(len(interestingInt32))]
	}
	return int32(r.Uint32())
}

func randInt64(r *rand.Rand) int64 {
	if r.Intn(3) == 0 {
		return interestingInt64[r.Intn(len(interestingInt64))]
	}
	return int64(r.Uint64())
}

// randFloat never gives NaN, which no value equals.
func randFloat(r *rand.Rand) float64 {
	switch r.Intn(4) {
	case 0:
		return 0
	case 1:
		return math.Inf(1 - 2*r.Intn(2))
	}
	return (r.Float64() - 0.5) * math.Pow(10, float64(r.Intn(40)-20))
}

func randString(r *rand.Rand) string {
	switch r.Intn(8) {
	case 0:
		// Long enough for the 4-byte length form.
		b := make([]byte, 254+r.Intn(40))
		for i := range b {
			b[i] = byte('a' + r.Intn(26))
		}
		return string(b)
	case 1:
		return string(randBytes(r))
	}
	return words[r.Intn(len(words))]
}

func randBytes(r *rand.Rand) []byte {
	n := r.Intn(9)
	if n == 8 {
		n = 250 + r.Intn(10) // around the short-length limit
	}
	b := make([]byte, n)
	r.Read(b)
	return b
}
