package mtproto

import "slices"

// window keeps the highest msg_ids received, up to windowSize, to refuse
// a message received twice, or one older than all of them (which cannot
// be told apart from one received twice).
type window struct {
	ids []int64 // sorted
}

// check reports why id must be refused, or "" if it is new; a new id is
// recorded.
func (w *window) check(id int64) string {
	i, found := slices.BinarySearch(w.ids, id)
	if found {
		return "msg_id received before"
	}
	if len(w.ids) == windowSize {
		if i == 0 {
			return "msg_id older than the last 512 received"
		}
		w.ids = slices.Insert(w.ids[1:], i-1, id)
		return ""
	}
	w.ids = slices.Insert(w.ids, i, id)
	return ""
}
