package peer_test

import (
	"context"
	"errors"

	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gotd/td/tgerr"
	"golang.org/x/time/rate"

	"github.com/tgraw/tgraw/peer"
	"github.com/tgraw/tgraw/tg"
)

// failThen answers with the errors in turn, then with res.
func failThen(res any, errs ...error) func(tg.Object) (any, error) {
	var mu sync.Mutex
	return func(tg.Object) (any, error) {
		mu.Lock()
		defer mu.Unlock()
		if len(errs) > 0 {
			err := errs[0]
			errs = errs[1:]
			return nil, err
		}
		return res, nil
	}
}

var durovResolved = &tg.ContactsResolvedPeer{Peer: &tg.PeerUser{UserID: durov.ID}, Users: []tg.UserClass{durov}}

// A FLOOD_WAIT within MaxFloodWait is waited out, on the clock, and the
// call made again.
func TestFloodWaitRetried(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"WholeType", rpcErr(420, "FLOOD_WAIT_5")},
		{"Gotd", tgerr.New(420, "FLOOD_WAIT_5")},
		{"Premium", tgerr.New(420, "FLOOD_PREMIUM_WAIT_5")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv := newScripted().on("contacts.resolveUsername", failThen(durovResolved, tc.err))
			r, _, clk := newResolverWith(t, inv, peer.ResolverOptions{})
			p, err := r.ResolvePeer(context.Background(), "durov")
			if err != nil || !reflect.DeepEqual(p, &tg.InputPeerUser{UserID: durov.ID, AccessHash: 61}) {
				t.Fatalf("ResolvePeer = %v, %v", p, err)
			}
			if n := inv.count("contacts.resolveUsername"); n != 2 {
				t.Errorf("%d calls; want 2", n)
			}
			if got := clk.slept(); !slices.Equal(got, []time.Duration{5 * time.Second}) {
				t.Errorf("slept %v; want [5s]", got)
			}
		})
	}
}

// The waits of one call are bounded by MaxFloodWait in all.
func TestFloodWaitBoundedInAll(t *testing.T) {
	inv := newScripted().on("contacts.resolveUsername",
		failThen(durovResolved, rpcErr(420, "FLOOD_WAIT_40"), rpcErr(420, "FLOOD_WAIT_40")))
	r, _, clk := newResolverWith(t, inv, peer.ResolverOptions{})
	_, err := r.ResolvePeer(context.Background(), "durov")
	var fe *peer.FloodError
	if !errors.As(err, &fe) || fe.Wait != 40*time.Second {
		t.Fatalf("ResolvePeer = %v; want a *FloodError of 40s (40s + 40s > the default 1m)", err)
	}
	if got := clk.slept(); !slices.Equal(got, []time.Duration{40 * time.Second}) {
		t.Errorf("slept %v; want [40s]", got)
	}
}

