package peer_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tgraw/tgraw/peer"
	"github.com/tgraw/tgraw/tg"
)

var now = time.Unix(1_700_000_000, 0).UTC()

func clock() time.Time { return now }

// Peers of the scripts.
var (
	durov   = &tg.User{ID: 1006, AccessHash: 61, FirstName: "Pavel", Username: "durov"}
	alice   = &tg.User{ID: 2001, AccessHash: 21, FirstName: "Alice", Phone: "34600000000"}
	bob     = &tg.User{ID: 2002, AccessHash: 22, FirstName: "Bob", Usernames: []tg.Username{{Active: true, Username: "bob_main"}, {Active: true, Username: "bobby"}}}
	news    = &tg.Channel{ID: 1234567890, AccessHash: 99, Title: "News", Username: "news", Broadcast: true, Photo: &tg.ChatPhotoEmpty{}}
	private = &tg.Channel{ID: 1500000000, AccessHash: 15, Title: "Private", Photo: &tg.ChatPhotoEmpty{}}
	group   = &tg.Chat{ID: 4242, Title: "Family", Photo: &tg.ChatPhotoEmpty{}}
)

func newResolver(t *testing.T, inv *scripted) (*peer.Resolver, *peer.MemoryStore) {
	t.Helper()
	r, store, _ := newResolverWith(t, inv, peer.ResolverOptions{})
	return r, store
}

// newResolverWith returns a Resolver with the options, on a fake clock
// (unless opts has a clock) that starts at now, and its memory store.
func newResolverWith(t *testing.T, inv *scripted, opts peer.ResolverOptions) (*peer.Resolver, *peer.MemoryStore, *fakeClock) {
	t.Helper()
	fake := newFakeClock()
	if opts.Clock == nil {
		opts.Clock = fake
	}
	store := peer.NewMemoryStore(peer.MemoryOptions{Now: clock})
	return peer.NewResolver(inv, store, opts), store, fake
}

func mustStore(t *testing.T, s peer.Store, recs ...peer.Record) {
	t.Helper()
	if err := s.Put(context.Background(), recs...); err != nil {
		t.Fatal(err)
	}
}

