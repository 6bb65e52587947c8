package tlrttest

import (
	"fmt"
	"reflect"

	"github.com/gotd/td/bin"
)

// filler sets every field of a value to something that is not zero, down
// to a depth; below it, it fills only what a valid value needs (a required
// interface field cannot be nil) and picks the simplest constructors.
// Flags words are left to the encoder, which sets the bits of the fields
// it sends.
type filler struct {
	n     int
	types []reflect.Type                  // *T of every ID
	impls map[reflect.Type][]reflect.Type // interface -> *T implementing it
	turn  map[reflect.Type]int            // interface -> next implementation to use
	path  map[reflect.Type]bool           // struct types being filled
}

const (
	fullDepth = 3  // depth to which everything is filled
	ptrDepth  = 8  // depth to which optional structs are filled
	maxDepth  = 60 // a schema with no way down to a leaf stops here
)

var fieldsType = reflect.TypeOf(bin.Fields(0))

func newFiller(p Package) *filler {
	f := &filler{impls: map[reflect.Type][]reflect.Type{}, turn: map[reflect.Type]int{}, path: map[reflect.Type]bool{}}
	for _, id := range p.IDs {
		if v := p.New(id); v != nil {
			f.types = append(f.types, reflect.TypeOf(v))
		}
	}
	return f
}

// weight counts the fields of struct type t that lead further down.
func weight(t reflect.Type) int {
	w := 0
	for i := range t.NumField() {
		switch t.Field(i).Type.Kind() {
		case reflect.Interface, reflect.Pointer, reflect.Struct:
			w++
		}
	}
	return w
}

// pick chooses a type implementing the interface it: in turn above
// fullDepth, the one that leads least further down below it.
func (f *filler) pick(it reflect.Type, depth int) reflect.Type {
	impls, ok := f.impls[it]
	if !ok {
		for _, t := range f.types {
			if t.Implements(it) {
				impls = append(impls, t)
			}
		}
		f.impls[it] = impls
	}
	if len(impls) == 0 {
		panic(fmt.Sprintf("tlrttest: no type of the package implements %v", it))
	}
	if depth < fullDepth {
		i := f.turn[it] % len(impls)
		f.turn[it]++
		return impls[i]
	}
	best := impls[0]
	for _, t := range impls[1:] {
		if weight(t.Elem()) < weight(best.Elem()) {
			best = t
		}
	}
	return best
}

func (f *filler) fill(v reflect.Value, depth int) {
	if depth > maxDepth {
		panic(fmt.Sprintf("tlrttest: filling %v: deeper than %d", v.Type(), maxDepth))
	}
	f.n++
	n := f.n
	full := depth < fullDepth
	switch v.Kind() {
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int32:
		v.SetInt(int64(n%1000 + 1))
	case reflect.Int64:
		v.SetInt(int64(n)<<33 | 7)
	case reflect.Float64:
		v.SetFloat(float64(n) + 0.25)
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d", n))
	case reflect.Uint32:
		// bin.Fields: the encoder sets the bits of the fields it sends.
		if v.Type() != fieldsType {
			v.SetUint(uint64(n))
		}
	case reflect.Array:
		for i := range v.Len() {
			v.Index(i).SetUint(uint64(n + i))
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			v.SetBytes([]byte{byte(n), 0, 0xff})
			return
		}
		if !full {
			return
		}
		s := reflect.MakeSlice(v.Type(), 1, 1)
		f.fill(s.Index(0), depth+1)
		v.Set(s)
	case reflect.Pointer:
		// An optional struct may share its flag bit with a value filled
		// here, so it is filled deeper than the rest, but never inside
		// itself.
		if depth >= ptrDepth || f.path[v.Type().Elem()] {
			return
		}
		p := reflect.New(v.Type().Elem())
		f.fill(p.Elem(), depth+1)
		v.Set(p)
	case reflect.Interface:
		t := f.pick(v.Type(), depth)
		p := reflect.New(t.Elem())
		f.fill(p.Elem(), depth+1)
		v.Set(p)
	case reflect.Struct:
		f.path[v.Type()] = true
		defer delete(f.path, v.Type())
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				f.fill(v.Field(i), depth)
			}
		}
	default:
		panic(fmt.Sprintf("tlrttest: cannot fill %v", v.Type()))
	}
}
