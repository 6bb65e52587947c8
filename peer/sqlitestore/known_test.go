package sqlitestore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tgraw/tgraw/peer"
	"github.com/tgraw/tgraw/peer/storetest"
)

// fillKnown fills kn from s's file, in a transaction of s's writer.
func fillKnown(ctx context.Context, s *Store, kn *known) error {
	s.ix.wmu.Lock()
	defer s.ix.wmu.Unlock()
	c := s.ix.wc
	if err := c.exec(ctx, "BEGIN"); err != nil {
		return err
	}
	defer c.exec(ctx, "ROLLBACK")
	return kn.fill(ctx, c)
}

// loads returns how many of the queries counted read records for a Load.
func loads(queries []string) int {
	n := 0
	for _, q := range queries {
		if strings.Contains(q, "json_each") {
			n++
		}
	}
	return n
}

// putCounting puts recs and returns the Loads the batch sent to the file.
func putCounting(t *testing.T, s *Store, recs ...peer.Record) int {
	t.Helper()
	var err error
	countStatements(func() { err = s.Put(context.Background(), recs...) })
	if err != nil {
		t.Fatal(err)
	}
	counted.Lock()
	defer counted.Unlock()
	return loads(counted.queries)
}

// A batch of peers, usernames and phone numbers the file does not hold
// reads nothing from it; one that touches a stored peer, username or
// phone number reads what it touches, and merges with it.
func TestKnownSetSkipsLoad(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t, withCountedDriver(), WriteCache(0))
	if n := putCounting(t, s, storetest.ResponsePeers(1)...); n != 0 {
		t.Errorf("first batch into a new file: %d Loads, want 0", n)
	}
	if n := putCounting(t, s, storetest.ResponsePeers(1001)...); n != 0 {
		t.Errorf("a batch of new peers: %d Loads, want 0", n)
	}
	for _, tc := range []struct {
		name string
		rec  peer.Record
	}{
		{"stored key", peer.Record{Key: peer.UserKey(5), Title: "Renamed"}},
		{"stored username", peer.Record{Key: peer.UserKey(900_001), Usernames: []string{"user_7"}}},
		{"stored phone", peer.Record{Key: peer.UserKey(900_002), Phone: "15550000009"}},
	} {
		if n := putCounting(t, s, tc.rec); n != 1 {
			t.Errorf("%s: %d Loads, want 1", tc.name, n)
		}
	}
	// The merges saw the stored records.
	got, _, _ := s.Peer(ctx, peer.UserKey(5))
	if got.Title != "Renamed" || got.AccessHash != 5*7919 {
		t.Errorf("user 5 after a rename: %+v; want the stored hash kept", got)
	}
	got, _, _, _ = s.Username(ctx, "user_7")
	if got.Key != peer.UserKey(900_001) {
		t.Errorf("user_7 is held by %v, want the user it moved to", got.Key)
	}
	got, _, _ = s.Peer(ctx, peer.UserKey(7))
	if len(got.Usernames) != 0 {
		t.Errorf("user 7 still lists %v after its username moved", got.Usernames)
	}
	got, _, _ = s.Peer(ctx, peer.UserKey(9))
	if got.Phone != "" {
		t.Errorf("user 9 still holds %s after its phone number moved", got.Phone)
	}
	checkConsistent(t, s)
}

// After another connection commits, the writer does not trust its known
// set: the other's peers are read and merged, never inserted again, and
// the set is filled again with them.
func TestKnownSetAfterAnotherWriter(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shared.session")
	a := openAt(t, path, withCountedDriver(), WriteCache(0))
	b := openAt(t, path)
	if n := putCounting(t, a, storetest.ResponsePeers(1)...); n != 0 {
		t.Errorf("first batch: %d Loads, want 0", n)
	}
	// b stores peers a has never seen, a username of a's and a phone
	// number of a's.
	theirs := storetest.ResponsePeers(5001)
	theirs = append(theirs, peer.Record{Key: peer.UserKey(800_000), Usernames: []string{"user_3"}, Phone: "15550000004"})
	if err := b.Put(ctx, theirs...); err != nil {
		t.Fatal(err)
	}
	// a puts the same peers and more: it must find b's records.
	again := storetest.ResponsePeers(5001)
	for i := range again {
		again[i].Title = "Again " + again[i].Title
	}
	again = append(again, peer.Record{Key: peer.UserKey(800_001), Usernames: []string{"user_800000"}})
	if n := putCounting(t, a, again...); n != 1 {
		t.Errorf("a batch of another writer's peers: %d Loads, want 1", n)
	}
	for _, r := range storetest.ResponsePeers(5001) {
		got, found, err := a.Peer(ctx, r.Key)
		want, _, _ := b.Peer(ctx, r.Key)
		if err != nil || !found || got.AccessHash != want.AccessHash || got.HasHash != want.HasHash || got.Title != "Again "+r.Title {
			t.Fatalf("Peer(%v) = %+v, %v, %v; want b's record %+v renamed by a", r.Key, got, found, err, want)
		}
	}
	// With no other writer, the set is filled again once due: then
	// batches of new peers read nothing, and b's username and phone
	// number are known to be taken.
	var pages int64
	if err := a.ix.r.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	for i := int64(0); ; i++ {
		n := putCounting(t, a, storetest.ResponsePeers(10_001+i*250)...)
		if n == 0 {
			break
		}
		// The file, and the writes due, grow with the batches: a batch
		// adds fewer pages than fillPagesPerWrite, so the writes catch up.
		if i > pages {
			t.Fatalf("%d batches of new peers after another writer's, with the file at %d pages, and the set is not filled again", i+1, pages)
		}
	}
	if n := putCounting(t, a, peer.Record{Key: peer.UserKey(800_002), Phone: "15550000004"}); n != 1 {
		t.Errorf("another writer's phone number: %d Loads, want 1", n)
	}
	if got, _, _ := a.Phone(ctx, "15550000004"); got.Key != peer.UserKey(800_002) {
		t.Errorf("phone held by %v, want the last user that showed it", got.Key)
	}
	if got, _, _ := a.Peer(ctx, peer.UserKey(800_000)); got.Phone != "" {
		t.Errorf("b's user still holds %s", got.Phone)
	}
	checkConsistent(t, a)
}

