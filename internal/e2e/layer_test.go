package e2e

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/gotd/td/telegram"
	gotdtg "github.com/gotd/td/tg"

	"github.com/tgraw/tgraw/tg"
)

// gotdConfig is how gotd/td's client asks for the config when it
// connects: inside initConnection, at its own layer.
var gotdConfig = call{
	name:     "help.getConfig",
	wrappers: []string{"invokeWithoutUpdates", "invokeWithLayer", "invokeWithoutUpdates", "initConnection", "invokeWithoutUpdates"},
	layers:   []int{gotdtg.Layer},
}

// TestLayerOverTelegramClient shows what happens over gotd/td's
// telegram.Client, which announces its own layer when it connects: a
// tg.Client with WithLayer sends each call inside invokeWithLayer(tg.Layer,
// call) and reads the result with tg's types, a user and the updates that
// updates.getDifference returns included, with fields that gotd/td's layer
// does not have; a tg.Client without it sends the call bare, at the
// connection's layer.
func TestLayerOverTelegramClient(t *testing.T) {
	if tg.Layer == gotdtg.Layer {
		t.Fatalf("tg is at gotd/td's layer %d: the test shows nothing", tg.Layer)
	}
	w := newWorld()
	srv := newServer(t, w, 3)
	runOver(t, srv, func(ctx context.Context, client *telegram.Client) error {
		getCarol := &tg.UsersGetUsersRequest{ID: []tg.InputUserClass{w.inputUser(carolID)}}
		api := tg.NewClient(client, tg.WithLayer())
		users, err := api.UsersGetUsers(ctx, getCarol)
		if err != nil {
			return fmt.Errorf("users.getUsers: %w", err)
		}
		if len(users) != 1 || !sameTL(users[0], w.users[carolID]) {
			return fmt.Errorf("users.getUsers: got %s, want %s", tlString(users), tlString(w.users[carolID]))
		}
		if u := users[0].(*tg.User); u.SendPaidMessagesStars != carolStars {
			return fmt.Errorf("users.getUsers: Carol charges %d Stars, want %d", u.SendPaidMessagesStars, carolStars)
		}

		// Updates, fetched rather than pushed.
		diff, err := api.UpdatesGetDifference(ctx, &tg.UpdatesGetDifferenceRequest{Pts: 1, Date: 1700001000})
		if err != nil {
			return fmt.Errorf("updates.getDifference: %w", err)
		}
		if !sameTL(diff, w.difference()) {
			return fmt.Errorf("updates.getDifference: got %s, want %s", tlString(diff), tlString(w.difference()))
		}
		if m := diff.(*tg.UpdatesDifference).NewMessages[0].(*tg.Message); m.PaidMessageStars != carolStars {
			return fmt.Errorf("updates.getDifference: a message paid %d Stars, want %d", m.PaidMessageStars, carolStars)
		}

		_, err = tg.NewClient(client).UsersGetUsers(ctx, getCarol)
		return err
	})

	want := []call{
		gotdConfig,
		{name: "users.getUsers", wrappers: []string{"invokeWithoutUpdates", "invokeWithLayer"}, layers: []int{tg.Layer}},
		{name: "updates.getDifference", wrappers: []string{"invokeWithoutUpdates", "invokeWithLayer"}, layers: []int{tg.Layer}},
		{name: "users.getUsers", wrappers: []string{"invokeWithoutUpdates"}},
	}
	got := srv.Seen()
	if len(got) != len(want) {
		t.Fatalf("server saw %+v, want %+v", got, want)
	}
	for i := range want {
		if !sameCall(got[i], want[i]) {
			t.Errorf("call %d: server saw %+v, want %+v", i, got[i], want[i])
		}
	}
}

func sameCall(a, b call) bool {
	return a.name == b.name && slices.Equal(a.wrappers, b.wrappers) && slices.Equal(a.layers, b.layers)
}

// checkLayers checks that every call the server got went inside
// invokeWithLayer(tg.Layer) once, but gotd/td's own help.getConfig.
func checkLayers(t *testing.T, srv *server) {
	t.Helper()
	for i, c := range srv.Seen() {
		if c.name == gotdConfig.name {
			if !sameCall(c, gotdConfig) {
				t.Errorf("call %d: server saw %+v, want %+v", i, c, gotdConfig)
			}
			continue
		}
		if !slices.Equal(c.layers, []int{tg.Layer}) {
			t.Errorf("call %d: %s went inside invokeWithLayer of layers %v, want [%d]", i, c.name, c.layers, tg.Layer)
		}
	}
}
