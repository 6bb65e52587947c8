package oracle_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/gotd/td/bin"
	gotd "github.com/gotd/td/tg"

	"github.com/tgraw/tgraw/tg"
)

// The benchmarks run tg and gotd's tg side by side on the same bytes:
//
//	go test -run '^$' -bench . ./internal/oracle

// sampleMessages is the value of tg's own benchmarks (tg/bench_test.go): a messages.messages as a chat history call returns it:
// 100 messages of a channel, with text entities, replies and forwards, and
// the 100 users they mention.
func sampleMessages() *tg.MessagesMessages {
	const channelID = 1_500_000_001
	r := &tg.MessagesMessages{}
	for i := 0; i < 100; i++ {
		text := fmt.Sprintf("Message %d: the quick brown fox jumps over the lazy dog, https://example.org/%d", i, i)
		m := &tg.Message{
			Out:      i%5 == 0,
			ID:       100_000 + i,
			FromID:   &tg.PeerUser{UserID: int64(1_000_000 + i)},
			PeerID:   &tg.PeerChannel{ChannelID: channelID},
			Date:     1_700_000_000 + 60*i,
			Message:  text,
			Entities: []tg.MessageEntityClass{&tg.MessageEntityBold{Offset: 0, Length: 7}, &tg.MessageEntityURL{Offset: len(text) - 24, Length: 24}},
			Views:    1000 + i,
			Forwards: i % 3,
			EditDate: 1_700_100_000 + i,
		}
		if i%4 == 1 {
			m.ReplyTo = &tg.MessageReplyHeader{ReplyToMsgID: 100_000 + i - 1}
		}
		if i%10 == 3 {
			m.FwdFrom = &tg.MessageFwdHeader{FromID: &tg.PeerUser{UserID: 42}, Date: 1_690_000_000}
		}
		r.Messages = append(r.Messages, m)

		r.Users = append(r.Users, &tg.User{
			Contact:    i%2 == 0,
			Premium:    i%7 == 0,
			ID:         int64(1_000_000 + i),
			AccessHash: int64(i) * 0x1234_5678_9abc,
			FirstName:  fmt.Sprintf("User%d", i),
			LastName:   "Tès",
			Username:   fmt.Sprintf("user_%d", i),
			Photo:      &tg.UserProfilePhoto{PhotoID: int64(5_000_000_000 + i), StrippedThumb: make([]byte, 40), DCID: 2},
			Status:     &tg.UserStatusOffline{WasOnline: 1_700_000_000 - i},
			LangCode:   "en",
		})
	}
	r.Chats = []tg.ChatClass{&tg.Channel{
		Broadcast:  true,
		ID:         channelID,
		AccessHash: 77,
		Title:      "tgraw news",
		Username:   "tgraw",
		Photo:      &tg.ChatPhotoEmpty{},
		Date:       1_600_000_000,
	}}
	return r
}

// sampleBytes is the encoding of sampleMessages.
func sampleBytes(tb testing.TB) []byte {
	var b bin.Buffer
	if err := sampleMessages().Encode(&b); err != nil {
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
	{"tgraw", func() bin.Decoder { return &tg.MessagesMessages{} },
		func() bin.Encoder {
			return &tg.InputPeerChannel{ChannelID: 1_500_000_001, AccessHash: -4_000_000_000_000}
		}},
	{"gotd", func() bin.Decoder { return &gotd.MessagesMessages{} },
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
