package tg_test

import (
	"testing"

	"github.com/gotd/td/bin"

	"github.com/tgraw/tgraw/internal/sample"
	"github.com/tgraw/tgraw/tg"
)

func BenchmarkEncodeMessages(b *testing.B) {
	m := sample.ChannelMessages()
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
	if err := sample.ChannelMessages().Encode(&buf); err != nil {
		b.Fatal(err)
	}
	data := buf.Buf
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var m tg.MessagesChannelMessages
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
	m := sample.ChannelMessages()
	data := encode(t, m)
	if err := checkRoundTrip(in, m.TypeID(), data, sample.ChannelMessages()); err != nil {
		t.Fatal(err)
	}
	if len(m.Messages) != 100 || len(m.Users) != 50 || len(m.Chats) != 20 {
		t.Fatalf("%d messages, %d users, %d chats", len(m.Messages), len(m.Users), len(m.Chats))
	}
	t.Logf("%d bytes", len(data))
}
