// Command gotdupdateprofile is examples/updateprofile on gotd/td's
// telegram.Client instead of tgraw's client: the same call, the same peer
// store, gotd/td's session file. It exists to be measured by buildcost
// beside the example; being test data, it is built only on request.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"

	"github.com/gotd/td/session"
	"github.com/gotd/td/telegram"

	"github.com/tgraw/tgraw/peer"
	"github.com/tgraw/tgraw/peer/sqlitestore"
	"github.com/tgraw/tgraw/tg"
)

func main() {
	path := flag.String("session", "account.session", "the peer store `file`")
	about := flag.String("about", "", "the bio to set")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *path, *about); err != nil {
		fmt.Fprintln(os.Stderr, "gotdupdateprofile:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, path, about string) error {
	appID, err := strconv.Atoi(os.Getenv("TG_APP_ID"))
	if err != nil {
		return errors.New("set TG_APP_ID and TG_APP_HASH")
	}
	store, err := sqlitestore.Open(ctx, path)
	if err != nil {
		return err
	}
	defer store.Close()
	c := telegram.NewClient(appID, os.Getenv("TG_APP_HASH"), telegram.Options{
		SessionStorage: &session.FileStorage{Path: path + ".gotd.json"},
	})
	return c.Run(ctx, func(ctx context.Context) error {
		api := tg.NewClient(peer.NewLearner(store, nil).Wrap(c))
		user, err := api.AccountUpdateProfile(ctx, &tg.AccountUpdateProfileRequest{About: about})
		if err != nil {
			return err
		}
		fmt.Printf("updated: %+v\n", user)
		return nil
	})
}
