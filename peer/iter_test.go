package peer_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/tgraw/tgraw/peer"
	"github.com/tgraw/tgraw/tg"
)

func user(id int64) *tg.User { return &tg.User{ID: id, AccessHash: id * 10, FirstName: "U"} }

func channel(id int64) *tg.Channel {
	return &tg.Channel{ID: id, AccessHash: id * 10, Title: "C", Photo: &tg.ChatPhotoEmpty{}}
}

func message(p tg.PeerClass, id, date int) *tg.Message {
	return &tg.Message{PeerID: p, ID: id, Date: date}
}

func TestDialogsPages(t *testing.T) {
	// Five dialogs over three pages.
	pages := []*tg.MessagesDialogsSlice{
		{
			Count:    5,
			Dialogs:  []tg.DialogClass{&tg.Dialog{Peer: &tg.PeerUser{UserID: 11}, TopMessage: 901}, &tg.Dialog{Peer: &tg.PeerChannel{ChannelID: 21}, TopMessage: 50}},
			Messages: []tg.MessageClass{message(&tg.PeerUser{UserID: 11}, 901, 1000), message(&tg.PeerChannel{ChannelID: 21}, 50, 990)},
			Users:    []tg.UserClass{user(11)},
			Chats:    []tg.ChatClass{channel(21)},
		},
		{
			Count:    5,
			Dialogs:  []tg.DialogClass{&tg.Dialog{Peer: &tg.PeerChat{ChatID: 31}, TopMessage: 880}, &tg.Dialog{Peer: &tg.PeerUser{UserID: 12}, TopMessage: 870}},
			Messages: []tg.MessageClass{message(&tg.PeerChat{ChatID: 31}, 880, 980), message(&tg.PeerUser{UserID: 12}, 870, 970)},
			Users:    []tg.UserClass{user(12)},
			Chats:    []tg.ChatClass{&tg.Chat{ID: 31, Title: "G", Photo: &tg.ChatPhotoEmpty{}}},
		},
		{
			Count:    5,
			Dialogs:  []tg.DialogClass{&tg.Dialog{Peer: &tg.PeerChannel{ChannelID: 22}, TopMessage: 7}},
			Messages: []tg.MessageClass{message(&tg.PeerChannel{ChannelID: 22}, 7, 960)},
			Chats:    []tg.ChatClass{channel(22)},
		},
	}
	page := 0
	inv := newScripted().on("messages.getDialogs", func(tg.Object) (any, error) {
		p := pages[page]
		page++
		return p, nil
	})
	r, _ := newResolver(t, inv)
	ctx := context.Background()
	var keys []peer.Key
	for d, err := range r.Dialogs(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if d.Peer == nil || d.TopMessage == nil {
			t.Errorf("dialog %v without its peer or top message", d.Key)
		}
		keys = append(keys, d.Key)
	}
	want := []peer.Key{peer.UserKey(11), peer.ChannelKey(21), peer.ChatKey(31), peer.UserKey(12), peer.ChannelKey(22)}
	if !slices.Equal(keys, want) {
		t.Errorf("dialogs %v; want %v", keys, want)
	}
	// Each page asked from the last dialog of the one before.
	var offsets []tg.MessagesGetDialogsRequest
	inv.mu.Lock()
	for _, c := range inv.calls {
		offsets = append(offsets, *c.(*tg.MessagesGetDialogsRequest))
	}
	inv.mu.Unlock()
	wantOffsets := []tg.MessagesGetDialogsRequest{
		{OffsetPeer: &tg.InputPeerEmpty{}, Limit: 100},
		{OffsetDate: 990, OffsetID: 50, OffsetPeer: &tg.InputPeerChannel{ChannelID: 21, AccessHash: 210}, Limit: 100},
		{OffsetDate: 970, OffsetID: 870, OffsetPeer: &tg.InputPeerUser{UserID: 12, AccessHash: 120}, Limit: 100},
	}
	if !reflect.DeepEqual(offsets, wantOffsets) {
		t.Errorf("requests:\n got %+v\nwant %+v", offsets, wantOffsets)
	}
	// Every peer of the dialogs now resolves with no call.
	for _, ref := range []any{11, int64(-1000000000021), -31, 12, "-1000000000022"} {
		if _, err := r.ResolvePeer(ctx, ref); err != nil {
			t.Errorf("ResolvePeer(%v) after the walk: %v", ref, err)
		}
	}
	if n := len(inv.names()); n != 3 {
		t.Errorf("made %d calls; want the 3 pages", n)
	}
}

func TestDialogsStopEarlyAndError(t *testing.T) {
	inv := newScripted().reply("messages.getDialogs", &tg.MessagesDialogsSlice{
		Count:   1000,
		Dialogs: []tg.DialogClass{&tg.Dialog{Peer: &tg.PeerUser{UserID: 11}}, &tg.Dialog{Peer: &tg.PeerUser{UserID: 12}}},
		Users:   []tg.UserClass{user(11), user(12)},
	})
	r, _ := newResolver(t, inv)
	for range r.Dialogs(context.Background()) {
		break
	}
	if n := len(inv.names()); n != 1 {
		t.Errorf("made %d calls after a break; want 1", n)
	}
	inv = newScripted().on("messages.getDialogs", func(tg.Object) (any, error) { return nil, rpcErr(400, "PEER_ID_INVALID") })
	r, _ = newResolver(t, inv)
	var errs []error
	for _, err := range r.Dialogs(context.Background()) {
		errs = append(errs, err) // and go on: the error ends the iteration
	}
	var rpc *rpcError
	if len(errs) != 1 || !errors.As(errs[0], &rpc) {
		t.Errorf("errors %v; want the one RPC error", errs)
	}
}