func TestResolvePeer(t *testing.T) {
	resolved := &tg.ContactsResolvedPeer{Peer: &tg.PeerUser{UserID: durov.ID}, Users: []tg.UserClass{durov}}
	for _, tc := range []struct {
		name   string
		stored []peer.Record
		script func(s *scripted)
		ref    any
		want   tg.InputPeerClass
		calls  []string                          // the calls made, in order
		check  func(t *testing.T, req tg.Object) // checks the last call
		err    any                               // a pointer to the error type expected
	}{
		{
			name:   "StoreHitByMarkedID",
			stored: []peer.Record{{Key: peer.ChannelKey(news.ID), AccessHash: 99, HasHash: true}},
			ref:    int64(-1001234567890),
			want:   &tg.InputPeerChannel{ChannelID: news.ID, AccessHash: 99},
		},
		{
			name:   "StoreHitByUsername",
			stored: []peer.Record{{Key: peer.UserKey(durov.ID), AccessHash: 61, HasHash: true, Usernames: []string{"durov"}, UpdatedAt: now.Add(-time.Hour)}},
			ref:    "https://t.me/Durov",
			want:   &tg.InputPeerUser{UserID: durov.ID, AccessHash: 61},
		},
		{
			name:   "StoreHitByPhone",
			stored: []peer.Record{{Key: peer.UserKey(alice.ID), AccessHash: 21, HasHash: true, Phone: "34600000000"}},
			ref:    "+34 600 000 000",
			want:   &tg.InputPeerUser{UserID: alice.ID, AccessHash: 21},
		},
		{
			name:   "StoreHitBasicChat",
			stored: []peer.Record{{Key: peer.ChatKey(group.ID), Title: "Family"}},
			ref:    "-4242",
			want:   &tg.InputPeerChat{ChatID: group.ID},
		},
		{
			name: "MinUserFromMessage",
			stored: []peer.Record{
				{Key: peer.ChannelKey(news.ID), AccessHash: 99, HasHash: true},
				{Key: peer.UserKey(3003), AccessHash: 7, HasHash: true, Min: true, FromMessage: peer.MessageRef{Peer: peer.ChannelKey(news.ID), MsgID: 55}},
			},
			ref: 3003,
			want: &tg.InputPeerUserFromMessage{
				Peer: &tg.InputPeerChannel{ChannelID: news.ID, AccessHash: 99}, MsgID: 55, UserID: 3003,
			},
		},
		{name: "Self", ref: "me", want: &tg.InputPeerSelf{}},
		{name: "InputPeerAsIs", ref: &tg.InputPeerChannel{ChannelID: 5, AccessHash: 6}, want: &tg.InputPeerChannel{ChannelID: 5, AccessHash: 6}},
		{name: "ObjectAsIs", ref: news, want: &tg.InputPeerChannel{ChannelID: news.ID, AccessHash: 99}},
		{name: "BadReference", ref: "t.me/joinchat/", err: new(*peer.RefError)},
		{
			name:   "ResolveUsername",
			script: func(s *scripted) { s.reply("contacts.resolveUsername", resolved) },
			ref:    "@durov",
			want:   &tg.InputPeerUser{UserID: durov.ID, AccessHash: 61},
			calls:  []string{"contacts.resolveUsername"},
			check: func(t *testing.T, req tg.Object) {
				if u := req.(*tg.ContactsResolveUsernameRequest).Username; u != "durov" {
					t.Errorf("resolved %q", u)
				}
			},
		},
		{
			name:   "StaleUsernameResolvedAgain",
			stored: []peer.Record{{Key: peer.UserKey(555), AccessHash: 5, HasHash: true, Usernames: []string{"durov"}, UpdatedAt: now.Add(-25 * time.Hour)}},
			script: func(s *scripted) { s.reply("contacts.resolveUsername", resolved) },
			ref:    "durov",
			want:   &tg.InputPeerUser{UserID: durov.ID, AccessHash: 61},
			calls:  []string{"contacts.resolveUsername"},
		},
		{
			name:   "UsernameNotOccupied",
			stored: []peer.Record{{Key: peer.UserKey(555), AccessHash: 5, HasHash: true, Usernames: []string{"gone"}, UpdatedAt: now.Add(-48 * time.Hour)}},
			script: func(s *scripted) {
				s.on("contacts.resolveUsername", func(tg.Object) (any, error) { return nil, rpcErr(400, "USERNAME_NOT_OCCUPIED") })
			},
			ref:   "gone",
			calls: []string{"contacts.resolveUsername"},
			err:   new(*peer.UsernameError),
		},
		{
			name: "ResolvePhone",
			script: func(s *scripted) {
				s.reply("contacts.resolvePhone", &tg.ContactsResolvedPeer{Peer: &tg.PeerUser{UserID: alice.ID}, Users: []tg.UserClass{alice}})
			},
			ref:   "t.me/+34600000000",
			want:  &tg.InputPeerUser{UserID: alice.ID, AccessHash: 21},
			calls: []string{"contacts.resolvePhone"},
			check: func(t *testing.T, req tg.Object) {
				if p := req.(*tg.ContactsResolvePhoneRequest).Phone; p != "34600000000" {
					t.Errorf("resolved phone %q", p)
				}
			},
		},
		{
			name: "PhoneNotOccupied",
			script: func(s *scripted) {
				s.on("contacts.resolvePhone", func(tg.Object) (any, error) { return nil, rpcErr(400, "PHONE_NOT_OCCUPIED") })
				s.reply("contacts.getContacts", &tg.ContactsContacts{Contacts: []tg.Contact{}, Users: []tg.UserClass{}})
			},
			ref:   "+1 555 000",
			calls: []string{"contacts.resolvePhone", "contacts.getContacts"},
			err:   new(*peer.PhoneError),
		},
		{
			name:   "InviteAlreadyMember",
			script: func(s *scripted) { s.reply("messages.checkChatInvite", &tg.ChatInviteAlready{Chat: private}) },
			ref:    "https://t.me/+AbCdEf",
			want:   &tg.InputPeerChannel{ChannelID: private.ID, AccessHash: 15},
			calls:  []string{"messages.checkChatInvite"},
			check: func(t *testing.T, req tg.Object) {
				if h := req.(*tg.MessagesCheckChatInviteRequest).Hash; h != "AbCdEf" {
					t.Errorf("checked hash %q", h)
				}
			},
		},
		{
			name:   "InvitePeek",
			script: func(s *scripted) { s.reply("messages.checkChatInvite", &tg.ChatInvitePeek{Chat: group, Expires: 1}) },
			ref:    "t.me/joinchat/XyZ",
			want:   &tg.InputPeerChat{ChatID: group.ID},
			calls:  []string{"messages.checkChatInvite"},
		},
		{
			name: "InviteNotMember",
			script: func(s *scripted) {
				s.reply("messages.checkChatInvite", &tg.ChatInvite{Title: "Secret club", Channel: true, Photo: &tg.PhotoEmpty{}})
			},
			ref:   "tg://join?invite=XyZ",
			calls: []string{"messages.checkChatInvite"},
			err:   new(*peer.NotMemberError),
		},
		{
			name: "InviteExpired",
			script: func(s *scripted) {
				s.on("messages.checkChatInvite", func(tg.Object) (any, error) { return nil, rpcErr(400, "INVITE_HASH_EXPIRED") })
			},
			ref:   "t.me/+Old",
			calls: []string{"messages.checkChatInvite"},
			err:   new(*peer.InviteError),
		},
		{
			name:   "UserByIDWithHashZero",
			script: func(s *scripted) { s.reply("users.getUsers", []tg.Object{bob}) },
			ref:    bob.ID,
			want:   &tg.InputPeerUser{UserID: bob.ID, AccessHash: 22},
			calls:  []string{"users.getUsers"},
			check: func(t *testing.T, req tg.Object) {
				want := []tg.InputUserClass{&tg.InputUser{UserID: bob.ID}}
				if got := req.(*tg.UsersGetUsersRequest).ID; !reflect.DeepEqual(got, want) {
					t.Errorf("users.getUsers(%v)", got)
				}
			},
		},
		{
			name:   "ChannelByIDWithHashZero",
			script: func(s *scripted) { s.reply("channels.getChannels", &tg.MessagesChats{Chats: []tg.ChatClass{news}}) },
			ref:    "t.me/c/1234567890/5",
			want:   &tg.InputPeerChannel{ChannelID: news.ID, AccessHash: 99},
			calls:  []string{"channels.getChannels"},
			check: func(t *testing.T, req tg.Object) {
				want := []tg.InputChannelClass{&tg.InputChannel{ChannelID: news.ID}}
				if got := req.(*tg.ChannelsGetChannelsRequest).ID; !reflect.DeepEqual(got, want) {
					t.Errorf("channels.getChannels(%v)", got)
				}
			},
		},
		{
			name:   "BasicChatByID",
			script: func(s *scripted) { s.reply("messages.getChats", &tg.MessagesChats{Chats: []tg.ChatClass{group}}) },
			ref:    &tg.PeerChat{ChatID: group.ID},
			want:   &tg.InputPeerChat{ChatID: group.ID},
			calls:  []string{"messages.getChats"},
		},
		{
			name: "UnknownChannel",
			script: func(s *scripted) {
				s.on("channels.getChannels", func(tg.Object) (any, error) { return nil, rpcErr(400, "CHANNEL_INVALID") })
			},
			ref:   int64(-1009999999999),
			calls: []string{"channels.getChannels"},
			err:   new(*peer.NotFoundError),
		},
		{
			name:   "UnknownUserNoHash",
			script: func(s *scripted) { s.reply("users.getUsers", []tg.Object{&tg.UserEmpty{ID: 77}}) },
			ref:    77,
			calls:  []string{"users.getUsers"},
			err:    new(*peer.NotFoundError),
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv := newScripted()
			if tc.script != nil {
				tc.script(inv)
			}
			r, store := newResolver(t, inv)
			mustStore(t, store, tc.stored...)
			got, err := r.ResolvePeer(context.Background(), tc.ref)
			if calls := inv.names(); !slices.Equal(calls, tc.calls) {
				t.Errorf("calls = %q; want %q", calls, tc.calls)
			}
			if tc.check != nil && inv.last() != nil {
				tc.check(t, inv.last())
			}
			if tc.err != nil {
				if !errors.As(err, tc.err) {
					t.Fatalf("ResolvePeer(%v) = %v, %v; want a %T", tc.ref, got, err, reflect.ValueOf(tc.err).Elem().Interface())
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("ResolvePeer(%v) = %#v, %v; want %#v", tc.ref, got, err, tc.want)
			}
			// Whatever was resolved is now served with no call.
			before := len(inv.names())
			if again, err := r.ResolvePeer(context.Background(), tc.ref); err != nil || !reflect.DeepEqual(again, got) {
				t.Errorf("second ResolvePeer = %#v, %v; want %#v", again, err, got)
			}
			if n := len(inv.names()) - before; n != 0 {
				t.Errorf("second ResolvePeer made %d calls; want none", n)
			}
		})
	}
}

