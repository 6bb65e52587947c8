package sqlitestore_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/gotd/td/bin"

	"github.com/tgraw/tgraw/peer"
	"github.com/tgraw/tgraw/peer/sqlitestore"
	"github.com/tgraw/tgraw/tg"
)

// offline stands for the connection to Telegram in the example: the
// resolver below answers from the session file and never calls it.
type offline struct{}

func (offline) Invoke(context.Context, bin.Encoder, bin.Decoder) error {
	return errors.New("offline")
}

// A session file is the resolver's memory across restarts: every peer met
// in one run resolves in the next with no call to Telegram.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "session")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "account.session")

	// First run: a response carries a channel; the learner stores it.
	store, err := sqlitestore.Open(ctx, path)
	if err != nil {
		log.Fatal(err)
	}
	resolved := &tg.ContactsResolvedPeer{
		Peer: &tg.PeerChannel{ChannelID: 1234567890},
		Chats: []tg.ChatClass{&tg.Channel{
			ID: 1234567890, AccessHash: 99, Title: "News", Username: "news", Broadcast: true,
		}},
	}
	if err := peer.NewLearner(store, nil).Learn(ctx, resolved); err != nil {
		log.Fatal(err)
	}
	store.Close()

	// Next run: the same file, a resolver on top.
	store, err = sqlitestore.Open(ctx, path)
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	r := peer.NewResolver(offline{}, store, peer.ResolverOptions{})
	for _, ref := range []any{"@news", "https://t.me/news", int64(-1001234567890)} {
		p, err := r.ResolvePeer(ctx, ref)
		fmt.Printf("%v: %+v %v\n", ref, p, err)
	}
	// Output:
	// @news: &{ChannelID:1234567890 AccessHash:99} <nil>
	// https://t.me/news: &{ChannelID:1234567890 AccessHash:99} <nil>
	// -1001234567890: &{ChannelID:1234567890 AccessHash:99} <nil>
}

// Putting and looking up records directly.
func ExampleStore_Put() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "session")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	store, err := sqlitestore.Open(ctx, filepath.Join(dir, "account.session"))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	err = store.Put(ctx,
		peer.Record{Key: peer.UserKey(777000), AccessHash: 42, HasHash: true, Usernames: []string{"Telegram"}, Phone: "+42 777"},
		// A min object: its hash never replaces the full one above.
		peer.Record{Key: peer.UserKey(777000), AccessHash: 7, HasHash: true, Min: true, Title: "Telegram"},
	)
	if err != nil {
		log.Fatal(err)
	}
	rec, found, err := store.Peer(ctx, peer.UserKey(777000))
	fmt.Println(rec.AccessHash, rec.Min, rec.Title, found, err)
	rec, _, found, err = store.Username(ctx, "@telegram")
	fmt.Println(rec.Key, found, err)
	rec, found, err = store.Phone(ctx, "42777")
	fmt.Println(rec.Key, found, err)
	// Output:
	// 42 false Telegram true <nil>
	// user 777000 true <nil>
	// user 777000 true <nil>
}
