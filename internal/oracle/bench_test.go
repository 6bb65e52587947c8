//go:build gotdlayer

package oracle_test

import (
	"bytes"
	"testing"

	"github.com/gotd/td/bin"
	gotd "github.com/gotd/td/tg"

	"github.com/tgraw/tgraw/gen"
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

// encoded is the encoding of a value of the definition id.
type encoded struct {
	id   uint32
	data []byte
}

// everyID is the gotd encoding of one random value of every constructor
// and function both packages read alike, but for the invokeWith...
// wrappers, which gotd cannot decode (it has no type for their query).
func everyID(b *testing.B) []encoded {
	o := loadOracle(b)
	var out []encoded
next:
	for _, id := range o.ids {
		d := o.byID[id]
		if _, ok := exceptions[d.TLName]; ok {
			continue
		}
		for _, f := range d.Fields {
			if f.Type.Kind == gen.KindObject {
				continue next
			}
		}
		var buf bin.Buffer
		if err := o.gotdFill(id, 1).Encode(&buf); err != nil {
			continue // gotd cannot encode it: see TestDifferential
		}
		out = append(out, encoded{id, buf.Buf})
	}
	return out
}

// BenchmarkDecodeEveryID decodes one random value of every constructor and
// function in turn: most of them are decoded by the schema in tg, not by
// generated code (gen.Config.Code). The figure is per value.
func BenchmarkDecodeEveryID(b *testing.B) {
	all := everyID(b)
	o := loadOracle(b)
	news := map[string]func(id uint32) bin.Decoder{
		"tgraw": func(id uint32) bin.Decoder { return tg.New(id) },
		"gotd":  func(id uint32) bin.Decoder { return o.ctors[id]() },
	}
	for _, name := range []string{"tgraw", "gotd"} {
		newValue := news[name]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				for _, e := range all {
					if err := newValue(e.id).Decode(&bin.Buffer{Buf: e.data}); err != nil {
						b.Fatalf("%#08x: %v", e.id, err)
					}
				}
				n++
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n*len(all)), "ns/value")
		})
	}
}

// BenchmarkEncodeEveryID encodes one random value of every constructor and
// function in turn, as BenchmarkDecodeEveryID decodes them.
func BenchmarkEncodeEveryID(b *testing.B) {
	all := everyID(b)
	o := loadOracle(b)
	for _, name := range []string{"tgraw", "gotd"} {
		values := make([]bin.Encoder, len(all))
		for i, e := range all {
			var v bin.Object = tg.New(e.id)
			if name == "gotd" {
				v = o.ctors[e.id]()
			}
			if err := v.Decode(&bin.Buffer{Buf: e.data}); err != nil {
				b.Fatalf("%#08x: %v", e.id, err)
			}
			values[i] = v
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			var buf bin.Buffer
			n := 0
			for b.Loop() {
				for _, v := range values {
					buf.Reset()
					if err := v.Encode(&buf); err != nil {
						b.Fatal(err)
					}
				}
				n++
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n*len(all)), "ns/value")
		})
	}
}