func TestUsernameEvictedOnNotOccupied(t *testing.T) {
	inv := newScripted().on("contacts.resolveUsername", func(tg.Object) (any, error) {
		return nil, rpcErr(400, "USERNAME_NOT_OCCUPIED")
	})
	r, store := newResolver(t, inv)
	mustStore(t, store, peer.Record{Key: peer.UserKey(5), AccessHash: 1, HasHash: true, Usernames: []string{"gone", "kept"}, UpdatedAt: now.Add(-48 * time.Hour)})
	_, err := r.ResolvePeer(context.Background(), "@gone")
	if !errors.Is(err, peer.ErrNotFound) {
		t.Fatalf("err = %v; want ErrNotFound", err)
	}
	if _, _, found, _ := store.Username(context.Background(), "gone"); found {
		t.Error("the username is still in the store")
	}
	if rec, _, _ := store.Peer(context.Background(), peer.UserKey(5)); !slices.Equal(rec.Usernames, []string{"kept"}) || rec.AccessHash != 1 {
		t.Errorf("the peer lost more than the username: %+v", rec)
	}
}

func TestConcurrentResolvesMakeOneCall(t *testing.T) {
	const n = 10
	var started sync.WaitGroup
	started.Add(n)
	inv := newScripted().reply("contacts.resolveUsername",
		&tg.ContactsResolvedPeer{Peer: &tg.PeerChannel{ChannelID: news.ID}, Chats: []tg.ChatClass{news}})
	// The call waits until every resolver has started, so they overlap.
	inv.before = started.Wait
	r, _ := newResolver(t, inv)
	var wg sync.WaitGroup
	results := make([]tg.InputPeerClass, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			started.Done()
			results[i], errs[i] = r.ResolvePeer(context.Background(), "@News")
		}()
	}
	wg.Wait()
	if got := inv.count("contacts.resolveUsername"); got != 1 {
		t.Errorf("%d concurrent resolves made %d calls; want 1", n, got)
	}
	want := &tg.InputPeerChannel{ChannelID: news.ID, AccessHash: 99}
	for i := range n {
		if errs[i] != nil || !reflect.DeepEqual(results[i], want) {
			t.Errorf("resolve %d = %v, %v", i, results[i], errs[i])
		}
	}
}