// A stale set of a large file is filled again only after enough writes
// with no other writer between them to repay reading the file; every
// commit of another connection starts the count over.
func TestKnownSetFillsAfterStreak(t *testing.T) {
	var kn known
	const pages = 10 * fillPagesPerWrite
	for round := range 2 {
		for i := range pages / fillPagesPerWrite {
			if kn.due(pages) {
				t.Fatalf("round %d: due at write %d of a file of %d pages", round, i+1, pages)
			}
		}
		if round == 0 {
			kn.stale() // another connection committed
			continue
		}
		if !kn.due(pages) {
			t.Errorf("not due after %d writes", pages/fillPagesPerWrite+1)
		}
	}
	kn.stale()
	if !kn.due(fillPagesPerWrite - 1) {
		t.Error("a small file is not filled at the first write")
	}
}

// Whatever a writer does, its known set never rules out a key, username
// or phone number the file holds: a set built by the writer's own updates
// holds everything a fill from the file holds.
func TestKnownSetCoversFile(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t, WriteCache(0))
	rnd := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		var recs []peer.Record
		for range 1 + rnd.IntN(8) {
			id := 1 + rnd.Int64N(300)
			r := peer.Record{Key: peer.UserKey(id), AccessHash: id}
			if rnd.IntN(3) == 0 {
				r.Key = peer.ChannelKey(id)
			}
			if rnd.IntN(2) == 0 {
				r.Usernames = []string{fmt.Sprintf("name_%d", rnd.IntN(200))}
			}
			if rnd.IntN(3) == 0 && r.Key.Kind == peer.KindUser {
				r.Phone = fmt.Sprint(int64(15550000000) + rnd.Int64N(100))
			}
			recs = append(recs, r)
		}
		if err := s.Put(ctx, recs...); err != nil {
			t.Fatal(err)
		}
		if rnd.IntN(10) == 0 {
			if err := s.ForgetUsername(ctx, fmt.Sprintf("name_%d", rnd.IntN(200))); err != nil {
				t.Fatal(err)
			}
		}
	}
	kn := &s.ix.mirror.known
	if !kn.ok {
		t.Fatal("the writer's set is stale with no other writer")
	}
	var filled known
	if err := fillKnown(ctx, s, &filled); err != nil {
		t.Fatal(err)
	}
	if filled.set.n == 0 {
		t.Fatal("filled an empty set")
	}
	for _, fp := range filled.set.slots {
		if fp != 0 && !kn.set.has(fp) {
			t.Errorf("fingerprint %#x is in the file but not in the writer's set", fp)
		}
	}
	checkConsistent(t, s)
}

