package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/tgraw/tgraw/peer"
	"github.com/tgraw/tgraw/peer/sqlitestore"
	"github.com/tgraw/tgraw/tg"
)

// TestPeerOverMTProto runs the peer layer over real MTProto: tg.Client
// wrapped by a peer.Learner, a peer.Resolver on the same store, and
// channels.inviteToChannel called with a channel resolved by its marked ID
// and users resolved by ID, by username and by phone number.
func TestPeerOverMTProto(t *testing.T) {
	forEachClient(t, peerOverMTProto)
}

func peerOverMTProto(t *testing.T, c mtprotoClient) {
	t.Run("MemoryStore", func(t *testing.T) {
		scenario(t, c, peer.NewMemoryStore(peer.MemoryOptions{}))
	})
	t.Run("SQLiteStore", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		path := filepath.Join(t.TempDir(), "account.session")
		store, err := sqlitestore.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		scenario(t, c, store)
		if err := store.Close(); err != nil {
			t.Fatal(err)
		}
		if t.Failed() {
			return
		}

		// After a restart every peer of the scenario comes from the file.
		store, err = sqlitestore.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		restarted(t, c, store)
	})
}

// scenario is the whole walk on a fresh store: a username, a raw call
// the Learner learns from, the dialog list, a marked channel ID with no
// RPC, then the invitation.
func scenario(t *testing.T, c mtprotoClient, store peer.Store) {
	w := newWorld()
	srv := newServer(t, w, 3)
	runOver(t, c.connect, srv, func(ctx context.Context, client tg.Invoker) error {
		learner := peer.NewLearner(store, func(err error) { t.Errorf("learner: %v", err) })
		// One Invoker for every call, the resolver's too: over gotd/td's
		// client, each goes inside invokeWithLayer(tg.Layer).
		inv := learner.Wrap(client)
		api := tg.NewClient(inv)
		res := peer.NewResolver(inv, store, peer.ResolverOptions{})

		// 1. A username the store has never seen: one contacts.resolveUsername.
		p, err := res.ResolvePeer(ctx, "@"+bobName)
		if err != nil {
			return fmt.Errorf("resolve @%s: %w", bobName, err)
		}
		expectTL(t, "ResolvePeer(@"+bobName+")", p, w.inputPeer(&tg.PeerUser{UserID: bobID}))

		// A raw call through the Learner: its result is stored.
		if _, err := api.ContactsResolveUsername(ctx, &tg.ContactsResolveUsernameRequest{Username: ivanName}); err != nil {
			return fmt.Errorf("contacts.resolveUsername: %w", err)
		}

		// 2. The dialog list, three dialogs a page on this server.
		var dialogs []peer.Dialog
		for d, err := range res.Dialogs(ctx) {
			if err != nil {
				return fmt.Errorf("dialogs: %w", err)
			}
			dialogs = append(dialogs, d)
		}
		checkDialogs(t, w, dialogs)

		// 3. With no RPC: the marked channel ID, in both forms, and the
		// user the raw call met.
		before := len(srv.Calls())
		channel, err := res.ResolveChannel(ctx, newsMarked)
		if err != nil {
			return fmt.Errorf("resolve channel %d: %w", newsMarked, err)
		}
		expectTL(t, "ResolveChannel(newsMarked)", channel, w.inputChannel(newsID))
		p, err = res.ResolvePeer(ctx, strconv.FormatInt(newsMarked, 10))
		if err != nil {
			return fmt.Errorf("resolve %q: %w", strconv.FormatInt(newsMarked, 10), err)
		}
		expectTL(t, "ResolvePeer(\"-100...\")", p, w.inputPeer(&tg.PeerChannel{ChannelID: newsID}))
		ivan, err := res.ResolveUser(ctx, "t.me/"+ivanName)
		if err != nil {
			return fmt.Errorf("resolve t.me/%s: %w", ivanName, err)
		}
		expectTL(t, "ResolveUser(t.me/"+ivanName+")", ivan, w.inputUser(ivanID))
		if after := srv.Calls(); len(after) != before {
			t.Errorf("resolving from the store made RPCs: %q", after[before:])
		}

		// 4. The invitation: Alice by ID (met in the dialogs), Bob by
		// username (stored in step 1; usernames ignore case), Carol by
		// phone number (one contacts.resolvePhone).
		users, err := resolveUsers(ctx, res, aliceID, "@Bob_Builder", "+1 555 123 4567")
		if err != nil {
			return err
		}
		return invite(ctx, api, channel, users)
	})

	wantCalls := []string{
		"help.getConfig",
		"contacts.resolveUsername " + bobName,
		"contacts.resolveUsername " + ivanName,
		"messages.getDialogs", "messages.getDialogs", "messages.getDialogs", "messages.getDialogs",
		"contacts.resolvePhone " + carolTel,
		"channels.inviteToChannel",
	}
	if got := srv.Calls(); !slices.Equal(got, wantCalls) {
		t.Errorf("server got RPCs\n  %q\nwant\n  %q", got, wantCalls)
	}
	checkDialogPages(t, w, srv)
	checkInvite(t, w, srv)
	checkLayers(t, c, srv)
}

