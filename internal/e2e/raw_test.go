package e2e

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/tgraw/tgraw/tg"
)

// TestRawOverMTProto runs the scenario with tg.Client alone, the access
// hashes taken by hand from the answers: it checks tg over real MTProto
// and the fake server that TestPeerOverMTProto relies on. Every call is
// read at tg.Layer (see checkLayers).
func TestRawOverMTProto(t *testing.T) {
	forEachClient(t, rawOverMTProto)
}

func rawOverMTProto(t *testing.T, c mtprotoClient) {
	w := newWorld()
	srv := newServer(t, w, 3)
	runOver(t, c.connect, srv, func(ctx context.Context, client tg.Invoker) error {
		api := tg.NewClient(client)

		resolved, err := api.ContactsResolveUsername(ctx, &tg.ContactsResolveUsernameRequest{Username: bobName})
		if err != nil {
			return fmt.Errorf("contacts.resolveUsername: %w", err)
		}
		bob, ok := resolved.Users[0].(*tg.User)
		if !ok || bob.ID != bobID || bob.AccessHash != hashOf(bobID) {
			return fmt.Errorf("contacts.resolveUsername: got %s", tlString(resolved))
		}

		// Walk the dialogs by hand, three a page.
		var (
			req      = &tg.MessagesGetDialogsRequest{OffsetPeer: &tg.InputPeerEmpty{}, Limit: 3}
			seen     int
			news     *tg.Channel
			alice    *tg.User
			userHash = map[int64]int64{}
			chanHash = map[int64]int64{}
		)
		for {
			res, err := api.MessagesGetDialogs(ctx, req)
			if err != nil {
				return fmt.Errorf("messages.getDialogs: %w", err)
			}
			page, ok := res.(*tg.MessagesDialogsSlice)
			if !ok {
				return fmt.Errorf("messages.getDialogs: got %T", res)
			}
			for _, u := range page.Users {
				if u, ok := u.(*tg.User); ok {
					userHash[u.ID] = u.AccessHash
					if u.ID == aliceID {
						alice = u
					}
				}
			}
			for _, c := range page.Chats {
				if c, ok := c.(*tg.Channel); ok {
					chanHash[c.ID] = c.AccessHash
					if c.ID == newsID {
						news = c
					}
				}
			}
			seen += len(page.Dialogs)
			if len(page.Dialogs) == 0 || seen >= page.Count {
				break
			}
			last := page.Dialogs[len(page.Dialogs)-1].(*tg.Dialog)
			var top *tg.Message
			for _, m := range page.Messages {
				if m, ok := m.(*tg.Message); ok && m.ID == last.TopMessage && sameTL(m.PeerID, last.Peer) {
					top = m
				}
			}
			if top == nil {
				return fmt.Errorf("messages.getDialogs: no top message for %s", tlString(last))
			}
			req = &tg.MessagesGetDialogsRequest{OffsetDate: top.Date, OffsetID: top.ID, Limit: 3}
			switch p := last.Peer.(type) {
			case *tg.PeerUser:
				req.OffsetPeer = &tg.InputPeerUser{UserID: p.UserID, AccessHash: userHash[p.UserID]}
			case *tg.PeerChat:
				req.OffsetPeer = &tg.InputPeerChat{ChatID: p.ChatID}
			case *tg.PeerChannel:
				req.OffsetPeer = &tg.InputPeerChannel{ChannelID: p.ChannelID, AccessHash: chanHash[p.ChannelID]}
			}
		}
		if news == nil || alice == nil {
			return fmt.Errorf("dialogs: news channel or alice missing")
		}

		phone, err := api.ContactsResolvePhone(ctx, &tg.ContactsResolvePhoneRequest{Phone: carolTel})
		if err != nil {
			return fmt.Errorf("contacts.resolvePhone: %w", err)
		}
		carol := phone.Users[0].(*tg.User)

		invited, err := api.ChannelsInviteToChannel(ctx, &tg.ChannelsInviteToChannelRequest{
			Channel: &tg.InputChannel{ChannelID: news.ID, AccessHash: news.AccessHash},
			Users: []tg.InputUserClass{
				&tg.InputUser{UserID: alice.ID, AccessHash: alice.AccessHash},
				&tg.InputUser{UserID: bob.ID, AccessHash: bob.AccessHash},
				&tg.InputUser{UserID: carol.ID, AccessHash: carol.AccessHash},
			},
		})
		if err != nil {
			return fmt.Errorf("channels.inviteToChannel: %w", err)
		}
		return checkInvited(invited)
	})

	wantCalls := []string{
		"help.getConfig",
		"contacts.resolveUsername " + bobName,
		"messages.getDialogs", "messages.getDialogs", "messages.getDialogs", "messages.getDialogs",
		"contacts.resolvePhone " + carolTel,
		"channels.inviteToChannel",
	}
	if got := srv.Calls(); !slices.Equal(got, wantCalls) {
		t.Errorf("server got RPCs\n  %q\nwant\n  %q", got, wantCalls)
	}
	checkInvite(t, w, srv)
	checkLayers(t, c, srv)
}

// checkInvited checks the result of channels.inviteToChannel: the updates
// of the invitation, and no one left out.
func checkInvited(invited *tg.MessagesInvitedUsers) error {
	if _, ok := invited.Updates.(*tg.Updates); !ok || len(invited.MissingInvitees) != 0 {
		return fmt.Errorf("channels.inviteToChannel: got %s, want updates and no missing invitees", tlString(invited))
	}
	return nil
}

// checkInvite checks that the server got exactly one
// channels.inviteToChannel: the news channel and Alice, Bob and Carol,
// each with its access hash.
func checkInvite(t *testing.T, w *world, srv *server) {
	t.Helper()
	want := &tg.ChannelsInviteToChannelRequest{
		Channel: w.inputChannel(newsID),
		Users:   []tg.InputUserClass{w.inputUser(aliceID), w.inputUser(bobID), w.inputUser(carolID)},
	}
	invites := srv.Invites()
	if len(invites) != 1 {
		t.Fatalf("server got %d channels.inviteToChannel, want 1", len(invites))
	}
	if !sameTL(invites[0], want) {
		t.Errorf("channels.inviteToChannel:\n  got  %s\n  want %s", tlString(invites[0]), tlString(want))
	}
}
