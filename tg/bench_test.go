package tg_test

import (
	"fmt"
	"testing"

	"github.com/gotd/td/bin"

	"github.com/tgraw/tgraw/tg"
)

// sampleMessages is a messages.messages as a chat history call returns it:
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

func BenchmarkEncodeMessages(b *testing.B) {
	m := sampleMessages()
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
	if err := sampleMessages().Encode(&buf); err != nil {
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
	m := sampleMessages()
	data := encode(t, m)
	if err := checkRoundTrip(in, m.TypeID(), data, sampleMessages()); err != nil {
		t.Fatal(err)
	}
	if len(m.Messages) != 100 || len(m.Users) != 100 {
		t.Fatalf("%d messages, %d users", len(m.Messages), len(m.Users))
	}
}
