package client_test

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"os"

	"github.com/tgraw/tgraw/client"
	"github.com/tgraw/tgraw/peer/sqlitestore"
	"github.com/tgraw/tgraw/tg"
	"github.com/tgraw/tgraw/tgerr"
	"github.com/tgraw/tgraw/updates"
)

// A program keeps its account in one file: the session (auth key, update
// state) and every peer met. Updates arrive in order, their users and
// chats already stored.
func ExampleClient_Run() {
	ctx := context.Background()
	store, err := sqlitestore.Open(ctx, "account.session")
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	c := client.New(12345, "0123456789abcdef", client.Options{
		Session: store,
		Peers:   store,
		UpdateHandler: updates.HandlerFunc(func(ctx context.Context, u tg.UpdatesClass) error {
			fmt.Printf("update: %s\n", u.TypeName())
			return nil
		}),
		Logger: slog.New(slog.NewTextHandler(os.Stderr, nil)),
	})
	err = c.Run(ctx, func(ctx context.Context) error {
		api := tg.NewClient(c)
		_, err := api.ContactsResolveUsername(ctx, &tg.ContactsResolveUsernameRequest{Username: "telegram"})
		if d, ok := tgerr.FloodWait(err); ok {
			fmt.Println("try again in", d)
		}
		return err
	})
	if err != nil {
		log.Fatal(err)
	}
}
