package gen

import "math"

// The wire sizes of the kinds whose encoding does not depend on the
// schema. A string or bytes takes at least four bytes: an empty one is a
// length byte and three of padding. Bool is boxed: a constructor ID. A
// flag of type true takes no bytes of its own.
var kindMinSize = map[Kind]int{
	KindInt: 4, KindLong: 8, KindDouble: 8, KindString: 4, KindBytes: 4,
	KindInt128: 16, KindInt256: 32, KindBool: 4, KindTrue: 0, KindFlags: 4,
	KindObject: 4, // at least a constructor ID
}

// noEncoding is the MinSize of a definition that has no finite encoding:
// one that requires a value of its own type. No valid input holds one, so
// a vector of it may only be empty.
const noEncoding = math.MaxInt32

// MinSize is the number of bytes of the smallest encoding of a value of
// type t: what every element of a vector of t takes at least, so that a
// decoder can refuse a count the input cannot hold and preallocate no more
// than the input can fill.
func (t *Type) MinSize() int {
	switch t.Kind {
	case KindVector:
		if t.Bare {
			return 4 // a count
		}
		return 8 // the vector ID and a count
	case KindClass:
		return t.Class.MinSize
	case KindStruct:
		if t.Bare {
			return t.Def.MinSize
		}
		return satAdd(4, t.Def.MinSize)
	}
	return kindMinSize[t.Kind]
}

// decideMinSizes computes Def.MinSize and Class.MinSize. Types refer to
// each other in cycles (RichText holds vectors of RichText), so the sizes
// start unknown (noEncoding) and shrink until nothing changes; each round
// lowers at least one size or ends, and the sizes are bounded below by 0.
func decideMinSizes(m *Model) {
	for _, d := range m.Defs {
		d.MinSize = noEncoding
	}
	for _, c := range m.Classes {
		c.MinSize = noEncoding
	}
	for changed := true; changed; {
		changed = false
		for _, d := range m.Defs {
			size := 0
			for _, f := range d.Fields {
				if f.Flag == nil {
					size = satAdd(size, f.Type.MinSize())
				}
			}
			if size < d.MinSize {
				d.MinSize, changed = size, true
			}
		}
		for _, c := range m.Classes {
			for _, d := range c.Constructors {
				if size := satAdd(4, d.MinSize); size < c.MinSize {
					c.MinSize, changed = size, true
				}
			}
		}
	}
}

// satAdd adds two sizes, staying at noEncoding once there.
func satAdd(a, b int) int {
	if a >= noEncoding || b >= noEncoding || a+b >= noEncoding {
		return noEncoding
	}
	return a + b
}

// SharesInput reports whether a decoded value of type t can hold strings
// or bytes, which share the decoder's chunks (see Def.SharesInput).
func (t *Type) SharesInput() bool {
	switch t.Kind {
	case KindString, KindBytes, KindObject:
		return true
	case KindVector:
		return t.Elem.SharesInput()
	case KindClass:
		return t.Class.SharesInput
	case KindStruct:
		return t.Def.SharesInput
	}
	return false
}

// decideSharesInput computes Def.SharesInput and Class.SharesInput: from
// nothing, a definition shares the input once one of its fields can, until
// nothing changes (types hold each other in cycles).
func decideSharesInput(m *Model) {
	for changed := true; changed; {
		changed = false
		for _, d := range m.Defs {
			for _, f := range d.Fields {
				if !d.SharesInput && f.Type.SharesInput() {
					d.SharesInput, changed = true, true
				}
			}
			if c := d.Class; c != nil && d.SharesInput && !c.SharesInput {
				c.SharesInput, changed = true, true
			}
		}
	}
}
