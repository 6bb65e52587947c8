package peer_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tgraw/tgraw/peer"
	"github.com/tgraw/tgraw/tg"
)

// The basic group 321 that became the supergroup of channel 1400000000.
var (
	oldGroup = &tg.Chat{
		ID: 321, Title: "Old group", Deactivated: true, Photo: &tg.ChatPhotoEmpty{},
		MigratedTo: &tg.InputChannel{ChannelID: 1400000000, AccessHash: 14},
	}
	superGroup   = &tg.Channel{ID: 1400000000, AccessHash: 14, Title: "Old group", Megagroup: true, Photo: &tg.ChatPhotoEmpty{}}
	superGroupIn = &tg.InputPeerChannel{ChannelID: 1400000000, AccessHash: 14}
)

// A basic group that became a supergroup resolves to the supergroup: from
// the store with no call, or with the one call that finds what is missing.
func TestMigratedGroup(t *testing.T) {
	chatOnly := peer.Record{Key: peer.ChatKey(321), Title: "Old group", MigratedTo: superGroup.ID}
	for _, tc := range []struct {
		name   string
		opts   peer.ResolverOptions
		stored []peer.Record
		script func(s *scripted)
		ref    any
		want   tg.InputPeerClass
		calls  []string
	}{
		{
			name:   "BothStored",
			stored: []peer.Record{chatOnly, peer.ChannelRecord(superGroup)},
			ref:    -321,
			want:   superGroupIn,
		},
		{
			name:   "ChatFromGetChats",
			script: func(s *scripted) { s.reply("messages.getChats", &tg.MessagesChats{Chats: []tg.ChatClass{oldGroup}}) },
			ref:    "-321",
			want:   superGroupIn,
			calls:  []string{"messages.getChats"},
		},
		{
			name:   "SupergroupFromGetChannels",
			stored: []peer.Record{chatOnly},
			script: func(s *scripted) {
				s.reply("channels.getChannels", &tg.MessagesChats{Chats: []tg.ChatClass{superGroup}})
			},
			ref:   &tg.PeerChat{ChatID: 321},
			want:  superGroupIn,
			calls: []string{"channels.getChannels"},
		},
		{
			name:   "ChatObject",
			ref:    oldGroup,
			want:   superGroupIn,
			calls:  nil,
			stored: nil,
		},
		{
			name:   "KeepMigratedChats",
			opts:   peer.ResolverOptions{KeepMigratedChats: true},
			stored: []peer.Record{chatOnly, peer.ChannelRecord(superGroup)},
			ref:    -321,
			want:   &tg.InputPeerChat{ChatID: 321},
		},
		{
			name:   "InputPeerChatAsIs",
			stored: []peer.Record{chatOnly, peer.ChannelRecord(superGroup)},
			ref:    &tg.InputPeerChat{ChatID: 321},
			want:   &tg.InputPeerChat{ChatID: 321},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv := newScripted()
			if tc.script != nil {
				tc.script(inv)
			}
			r, store, _ := newResolverWith(t, inv, tc.opts)
			mustStore(t, store, tc.stored...)
			got, err := r.ResolvePeer(context.Background(), tc.ref)
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("ResolvePeer(%v) = %#v, %v; want %#v", tc.ref, got, err, tc.want)
			}
			if calls := inv.names(); !slices.Equal(calls, tc.calls) {
				t.Errorf("calls %q; want %q", calls, tc.calls)
			}
			// And now with no call.
			before := len(inv.names())
			if again, err := r.ResolvePeer(context.Background(), tc.ref); err != nil || !reflect.DeepEqual(again, got) || len(inv.names()) != before {
				t.Errorf("again: %#v, %v after %d calls", again, err, len(inv.names())-before)
			}
		})
	}
}