// A wait longer than MaxFloodWait comes back as a *FloodError that wraps
// the transport's error; until it is over no call of the method is made.
func TestFloodWaitTooLong(t *testing.T) {
	inv := newScripted().on("contacts.resolveUsername", failThen(durovResolved, tgerr.New(420, "FLOOD_WAIT_3600")))
	r, _, clk := newResolverWith(t, inv, peer.ResolverOptions{})
	ctx := context.Background()
	_, err := r.ResolvePeer(ctx, "someone")
	var fe *peer.FloodError
	if !errors.As(err, &fe) || fe.Method != "contacts.resolveUsername" || fe.Wait != time.Hour {
		t.Fatalf("ResolvePeer = %v; want a *FloodError of contacts.resolveUsername for 1h", err)
	}
	var gotd *tgerr.Error
	if !errors.As(err, &gotd) || gotd.Type != "FLOOD_WAIT" {
		t.Errorf("errors.As(err, *tgerr.Error) failed on %v", err)
	}
	if len(clk.slept()) != 0 {
		t.Errorf("slept %v; want no wait", clk.slept())
	}

	// 20 minutes later, another username: no call, 40 minutes left.
	clk.advance(20 * time.Minute)
	_, err = r.ResolvePeer(ctx, "durov")
	if !errors.As(err, &fe) || fe.Wait != 40*time.Minute || !errors.As(err, &gotd) {
		t.Fatalf("ResolvePeer during the wait = %v; want a *FloodError with 40m left", err)
	}
	if n := inv.count("contacts.resolveUsername"); n != 1 {
		t.Errorf("%d calls during the wait; want the first one only", n)
	}
	// Other methods are not held back.
	inv.reply("users.getUsers", []tg.Object{bob})
	if _, err := r.ResolvePeer(ctx, bob.ID); err != nil {
		t.Errorf("users.getUsers during a wait of contacts.resolveUsername: %v", err)
	}

	// Once it is over, the call is made; a wait of under MaxFloodWait
	// left is waited out first.
	clk.advance(39*time.Minute + 30*time.Second)
	if _, err := r.ResolvePeer(ctx, "durov"); err != nil {
		t.Fatalf("ResolvePeer after the wait = %v", err)
	}
	if got := clk.slept(); !slices.Equal(got, []time.Duration{30 * time.Second}) {
		t.Errorf("slept %v; want [30s], the rest of the wait", got)
	}
}

// A negative MaxFloodWait never waits.
func TestFloodWaitDisabled(t *testing.T) {
	inv := newScripted().on("contacts.resolveUsername", failThen(durovResolved, rpcErr(420, "FLOOD_WAIT_1")))
	r, _, clk := newResolverWith(t, inv, peer.ResolverOptions{MaxFloodWait: -1})
	_, err := r.ResolvePeer(context.Background(), "durov")
	var fe *peer.FloodError
	if !errors.As(err, &fe) || fe.Wait != time.Second {
		t.Fatalf("ResolvePeer = %v; want a *FloodError", err)
	}
	if len(clk.slept()) != 0 || inv.count("contacts.resolveUsername") != 1 {
		t.Errorf("slept %v, %d calls; want no wait, one call", clk.slept(), inv.count("contacts.resolveUsername"))
	}
}

// A wait ends with the caller's context: the error says both.
func TestFloodWaitHonoursContext(t *testing.T) {
	inv := newScripted().on("contacts.resolveUsername", failThen(durovResolved, rpcErr(420, "FLOOD_WAIT_30")))
	r, _, clk := newResolverWith(t, inv, peer.ResolverOptions{})
	clk.held = make(chan time.Duration)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error)
	go func() {
		_, err := r.ResolvePeer(ctx, "durov")
		errc <- err
	}()
	select {
	case d := <-clk.held:
		if d != 30*time.Second {
			t.Errorf("waiting %v; want 30s", d)
		}
	case err := <-errc:
		t.Fatalf("ResolvePeer = %v without waiting", err)
	}
	cancel()
	err := <-errc
	if !errors.Is(err, context.Canceled) {
		t.Errorf("ResolvePeer = %v; want context.Canceled", err)
	}
	if n := inv.count("contacts.resolveUsername"); n != 1 {
		t.Errorf("%d calls; want 1", n)
	}
}

