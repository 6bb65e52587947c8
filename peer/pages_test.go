package peer_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tgraw/tgraw/peer"
	"github.com/tgraw/tgraw/tg"
)

// These tests follow the two pages of Pyrogram's documentation that
// tgraw's peer layer answers to, step by step, over a recording Invoker:
// the "Raw API" page (its examples of raw calls and its section on chat
// IDs) and the "Peers" page (how peers are met and resolved).

// The people and chats of the pages.
var (
	pageChannel = &tg.Channel{ID: 1234567890, AccessHash: 901, Title: "My channel", Megagroup: true, Photo: &tg.ChatPhotoEmpty{}}
	pageByID    = &tg.User{ID: 23456789, AccessHash: 902, FirstName: "By ID"}
	pageByName  = &tg.User{ID: 34567890, AccessHash: 903, FirstName: "By username", Username: "username"}
	pageByPhone = &tg.User{ID: 45678901, AccessHash: 904, FirstName: "By phone", Phone: "393281234567"}
)

// The Raw API page: update the profile, then invite three users to a
// channel, by ID, by username and by phone number.
func TestPyrogramRawAPIPage(t *testing.T) {
	inv := newScripted().
		reply("account.updateProfile", &tg.User{ID: 1000, Self: true, AccessHash: 1, FirstName: "First Name", LastName: "Last Name"}).
		reply("channels.getChannels", &tg.MessagesChats{Chats: []tg.ChatClass{pageChannel}}).
		reply("users.getUsers", []tg.Object{pageByID}).
		reply("contacts.resolveUsername", &tg.ContactsResolvedPeer{Peer: &tg.PeerUser{UserID: pageByName.ID}, Users: []tg.UserClass{pageByName}}).
		reply("contacts.resolvePhone", &tg.ContactsResolvedPeer{Peer: &tg.PeerUser{UserID: pageByPhone.ID}, Users: []tg.UserClass{pageByPhone}}).
		reply("channels.inviteToChannel", &tg.MessagesInvitedUsers{
			Updates:         &tg.Updates{Updates: []tg.UpdateClass{}, Users: []tg.UserClass{}, Chats: []tg.ChatClass{}},
			MissingInvitees: []tg.MissingInvitee{},
		})
	store := peer.NewMemoryStore(peer.MemoryOptions{})
	learning := peer.NewLearner(store, nil).Wrap(inv)
	api := tg.NewClient(learning)
	r := peer.NewResolver(learning, store, peer.ResolverOptions{Clock: newFakeClock()})
	ctx := context.Background()

	// Update first name, last name and bio: a raw call as it is.
	if _, err := api.AccountUpdateProfile(ctx, &tg.AccountUpdateProfileRequest{
		FirstName: "First Name", LastName: "Last Name", About: "New bio text",
	}); err != nil {
		t.Fatal(err)
	}

	// Invite users to the channel. The channel by its ID: a marked ID in Go,
	// so -1001234567890 for channel 1234567890.
	channel, err := r.ResolveChannel(ctx, int64(-1001234567890))
	if err != nil {
		t.Fatal(err)
	}
	var users []tg.InputUserClass
	for _, ref := range []any{
		23456789,       // by ID
		"username",     // by username
		"393281234567", // by phone number: a string of digits is a phone
	} {
		u, err := r.ResolveUser(ctx, ref)
		if err != nil {
			t.Fatalf("ResolveUser(%v): %v", ref, err)
		}
		users = append(users, u)
	}
	if _, err := api.ChannelsInviteToChannel(ctx, &tg.ChannelsInviteToChannelRequest{Channel: channel, Users: users}); err != nil {
		t.Fatal(err)
	}

	want := []tg.Object{
		&tg.AccountUpdateProfileRequest{FirstName: "First Name", LastName: "Last Name", About: "New bio text"},
		&tg.ChannelsGetChannelsRequest{ID: []tg.InputChannelClass{&tg.InputChannel{ChannelID: pageChannel.ID}}},
		&tg.UsersGetUsersRequest{ID: []tg.InputUserClass{&tg.InputUser{UserID: pageByID.ID}}},
		&tg.ContactsResolveUsernameRequest{Username: "username"},
		&tg.ContactsResolvePhoneRequest{Phone: "393281234567"},
		&tg.ChannelsInviteToChannelRequest{
			Channel: &tg.InputChannel{ChannelID: pageChannel.ID, AccessHash: 901},
			Users: []tg.InputUserClass{
				&tg.InputUser{UserID: pageByID.ID, AccessHash: 902},
				&tg.InputUser{UserID: pageByName.ID, AccessHash: 903},
				&tg.InputUser{UserID: pageByPhone.ID, AccessHash: 904},
			},
		},
	}
	if got := inv.sent(); !reflect.DeepEqual(got, want) {
		t.Errorf("calls:\n got %s\nwant %s", tlNames(got), tlNames(want))
		for i := range min(len(got), len(want)) {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Errorf("call %d:\n got %#v\nwant %#v", i, got[i], want[i])
			}
		}
	}

	// Done again, everything comes from the store: only the invitation.
	before := len(inv.sent())
	for _, ref := range []any{int64(-1001234567890), 23456789, "username", "393281234567"} {
		if _, err := r.ResolvePeer(ctx, ref); err != nil {
			t.Errorf("ResolvePeer(%v) again: %v", ref, err)
		}
	}
	if n := len(inv.sent()) - before; n != 0 {
		t.Errorf("resolving again made %d calls: %s", n, tlNames(inv.sent()[before:]))
	}
}

