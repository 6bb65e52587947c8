package sqlitestore

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/tgraw/tgraw/peer"
	"github.com/tgraw/tgraw/peer/storetest"
)

// Looking up a peer the file holds.
func BenchmarkPeerHit(b *testing.B) {
	ctx := context.Background()
	s := openTemp(b)
	for i := range int64(40) {
		if err := s.Put(ctx, storetest.ResponsePeers(1+i*250)...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	i := int64(0)
	for b.Loop() {
		// The users of the 40 batches: 200 from each 250 IDs.
		k := i % 8000
		key := peer.UserKey(1 + k/200*250 + k%200)
		i += 7
		if _, found, err := s.Peer(ctx, key); err != nil || !found {
			b.Fatalf("Peer(%v) = %v, %v", key, found, err)
		}
	}
}

// Looking up a peer by username.
func BenchmarkUsernameHit(b *testing.B) {
	ctx := context.Background()
	s := openTemp(b)
	for i := range int64(40) {
		if err := s.Put(ctx, storetest.ResponsePeers(1+i*250)...); err != nil {
			b.Fatal(err)
		}
	}
	names := make([]string, 1000)
	for i := range names {
		k := i * 7
		names[i] = fmt.Sprintf("user_%d", 1+k/200*250+k%200)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, _, found, err := s.Username(ctx, names[i%len(names)]); err != nil || !found {
			b.Fatalf("Username = %v, %v", found, err)
		}
		i++
	}
}

// Storing the peers of one response, 200 users and 50 chats, as new
// peers (the file grows by 250 peers each time).
func BenchmarkPut250New(b *testing.B) {
	ctx := context.Background()
	s := openTemp(b)
	b.ReportAllocs()
	base := int64(1)
	for b.Loop() {
		b.StopTimer()
		recs := storetest.ResponsePeers(base)
		base += 250
		b.StartTimer()
		if err := s.Put(ctx, recs...); err != nil {
			b.Fatal(err)
		}
	}
}

// Storing the same 250 peers again, as a client does when the same chats
// come back in every response.
func BenchmarkPut250Known(b *testing.B) {
	ctx := context.Background()
	s := openTemp(b)
	recs := storetest.ResponsePeers(1)
	if err := s.Put(ctx, recs...); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Put(ctx, recs...); err != nil {
			b.Fatal(err)
		}
	}
}

// Storing one peer, a transaction of its own.
func BenchmarkPut1(b *testing.B) {
	ctx := context.Background()
	s := openTemp(b)
	recs := storetest.ResponsePeers(1)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := s.Put(ctx, recs[i%len(recs)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// Writing and reading the peers.data object of a typical user, by hand
// and with encoding/json: why appendData writes it by hand.
func BenchmarkData(b *testing.B) {
	at := time.Unix(1_700_000_000, 0)
	s := peer.Stored{Record: peer.Record{
		Key: peer.UserKey(123456789), AccessHash: -123456789 * 7919, HasHash: true,
		Usernames: []string{"user_123456789"}, Title: "First123456789 Last123456789", UpdatedAt: at,
	}, UsernamesSeen: at}
	text := string(appendData(nil, &s))
	b.Run("Append", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			buf = appendData(buf[:0], &s)
			_ = string(buf)
		}
	})
	b.Run("Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			names, updated, seen := s.Usernames, s.UpdatedAt.UnixNano(), s.UsernamesSeen.UnixNano()
			out, err := json.Marshal(&data{
				Hash: s.AccessHash, HasHash: s.HasHash, Usernames: &names, NamesSeen: &seen,
				Title: s.Title, Updated: &updated,
			})
			if err != nil {
				b.Fatal(err)
			}
			_ = string(out)
		}
	})
	b.Run("Decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var got peer.Stored
			if err := decodeData(text, &got); err != nil {
				b.Fatal(err)
			}
		}
	})
}