// Where the learner meets a migration: the chat object, the full
// channel's migrated_from_chat_id, and the service messages on both sides.
func TestLearnMigrations(t *testing.T) {
	ch := peer.ChannelRecord(superGroup)
	for _, tc := range []struct {
		name string
		v    any
	}{
		{"ChatObject", &tg.MessagesChats{Chats: []tg.ChatClass{oldGroup}}},
		{"FullChannel", &tg.MessagesChatFull{
			FullChat: &tg.ChannelFull{ID: superGroup.ID, MigratedFromChatID: 321, MigratedFromMaxID: 77,
				ChatPhoto: &tg.PhotoEmpty{}, NotifySettings: tg.PeerNotifySettings{}, ExportedInvite: nil},
			Chats: []tg.ChatClass{superGroup}, Users: []tg.UserClass{},
		}},
		{"ChatMigrateTo", &tg.MessagesMessages{
			Messages: []tg.MessageClass{&tg.MessageService{ID: 5, PeerID: &tg.PeerChat{ChatID: 321},
				Action: &tg.MessageActionChatMigrateTo{ChannelID: superGroup.ID}}},
			Chats: []tg.ChatClass{superGroup}, Users: []tg.UserClass{},
		}},
		{"ChannelMigrateFrom", &tg.MessagesChannelMessages{
			Messages: []tg.MessageClass{&tg.MessageService{ID: 1, PeerID: &tg.PeerChannel{ChannelID: superGroup.ID},
				Action: &tg.MessageActionChannelMigrateFrom{Title: "Old group", ChatID: 321}}},
			Chats: []tg.ChatClass{superGroup}, Users: []tg.UserClass{}, Topics: []tg.ForumTopicClass{},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv := newScripted()
			r, store, _ := newResolverWith(t, inv, peer.ResolverOptions{})
			if err := r.Learner().Learn(context.Background(), tc.v); err != nil {
				t.Fatal(err)
			}
			if rec, found, _ := store.Peer(context.Background(), peer.ChatKey(321)); !found || rec.MigratedTo != superGroup.ID {
				t.Fatalf("chat 321 = %+v, %v; want it migrated to %d", rec, found, superGroup.ID)
			}
			if rec, _, _ := store.Peer(context.Background(), ch.Key); rec.AccessHash != 14 {
				t.Fatalf("the supergroup is not stored with its hash: %+v", rec)
			}
			if p, err := r.ResolvePeer(context.Background(), -321); err != nil || !reflect.DeepEqual(p, superGroupIn) {
				t.Errorf("ResolvePeer(-321) = %#v, %v", p, err)
			}
			if n := len(inv.names()); n != 0 {
				t.Errorf("%d calls; want none", n)
			}
		})
	}
	// Bad IDs in a migration are skipped, not stored.
	recs := peer.Records(&tg.MessagesChats{Chats: []tg.ChatClass{
		&tg.Chat{ID: 5, Title: "T", Photo: &tg.ChatPhotoEmpty{}, MigratedTo: &tg.InputChannel{ChannelID: -1}},
	}})
	if want := []peer.Record{{Key: peer.ChatKey(5), Title: "T"}}; !reflect.DeepEqual(recs, want) {
		t.Errorf("Records of a bad migration = %+v; want %+v", recs, want)
	}
}

// A supergroup that cannot be found says that the chat migrated.
func TestMigratedGroupNotFound(t *testing.T) {
	inv := newScripted().on("channels.getChannels", func(tg.Object) (any, error) { return nil, rpcErr(400, "CHANNEL_PRIVATE") })
	r, store, _ := newResolverWith(t, inv, peer.ResolverOptions{})
	mustStore(t, store, peer.Record{Key: peer.ChatKey(321), MigratedTo: superGroup.ID})
	_, err := r.ResolvePeer(context.Background(), -321)
	var nf *peer.NotFoundError
	if !errors.As(err, &nf) || nf.Key != peer.ChannelKey(superGroup.ID) || !strings.Contains(err.Error(), "basic group 321 became supergroup channel 1400000000") {
		t.Errorf("ResolvePeer = %v; want a *NotFoundError of the supergroup that names the migration", err)
	}
}

// The members of a migrated group are those of the supergroup.
func TestParticipantsOfMigratedGroup(t *testing.T) {
	inv := newScripted().reply("channels.getParticipants", &tg.ChannelsChannelParticipants{
		Count: 1, Participants: []tg.ChannelParticipantClass{&tg.ChannelParticipant{UserID: 11}},
		Users: []tg.UserClass{user(11)}, Chats: []tg.ChatClass{},
	})
	r, store, _ := newResolverWith(t, inv, peer.ResolverOptions{})
	mustStore(t, store, peer.Record{Key: peer.ChatKey(321), MigratedTo: superGroup.ID}, peer.ChannelRecord(superGroup))
	var keys []peer.Key
	for p, err := range r.Participants(context.Background(), -321) {
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, p.Key)
	}
	if !slices.Equal(keys, []peer.Key{peer.UserKey(11)}) || !slices.Equal(inv.names(), []string{"channels.getParticipants"}) {
		t.Errorf("members %v via %q", keys, inv.names())
	}
}
