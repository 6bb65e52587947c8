package peer_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/tgraw/tgraw/peer"
	"github.com/tgraw/tgraw/tg"
)

func BenchmarkResolvePeerCached(b *testing.B) {
	store := peer.NewMemoryStore(peer.MemoryOptions{})
	ctx := context.Background()
	if err := store.Put(ctx, peer.Record{Key: peer.ChannelKey(1234567890), AccessHash: 99, HasHash: true, Usernames: []string{"news"}}); err != nil {
		b.Fatal(err)
	}
	r := peer.NewResolver(newScripted(), store, peer.ResolverOptions{})
	for _, bc := range []struct {
		name string
		ref  any
	}{
		{"MarkedID", int64(-1001234567890)},
		{"Username", "@news"},
		{"Link", "https://t.me/news"},
		{"PeerValue", &tg.PeerChannel{ChannelID: 1234567890}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.ResolvePeer(ctx, bc.ref); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// bigResponse is a messages.messages with users users and chats channels.
func bigResponse(users, chats int) *tg.MessagesMessages {
	res := &tg.MessagesMessages{}
	for i := range users {
		res.Users = append(res.Users, &tg.User{
			ID: int64(1000 + i), AccessHash: int64(i) * 7, FirstName: "User", LastName: fmt.Sprint(i),
			Username: fmt.Sprintf("user_%d", i), Phone: fmt.Sprintf("1555%07d", i),
		})
	}
	for i := range chats {
		res.Chats = append(res.Chats, &tg.Channel{
			ID: int64(5000 + i), AccessHash: int64(i) * 11, Title: fmt.Sprint("Channel ", i),
			Username: fmt.Sprintf("channel_%d", i), Photo: &tg.ChatPhotoEmpty{},
		})
		res.Messages = append(res.Messages, &tg.Message{
			ID: i + 1, PeerID: &tg.PeerChannel{ChannelID: int64(5000 + i)}, FromID: &tg.PeerUser{UserID: int64(1000 + i)},
		})
	}
	return res
}

func BenchmarkLearn(b *testing.B) {
	res := bigResponse(200, 50)
	ctx := context.Background()
	b.Run("Records", func(b *testing.B) {
		b.ReportAllocs()
		peer.Records(res) // the one-time schema analysis
		for b.Loop() {
			if n := len(peer.Records(res)); n != 250 {
				b.Fatal(n)
			}
		}
	})
	b.Run("MemoryStore", func(b *testing.B) {
		b.ReportAllocs()
		l := peer.NewLearner(peer.NewMemoryStore(peer.MemoryOptions{}), nil)
		for b.Loop() {
			if err := l.Learn(ctx, res); err != nil {
				b.Fatal(err)
			}
		}
	})
}
