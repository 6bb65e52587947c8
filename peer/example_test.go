package peer_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"golang.org/x/time/rate"

	"github.com/tgraw/tgraw/peer"
	"github.com/tgraw/tgraw/tg"
)

// exampleServer stands for Telegram in the examples: it answers the calls
// the resolver makes.
func exampleServer() *scripted {
	return newScripted().
		reply("contacts.resolveUsername", &tg.ContactsResolvedPeer{
			Peer:  &tg.PeerChannel{ChannelID: news.ID},
			Chats: []tg.ChatClass{news},
		}).
		reply("contacts.resolvePhone", &tg.ContactsResolvedPeer{
			Peer:  &tg.PeerUser{UserID: alice.ID},
			Users: []tg.UserClass{alice},
		}).
		reply("messages.checkChatInvite", &tg.ChatInviteAlready{Chat: private}).
		reply("messages.getDialogs", &tg.MessagesDialogs{
			Dialogs:  []tg.DialogClass{&tg.Dialog{Peer: &tg.PeerChannel{ChannelID: private.ID}, TopMessage: 1}},
			Messages: []tg.MessageClass{&tg.Message{ID: 1, PeerID: &tg.PeerChannel{ChannelID: private.ID}, Date: 1700000000}},
			Chats:    []tg.ChatClass{private},
		}).
		on("channels.getChannels", func(tg.Object) (any, error) { return nil, rpcErr(400, "CHANNEL_INVALID") })
}

// A public username, with or without '@', in any case.
func ExampleResolver_ResolvePeer_username() {
	r := peer.NewResolver(exampleServer(), peer.NewMemoryStore(peer.MemoryOptions{}), peer.ResolverOptions{})
	p, err := r.ResolvePeer(context.Background(), "@News")
	fmt.Printf("%+v %v\n", p, err)
	// Output: &{ChannelID:1234567890 AccessHash:99} <nil>
}

// A t.me link, in any of its forms; a message link gives its chat.
func ExampleResolver_ResolvePeer_link() {
	r := peer.NewResolver(exampleServer(), peer.NewMemoryStore(peer.MemoryOptions{}), peer.ResolverOptions{})
	for _, link := range []string{"https://t.me/news", "news.t.me", "tg://resolve?domain=news", "t.me/news/42"} {
		p, err := r.ResolvePeer(context.Background(), link)
		fmt.Printf("%s: %+v %v\n", link, p, err)
	}
	// Output:
	// https://t.me/news: &{ChannelID:1234567890 AccessHash:99} <nil>
	// news.t.me: &{ChannelID:1234567890 AccessHash:99} <nil>
	// tg://resolve?domain=news: &{ChannelID:1234567890 AccessHash:99} <nil>
	// t.me/news/42: &{ChannelID:1234567890 AccessHash:99} <nil>
}

// An invite link of a chat the account is in.
func ExampleResolver_ResolvePeer_joinchat() {
	r := peer.NewResolver(exampleServer(), peer.NewMemoryStore(peer.MemoryOptions{}), peer.ResolverOptions{})
	p, err := r.ResolvePeer(context.Background(), "https://t.me/joinchat/AAAAAEkk2WdoDrB4-Q8-gg")
	fmt.Printf("%+v %v\n", p, err)
	// Output: &{ChannelID:1500000000 AccessHash:15} <nil>
}

// A phone number, as people write it, or as a t.me/+ link.
func ExampleResolver_ResolvePeer_phone() {
	r := peer.NewResolver(exampleServer(), peer.NewMemoryStore(peer.MemoryOptions{}), peer.ResolverOptions{})
	u, err := r.ResolveUser(context.Background(), "+34 600 000 000")
	fmt.Printf("%+v %v\n", u, err)
	// Output: &{UserID:2001 AccessHash:21} <nil>
}

// A Bot API style marked ID of a peer the store has met: no call at all.
func ExampleResolver_ResolvePeer_id() {
	store := peer.NewMemoryStore(peer.MemoryOptions{})
	server := exampleServer()
	r := peer.NewResolver(server, store, peer.ResolverOptions{})
	ctx := context.Background()
	_ = store.Put(ctx, peer.ChannelRecord(news)) // met before, in any response
	c, err := r.ResolveChannel(ctx, int64(-1001234567890))
	fmt.Printf("%+v %v, calls: %d\n", c, err, len(server.names()))
	// Output: &{ChannelID:1234567890 AccessHash:99} <nil>, calls: 0
}

// "The peer id being used is invalid or not known yet": an ID alone is not
// enough to address a peer the account has never met. The error says how
// to meet it; here, by walking the dialogs, after which the ID resolves.
func ExampleResolver_ResolvePeer_peerIDInvalid() {
	r := peer.NewResolver(exampleServer(), peer.NewMemoryStore(peer.MemoryOptions{}), peer.ResolverOptions{})
	ctx := context.Background()
	_, err := r.ResolvePeer(ctx, int64(-1001500000000))
	var notFound *peer.NotFoundError
	fmt.Println(errors.As(err, &notFound), errors.Is(err, peer.ErrNotFound))
	fmt.Println(err)

	for _, err := range r.Dialogs(ctx) {
		if err != nil {
			fmt.Println(err)
		}
	}
	p, err := r.ResolvePeer(ctx, int64(-1001500000000))
	fmt.Printf("%+v %v\n", p, err)
	// Output:
	// true true
	// peer: channel 1500000000 (marked ID -1001500000000) not known yet: no access hash has been seen for it; resolve it by username or invite link, or fetch dialogs (Dialogs), the members of a shared chat (Participants) or a message that mentions it first: rpc error code 400: CHANNEL_INVALID
	// &{ChannelID:1500000000 AccessHash:15} <nil>
}

