package gen

import (
	"go/token"
	"go/types"
	"regexp"
	"strconv"
)

// bit returns the FlagBit of bit n of the flags word w, made on first use.
func (w *Field) bit(n int) *FlagBit {
	for _, fb := range w.Bits {
		if fb.Bit == n {
			return fb
		}
	}
	fb := &FlagBit{Word: w, Bit: n}
	w.Bits = append(w.Bits, fb)
	return fb
}

// decideRepresentation makes the decisions about d that follow from its
// fields' types: which structs are held by pointer, the Go spelling of
// every type, how each optional field is known to be present, which bits
// the fields decide alone, the names of presence methods and of the
// encoder's locals, and whether d nests.
func decideRepresentation(d *Def) {
	for _, f := range d.Fields {
		t := f.Type
		t.Ptr = t.Kind == KindStruct && (f.Flag != nil || t.Recursive)
		spell(t)
		switch {
		case f.Flag == nil:
			f.Presence = Always
		case t.Kind == KindTrue || t.Kind == KindClass || t.Kind == KindObject || t.Ptr:
			f.Presence = IfSet
		default:
			f.Presence = IfNotZero
		}
		if t.Nests() {
			d.Nests = true
		}
	}
	for _, f := range d.Fields {
		for _, fb := range f.Bits {
			fb.Derived = true
			for _, owner := range fb.Fields {
				if owner.Presence != IfSet {
					fb.Derived = false
				}
			}
		}
	}
	for f, local := range flagsLocals(d) {
		f.Local = local
	}
	namePresenceMethods(d)
	if r := d.Result; r != nil {
		r.Ptr = r.Kind == KindStruct && !r.Bare
		spell(r)
	}
}

// namePresenceMethods names the HasX, SetX and ClearX methods of each
// IfNotZero field of d. A struct's fields and methods share one name
// space, so a set of names that a field, a fixed method or an earlier set
// takes is numbered: HasX2, SetX2, ClearX2.
func namePresenceMethods(d *Def) {
	taken := map[string]bool{}
	for name := range methodNames {
		taken[name] = true
	}
	for _, f := range d.Fields {
		taken[f.GoName] = true
	}
	for _, f := range d.Fields {
		if f.Presence != IfNotZero {
			continue
		}
		for n := 1; ; n++ {
			sfx := ""
			if n > 1 {
				sfx = strconv.Itoa(n)
			}
			m := &PresenceMethods{Has: "Has" + f.GoName + sfx, Set: "Set" + f.GoName + sfx, Clear: "Clear" + f.GoName + sfx}
			if taken[m.Has] || taken[m.Set] || taken[m.Clear] {
				continue
			}
			taken[m.Has], taken[m.Set], taken[m.Clear] = true, true, true
			f.Methods = m
			break
		}
	}
}

// encodeNames are the identifiers an encoder's body refers to besides
// Go's predeclared ones: a flags word's local copy must not shadow them.
var encodeNames = map[string]bool{"b": true, "m": true, "w": true, "err": true, "bin": true, "tlrt": true, "binary": true, "math": true}

// flagsLocals names the local copy of each flags word of d in the
// encoder: the word's Go name in lower case ("flags", "flags2"), with
// "Word" added when that is a keyword, a predeclared name, a name the body
// uses or a loop index ("type", "len", "b", "i1" give "typeWord",
// "lenWord"...).
func flagsLocals(d *Def) map[*Field]string {
	out := map[*Field]string{}
	taken := map[string]bool{}
	for _, fd := range d.Fields {
		if fd.Type.Kind != KindFlags {
			continue
		}
		base := lowerFirst(fd.GoName)
		name := base
		for n := 1; token.IsKeyword(name) || types.Universe.Lookup(name) != nil ||
			encodeNames[name] || loopIndexRE.MatchString(name) || taken[name]; n++ {
			name = base + "Word"
			if n > 1 {
				name += strconv.Itoa(n)
			}
		}
		taken[name] = true
		out[fd] = name
	}
	return out
}

// loopIndexRE matches the loop indexes of the encoder: i, i1, i2...
var loopIndexRE = regexp.MustCompile(`^i[0-9]*$`)
