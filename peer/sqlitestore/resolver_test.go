package sqlitestore_test

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"sync"
	"testing"

	"github.com/gotd/td/bin"

	"github.com/tgraw/tgraw/peer"
	"github.com/tgraw/tgraw/peer/sqlitestore"
	"github.com/tgraw/tgraw/tg"
)

// inviteServer answers messages.checkChatInvite with a chat the account
// is in, and counts the calls.
type inviteServer struct {
	mu    sync.Mutex
	calls int
}

func (s *inviteServer) Invoke(_ context.Context, input bin.Encoder, output bin.Decoder) error {
	if _, ok := input.(*tg.MessagesCheckChatInviteRequest); !ok {
		return fmt.Errorf("unexpected call %T", input)
	}
	s.mu.Lock()
	s.calls++
	s.mu.Unlock()
	var b bin.Buffer
	res := &tg.ChatInviteAlready{Chat: &tg.Channel{ID: 1500000000, AccessHash: 15, Title: "Private", Photo: &tg.ChatPhotoEmpty{}}}
	if err := res.Encode(&b); err != nil {
		return err
	}
	return output.Decode(&b)
}

// The chat of an invite link, and a min peer's message context, are kept
// in the session file: after a restart they resolve with no call.
func TestResolverAcrossRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "account.session")
	srv := &inviteServer{}
	open := func() (*sqlitestore.Store, *peer.Resolver) {
		store, err := sqlitestore.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		return store, peer.NewResolver(srv, store, peer.ResolverOptions{})
	}
	store, r := open()
	want := &tg.InputPeerChannel{ChannelID: 1500000000, AccessHash: 15}
	if p, err := r.ResolvePeer(ctx, "t.me/+AbCd"); err != nil || !reflect.DeepEqual(p, want) {
		t.Fatalf("ResolvePeer = %v, %v", p, err)
	}
	// A min user without a hash, seen in a message of that channel.
	if err := r.Learner().Learn(ctx, &tg.MessagesChannelMessages{
		Messages: []tg.MessageClass{&tg.Message{ID: 7, PeerID: &tg.PeerChannel{ChannelID: 1500000000}, FromID: &tg.PeerUser{UserID: 42}}},
		Users:    []tg.UserClass{&tg.User{ID: 42, Min: true, FirstName: "Min"}},
		Chats:    []tg.ChatClass{}, Topics: []tg.ForumTopicClass{},
	}); err != nil {
		t.Fatal(err)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}

	_, r = open()
	for _, tc := range []struct {
		ref  any
		want tg.InputPeerClass
	}{
		{"https://t.me/joinchat/AbCd", want},
		{42, &tg.InputPeerUserFromMessage{Peer: want, MsgID: 7, UserID: 42}},
	} {
		if p, err := r.ResolvePeer(ctx, tc.ref); err != nil || !reflect.DeepEqual(p, tc.want) {
			t.Errorf("ResolvePeer(%v) after a restart = %#v, %v; want %#v", tc.ref, p, err, tc.want)
		}
	}
	if srv.calls != 1 {
		t.Errorf("%d calls of messages.checkChatInvite; want 1, before the restart", srv.calls)
	}
}