// Every call of the resolver and its iterators passes the flood guard.
func TestFloodErrorOfEveryCall(t *testing.T) {
	flood := func(tg.Object) (any, error) { return nil, rpcErr(420, "FLOOD_WAIT_100") }
	ctx := context.Background()
	for _, tc := range []struct {
		method string
		run    func(r *peer.Resolver) error
	}{
		{"contacts.resolveUsername", func(r *peer.Resolver) error { _, err := r.ResolvePeer(ctx, "durov"); return err }},
		{"contacts.resolvePhone", func(r *peer.Resolver) error { _, err := r.ResolvePeer(ctx, "393281234567"); return err }},
		{"messages.checkChatInvite", func(r *peer.Resolver) error { _, err := r.ResolvePeer(ctx, "t.me/+AbCd"); return err }},
		{"users.getUsers", func(r *peer.Resolver) error { _, err := r.ResolvePeer(ctx, 5); return err }},
		{"channels.getChannels", func(r *peer.Resolver) error { _, err := r.ResolvePeer(ctx, -1001234567890); return err }},
		{"messages.getChats", func(r *peer.Resolver) error { _, err := r.ResolvePeer(ctx, "-4242"); return err }},
		{"messages.getDialogs", func(r *peer.Resolver) error { return firstErr(r.Dialogs(ctx)) }},
		{"channels.getParticipants", func(r *peer.Resolver) error { return firstErr(r.Participants(ctx, news)) }},
		{"messages.getFullChat", func(r *peer.Resolver) error { return firstErr(r.Participants(ctx, group)) }},
		{"channels.getMessages", func(r *peer.Resolver) error { return firstErr(r.Messages(ctx, news, 1)) }},
		{"messages.getMessages", func(r *peer.Resolver) error { return firstErr(r.Messages(ctx, "me", 1)) }},
	} {
		t.Run(tc.method, func(t *testing.T) {
			inv := newScripted().on(tc.method, flood)
			r, _, _ := newResolverWith(t, inv, peer.ResolverOptions{})
			err := tc.run(r)
			var fe *peer.FloodError
			var rpc *rpcError
			if !errors.As(err, &fe) || fe.Method != tc.method || fe.Wait != 100*time.Second || !errors.As(err, &rpc) {
				t.Errorf("error %v; want a *FloodError of %s for 100s wrapping the RPC error", err, tc.method)
			}
		})
	}
}

// firstErr returns the first error an iterator yields, and stops it.
func firstErr[T any](seq func(yield func(T, error) bool)) error {
	var first error
	for _, err := range seq {
		if err != nil {
			first = err
			break
		}
	}
	return first
}

