package gen

// decideSlabs computes Class.Slab: of a class of several constructors, the
// one with the most fields, the first in schema order among equals. That
// is the full form beside the empty, forbidden and min forms (message
// beside messageEmpty and messageService, user beside userEmpty, channel
// beside chat and chatForbidden), the one a vector of the class is most
// likely made of and the largest to allocate one by one.
func decideSlabs(m *Model) {
	for _, c := range m.Classes {
		if c.Interface == "" || len(c.Constructors) < 2 {
			continue
		}
		for _, d := range c.Constructors {
			if c.Slab == nil || len(d.Fields) > len(c.Slab.Fields) {
				c.Slab = d
			}
		}
	}
}

// decidePlain computes Def.Plain: a definition with fields, each a number,
// a bool, a flags word or a Plain struct held by value. Its values hold no
// pointers, so the decoder can hand them out from chunks that the garbage
// collector does not scan: a message's peers and text entities cost a
// share of a few allocations instead of one each.
func decidePlain(m *Model) {
	for _, d := range m.Defs {
		d.Plain = plain(d)
	}
}

// plain reports whether d is Plain: it has fields (a struct of none takes
// no memory, and there is nothing to hand out) and none holds a pointer.
func plain(d *Def) bool {
	return len(d.Fields) > 0 && !holdsPointers(d)
}

// holdsPointers reports whether d's struct holds a pointer. Structs held
// by value cannot hold themselves (see markRecursive), so the recursion
// ends.
func holdsPointers(d *Def) bool {
	for _, f := range d.Fields {
		switch f.Type.Kind {
		case KindInt, KindLong, KindDouble, KindInt128, KindInt256, KindBool, KindTrue, KindFlags:
		case KindStruct:
			if f.Type.Ptr || holdsPointers(f.Type.Def) {
				return true
			}
		default:
			return true
		}
	}
	return false
}
