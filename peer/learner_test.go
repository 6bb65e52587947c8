package peer_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/gotd/td/bin"

	"github.com/tgraw/tgraw/peer"
	"github.com/tgraw/tgraw/tg"
)

func TestRecords(t *testing.T) {
	minUser := &tg.User{ID: 3003, AccessHash: 7, Min: true, FirstName: "Min"}
	minChannel := &tg.Channel{ID: 4004, AccessHash: 8, Min: true, Title: "Forwarded from", Photo: &tg.ChatPhotoEmpty{}}
	deepChannel := &tg.Channel{ID: 5005, AccessHash: 9, Title: "Deep", Photo: &tg.ChatPhotoEmpty{}}
	msg := &tg.Message{
		ID: 55, PeerID: &tg.PeerChannel{ChannelID: news.ID}, FromID: &tg.PeerUser{UserID: minUser.ID},
		FwdFrom: &tg.MessageFwdHeader{FromID: &tg.PeerChannel{ChannelID: minChannel.ID}},
		Media: &tg.MessageMediaWebPage{Webpage: &tg.WebPage{CachedPage: &tg.Page{
			Blocks: []tg.PageBlockClass{&tg.PageBlockChannel{Channel: deepChannel}},
		}}},
	}
	ctx55 := peer.MessageRef{Peer: peer.ChannelKey(news.ID), MsgID: 55}
	for _, tc := range []struct {
		name string
		v    any
		want []peer.Record
	}{
		{name: "Nil", v: nil},
		{name: "NoPeers", v: &tg.InputPeerEmpty{}},
		{
			name: "ResolvedPeer",
			v:    &tg.ContactsResolvedPeer{Peer: &tg.PeerUser{UserID: durov.ID}, Users: []tg.UserClass{durov}},
			want: []peer.Record{{Key: peer.UserKey(durov.ID), AccessHash: 61, HasHash: true, Usernames: []string{"durov"}, Title: "Pavel"}},
		},
		{
			name: "AllUsernamesAndPhone",
			v:    []tg.UserClass{bob, alice, &tg.UserEmpty{ID: 9}},
			want: []peer.Record{
				{Key: peer.UserKey(bob.ID), AccessHash: 22, HasHash: true, Usernames: []string{"bob_main", "bobby"}, Title: "Bob"},
				{Key: peer.UserKey(alice.ID), AccessHash: 21, HasHash: true, Usernames: []string{}, Phone: "34600000000", Title: "Alice"},
			},
		},
		{
			name: "InactiveUsernameSkipped",
			v: &tg.User{ID: 8, AccessHash: 1, Username: "Main", Usernames: []tg.Username{
				{Active: true, Username: "main"}, {Username: "sold"}, {Active: true, Username: "Extra"},
			}},
			want: []peer.Record{{Key: peer.UserKey(8), AccessHash: 1, HasHash: true, Usernames: []string{"main", "extra"}}},
		},
		{
			name: "MessagesWithMinPeers",
			v: &tg.MessagesMessages{
				Messages: []tg.MessageClass{msg},
				Chats:    []tg.ChatClass{news, minChannel, group, &tg.ChatForbidden{ID: 77, Title: "Gone"}},
				Users:    []tg.UserClass{minUser},
			},
			want: []peer.Record{
				{Key: peer.ChannelKey(deepChannel.ID), AccessHash: 9, HasHash: true, Usernames: []string{}, Title: "Deep"},
				{Key: peer.ChannelKey(news.ID), AccessHash: 99, HasHash: true, Usernames: []string{"news"}, Broadcast: true, Title: "News"},
				{Key: peer.ChannelKey(minChannel.ID), AccessHash: 8, HasHash: true, Min: true, Title: "Forwarded from", FromMessage: ctx55},
				{Key: peer.ChatKey(group.ID), Title: "Family"},
				{Key: peer.ChatKey(77), Title: "Gone"},
				{Key: peer.UserKey(minUser.ID), AccessHash: 7, HasHash: true, Min: true, Title: "Min", FromMessage: ctx55},
			},
		},
		{
			name: "UpdatesContainer",
			v: &tg.Updates{
				Updates: []tg.UpdateClass{&tg.UpdateNewChannelMessage{Message: msg}},
				Users:   []tg.UserClass{minUser},
				Chats:   []tg.ChatClass{news},
			},
			want: []peer.Record{
				{Key: peer.ChannelKey(deepChannel.ID), AccessHash: 9, HasHash: true, Usernames: []string{}, Title: "Deep"},
				{Key: peer.UserKey(minUser.ID), AccessHash: 7, HasHash: true, Min: true, Title: "Min", FromMessage: ctx55},
				{Key: peer.ChannelKey(news.ID), AccessHash: 99, HasHash: true, Usernames: []string{"news"}, Broadcast: true, Title: "News"},
			},
		},
		{
			name: "ChannelForbiddenAndNoHash",
			v: &tg.MessagesChats{Chats: []tg.ChatClass{
				&tg.ChannelForbidden{ID: 6, AccessHash: 66, Title: "Banned", Broadcast: true},
				&tg.Channel{ID: 7, Title: "No hash", Photo: &tg.ChatPhotoEmpty{}},
			}},
			want: []peer.Record{
				{Key: peer.ChannelKey(6), AccessHash: 66, HasHash: true, Title: "Banned", Broadcast: true},
				{Key: peer.ChannelKey(7), Usernames: []string{}, Title: "No hash"},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := peer.Records(tc.v)
			if len(got) == 0 && len(tc.want) == 0 {
				return
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Records:\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestLearnerMiddleware(t *testing.T) {
	inv := newScripted().
		reply("contacts.resolveUsername", &tg.ContactsResolvedPeer{Peer: &tg.PeerUser{UserID: durov.ID}, Users: []tg.UserClass{durov}}).
		reply("users.getUsers", []tg.Object{bob, alice}).
		on("messages.getChats", func(tg.Object) (any, error) { return nil, rpcErr(400, "CHAT_ID_INVALID") })
	store := peer.NewMemoryStore(peer.MemoryOptions{Now: clock})
	api := tg.NewClient(peer.NewLearner(store, nil).Wrap(inv))
	ctx := context.Background()

	// A call through the generated client: its result is learned.
	res, err := api.ContactsResolveUsername(ctx, &tg.ContactsResolveUsernameRequest{Username: "durov"})
	if err != nil || res.Peer.(*tg.PeerUser).UserID != durov.ID {
		t.Fatalf("ContactsResolveUsername = %v, %v", res, err)
	}
	if rec, _, found, _ := store.Username(ctx, "durov"); !found || rec.AccessHash != 61 {
		t.Errorf("username not learned: %+v %v", rec, found)
	}
	// A vector result.
	users, err := api.UsersGetUsers(ctx, &tg.UsersGetUsersRequest{ID: []tg.InputUserClass{&tg.InputUserSelf{}}})
	if err != nil || len(users) != 2 {
		t.Fatalf("UsersGetUsers = %v, %v", users, err)
	}
	if rec, found, _ := store.Phone(ctx, "34600000000"); !found || rec.Key != peer.UserKey(alice.ID) {
		t.Errorf("phone not learned: %+v", rec)
	}
	if _, _, found, _ := store.Username(ctx, "bobby"); !found {
		t.Error("second username of the usernames vector not learned")
	}
	// Errors pass through untouched.
	var rpc *rpcError
	if _, err := api.MessagesGetChats(ctx, &tg.MessagesGetChatsRequest{ID: []int64{1}}); !errors.As(err, &rpc) || rpc.Type != "CHAT_ID_INVALID" {
		t.Errorf("error = %v; want the RPC error as it was", err)
	}
	// A caller that decodes into a concrete object.
	var out tg.ContactsResolvedPeer
	if err := peer.NewLearner(store, nil).Wrap(inv).Invoke(ctx, &tg.ContactsResolveUsernameRequest{Username: "durov"}, &out); err != nil || out.Peer == nil {
		t.Errorf("Invoke into an object = %v", err)
	}
}

type failingStore struct{ peer.Store }

func (failingStore) Put(context.Context, ...peer.Record) error { return errors.New("disk full") }

func TestLearnerReportsStoreErrors(t *testing.T) {
	inv := newScripted().reply("users.getUsers", []tg.Object{bob})
	var reported []error
	l := peer.NewLearner(failingStore{}, func(err error) { reported = append(reported, err) })
	users, err := tg.NewClient(l.Wrap(inv)).UsersGetUsers(context.Background(), &tg.UsersGetUsersRequest{})
	if err != nil || len(users) != 1 {
		t.Fatalf("the call failed with the store: %v", err)
	}
	if len(reported) != 1 || reported[0].Error() != "disk full" {
		t.Errorf("reported %v", reported)
	}
}

func TestLearnerHandler(t *testing.T) {
	store := peer.NewMemoryStore(peer.MemoryOptions{})
	ctx := context.Background()
	var sawStored bool
	h := peer.NewLearner(store, nil).Handler(peer.UpdateHandlerFunc(func(ctx context.Context, u tg.UpdatesClass) error {
		// The peers of the update are stored before the handler runs.
		_, sawStored, _ = store.Peer(ctx, peer.UserKey(bob.ID))
		return nil
	}))
	err := h.Handle(ctx, &tg.UpdatesCombined{Users: []tg.UserClass{bob}, Updates: []tg.UpdateClass{}, Chats: []tg.ChatClass{}})
	if err != nil || !sawStored {
		t.Errorf("Handle = %v; stored before the handler: %v", err, sawStored)
	}
	if _, _, found, _ := store.Username(ctx, "bob_main"); !found {
		t.Error("username of an update not learned")
	}
	names := []string{}
	for _, u := range []string{"bob_main", "bobby"} {
		if rec, _, found, _ := store.Username(ctx, u); found && rec.Key == peer.UserKey(bob.ID) {
			names = append(names, u)
		}
	}
	if !slices.Equal(names, []string{"bob_main", "bobby"}) {
		t.Errorf("usernames found: %v", names)
	}
}

// foreignUpdates stands for an Updates value of another package of TL
// types, such as gotd/td's: it only knows how to encode itself.
type foreignUpdates struct{ v tg.Object }

func (f foreignUpdates) Encode(b *bin.Buffer) error { return f.v.Encode(b) }

func TestLearnEncoded(t *testing.T) {
	store := peer.NewMemoryStore(peer.MemoryOptions{})
	l := peer.NewLearner(store, nil)
	u := &tg.Updates{
		Updates: []tg.UpdateClass{},
		Users:   []tg.UserClass{&tg.User{ID: 7, AccessHash: 70, Username: "seven"}},
		Chats:   []tg.ChatClass{&tg.Channel{ID: 8, AccessHash: 80, Title: "eight", Photo: &tg.ChatPhotoEmpty{}}},
	}
	ctx := context.Background()
	if err := l.LearnEncoded(ctx, foreignUpdates{u}); err != nil {
		t.Fatal(err)
	}
	for _, key := range []peer.Key{peer.UserKey(7), peer.ChannelKey(8)} {
		if rec, found, err := store.Peer(ctx, key); err != nil || !found || !rec.HasHash {
			t.Errorf("%v: found=%v err=%v rec=%+v", key, found, err, rec)
		}
	}
	if err := l.LearnEncoded(ctx, foreignUpdates{&tg.TextEmpty{}}); err != nil {
		t.Errorf("a value with no peers: %v", err)
	}
	bad := foreignUpdates{&tg.InputPeerUserFromMessage{}} // nil peer: cannot encode
	if err := l.LearnEncoded(ctx, bad); err == nil {
		t.Error("a value that cannot encode was learned")
	}
}