func TestResolveUserAndChannel(t *testing.T) {
	inv := newScripted()
	r, store := newResolver(t, inv)
	mustStore(t, store,
		peer.Record{Key: peer.UserKey(bob.ID), AccessHash: 22, HasHash: true, Usernames: []string{"bob_main"}},
		peer.Record{Key: peer.ChannelKey(news.ID), AccessHash: 99, HasHash: true, Usernames: []string{"news"}},
	)
	ctx := context.Background()
	u, err := r.ResolveUser(ctx, "bob_main")
	if want := (&tg.InputUser{UserID: bob.ID, AccessHash: 22}); err != nil || !reflect.DeepEqual(u, want) {
		t.Errorf("ResolveUser = %#v, %v", u, err)
	}
	if u, err := r.ResolveUser(ctx, "self"); err != nil || !reflect.DeepEqual(u, &tg.InputUserSelf{}) {
		t.Errorf("ResolveUser(self) = %#v, %v", u, err)
	}
	c, err := r.ResolveChannel(ctx, "t.me/news")
	if want := (&tg.InputChannel{ChannelID: news.ID, AccessHash: 99}); err != nil || !reflect.DeepEqual(c, want) {
		t.Errorf("ResolveChannel = %#v, %v", c, err)
	}
	var kindErr *peer.KindError
	if _, err := r.ResolveChannel(ctx, "bob_main"); !errors.As(err, &kindErr) || kindErr.Want != peer.KindChannel {
		t.Errorf("ResolveChannel of a user = %v; want a *KindError", err)
	} else if got := err.Error(); got != "peer: user 2002 is not a channel: pass a reference to a channel" {
		t.Errorf("error = %q", got)
	}
	if _, err := r.ResolveUser(ctx, "news"); !errors.As(err, &kindErr) {
		t.Errorf("ResolveUser of a channel = %v; want a *KindError", err)
	}
	if n := len(inv.names()); n != 0 {
		t.Errorf("made %d calls; want none", n)
	}
}