func TestParticipantsChannel(t *testing.T) {
	ch := channel(21)
	pages := []*tg.ChannelsChannelParticipants{
		{Count: 3, Participants: []tg.ChannelParticipantClass{&tg.ChannelParticipantCreator{UserID: 11}, &tg.ChannelParticipant{UserID: 12}}, Users: []tg.UserClass{user(11), user(12)}, Chats: []tg.ChatClass{}},
		{Count: 3, Participants: []tg.ChannelParticipantClass{&tg.ChannelParticipantBanned{Peer: &tg.PeerUser{UserID: 13}}}, Users: []tg.UserClass{user(13)}, Chats: []tg.ChatClass{}},
	}
	page := 0
	inv := newScripted().on("channels.getParticipants", func(tg.Object) (any, error) {
		p := pages[page]
		page++
		return p, nil
	})
	r, store := newResolver(t, inv)
	mustStore(t, store, peer.ChannelRecord(ch))
	var keys []peer.Key
	for p, err := range r.Participants(context.Background(), ch) {
		if err != nil {
			t.Fatal(err)
		}
		if p.Peer == nil {
			t.Errorf("participant %v without a peer", p.Key)
		}
		keys = append(keys, p.Key)
	}
	if want := []peer.Key{peer.UserKey(11), peer.UserKey(12), peer.UserKey(13)}; !slices.Equal(keys, want) {
		t.Errorf("participants %v; want %v", keys, want)
	}
	inv.mu.Lock()
	defer inv.mu.Unlock()
	var gotOffsets []int
	for _, c := range inv.calls {
		req := c.(*tg.ChannelsGetParticipantsRequest)
		gotOffsets = append(gotOffsets, req.Offset)
		if !reflect.DeepEqual(req.Channel, &tg.InputChannel{ChannelID: 21, AccessHash: 210}) {
			t.Errorf("asked for %#v", req.Channel)
		}
	}
	if !slices.Equal(gotOffsets, []int{0, 2}) {
		t.Errorf("offsets %v; want [0 2]", gotOffsets)
	}
}

func TestParticipantsBasicGroup(t *testing.T) {
	inv := newScripted().reply("messages.getFullChat", &tg.MessagesChatFull{
		FullChat: &tg.ChatFull{ID: 31, Participants: &tg.ChatParticipants{ChatID: 31, Participants: []tg.ChatParticipantClass{
			&tg.ChatParticipantCreator{UserID: 11}, &tg.ChatParticipant{UserID: 12},
		}}, ChatPhoto: &tg.PhotoEmpty{}, NotifySettings: tg.PeerNotifySettings{}},
		Chats: []tg.ChatClass{&tg.Chat{ID: 31, Title: "G", Photo: &tg.ChatPhotoEmpty{}}},
		Users: []tg.UserClass{user(11), user(12)},
	})
	r, store := newResolver(t, inv)
	mustStore(t, store, peer.Record{Key: peer.ChatKey(31)})
	var keys []peer.Key
	for p, err := range r.Participants(context.Background(), -31) {
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, p.Key)
	}
	if want := []peer.Key{peer.UserKey(11), peer.UserKey(12)}; !slices.Equal(keys, want) {
		t.Errorf("participants %v; want %v", keys, want)
	}
	if calls := inv.names(); !slices.Equal(calls, []string{"messages.getFullChat"}) {
		t.Errorf("calls %v", calls)
	}
	// A user has no members.
	var kindErr *peer.KindError
	for _, err := range r.Participants(context.Background(), "me") {
		if !errors.As(err, &kindErr) {
			t.Errorf("Participants(me) = %v; want a *KindError", err)
		}
	}
}

func TestMessagesMeetForwardSenders(t *testing.T) {
	ch := channel(21)
	minUser := &tg.User{ID: 99, AccessHash: 9, Min: true, FirstName: "Original sender"}
	fwd := &tg.Message{ID: 5, PeerID: &tg.PeerChannel{ChannelID: 21}, Date: 1,
		FwdFrom: &tg.MessageFwdHeader{FromID: &tg.PeerUser{UserID: 99}}}
	inv := newScripted().reply("channels.getMessages", &tg.MessagesChannelMessages{
		Messages: []tg.MessageClass{fwd, &tg.MessageEmpty{ID: 6}},
		Chats:    []tg.ChatClass{ch}, Users: []tg.UserClass{minUser}, Topics: []tg.ForumTopicClass{},
	})
	r, store := newResolver(t, inv)
	mustStore(t, store, peer.ChannelRecord(ch))
	ctx := context.Background()
	var ids []int
	for m, err := range r.Messages(ctx, "-1000000000021", 5, 6) {
		if err != nil {
			t.Fatal(err)
		}
		switch v := m.(type) {
		case *tg.Message:
			ids = append(ids, v.ID)
		case *tg.MessageEmpty:
			ids = append(ids, v.ID)
		}
	}
	if !slices.Equal(ids, []int{5, 6}) {
		t.Errorf("messages %v", ids)
	}
	// The forward's sender, a min user, now resolves through the message.
	got, err := r.ResolvePeer(ctx, 99)
	want := &tg.InputPeerUserFromMessage{Peer: &tg.InputPeerChannel{ChannelID: 21, AccessHash: 210}, MsgID: 5, UserID: 99}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("ResolvePeer(99) = %#v, %v; want %#v", got, err, want)
	}
	if calls := inv.names(); !slices.Equal(calls, []string{"channels.getMessages"}) {
		t.Errorf("calls %v", calls)
	}
	for _, err := range r.Messages(ctx, 11, 0) {
		if err == nil || err.Error() != "peer: message ID 0 is not positive" {
			t.Errorf("Messages with ID 0 = %v", err)
		}
	}
}