// An iterator whose page drew a long flood yields the *FloodError; a loop
// that goes on resumes at that page once the wait is over.
func TestIteratorsResumeAfterFlood(t *testing.T) {
	const long = "FLOOD_WAIT_300" // over the default MaxFloodWait
	t.Run("Dialogs", func(t *testing.T) {
		pages := []any{
			&tg.MessagesDialogsSlice{Count: 3,
				Dialogs:  []tg.DialogClass{&tg.Dialog{Peer: &tg.PeerUser{UserID: 11}, TopMessage: 9}},
				Messages: []tg.MessageClass{message(&tg.PeerUser{UserID: 11}, 9, 1000)},
				Users:    []tg.UserClass{user(11)}},
			rpcErr(420, long),
			&tg.MessagesDialogsSlice{Count: 3,
				Dialogs:  []tg.DialogClass{&tg.Dialog{Peer: &tg.PeerUser{UserID: 12}, TopMessage: 8}},
				Messages: []tg.MessageClass{message(&tg.PeerUser{UserID: 12}, 8, 990)},
				Users:    []tg.UserClass{user(12)}},
			&tg.MessagesDialogsSlice{Count: 3,
				Dialogs:  []tg.DialogClass{&tg.Dialog{Peer: &tg.PeerUser{UserID: 13}, TopMessage: 7}},
				Messages: []tg.MessageClass{message(&tg.PeerUser{UserID: 13}, 7, 980)},
				Users:    []tg.UserClass{user(13)}},
		}
		inv := newScripted().on("messages.getDialogs", inTurn(pages...))
		r, _, clk := newResolverWith(t, inv, peer.ResolverOptions{})
		var keys []peer.Key
		floods := 0
		for d, err := range r.Dialogs(context.Background()) {
			var fe *peer.FloodError
			if errors.As(err, &fe) {
				floods++
				continue // go on: wait, and ask again
			}
			if err != nil {
				t.Fatal(err)
			}
			keys = append(keys, d.Key)
		}
		if want := []peer.Key{peer.UserKey(11), peer.UserKey(12), peer.UserKey(13)}; !slices.Equal(keys, want) || floods != 1 {
			t.Errorf("dialogs %v, %d floods; want %v and 1 flood", keys, floods, want)
		}
		var offsets []int
		for _, c := range inv.sent() {
			offsets = append(offsets, c.(*tg.MessagesGetDialogsRequest).OffsetID)
		}
		if want := []int{0, 9, 9, 8}; !slices.Equal(offsets, want) {
			t.Errorf("pages asked from message IDs %v; want %v (page 2 asked again)", offsets, want)
		}
		if got := clk.slept(); !slices.Equal(got, []time.Duration{300 * time.Second}) {
			t.Errorf("slept %v; want [5m0s]", got)
		}
	})
	t.Run("Participants", func(t *testing.T) {
		page := func(ids ...int64) *tg.ChannelsChannelParticipants {
			p := &tg.ChannelsChannelParticipants{Count: 3, Chats: []tg.ChatClass{}}
			for _, id := range ids {
				p.Participants = append(p.Participants, &tg.ChannelParticipant{UserID: id})
				p.Users = append(p.Users, user(id))
			}
			return p
		}
		inv := newScripted().on("channels.getParticipants", inTurn(page(11, 12), rpcErr(420, long), page(13)))
		r, store, _ := newResolverWith(t, inv, peer.ResolverOptions{})
		mustStore(t, store, peer.ChannelRecord(news))
		var keys []peer.Key
		for p, err := range r.Participants(context.Background(), news) {
			if err != nil {
				continue
			}
			keys = append(keys, p.Key)
		}
		if want := []peer.Key{peer.UserKey(11), peer.UserKey(12), peer.UserKey(13)}; !slices.Equal(keys, want) {
			t.Errorf("participants %v; want %v", keys, want)
		}
		var offsets []int
		for _, c := range inv.sent() {
			offsets = append(offsets, c.(*tg.ChannelsGetParticipantsRequest).Offset)
		}
		if want := []int{0, 2, 2}; !slices.Equal(offsets, want) {
			t.Errorf("offsets %v; want %v", offsets, want)
		}
	})
	t.Run("Messages", func(t *testing.T) {
		res := &tg.MessagesChannelMessages{Messages: []tg.MessageClass{&tg.MessageEmpty{ID: 5}}, Chats: []tg.ChatClass{}, Users: []tg.UserClass{}, Topics: []tg.ForumTopicClass{}}
		inv := newScripted().on("channels.getMessages", inTurn(rpcErr(420, long), res))
		r, store, _ := newResolverWith(t, inv, peer.ResolverOptions{})
		mustStore(t, store, peer.ChannelRecord(news))
		var got []tg.MessageClass
		for m, err := range r.Messages(context.Background(), news, 5) {
			if err == nil {
				got = append(got, m)
			}
		}
		if len(got) != 1 || inv.count("channels.getMessages") != 2 {
			t.Errorf("messages %v after %d calls; want 1 after 2", got, inv.count("channels.getMessages"))
		}
	})
	t.Run("BreakStops", func(t *testing.T) {
		inv := newScripted().on("messages.getDialogs", inTurn(rpcErr(420, long)))
		r, _, clk := newResolverWith(t, inv, peer.ResolverOptions{})
		for _, err := range r.Dialogs(context.Background()) {
			if err != nil {
				break
			}
		}
		if inv.count("messages.getDialogs") != 1 || len(clk.slept()) != 0 {
			t.Errorf("%d calls, slept %v after a break; want 1 call, no wait", inv.count("messages.getDialogs"), clk.slept())
		}
	})
}

// inTurn answers with the results in turn (an error result is returned as
// the call's error), repeating the last.
func inTurn(results ...any) func(tg.Object) (any, error) {
	var mu sync.Mutex
	return func(tg.Object) (any, error) {
		mu.Lock()
		defer mu.Unlock()
		res := results[0]
		if len(results) > 1 {
			results = results[1:]
		}
		if err, ok := res.(error); ok {
			return nil, err
		}
		return res, nil
	}
}