func TestConversions(t *testing.T) {
	ch := &tg.InputPeerChannel{ChannelID: 5, AccessHash: 6}
	for _, tc := range []struct {
		in      tg.InputPeerClass
		user    tg.InputUserClass
		channel tg.InputChannelClass
	}{
		{in: &tg.InputPeerSelf{}, user: &tg.InputUserSelf{}},
		{in: &tg.InputPeerUser{UserID: 1, AccessHash: 2}, user: &tg.InputUser{UserID: 1, AccessHash: 2}},
		{in: &tg.InputPeerUserFromMessage{Peer: ch, MsgID: 3, UserID: 1}, user: &tg.InputUserFromMessage{Peer: ch, MsgID: 3, UserID: 1}},
		{in: ch, channel: &tg.InputChannel{ChannelID: 5, AccessHash: 6}},
		{in: &tg.InputPeerChannelFromMessage{Peer: ch, MsgID: 3, ChannelID: 9}, channel: &tg.InputChannelFromMessage{Peer: ch, MsgID: 3, ChannelID: 9}},
		{in: &tg.InputPeerChat{ChatID: 4}},
		{in: &tg.InputPeerEmpty{}},
		{in: nil},
		{in: (*tg.InputPeerUser)(nil)},
	} {
		u, err := peer.InputUser(tc.in)
		if tc.user == nil {
			var kindErr *peer.KindError
			if !errors.As(err, &kindErr) {
				t.Errorf("InputUser(%#v) = %v, %v; want a *KindError", tc.in, u, err)
			}
		} else if err != nil || !reflect.DeepEqual(u, tc.user) {
			t.Errorf("InputUser(%#v) = %#v, %v", tc.in, u, err)
		} else if back, err := peer.InputPeerOfUser(u); err != nil || !reflect.DeepEqual(back, tc.in) {
			t.Errorf("InputPeerOfUser(%#v) = %#v, %v", u, back, err)
		}
		c, err := peer.InputChannel(tc.in)
		if tc.channel == nil {
			var kindErr *peer.KindError
			if !errors.As(err, &kindErr) {
				t.Errorf("InputChannel(%#v) = %v, %v; want a *KindError", tc.in, c, err)
			}
		} else if err != nil || !reflect.DeepEqual(c, tc.channel) {
			t.Errorf("InputChannel(%#v) = %#v, %v", tc.in, c, err)
		} else if back, err := peer.InputPeerOfChannel(c); err != nil || !reflect.DeepEqual(back, tc.in) {
			t.Errorf("InputPeerOfChannel(%#v) = %#v, %v", c, back, err)
		}
	}
	for _, key := range []peer.Key{peer.UserKey(1), peer.ChatKey(2), peer.ChannelKey(3)} {
		if got, err := peer.KeyOfPeer(key.Peer()); err != nil || got != key {
			t.Errorf("KeyOfPeer(%v.Peer()) = %v, %v", key, got, err)
		}
	}
	if _, err := peer.KeyOfPeer(nil); err == nil {
		t.Error("KeyOfPeer(nil) succeeded")
	}
	if _, err := peer.KeyOfInputPeer(&tg.InputPeerSelf{}); err == nil {
		t.Error("KeyOfInputPeer(inputPeerSelf) succeeded")
	}
	if got, err := peer.KeyOfInputPeer(ch); err != nil || got != peer.ChannelKey(5) {
		t.Errorf("KeyOfInputPeer = %v, %v", got, err)
	}
}

