package peer_test

import (
	"context"
	"testing"

	"github.com/tgraw/tgraw/peer"
	"github.com/tgraw/tgraw/peer/storetest"
)

func TestMemoryStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) peer.Store { return peer.NewMemoryStore(peer.MemoryOptions{}) })
}

func TestMemoryStoreBounds(t *testing.T) {
	ctx := context.Background()
	s := peer.NewMemoryStore(peer.MemoryOptions{MaxUsers: 2, MaxChats: 1})
	put := func(rec peer.Record) {
		t.Helper()
		if err := s.Put(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	put(peer.Record{Key: peer.UserKey(1), AccessHash: 1, HasHash: true, Usernames: []string{"one"}, Phone: "111"})
	put(peer.Record{Key: peer.UserKey(2), AccessHash: 2, HasHash: true})
	put(peer.Record{Key: peer.ChannelKey(3), AccessHash: 3, HasHash: true, Usernames: []string{"three"}})
	// Reading user 1 makes user 2 the least recently used.
	if _, found, _ := s.Peer(ctx, peer.UserKey(1)); !found {
		t.Fatal("user 1 missing")
	}
	put(peer.Record{Key: peer.UserKey(4), AccessHash: 4, HasHash: true})
	if _, found, _ := s.Peer(ctx, peer.UserKey(2)); found {
		t.Error("user 2 kept beyond MaxUsers")
	}
	// Users do not push chats out.
	if _, found, _ := s.Peer(ctx, peer.ChannelKey(3)); !found {
		t.Error("channel 3 evicted by users")
	}
	put(peer.Record{Key: peer.UserKey(5), AccessHash: 5, HasHash: true})
	put(peer.Record{Key: peer.ChatKey(6)})
	if users, chats := s.Len(); users != 2 || chats != 1 {
		t.Errorf("Len() = %d, %d; want 2, 1", users, chats)
	}
	// Evicted records leave the indexes.
	if _, _, found, _ := s.Username(ctx, "one"); found {
		t.Error("username of an evicted user still indexed")
	}
	if _, found, _ := s.Phone(ctx, "111"); found {
		t.Error("phone of an evicted user still indexed")
	}
	if _, _, found, _ := s.Username(ctx, "three"); found {
		t.Error("username of an evicted channel still indexed")
	}
}
