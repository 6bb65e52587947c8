package tg_test

import (
	"testing"

	"github.com/gotd/td/bin"

	"github.com/tgraw/tgraw/internal/sample"
	"github.com/tgraw/tgraw/tg"
)

func BenchmarkEncodeMessages(b *testing.B) {
	m := sample.Messages()
	var buf bin.Buffer
	if err := m.Encode(&buf); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := m.Encode(&buf); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeMessages(b *testing.B) {
	var buf bin.Buffer
	if err := sample.Messages().Encode(&buf); err != nil {
		b.Fatal(err)
	}
	data := buf.Buf
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var m tg.MessagesMessages
		if err := m.Decode(&bin.Buffer{Buf: data}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeInputPeerChannel(b *testing.B) {
	p := &tg.InputPeerChannel{ChannelID: 1_500_000_001, AccessHash: -4_000_000_000_000}
	var buf bin.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := p.Encode(&buf); err != nil {
			b.Fatal(err)
		}
	}
}

// TestSampleMessages keeps the benchmark's value honest: it round-trips.
func TestSampleMessages(t *testing.T) {
	in := loadInfo(t)
	m := sample.Messages()
	data := encode(t, m)
	if err := checkRoundTrip(in, m.TypeID(), data, sample.Messages()); err != nil {
		t.Fatal(err)
	}
	if len(m.Messages) != 100 || len(m.Users) != 100 {
		t.Fatalf("%d messages, %d users", len(m.Messages), len(m.Users))
	}
}