func TestErrorsSayWhatToDo(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&peer.NotFoundError{Key: peer.ChannelKey(1234567890)}, "peer: channel 1234567890 (marked ID -1001234567890) not known yet: no access hash has been seen for it; resolve it by username or invite link, or fetch dialogs (Dialogs), the members of a shared chat (Participants) or a message that mentions it first"},
		{&peer.UsernameError{Username: "gone", Err: rpcErr(400, "USERNAME_NOT_OCCUPIED")}, "peer: no peer has username @gone: check its spelling, or find the peer by link, ID or dialogs: rpc error code 400: USERNAME_NOT_OCCUPIED"},
		{&peer.PhoneError{Phone: "393281234567", Err: rpcErr(400, "PHONE_NOT_OCCUPIED")}, `peer: no user found for phone +393281234567: they may hide their number and are not a contact; import them as a contact (contacts.importContacts) or use their username; if 393281234567 is a user ID, pass it as an integer, int64(393281234567), or as "tg://user?id=393281234567": rpc error code 400: PHONE_NOT_OCCUPIED`},
		// Digits that cannot be a user ID get no such hint.
		{&peer.PhoneError{Phone: "34600000000000", Err: rpcErr(400, "PHONE_NOT_OCCUPIED")}, "peer: no user found for phone +34600000000000: they may hide their number and are not a contact; import them as a contact (contacts.importContacts) or use their username: rpc error code 400: PHONE_NOT_OCCUPIED"},
		{&peer.PhoneError{Phone: "0039", Err: rpcErr(400, "PHONE_NUMBER_INVALID")}, "peer: no user found for phone +0039: they may hide their number and are not a contact; import them as a contact (contacts.importContacts) or use their username: rpc error code 400: PHONE_NUMBER_INVALID"},
		{&peer.FloodError{Method: "contacts.resolveUsername", Wait: time.Hour, Err: rpcErr(420, "FLOOD_WAIT_3600")}, "peer: contacts.resolveUsername: Telegram asks to wait 1h0m0s before calling it again; retry after that, or let the resolver wait this long with ResolverOptions.MaxFloodWait: rpc error code 420: FLOOD_WAIT_3600"},
		{&peer.FloodError{Method: "upload.getFile", Wait: 3 * time.Second, Premium: true, Err: rpcErr(420, "FLOOD_PREMIUM_WAIT_3")}, "peer: upload.getFile: Telegram asks to wait 3s before calling it again (a limit of accounts without Telegram Premium); retry after that, or let the resolver wait this long with ResolverOptions.MaxFloodWait: rpc error code 420: FLOOD_PREMIUM_WAIT_3"},
		{&peer.InviteError{Hash: "Old", Err: rpcErr(400, "INVITE_HASH_EXPIRED")}, `peer: invite link "Old" is invalid or expired: ask for a new link: rpc error code 400: INVITE_HASH_EXPIRED`},
		{&peer.NotMemberError{Hash: "XyZ", Title: "Secret club", RequestNeeded: true}, `peer: not a member of "Secret club": join it first with messages.importChatInvite (hash "XyZ"); an administrator must approve the request`},
		{&peer.KindError{Want: peer.KindUser, Got: "chat 4"}, "peer: chat 4 is not a user: pass a reference to a user"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("%T:\n got %s\nwant %s", tc.err, got, tc.want)
		}
		_, notMember := tc.err.(*peer.NotMemberError)
		_, kind := tc.err.(*peer.KindError)
		_, flood := tc.err.(*peer.FloodError)
		if is := errors.Is(tc.err, peer.ErrNotFound); is == (notMember || kind || flood) {
			t.Errorf("errors.Is(%T, ErrNotFound) = %v", tc.err, is)
		}
	}
}

func TestResolveCanceled(t *testing.T) {
	block := make(chan struct{})
	inv := newScripted().reply("contacts.resolveUsername",
		&tg.ContactsResolvedPeer{Peer: &tg.PeerUser{UserID: durov.ID}, Users: []tg.UserClass{durov}})
	inv.before = func() { <-block }
	r, _ := newResolver(t, inv)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.ResolvePeer(ctx, "durov"); !errors.Is(err, context.Canceled) {
		t.Errorf("ResolvePeer on a canceled context = %v", err)
	}
	close(block)
	// A later caller gets its answer.
	if _, err := r.ResolvePeer(context.Background(), "durov"); err != nil {
		t.Errorf("ResolvePeer after = %v", err)
	}
}