// Username and phone lookups wait for the per-account limiter, on the
// clock; other calls do not.
func TestLookupLimiter(t *testing.T) {
	ctx := context.Background()
	resolved := func(req tg.Object) (any, error) {
		name := req.(*tg.ContactsResolveUsernameRequest).Username
		u := &tg.User{ID: int64(len(name)) + 100, AccessHash: 1, Username: name}
		return &tg.ContactsResolvedPeer{Peer: &tg.PeerUser{UserID: u.ID}, Users: []tg.UserClass{u}}, nil
	}
	phone := func(req tg.Object) (any, error) {
		p := req.(*tg.ContactsResolvePhoneRequest).Phone
		u := &tg.User{ID: int64(len(p)) + 200, AccessHash: 1, Phone: p}
		return &tg.ContactsResolvedPeer{Peer: &tg.PeerUser{UserID: u.ID}, Users: []tg.UserClass{u}}, nil
	}
	t.Run("Default", func(t *testing.T) {
		inv := newScripted().on("contacts.resolveUsername", resolved).on("contacts.resolvePhone", phone)
		r, _, clk := newResolverWith(t, inv, peer.ResolverOptions{})
		for _, ref := range []any{"a", "bb", "ccc", "+1234", "dddd", "+123456", "eeeeee"} {
			if _, err := r.ResolvePeer(ctx, ref); err != nil {
				t.Fatal(err)
			}
		}
		// A burst of 5, then one every 2s.
		if got, want := clk.slept(), []time.Duration{peer.DefaultLookupInterval, peer.DefaultLookupInterval}; !slices.Equal(got, want) {
			t.Errorf("slept %v; want %v", got, want)
		}
	})
	t.Run("Shared", func(t *testing.T) {
		// One limiter for two resolvers of one account.
		lim := rate.NewLimiter(rate.Every(10*time.Second), 2)
		inv := newScripted().on("contacts.resolveUsername", resolved)
		clk := newFakeClock()
		a, _, _ := newResolverWith(t, inv, peer.ResolverOptions{Lookups: lim, Clock: clk})
		b, _, _ := newResolverWith(t, inv, peer.ResolverOptions{Lookups: lim, Clock: clk})
		for i, name := range []string{"a", "bb", "ccc", "dddd"} {
			r := a
			if i%2 == 1 {
				r = b
			}
			if _, err := r.ResolvePeer(ctx, name); err != nil {
				t.Fatal(err)
			}
		}
		if got, want := clk.slept(), []time.Duration{10 * time.Second, 10 * time.Second}; !slices.Equal(got, want) {
			t.Errorf("slept %v; want %v", got, want)
		}
	})
	t.Run("Off", func(t *testing.T) {
		inv := newScripted().on("contacts.resolveUsername", resolved)
		r, _, clk := newResolverWith(t, inv, peer.ResolverOptions{Lookups: rate.NewLimiter(rate.Inf, 0)})
		for _, name := range []string{"a", "bb", "ccc", "dddd", "eeeee", "ffffff", "ggggggg"} {
			if _, err := r.ResolvePeer(ctx, name); err != nil {
				t.Fatal(err)
			}
		}
		if len(clk.slept()) != 0 {
			t.Errorf("slept %v with limiting off", clk.slept())
		}
	})
	t.Run("OtherCallsNotLimited", func(t *testing.T) {
		inv := newScripted().on("users.getUsers", func(req tg.Object) (any, error) {
			id := req.(*tg.UsersGetUsersRequest).ID[0].(*tg.InputUser).UserID
			return []tg.Object{user(id)}, nil
		})
		r, _, clk := newResolverWith(t, inv, peer.ResolverOptions{})
		for id := range 10 {
			if _, err := r.ResolvePeer(ctx, id+1); err != nil {
				t.Fatal(err)
			}
		}
		if len(clk.slept()) != 0 {
			t.Errorf("users.getUsers waited %v for the lookup limiter", clk.slept())
		}
	})
	t.Run("HonoursContext", func(t *testing.T) {
		inv := newScripted().on("contacts.resolveUsername", resolved)
		r, _, clk := newResolverWith(t, inv, peer.ResolverOptions{Lookups: rate.NewLimiter(rate.Every(time.Hour), 1)})
		if _, err := r.ResolvePeer(ctx, "a"); err != nil {
			t.Fatal(err)
		}
		clk.held = make(chan time.Duration)
		cctx, cancel := context.WithCancel(ctx)
		errc := make(chan error)
		go func() { _, err := r.ResolvePeer(cctx, "bb"); errc <- err }()
		select {
		case d := <-clk.held:
			if d != time.Hour {
				t.Errorf("waiting %v for the limiter; want 1h", d)
			}
		case err := <-errc:
			t.Fatalf("ResolvePeer = %v without waiting for the limiter", err)
		}
		cancel()
		if err := <-errc; !errors.Is(err, context.Canceled) {
			t.Errorf("ResolvePeer = %v; want context.Canceled", err)
		}
		if n := inv.count("contacts.resolveUsername"); n != 1 {
			t.Errorf("%d calls; want 1: the canceled lookup made none", n)
		}
	})
}