// The Raw API page's section on chat IDs: raw IDs are positive within
// their kind, and marked IDs tell the kinds apart: a user as it is, a
// basic chat negated, a channel offset by -10^12. (The page writes the
// channel's form as "-100" and the ID, which holds for IDs of ten digits:
// channel 123456789 is -1000123456789, while -100123456789 is basic chat
// 100123456789.)
func TestPyrogramChatIDs(t *testing.T) {
	for _, tc := range []struct {
		marked int64
		want   peer.Key
	}{
		{123456789, peer.UserKey(123456789)},
		{-123456789, peer.ChatKey(123456789)},
		{-1000123456789, peer.ChannelKey(123456789)},
		{-1001234567890, peer.ChannelKey(1234567890)},
		{-100123456789, peer.ChatKey(100123456789)},
	} {
		// As a Go integer, and for chats and channels as a string too.
		refs := []any{tc.marked}
		if tc.marked < 0 {
			refs = append(refs, strconv.FormatInt(tc.marked, 10))
		}
		for _, ref := range refs {
			if q, err := peer.ParseRef(ref); err != nil || q.Kind != peer.QueryPeer || q.Key != tc.want {
				t.Errorf("ParseRef(%#v) = %v, %v; want %v", ref, q, err, tc.want)
			}
		}
		if m, err := tc.want.Marked(); err != nil || m != tc.marked {
			t.Errorf("%v.Marked() = %d, %v; want %d", tc.want, m, err, tc.marked)
		}
	}
}

