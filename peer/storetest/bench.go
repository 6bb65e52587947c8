package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/tgraw/tgraw/peer"
)

// ResponsePeers returns the peers of a typical large response, 200 users
// (each with a username and a phone number) and 50 chats and channels
// (each with a username), with IDs starting at base.
func ResponsePeers(base int64) []peer.Record {
	recs := make([]peer.Record, 0, 250)
	for i := range int64(200) {
		id := base + i
		recs = append(recs, peer.Record{
			Key: peer.UserKey(id), AccessHash: id * 7919, HasHash: true,
			Usernames: []string{fmt.Sprintf("user_%d", id)}, Phone: fmt.Sprintf("1555%07d", id%10_000_000),
			Title: fmt.Sprintf("First%d Last%d", id, id),
		})
	}
	for i := range int64(50) {
		id := base + i
		key := peer.ChannelKey(id)
		if i%5 == 0 {
			key = peer.ChatKey(id)
		}
		recs = append(recs, peer.Record{
			Key: key, AccessHash: id * 104729, HasHash: key.Kind == peer.KindChannel, Broadcast: i%2 == 0,
			Usernames: []string{fmt.Sprintf("chan_%d", id)}, Title: fmt.Sprintf("Channel %d", id),
		})
	}
	return recs
}

// benchBatches is the number of ResponsePeers batches the lookup
// benchmarks fill a store with: 10,000 peers, 8,000 of them users.
const benchBatches = 40

// Benchmark measures what a client asks of its store most, the same way
// for every store, so that stores can be compared side by side:
//
//   - PeerByKey, Username: a lookup of a user among the 10,000 peers of
//     40 ResponsePeers batches, in a scattered order, each user looked up
//     once before the timer starts (what a store keeps in memory is warm);
//   - Put250New: storing a ResponsePeers batch of peers the store does not
//     hold yet;
//   - Put250Known: storing the same batch again, as a client does when the
//     same chats come back in every response.
//
// open must return a new, empty store for each call; it may register
// cleanups on b.
func Benchmark(b *testing.B, open func(b *testing.B) peer.Store) {
	ctx := context.Background()
	// users lists the keys and usernames of the users of the filled store,
	// scattered.
	users := func() ([]peer.Key, []string) {
		const n = benchBatches * 200
		keys, names := make([]peer.Key, 0, n), make([]string, 0, n)
		for i := range int64(n) {
			k := i * 7919 % n
			id := 1 + k/200*250 + k%200
			keys, names = append(keys, peer.UserKey(id)), append(names, fmt.Sprintf("user_%d", id))
		}
		return keys, names
	}
	filled := func(b *testing.B) peer.Store {
		s := open(b)
		for i := range int64(benchBatches) {
			if err := s.Put(ctx, ResponsePeers(1+i*250)...); err != nil {
				b.Fatal(err)
			}
		}
		return s
	}
	// lookups times look(i) for i from 0, after look of every user.
	lookups := func(b *testing.B, look func(s peer.Store, i int) error) {
		s := filled(b)
		for i := range benchBatches * 200 {
			if err := look(s, i); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if err := look(s, i); err != nil {
				b.Fatal(err)
			}
			i++
		}
	}
	keys, names := users()
	b.Run("PeerByKey", func(b *testing.B) {
		lookups(b, func(s peer.Store, i int) error {
			k := keys[i%len(keys)]
			if _, found, err := s.Peer(ctx, k); err != nil || !found {
				return fmt.Errorf("Peer(%v) = %v, %v", k, found, err)
			}
			return nil
		})
	})
	b.Run("Username", func(b *testing.B) {
		lookups(b, func(s peer.Store, i int) error {
			u := names[i%len(names)]
			if _, _, found, err := s.Username(ctx, u); err != nil || !found {
				return fmt.Errorf("Username(%q) = %v, %v", u, found, err)
			}
			return nil
		})
	})
	b.Run("Put250New", func(b *testing.B) {
		s := open(b)
		// The batches are made before the timer starts: stopping and
		// starting it around each one would stop the world twice a
		// batch to read the memory statistics.
		batches := make([][]peer.Record, b.N)
		for i := range batches {
			batches[i] = ResponsePeers(1 + int64(i)*250)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := s.Put(ctx, batches[i]...); err != nil {
				b.Fatal(err)
			}
			batches[i] = nil
		}
	})
	b.Run("Put250Known", func(b *testing.B) {
		s := open(b)
		recs := ResponsePeers(1)
		if err := s.Put(ctx, recs...); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if err := s.Put(ctx, recs...); err != nil {
				b.Fatal(err)
			}
		}
	})
}
