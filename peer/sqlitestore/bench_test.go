package sqlitestore

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/tgraw/tgraw/peer"
	"github.com/tgraw/tgraw/peer/storetest"
)

// Lookups by key and by username among 10,000 peers, and batches of
// 250 new and known peers, as storetest measures every store.
func BenchmarkStore(b *testing.B) {
	storetest.Benchmark(b, func(b *testing.B) peer.Store { return openTemp(b) })
}

// Storing the peers of one response, 200 users and 50 chats, as new
// peers (the file grows by 250 peers each time).
func BenchmarkPut250New(b *testing.B) { benchPutNew(b, storetest.ResponsePeers) }

// Storing the peers of one response as new peers, as Put250New, with the
// IDs scattered as Telegram's are: each batch's peers land all over the
// file rather than at its end.
func BenchmarkPut250NewScattered(b *testing.B) { benchPutNew(b, scatteredPeers) }

// benchPutNew stores batch(1), batch(251), batch(501), ...: 250 new peers
// each time. The batches are made before the timer starts: stopping and
// starting it around each one reads the memory statistics, which stops
// the world, twice a batch.
func benchPutNew(b *testing.B, batch func(base int64) []peer.Record) {
	ctx := context.Background()
	s := openTemp(b)
	batches := make([][]peer.Record, b.N)
	for i := range batches {
		batches[i] = batch(1 + int64(i)*250)
	}
	b.ReportAllocs()
	b.ResetTimer()
	var cpu cpuMeter
	for i := 0; i < b.N; i++ {
		cpu.start()
		if err := s.Put(ctx, batches[i]...); err != nil {
			b.Fatal(err)
		}
		cpu.stop()
		batches[i] = nil
	}
	cpu.report(b)
}

// scatteredPeers returns storetest.ResponsePeers(base) with every ID, and
// the usernames and phone numbers made from it, scattered over 39 bits.
func scatteredPeers(base int64) []peer.Record {
	recs := storetest.ResponsePeers(base)
	for i := range recs {
		r := &recs[i]
		id := r.Key.ID*2654435761%(1<<39) + 1
		r.Key.ID = id
		if r.Key.Kind == peer.KindUser {
			r.Usernames = []string{fmt.Sprintf("user_%d", id)}
			r.Phone = fmt.Sprintf("1%010d", id%10_000_000_000)
		} else {
			r.Usernames = []string{fmt.Sprintf("chan_%d", id)}
		}
	}
	return recs
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

// Filling the writer's known set from a file of 50,000 peers (200
// ResponsePeers batches), as a writer does at its first write and again,
// once due, after another process wrote the file. Reports the pages read
// and the bytes the set holds per peer.
func BenchmarkKnownFill(b *testing.B) {
	ctx := context.Background()
	s := openTemp(b)
	const batches = 200
	for i := range int64(batches) {
		if err := s.Put(ctx, storetest.ResponsePeers(1+i*250)...); err != nil {
			b.Fatal(err)
		}
	}
	var pages int64
	if err := s.ix.r.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		b.Fatal(err)
	}
	var kn known
	b.ReportAllocs()
	for b.Loop() {
		if err := fillKnown(ctx, s, &kn); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(pages), "pages")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(pages), "ns/page")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	kn = known{}
	if err := fillKnown(ctx, s, &kn); err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(batches*250), "set-B/peer")
	runtime.KeepAlive(kn.set.slots)
}