// restarted repeats the invitation on a new connection with a store that
// already knows every peer: the server sees only the invitation.
func restarted(t *testing.T, c mtprotoClient, store peer.Store) {
	w := newWorld()
	srv := newServer(t, w, 3)
	runOver(t, c.connect, srv, func(ctx context.Context, client tg.Invoker) error {
		inv := peer.NewLearner(store, func(err error) { t.Errorf("learner: %v", err) }).Wrap(client)
		res := peer.NewResolver(inv, store, peer.ResolverOptions{})
		channel, err := res.ResolveChannel(ctx, strconv.FormatInt(newsMarked, 10))
		if err != nil {
			return fmt.Errorf("resolve channel %d: %w", newsMarked, err)
		}
		users, err := resolveUsers(ctx, res, aliceID, bobName, "+"+carolTel)
		if err != nil {
			return err
		}
		return invite(ctx, tg.NewClient(inv), channel, users)
	})
	wantCalls := []string{"help.getConfig", "channels.inviteToChannel"}
	if got := srv.Calls(); !slices.Equal(got, wantCalls) {
		t.Errorf("server got RPCs\n  %q\nwant\n  %q", got, wantCalls)
	}
	checkInvite(t, w, srv)
	checkLayers(t, c, srv)
}

func resolveUsers(ctx context.Context, res *peer.Resolver, refs ...any) ([]tg.InputUserClass, error) {
	var users []tg.InputUserClass
	for _, ref := range refs {
		u, err := res.ResolveUser(ctx, ref)
		if err != nil {
			return nil, fmt.Errorf("resolve user %v: %w", ref, err)
		}
		users = append(users, u)
	}
	return users, nil
}

func invite(ctx context.Context, api *tg.Client, channel tg.InputChannelClass, users []tg.InputUserClass) error {
	invited, err := api.ChannelsInviteToChannel(ctx, &tg.ChannelsInviteToChannelRequest{Channel: channel, Users: users})
	if err != nil {
		return fmt.Errorf("channels.inviteToChannel: %w", err)
	}
	return checkInvited(invited)
}

// checkDialogs checks that the walk yielded every dialog of the world, in
// order, each with its InputPeer (access hash included) and top message.
func checkDialogs(t *testing.T, w *world, got []peer.Dialog) {
	t.Helper()
	if len(got) != len(w.dialogs) {
		t.Errorf("dialogs: got %d, want %d", len(got), len(w.dialogs))
	}
	for i := range min(len(got), len(w.dialogs)) {
		want := w.dialogs[i]
		key, err := peer.KeyOfPeer(want.peer)
		if err != nil {
			t.Fatal(err)
		}
		if got[i].Key != key {
			t.Errorf("dialog %d: key %v, want %v", i, got[i].Key, key)
		}
		expectTL(t, fmt.Sprintf("dialog %d peer", i), got[i].Peer, w.inputPeer(want.peer))
		expectTL(t, fmt.Sprintf("dialog %d top message", i), got[i].TopMessage, want.top)
	}
}

// checkDialogPages checks the pages the client asked for: four, the first
// from the top and each next one from the last dialog of the page before,
// which is in turn a channel, a basic chat and a user. (The server also
// refuses wrong offsets as it goes.)
func checkDialogPages(t *testing.T, w *world, srv *server) {
	t.Helper()
	pages := srv.DialogPages()
	if len(pages) != 4 {
		t.Fatalf("messages.getDialogs: %d pages, want 4", len(pages))
	}
	for i, p := range pages {
		want := &tg.MessagesGetDialogsRequest{OffsetPeer: &tg.InputPeerEmpty{}, Limit: p.Limit}
		if i > 0 {
			last := w.dialogs[3*i-1]
			want = &tg.MessagesGetDialogsRequest{
				OffsetDate: last.top.Date,
				OffsetID:   last.top.ID,
				OffsetPeer: w.inputPeer(last.peer),
				Limit:      p.Limit,
			}
		}
		expectTL(t, fmt.Sprintf("messages.getDialogs page %d", i+1), p, want)
	}
	kinds := []string{pages[1].OffsetPeer.TypeName(), pages[2].OffsetPeer.TypeName(), pages[3].OffsetPeer.TypeName()}
	if want := []string{"inputPeerChannel", "inputPeerChat", "inputPeerUser"}; !slices.Equal(kinds, want) {
		t.Errorf("offset peers %q, want %q", kinds, want)
	}
}

// expectTL reports got and want when their TL encodings differ.
func expectTL(t *testing.T, what string, got, want tg.Object) {
	t.Helper()
	if !sameTL(got, want) {
		t.Errorf("%s:\n  got  %s\n  want %s", what, tlString(got), tlString(want))
	}
}
