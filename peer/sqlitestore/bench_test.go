package sqlitestore

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/tgraw/tgraw/peer"
)

// responsePeers returns the peers of a typical large response, 200 users
// and 50 chats and channels, with IDs starting at base.
func responsePeers(base int64) []peer.Record {
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

// Looking up a peer the file holds.
func BenchmarkPeerHit(b *testing.B) {
	ctx := context.Background()
	s := openTemp(b)
	for i := range int64(40) {
		if err := s.Put(ctx, responsePeers(1+i*250)...); err != nil {
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
		if err := s.Put(ctx, responsePeers(1+i*250)...); err != nil {
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
	var cpu cpuMeter
	base := int64(1)
	for b.Loop() {
		b.StopTimer()
		recs := responsePeers(base)
		base += 250
		b.StartTimer()
		cpu.start()
		if err := s.Put(ctx, recs...); err != nil {
			b.Fatal(err)
		}
		cpu.stop()
	}
	cpu.report(b)
}

// Storing the same 250 peers again, as a client does when the same chats
// come back in every response.
func BenchmarkPut250Known(b *testing.B) {
	ctx := context.Background()
	s := openTemp(b)
	recs := responsePeers(1)
	if err := s.Put(ctx, recs...); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var cpu cpuMeter
	for b.Loop() {
		cpu.start()
		if err := s.Put(ctx, recs...); err != nil {
			b.Fatal(err)
		}
		cpu.stop()
	}
	cpu.report(b)
}

// cpuMeter adds up the process's CPU time over the parts of a benchmark
// it is started and stopped around, and reports it per operation as
// cpu-ns/op: on a shared machine, whose load stretches the wall time, it
// follows the work done far more closely.
type cpuMeter struct {
	total, at time.Duration
	ok        bool
}

func (m *cpuMeter) start() { m.at, m.ok = processCPU() }

func (m *cpuMeter) stop() {
	if now, ok := processCPU(); ok && m.ok {
		m.total += now - m.at
	}
}

func (m *cpuMeter) report(b *testing.B) {
	if m.ok {
		b.ReportMetric(float64(m.total.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// Storing one peer, a transaction of its own.
func BenchmarkPut1(b *testing.B) {
	ctx := context.Background()
	s := openTemp(b)
	recs := responsePeers(1)
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