// ParseRef tells what a reference names, with no network.
func ExampleParseRef() {
	for _, ref := range []any{
		"@Durov", "t.me/durov/42", "https://t.me/+AbCd", "t.me/+15551234567",
		"+34 600 000 000", "393281234567", int64(-1001234567890), "-1001234567890", 777000,
		"tg://user?id=777000", "t.me/c/1234567890/55", "me", "ab__c",
	} {
		q, err := peer.ParseRef(ref)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(q)
	}
	// Output:
	// username "durov"
	// username "durov" message 42
	// invite "AbCd"
	// phone +15551234567
	// phone +34600000000
	// phone +393281234567
	// peer channel 1234567890
	// peer channel 1234567890
	// peer user 777000
	// peer user 777000
	// peer channel 1234567890 message 55
	// self
	// peer: bad reference "ab__c": a username has no double underscore
}

// Learning: every user and chat of every response is stored, so later
// resolutions need no call. The resolver's Learner wraps the connection
// for every other call.
func ExampleLearner_Wrap() {
	conn := exampleServer()
	store := peer.NewMemoryStore(peer.MemoryOptions{})
	r := peer.NewResolver(conn, store, peer.ResolverOptions{})
	api := tg.NewClient(r.Learner().Wrap(conn))
	ctx := context.Background()
	if _, err := api.ContactsResolvePhone(ctx, &tg.ContactsResolvePhoneRequest{Phone: "34600000000"}); err != nil {
		fmt.Println(err)
	}
	rec, found, _ := store.Peer(ctx, peer.UserKey(alice.ID))
	fmt.Println(found, rec.AccessHash, rec.Phone, rec.Title)
	p, err := r.ResolvePeer(ctx, "+34 600 000 000") // from the store: no call
	fmt.Printf("%+v %v\n", p, err)
	// Output:
	// true 21 34600000000 Alice
	// &{UserID:2001 AccessHash:21} <nil>
}

// Marked IDs in both directions.
func ExampleParseMarked() {
	key, _ := peer.ParseMarked(-1001234567890)
	fmt.Println(key)
	marked, _ := peer.ChatKey(123456).Marked()
	fmt.Println(marked)
	_, err := peer.ParseMarked(-1999999999999)
	fmt.Println(err)
	// Output:
	// channel 1234567890
	// -123456
	// peer: marked ID -1999999999999 is secret chat 1: secret chats are not peers of the raw API (use the user you chat with, or the end-to-end encrypted layer)
}

// A flood wait longer than ResolverOptions.MaxFloodWait comes back as a
// *FloodError, and the method is not called again until it is over.
func ExampleFloodError() {
	server := newScripted().on("contacts.resolveUsername", func(tg.Object) (any, error) {
		return nil, rpcErr(420, "FLOOD_WAIT_3600")
	})
	r := peer.NewResolver(server, peer.NewMemoryStore(peer.MemoryOptions{}), peer.ResolverOptions{})
	for _, name := range []string{"durov", "news"} {
		_, err := r.ResolvePeer(context.Background(), name)
		var flood *peer.FloodError
		if errors.As(err, &flood) {
			fmt.Println(flood.Method, flood.Wait.Round(time.Minute))
		}
	}
	fmt.Println("calls:", len(server.names()))
	// Output:
	// contacts.resolveUsername 1h0m0s
	// contacts.resolveUsername 1h0m0s
	// calls: 1
}

// The options of a resolver for an account that resolves many usernames:
// one limiter shared by its resolvers, floods of up to five minutes waited
// out, missing usernames remembered for an hour.
func ExampleResolverOptions() {
	var conn tg.Invoker = exampleServer() // the account's connection
	store := peer.NewMemoryStore(peer.MemoryOptions{})
	opts := peer.ResolverOptions{
		Lookups:         rate.NewLimiter(rate.Every(3*time.Second), 3),
		MaxFloodWait:    5 * time.Minute,
		UsernameMissTTL: time.Hour,
	}
	bots := peer.NewResolver(conn, store, opts)
	admin := peer.NewResolver(conn, store, opts) // shares the limiter
	_, _ = bots.ResolvePeer(context.Background(), "@news")
	_, _ = admin.ResolvePeer(context.Background(), "t.me/news")
}

// A walk of the dialogs that goes on after a long flood: the iterator
// waits it out and asks for the page it stopped at.
func ExampleResolver_Dialogs() {
	r := peer.NewResolver(exampleServer(), peer.NewMemoryStore(peer.MemoryOptions{}), peer.ResolverOptions{})
	for d, err := range r.Dialogs(context.Background()) {
		var flood *peer.FloodError
		if errors.As(err, &flood) {
			log.Printf("dialogs: waiting %v", flood.Wait)
			continue
		}
		if err != nil {
			log.Print(err)
			break
		}
		fmt.Println(d.Key)
	}
	// Output: channel 1500000000
}