// A username that came back USERNAME_NOT_OCCUPIED or USERNAME_INVALID is
// answered with the same error and no call for UsernameMissTTL.
func TestUsernameMissCache(t *testing.T) {
	ctx := context.Background()
	for _, typ := range []string{"USERNAME_NOT_OCCUPIED", "USERNAME_INVALID"} {
		t.Run(typ, func(t *testing.T) {
			inv := newScripted().on("contacts.resolveUsername", failThen(durovResolved, rpcErr(400, typ)))
			r, _, clk := newResolverWith(t, inv, peer.ResolverOptions{})
			_, first := r.ResolvePeer(ctx, "durov")
			var ue *peer.UsernameError
			if !errors.As(first, &ue) {
				t.Fatalf("ResolvePeer = %v; want a *UsernameError", first)
			}
			clk.advance(peer.DefaultUsernameMissTTL - time.Second)
			_, again := r.ResolvePeer(ctx, "@Durov")
			if again != first || inv.count("contacts.resolveUsername") != 1 {
				t.Errorf("within the TTL: %v after %d calls; want the same error after 1", again, inv.count("contacts.resolveUsername"))
			}
			clk.advance(time.Second)
			if _, err := r.ResolvePeer(ctx, "durov"); err != nil || inv.count("contacts.resolveUsername") != 2 {
				t.Errorf("after the TTL: %v after %d calls; want the user after 2", err, inv.count("contacts.resolveUsername"))
			}
		})
	}
	t.Run("Off", func(t *testing.T) {
		inv := newScripted().on("contacts.resolveUsername", func(tg.Object) (any, error) { return nil, rpcErr(400, "USERNAME_NOT_OCCUPIED") })
		r, _, _ := newResolverWith(t, inv, peer.ResolverOptions{UsernameMissTTL: -1})
		for range 3 {
			if _, err := r.ResolvePeer(ctx, "gone"); !errors.Is(err, peer.ErrNotFound) {
				t.Fatal(err)
			}
		}
		if n := inv.count("contacts.resolveUsername"); n != 3 {
			t.Errorf("%d calls; want 3", n)
		}
	})
	t.Run("LearnedNameWins", func(t *testing.T) {
		// A miss does not hide a username the store has met since.
		inv := newScripted().on("contacts.resolveUsername", func(tg.Object) (any, error) { return nil, rpcErr(400, "USERNAME_NOT_OCCUPIED") })
		r, store, _ := newResolverWith(t, inv, peer.ResolverOptions{})
		if _, err := r.ResolvePeer(ctx, "newname"); !errors.Is(err, peer.ErrNotFound) {
			t.Fatal(err)
		}
		mustStore(t, store, peer.Record{Key: peer.UserKey(9), AccessHash: 9, HasHash: true, Usernames: []string{"newname"}})
		if p, err := r.ResolvePeer(ctx, "newname"); err != nil || !reflect.DeepEqual(p, &tg.InputPeerUser{UserID: 9, AccessHash: 9}) {
			t.Errorf("ResolvePeer = %v, %v", p, err)
		}
	})
}

