// Command updateprofile makes one raw call of the Telegram API with
// tgraw's own MTProto client: account.updateProfile, on the account whose
// session is kept in a session file (the auth key, the update state and
// every peer met, in one SQLite file).
//
// Usage:
//
//	TG_APP_ID=12345 TG_APP_HASH=0123abcd updateprofile -session account.session -about "Bio written from tgraw"
//
// The api_id and api_hash come from https://my.telegram.org. The session
// file must hold an auth key that is signed in to the account.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"

	"github.com/tgraw/tgraw/client"
	"github.com/tgraw/tgraw/peer/sqlitestore"
	"github.com/tgraw/tgraw/tg"
)

func main() {
	path := flag.String("session", "account.session", "the session `file`")
	first := flag.String("first", "", "the first name to set (empty: unchanged)")
	about := flag.String("about", "", "the bio to set")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *path, *first, *about); err != nil {
		fmt.Fprintln(os.Stderr, "updateprofile:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, path, first, about string) error {
	appID, err := strconv.Atoi(os.Getenv("TG_APP_ID"))
	if err != nil {
		return errors.New("set TG_APP_ID and TG_APP_HASH to the api_id and api_hash of my.telegram.org")
	}
	store, err := sqlitestore.Open(ctx, path)
	if err != nil {
		return err
	}
	defer store.Close()

	c := client.New(appID, os.Getenv("TG_APP_HASH"), client.Options{
		Session: store, // the auth key, salt and update state
		Peers:   store, // every user and chat met
	})
	return c.Run(ctx, func(ctx context.Context) error {
		api := tg.NewClient(c)
		user, err := api.AccountUpdateProfile(ctx, &tg.AccountUpdateProfileRequest{
			FirstName: first,
			About:     about,
		})
		if err != nil {
			return err
		}
		fmt.Printf("updated: %+v\n", user)
		return nil
	})
}
