package sqlitestore

import (
	"context"
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

// The mirror keeps no record a batch added, and forgets what it knew of
// their usernames and phone numbers, even the absence of a holder it
// learnt in the same batch: a later batch reads them from the file, and
// a phone number shown by a second new user leaves the first.
func TestMirrorLeavesOutAddedRecords(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	first := peer.Record{Key: peer.UserKey(1), Usernames: []string{"first"}, Phone: "15550001"}
	if err := s.Put(ctx, first); err != nil {
		t.Fatal(err)
	}
	m := s.ix.mirror
	if _, ok := m.peers[first.Key]; ok {
		t.Error("the mirror holds a record the batch added")
	}
	if o, ok := m.names["first"]; ok {
		t.Errorf("the mirror says %v owns a username of an added record", o)
	}
	if h, ok := m.phones["15550001"]; ok {
		t.Errorf("the mirror says %v holds a phone number of an added record", h)
	}
	second := peer.Record{Key: peer.UserKey(2), Phone: "15550001", Usernames: []string{"first"}}
	if err := s.Put(ctx, second); err != nil {
		t.Fatal(err)
	}
	got, _, _ := s.Peer(ctx, first.Key)
	if got.Phone != "" || len(got.Usernames) != 0 {
		t.Errorf("the first user keeps %q and %v after a second new user showed them", got.Phone, got.Usernames)
	}
	if got, _, _ := s.Phone(ctx, "15550001"); got.Key != second.Key {
		t.Errorf("phone held by %v, want %v", got.Key, second.Key)
	}
	// Read back and updated, a record is kept.
	if _, ok := m.peers[first.Key]; !ok {
		t.Error("the mirror does not hold a record the batch read and updated")
	}
	checkConsistent(t, s)
}
