package sqlitestore

import (
	"strconv"
	"testing"

	"github.com/tgraw/tgraw/peer"
)

// A mirror that starts over keeps the room its maps grew to: refilling its
// username and phone maps allocates nothing. (The records map is not
// counted: the runtime keeps an element as large as peer.Stored out of
// line, one allocation per insert whatever the map's room.)
func TestMirrorResetKeepsRoom(t *testing.T) {
	const n = 1000
	m := newMirror(n)
	names := make([]string, n)
	for i := range names {
		names[i] = "user_" + strconv.Itoa(i)
	}
	fill := func() {
		for i := range n {
			k := peer.UserKey(int64(i + 1))
			m.names[names[i]] = k
			m.phones[names[i]] = k
		}
	}
	fill()
	for i := range n {
		k := peer.UserKey(int64(i + 1))
		m.peers[k] = peer.Stored{Record: peer.Record{Key: k}}
	}
	allocs := testing.AllocsPerRun(10, func() {
		m.reset()
		fill()
	})
	if allocs != 0 {
		t.Errorf("refilling a mirror of %d records after reset: %v allocations; want 0", n, allocs)
	}
	if len(m.peers) != 0 || len(m.names) != n || len(m.phones) != n {
		t.Errorf("after refilling: %d peers, %d names, %d phones; want 0, %d, %d", len(m.peers), len(m.names), len(m.phones), n, n)
	}
	m.reset()
	if len(m.peers) != 0 || len(m.names) != 0 || len(m.phones) != 0 || m.valid {
		t.Errorf("after reset: %d peers, %d names, %d phones, valid %v; want an empty, invalid mirror", len(m.peers), len(m.names), len(m.phones), m.valid)
	}
}
