package pgstore_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"sync"

	"github.com/tgraw/tgraw/client"
	"github.com/tgraw/tgraw/peer"
	"github.com/tgraw/tgraw/peer/pgstore"
	"github.com/tgraw/tgraw/tg"
)

// A worker serves several accounts from one database: each account's
// client keeps its session and peers there, and what one worker learns,
// every worker of that account finds.
func Example() {
	ctx := context.Background()
	db, err := pgstore.Open(ctx, os.Getenv("DATABASE_URL")) // one DB per process
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	var wg sync.WaitGroup
	for _, name := range []string{"support-bot", "sales-bot"} {
		store, err := db.Account(ctx, name)
		if err != nil {
			log.Fatal(err)
		}
		c := client.New(12345, "0123456789abcdef0123456789abcdef", client.Options{Session: store, Peers: store})
		wg.Go(func() {
			err := c.Run(ctx, func(ctx context.Context) error {
				r := peer.NewResolver(c, store, peer.ResolverOptions{})
				news, err := r.ResolveChannel(ctx, "@news") // from the database if any worker met it
				if err != nil {
					return err
				}
				_, err = tg.NewClient(c).ChannelsJoinChannel(ctx, &tg.ChannelsJoinChannelRequest{Channel: news})
				return err
			})
			fmt.Println(name, err)
		})
	}
	wg.Wait()
}