// The Peers page: walk the dialogs (which fills the store), then resolve a
// username, a t.me link, a joinchat link, a phone number and an ID; a peer
// the store has not met is looked up with ResolveUsername or GetContacts.
// Then the three ways to meet a peer whose ID alone fails: the dialogs,
// the members of a chat it is in, and a message it sent or forwarded.
func TestPyrogramPeersPage(t *testing.T) {
	friend := &tg.User{ID: 5001, AccessHash: 51, FirstName: "Friend", Username: "username"}
	contact := &tg.User{ID: 5002, AccessHash: 52, FirstName: "Contact", Phone: "34600000000", Contact: true}
	someone := &tg.User{ID: 5003, AccessHash: 53, FirstName: "Some ID"}
	member := &tg.User{ID: 5004, AccessHash: 54, FirstName: "Member"}
	sender := &tg.User{ID: 5005, Min: true, FirstName: "Forwarded from"}
	hidden := &tg.User{ID: 5006, AccessHash: 56, FirstName: "Hidden number", Phone: "34699999999", Contact: true}
	stranger := &tg.User{ID: 5007, AccessHash: 57, FirstName: "Stranger", Username: "stranger"}
	dialogs := &tg.MessagesDialogs{
		Dialogs: []tg.DialogClass{
			&tg.Dialog{Peer: &tg.PeerUser{UserID: friend.ID}, TopMessage: 3},
			&tg.Dialog{Peer: &tg.PeerUser{UserID: contact.ID}, TopMessage: 2},
			&tg.Dialog{Peer: &tg.PeerUser{UserID: someone.ID}, TopMessage: 1},
			&tg.Dialog{Peer: &tg.PeerChannel{ChannelID: news.ID}, TopMessage: 9},
		},
		Messages: []tg.MessageClass{
			message(&tg.PeerUser{UserID: friend.ID}, 3, 1003), message(&tg.PeerUser{UserID: contact.ID}, 2, 1002),
			message(&tg.PeerUser{UserID: someone.ID}, 1, 1001), message(&tg.PeerChannel{ChannelID: news.ID}, 9, 1009),
		},
		Users: []tg.UserClass{friend, contact, someone},
		Chats: []tg.ChatClass{news},
	}
	inv := newScripted().
		reply("messages.getDialogs", dialogs).
		reply("messages.checkChatInvite", &tg.ChatInviteAlready{Chat: private}).
		on("users.getUsers", func(tg.Object) (any, error) { return nil, rpcErr(400, "PEER_ID_INVALID") }).
		reply("contacts.resolveUsername", &tg.ContactsResolvedPeer{Peer: &tg.PeerUser{UserID: stranger.ID}, Users: []tg.UserClass{stranger}}).
		on("contacts.resolvePhone", func(tg.Object) (any, error) { return nil, rpcErr(400, "PHONE_NOT_OCCUPIED") }).
		reply("contacts.getContacts", contactList(contact, hidden)).
		reply("messages.getFullChat", &tg.MessagesChatFull{
			FullChat: &tg.ChatFull{ID: group.ID, Participants: &tg.ChatParticipants{ChatID: group.ID,
				Participants: []tg.ChatParticipantClass{&tg.ChatParticipant{UserID: member.ID}}},
				ChatPhoto: &tg.PhotoEmpty{}, NotifySettings: tg.PeerNotifySettings{}},
			Chats: []tg.ChatClass{group}, Users: []tg.UserClass{member},
		}).
		reply("channels.getMessages", &tg.MessagesChannelMessages{
			Messages: []tg.MessageClass{&tg.Message{ID: 9, PeerID: &tg.PeerChannel{ChannelID: news.ID},
				FwdFrom: &tg.MessageFwdHeader{FromID: &tg.PeerUser{UserID: sender.ID}}}},
			Chats: []tg.ChatClass{news}, Users: []tg.UserClass{sender}, Topics: []tg.ForumTopicClass{},
		})
	r, _, _ := newResolverWith(t, inv, peer.ResolverOptions{})
	ctx := context.Background()

	// An ID alone, before anything was met: not found, and the error says
	// how to meet the peer.
	_, err := r.ResolvePeer(ctx, someone.ID)
	var nf *peer.NotFoundError
	if !errors.As(err, &nf) {
		t.Fatalf("ResolvePeer(an unmet ID) = %v; want a *NotFoundError", err)
	}

	// Walk the dialogs: this fills the store.
	for _, err := range r.Dialogs(ctx) {
		if err != nil {
			t.Fatal(err)
		}
	}
	mark := len(inv.sent())
	for _, step := range []struct {
		ref  any
		want tg.InputPeerClass
	}{
		{"username", &tg.InputPeerUser{UserID: friend.ID, AccessHash: 51}},
		{"t.me/username", &tg.InputPeerUser{UserID: friend.ID, AccessHash: 51}},
		{"+34 600 000 000", &tg.InputPeerUser{UserID: contact.ID, AccessHash: 52}},
		{someone.ID, &tg.InputPeerUser{UserID: someone.ID, AccessHash: 53}},
	} {
		if got, err := r.ResolvePeer(ctx, step.ref); err != nil || !reflect.DeepEqual(got, step.want) {
			t.Errorf("ResolvePeer(%v) after the dialogs = %#v, %v; want %#v", step.ref, got, err, step.want)
		}
	}
	if calls := inv.sent()[mark:]; len(calls) != 0 {
		t.Errorf("peers of the dialogs made calls: %s", tlNames(calls))
	}

	// Other kinds of peers, and peers the dialogs did not have: each makes
	// the one call that finds it.
	for _, step := range []struct {
		ref   any
		want  tg.InputPeerClass
		calls []string
	}{
		{"telegram.me/joinchat/AAAAAEkk2WdoDrB4-Q8-gg", &tg.InputPeerChannel{ChannelID: private.ID, AccessHash: 15}, []string{"messages.checkChatInvite"}},
		{"stranger", &tg.InputPeerUser{UserID: stranger.ID, AccessHash: 57}, []string{"contacts.resolveUsername"}},
		{"+34 699 999 999", &tg.InputPeerUser{UserID: hidden.ID, AccessHash: 56}, []string{"contacts.resolvePhone", "contacts.getContacts"}},
	} {
		mark := len(inv.sent())
		got, err := r.ResolvePeer(ctx, step.ref)
		if err != nil || !reflect.DeepEqual(got, step.want) {
			t.Errorf("ResolvePeer(%v) = %#v, %v; want %#v", step.ref, got, err, step.want)
		}
		if calls := names(inv.sent()[mark:]); !slices.Equal(calls, step.calls) {
			t.Errorf("ResolvePeer(%v) made calls %q; want %q", step.ref, calls, step.calls)
		}
	}

	// Get the members of a chat: then a member's ID works.
	for _, err := range r.Participants(ctx, group) {
		if err != nil {
			t.Fatal(err)
		}
	}
	// Get a message: then its forwarded sender works, through the message.
	for _, err := range r.Messages(ctx, news, 9) {
		if err != nil {
			t.Fatal(err)
		}
	}
	mark = len(inv.sent())
	if got, err := r.ResolvePeer(ctx, member.ID); err != nil || !reflect.DeepEqual(got, &tg.InputPeerUser{UserID: member.ID, AccessHash: 54}) {
		t.Errorf("ResolvePeer(member) = %#v, %v", got, err)
	}
	fromMsg := &tg.InputPeerUserFromMessage{Peer: &tg.InputPeerChannel{ChannelID: news.ID, AccessHash: 99}, MsgID: 9, UserID: sender.ID}
	if got, err := r.ResolvePeer(ctx, sender.ID); err != nil || !reflect.DeepEqual(got, fromMsg) {
		t.Errorf("ResolvePeer(forwarded sender) = %#v, %v; want %#v", got, err, fromMsg)
	}
	if calls := inv.sent()[mark:]; len(calls) != 0 {
		t.Errorf("met peers made calls: %s", tlNames(calls))
	}
}

func names(calls []tg.Object) []string {
	var out []string
	for _, c := range calls {
		out = append(out, c.TypeName())
	}
	return out
}

func tlNames(calls []tg.Object) string {
	return "[" + strings.Join(names(calls), " ") + "]"
}