// The chat of an invite link is remembered, in the store, for InviteTTL.
func TestInviteCache(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		res  tg.Object
		want tg.InputPeerClass
	}{
		{"Already", &tg.ChatInviteAlready{Chat: private}, &tg.InputPeerChannel{ChannelID: private.ID, AccessHash: 15}},
		{"Peek", &tg.ChatInvitePeek{Chat: group, Expires: 1}, &tg.InputPeerChat{ChatID: group.ID}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv := newScripted().reply("messages.checkChatInvite", tc.res)
			r, store, clk := newResolverWith(t, inv, peer.ResolverOptions{})
			for i, ref := range []string{"t.me/+AbCd", "https://t.me/joinchat/AbCd", "tg://join?invite=AbCd"} {
				if p, err := r.ResolvePeer(ctx, ref); err != nil || !reflect.DeepEqual(p, tc.want) {
					t.Fatalf("ResolvePeer(%s) = %v, %v", ref, p, err)
				}
				if n := inv.count("messages.checkChatInvite"); n != 1 {
					t.Errorf("after %d resolutions, %d calls; want 1", i+1, n)
				}
			}
			if _, seen, found, _ := store.Invite(ctx, "AbCd"); !found || !seen.Equal(now) {
				t.Errorf("the store has the invite: %v, seen %v", found, seen)
			}
			// Another hash, or another case, is another link.
			if _, err := r.ResolvePeer(ctx, "t.me/+abcd"); err != nil || inv.count("messages.checkChatInvite") != 2 {
				t.Errorf("another hash: %v, %d calls; want a second call", err, inv.count("messages.checkChatInvite"))
			}
			clk.advance(peer.DefaultInviteTTL)
			if _, err := r.ResolvePeer(ctx, "t.me/+AbCd"); err != nil || inv.count("messages.checkChatInvite") != 3 {
				t.Errorf("after the TTL: %v, %d calls; want a new call", err, inv.count("messages.checkChatInvite"))
			}
		})
	}
	t.Run("NotMemberNotRemembered", func(t *testing.T) {
		inv := newScripted().reply("messages.checkChatInvite", &tg.ChatInvite{Title: "Club", Photo: &tg.PhotoEmpty{}})
		r, _, _ := newResolverWith(t, inv, peer.ResolverOptions{})
		for range 2 {
			var nm *peer.NotMemberError
			if _, err := r.ResolvePeer(ctx, "t.me/+AbCd"); !errors.As(err, &nm) {
				t.Fatal(err)
			}
		}
		if n := inv.count("messages.checkChatInvite"); n != 2 {
			t.Errorf("%d calls; want 2", n)
		}
	})
	t.Run("Off", func(t *testing.T) {
		inv := newScripted().reply("messages.checkChatInvite", &tg.ChatInviteAlready{Chat: private})
		r, store, _ := newResolverWith(t, inv, peer.ResolverOptions{InviteTTL: -1})
		for range 2 {
			if _, err := r.ResolvePeer(ctx, "t.me/+AbCd"); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, found, _ := store.Invite(ctx, "AbCd"); found || inv.count("messages.checkChatInvite") != 2 {
			t.Errorf("stored %v, %d calls; want nothing stored and 2 calls", found, inv.count("messages.checkChatInvite"))
		}
	})
}
