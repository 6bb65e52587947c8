package client_test

import (
	"bufio"
	"context"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/tgraw/tgraw/auth"
	"github.com/tgraw/tgraw/client"
	"github.com/tgraw/tgraw/peer/sqlitestore"
	"github.com/tgraw/tgraw/tg"
)

// A bot signs in once with its token from @BotFather; later runs find
// the account in the session file and skip it.
func ExampleClient_SignInBot() {
	ctx := context.Background()
	store, err := sqlitestore.Open(ctx, "bot.session")
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	c := client.New(12345, "0123456789abcdef", client.Options{Session: store, Peers: store})
	err = c.Run(ctx, func(ctx context.Context) error {
		if self, ok, err := c.Self(ctx); err != nil || ok {
			fmt.Println("signed in already as", self.UserID)
			return err
		}
		me, err := c.SignInBot(ctx, os.Getenv("BOT_TOKEN"))
		if err != nil {
			return err // auth.ErrBotTokenInvalid for a wrong token
		}
		fmt.Println("signed in as @" + me.Username)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
}

// A user signs in with the code Telegram sends and, when the account has
// two-step verification, its password; a wrong code or password is asked
// again. A PHONE_MIGRATE on the way moves the session to the number's DC.
func ExampleClient_SignInUser() {
	ctx := context.Background()
	store, err := sqlitestore.Open(ctx, "account.session")
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	in := bufio.NewReader(os.Stdin)
	ask := func(prompt string) (string, error) {
		fmt.Print(prompt)
		line, err := in.ReadString('\n')
		return strings.TrimSpace(line), err
	}
	c := client.New(12345, "0123456789abcdef", client.Options{Session: store, Peers: store})
	err = c.Run(ctx, func(ctx context.Context) error {
		if _, ok, err := c.Self(ctx); err != nil || ok {
			return err
		}
		me, err := c.SignInUser(ctx, auth.UserFlow{
			Phone: "+15550001234",
			Code: func(ctx context.Context, sent *tg.AuthSentCode, wrong error) (string, error) {
				if wrong != nil {
					fmt.Println("That code is wrong.")
				}
				return ask("The code Telegram sent: ")
			},
			Password: func(ctx context.Context, hint string, wrong error) (string, error) {
				if wrong != nil {
					fmt.Println("That password is wrong.")
				}
				return ask("Two-step verification password (hint: " + hint + "): ")
			},
		})
		if err != nil {
			return err // auth.ErrCodeExpired, auth.ErrPasswordInvalid after five tries, ...
		}
		fmt.Println("signed in as", me.FirstName)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
}