// The set holds what was added and nothing else, through its growth,
// whatever the fingerprints' bits (0 included), added one at a time or
// many at once.
func TestFingerprintSet(t *testing.T) {
	for _, tc := range []struct {
		name string
		add  func(f *fingerprints, fps []uint32)
	}{
		{name: "add", add: func(f *fingerprints, fps []uint32) {
			for _, fp := range fps {
				f.add(fp)
			}
		}},
		{name: "addAll", add: func(f *fingerprints, fps []uint32) {
			// In batches of a few hundred, as a writer adds them.
			for len(fps) > 0 {
				n := min(len(fps), 700)
				f.addAll(fps[:n])
				fps = fps[n:]
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var f fingerprints
			if f.has(7) {
				t.Error("an empty set holds 7")
			}
			rnd := rand.New(rand.NewPCG(3, 4))
			added := map[uint32]bool{0: true, 1: true, 0xffffffff: true}
			for range 5000 {
				added[rnd.Uint32()] = true
				added[rnd.Uint32()&0xff] = true
			}
			var fps []uint32
			for fp := range added {
				fps = append(fps, fp, fp)
			}
			tc.add(&f, fps)
			for fp := range added {
				if !f.has(fp) {
					t.Fatalf("%#x added, not held", fp)
				}
			}
			// 0 and 1 share a slot's value.
			if f.n != len(added)-1 {
				t.Errorf("%d fingerprints held, want %d", f.n, len(added)-1)
			}
			for range 5000 {
				fp := rnd.Uint32()
				if f.has(fp) != (added[fp] || fp == 0) {
					t.Fatalf("has(%#x) = %v, added %v", fp, f.has(fp), added[fp])
				}
			}
			if f.n*4 > len(f.slots)*3 {
				t.Errorf("%d of %d slots used: more than three quarters", f.n, len(f.slots))
			}
			f.clear()
			if f.n != 0 || f.has(1) {
				t.Error("a cleared set holds fingerprints")
			}
		})
	}
}

// filter keeps, in order, the keys, phone numbers and usernames the set
// may hold and drops the others; a stale set drops nothing.
func TestKnownFilter(t *testing.T) {
	var kn known
	kn.set.addAll([]uint32{
		fingerprintKey(peer.UserKey(1)), fingerprintKey(peer.ChannelKey(2)), fingerprintKey(peer.ChannelKey(7)),
		fingerprint(fpPhone, "15550001"), fingerprint(fpUsername, "held"), fingerprint(fpUsername, "also_held"),
	})
	for _, tc := range []struct {
		name string
		ok   bool
		want string
	}{
		{name: "right set", ok: true, want: "[[1] [] [2 7]] [15550001] [held also_held]"},
		{name: "stale set", ok: false, want: "[[1 2] [1] [2 3 7]] [15550002 15550001] [held 15550001 other also_held]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kn.ok = tc.ok
			ids := [3][]int64{{1, 2}, {1}, {2, 3, 7}}
			phones, names := kn.filter(&ids, []string{"15550002", "15550001"}, []string{"held", "15550001", "other", "also_held"})
			if got := fmt.Sprint(ids, phones, names); got != tc.want {
				t.Errorf("filter = %s; want %s", got, tc.want)
			}
		})
	}
}

// Adding the 700 fingerprints of a batch of 250 new peers to the set of a
// file of 50,000 or 250,000 such peers, with the processor's caches
// filled by other work between batches, as SQLite's fills them: one at a
// time, and all at once (addAll, which reads their first slots before
// any search).
func BenchmarkFingerprintsAdd(b *testing.B) {
	for _, peers := range []int{50_000, 250_000} {
		for _, all := range []bool{false, true} {
			b.Run(fmt.Sprintf("peers=%d/addAll=%v", peers, all), func(b *testing.B) {
				rnd := rand.New(rand.NewPCG(1, 2))
				fill := make([]uint32, 3*peers)
				for i := range fill {
					fill[i] = rnd.Uint32()
				}
				var f fingerprints
				f.addAll(fill)
				batch := make([]uint32, 700)
				other := make([]byte, 8<<20)
				for b.Loop() {
					b.StopTimer()
					if f.n > 3*peers+50_000 {
						f.clear()
						f.addAll(fill)
					}
					for i := range batch {
						batch[i] = rnd.Uint32()
					}
					for i := 0; i < len(other); i += 64 {
						other[i]++
					}
					b.StartTimer()
					if all {
						f.addAll(batch)
					} else {
						for _, fp := range batch {
							f.add(fp)
						}
					}
				}
			})
		}
	}
}

// Fingerprints are fixed, and a key, a username and a phone number of the
// same bytes do not share one.
func TestFingerprints(t *testing.T) {
	k := peer.UserKey(42)
	if fingerprintKey(k) != fingerprintKey(peer.UserKey(42)) || fingerprintKey(k) == fingerprintKey(peer.ChatKey(42)) {
		t.Error("key fingerprints are not fixed, or ignore the kind")
	}
	if fingerprint(fpUsername, "abc") != fingerprint(fpUsername, []byte("abc")) {
		t.Error("a string and its bytes differ")
	}
	if fingerprint(fpUsername, "15550001") == fingerprint(fpPhone, "15550001") {
		t.Error("a username and a phone number of the same text share a fingerprint")
	}
	// A fixed function: the same value every run, in every process
	// (FNV-1a of "u" "durov", 64 bits folded to 32, computed apart).
	if got, want := fingerprint(fpUsername, "durov"), uint32(0xd989775a); got != want {
		t.Errorf(`fingerprint(fpUsername, "durov") = %#x; want %#x`, got, want)
	}
}
