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
