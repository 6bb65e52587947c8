package peer_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/tgraw/tgraw/peer"
	"github.com/tgraw/tgraw/tg"
)

// A min user or channel seen with no access hash at all (Telegram
// guarantees only the ID of a min object) keeps the message it was seen in
// and resolves to input*FromMessage, with no call, until a full hash is
// known.
func TestMinPeerWithoutHash(t *testing.T) {
	minUser := &tg.User{ID: 3003, Min: true, FirstName: "No hash"}
	minChannel := &tg.Channel{ID: 4004, Min: true, Title: "No hash either", Photo: &tg.ChatPhotoEmpty{}}
	res := &tg.MessagesChannelMessages{
		Messages: []tg.MessageClass{&tg.Message{
			ID: 55, PeerID: &tg.PeerChannel{ChannelID: news.ID}, FromID: &tg.PeerUser{UserID: minUser.ID},
			FwdFrom: &tg.MessageFwdHeader{FromID: &tg.PeerChannel{ChannelID: minChannel.ID}},
		}},
		Chats: []tg.ChatClass{news, minChannel}, Users: []tg.UserClass{minUser}, Topics: []tg.ForumTopicClass{},
	}
	ctx55 := peer.MessageRef{Peer: peer.ChannelKey(news.ID), MsgID: 55}
	if recs := peer.Records(res); !reflect.DeepEqual(recs[1], peer.Record{Key: peer.ChannelKey(minChannel.ID), Min: true, Title: "No hash either", FromMessage: ctx55}) ||
		!reflect.DeepEqual(recs[2], peer.Record{Key: peer.UserKey(minUser.ID), Min: true, Title: "No hash", FromMessage: ctx55}) {
		t.Fatalf("Records = %+v; want the min peers with their message", recs)
	}

	inv := newScripted()
	r, store, _ := newResolverWith(t, inv, peer.ResolverOptions{})
	ctx := context.Background()
	if err := r.Learner().Learn(ctx, res); err != nil {
		t.Fatal(err)
	}
	newsIn := &tg.InputPeerChannel{ChannelID: news.ID, AccessHash: 99}
	for _, tc := range []struct {
		ref  any
		want tg.InputPeerClass
	}{
		{minUser.ID, &tg.InputPeerUserFromMessage{Peer: newsIn, MsgID: 55, UserID: minUser.ID}},
		{int64(-1000000004004), &tg.InputPeerChannelFromMessage{Peer: newsIn, MsgID: 55, ChannelID: minChannel.ID}},
	} {
		if got, err := r.ResolvePeer(ctx, tc.ref); err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ResolvePeer(%v) = %#v, %v; want %#v", tc.ref, got, err, tc.want)
		}
	}
	if u, err := r.ResolveUser(ctx, minUser.ID); err != nil || !reflect.DeepEqual(u, &tg.InputUserFromMessage{Peer: newsIn, MsgID: 55, UserID: minUser.ID}) {
		t.Errorf("ResolveUser = %#v, %v", u, err)
	}
	if c, err := r.ResolveChannel(ctx, int64(-1000000004004)); err != nil || !reflect.DeepEqual(c, &tg.InputChannelFromMessage{Peer: newsIn, MsgID: 55, ChannelID: minChannel.ID}) {
		t.Errorf("ResolveChannel = %#v, %v", c, err)
	}
	if n := len(inv.names()); n != 0 {
		t.Errorf("%d calls; want none", n)
	}

	// A full object later gives the plain InputPeer.
	mustStore(t, store, peer.UserRecord(&tg.User{ID: minUser.ID, AccessHash: 33, FirstName: "Full"}))
	if got, err := r.ResolvePeer(ctx, minUser.ID); err != nil || !reflect.DeepEqual(got, &tg.InputPeerUser{UserID: minUser.ID, AccessHash: 33}) {
		t.Errorf("after the full object: %#v, %v", got, err)
	}
}