// countingStore counts the batches put into a Store.
type countingStore struct {
	peer.Store
	mu   sync.Mutex
	puts int
}

func (s *countingStore) Put(ctx context.Context, recs ...peer.Record) error {
	s.mu.Lock()
	s.puts++
	s.mu.Unlock()
	return s.Store.Put(ctx, recs...)
}

func TestResolverOverLearnerStoresOnce(t *testing.T) {
	inv := newScripted().reply("contacts.resolveUsername",
		&tg.ContactsResolvedPeer{Peer: &tg.PeerChannel{ChannelID: news.ID}, Chats: []tg.ChatClass{news}})
	store := &countingStore{Store: peer.NewMemoryStore(peer.MemoryOptions{})}
	learning := peer.NewLearner(store, nil).Wrap(inv)
	r := peer.NewResolver(learning, store, peer.ResolverOptions{})
	if _, err := r.ResolvePeer(context.Background(), "@news"); err != nil {
		t.Fatal(err)
	}
	if store.puts != 1 {
		t.Errorf("one resolution wrote %d batches; want 1", store.puts)
	}
}

// A Learner on another store around the resolver's transport still stores
// what the resolver's calls return: only a Learner on the resolver's own
// store leaves them to it.
func TestResolverOverLearnerOfAnotherStore(t *testing.T) {
	inv := newScripted().reply("contacts.resolveUsername",
		&tg.ContactsResolvedPeer{Peer: &tg.PeerChannel{ChannelID: news.ID}, Chats: []tg.ChatClass{news}})
	store := &countingStore{Store: peer.NewMemoryStore(peer.MemoryOptions{})}
	other := &countingStore{Store: peer.NewMemoryStore(peer.MemoryOptions{})}
	r := peer.NewResolver(peer.NewLearner(other, nil).Wrap(inv), store, peer.ResolverOptions{})
	if _, err := r.ResolvePeer(context.Background(), "@news"); err != nil {
		t.Fatal(err)
	}
	if store.puts != 1 || other.puts != 1 {
		t.Errorf("one resolution wrote %d batches to the resolver's store and %d to the other; want 1 and 1", store.puts, other.puts)
	}
}

// The resolver's Learner reports the errors of the store it cannot return
// to OnLearnError.
func TestResolverLearnerErrors(t *testing.T) {
	inv := newScripted().reply("users.getFullUser", &tg.UsersUserFull{Users: []tg.UserClass{durov}})
	var got []error
	r := peer.NewResolver(inv, failingStore{}, peer.ResolverOptions{OnLearnError: func(err error) { got = append(got, err) }})
	api := tg.NewClient(r.Learner().Wrap(inv))
	if _, err := api.UsersGetFullUser(context.Background(), &tg.UsersGetFullUserRequest{ID: &tg.InputUserSelf{}}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Errorf("OnLearnError got %v; want the store's error", got)
	}
}

// A string of digits is looked up as a phone number, never as a user ID;
// when no one has the number, the error says how to pass an ID instead.
func TestDigitStringIsPhone(t *testing.T) {
	inv := newScripted().
		on("contacts.resolvePhone", func(tg.Object) (any, error) { return nil, rpcErr(400, "PHONE_NOT_OCCUPIED") }).
		reply("contacts.getContacts", &tg.ContactsContactsNotModified{})
	r, _ := newResolver(t, inv)
	_, err := r.ResolvePeer(context.Background(), "393281234567")
	var pe *peer.PhoneError
	if !errors.As(err, &pe) || pe.Phone != "393281234567" {
		t.Fatalf("ResolvePeer = %v; want a *PhoneError", err)
	}
	if !strings.Contains(err.Error(), `if 393281234567 is a user ID, pass it as an integer, int64(393281234567), or as "tg://user?id=393281234567"`) {
		t.Errorf("the error does not say how to pass an ID: %v", err)
	}
	if calls := inv.names(); !slices.Equal(calls, []string{"contacts.resolvePhone", "contacts.getContacts"}) {
		t.Errorf("calls %q; want a phone lookup and no users.getUsers", calls)
	}
}
