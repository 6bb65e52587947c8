//go:build gotdlayer

package oracle_test

import (
	"bytes"
	"testing"

	"github.com/gotd/td/bin"
	gotd "github.com/gotd/td/tg"

	"github.com/tgraw/tgraw/internal/sample"
	"github.com/tgraw/tgraw/tg"
)

// The benchmarks run tg and gotd's tg side by side on the same bytes:
//
//	go test -run '^$' -bench . ./internal/oracle

// sampleBytes is the encoding of sample.ChannelMessages.
func sampleBytes(tb testing.TB) []byte {
	var b bin.Buffer
	if err := sample.ChannelMessages().Encode(&b); err != nil {
		tb.Fatal(err)
	}
	return b.Buf
}

// decoder is a fresh value to decode into.
type decoder func() bin.Decoder

var impls = []struct {
	name     string
	messages decoder
	peer     func() bin.Encoder
}{
	{"tgraw", func() bin.Decoder { return &tg.MessagesChannelMessages{} },
		func() bin.Encoder {
			return &tg.InputPeerChannel{ChannelID: 1_500_000_001, AccessHash: -4_000_000_000_000}
		}},
	{"gotd", func() bin.Decoder { return &gotd.MessagesChannelMessages{} },
		func() bin.Encoder {
			return &gotd.InputPeerChannel{ChannelID: 1_500_000_001, AccessHash: -4_000_000_000_000}
		}},
}

// TestSampleBytes checks that both packages read and write the benchmark's
// bytes alike.
func TestSampleBytes(t *testing.T) {
	data := sampleBytes(t)
	for _, impl := range impls {
		m := impl.messages()
		if err := m.Decode(&bin.Buffer{Buf: data}); err != nil {
			t.Fatalf("%s: %v", impl.name, err)
		}
		var b bin.Buffer
		if err := m.(bin.Encoder).Encode(&b); err != nil {
			t.Fatalf("%s: %v", impl.name, err)
		}
		if !bytes.Equal(b.Buf, data) {
			t.Errorf("%s: re-encoding differs", impl.name)
		}
	}
}

func BenchmarkDecodeMessages(b *testing.B) {
	data := sampleBytes(b)
	for _, impl := range impls {
		b.Run(impl.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if err := impl.messages().Decode(&bin.Buffer{Buf: data}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEncodeMessages(b *testing.B) {
	data := sampleBytes(b)
	for _, impl := range impls {
		b.Run(impl.name, func(b *testing.B) {
			m := impl.messages()
			if err := m.Decode(&bin.Buffer{Buf: data}); err != nil {
				b.Fatal(err)
			}
			enc := m.(bin.Encoder)
			var buf bin.Buffer
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				if err := enc.Encode(&buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEncodeInputPeerChannel(b *testing.B) {
	for _, impl := range impls {
		b.Run(impl.name, func(b *testing.B) {
			p := impl.peer()
			var buf bin.Buffer
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				if err := p.Encode(&buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
