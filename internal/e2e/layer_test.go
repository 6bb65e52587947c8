package e2e

import (
	"context"
	"fmt"
	"slices"
	"testing"

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
	runOver(t, connectGotd, srv, func(ctx context.Context, client tg.Invoker) error {
		if err := readAtLayer(ctx, tg.NewClient(client, tg.WithLayer()), w); err != nil {
			return err
		}
		_, err := tg.NewClient(client).UsersGetUsers(ctx, getCarol(w))
		return err
	})

	checkSeen(t, srv, []call{
		gotdConfig,
		{name: "users.getUsers", wrappers: []string{"invokeWithoutUpdates", "invokeWithLayer"}, layers: []int{tg.Layer}},
		{name: "updates.getDifference", wrappers: []string{"invokeWithoutUpdates", "invokeWithLayer"}, layers: []int{tg.Layer}},
		{name: "users.getUsers", wrappers: []string{"invokeWithoutUpdates"}},
	})
}

// TestLayerOverTgrawClient shows the same over tgraw's client, which
// announces tg.Layer itself: the first call of the connection is
// invokeWithLayer(tg.Layer, initConnection(help.getConfig)), and the calls
// after it go bare and are read at tg.Layer, with the fields that gotd/td's
// layer does not have. A tg.Client with WithLayer states the layer again,
// which changes nothing.
func TestLayerOverTgrawClient(t *testing.T) {
	w := newWorld()
	srv := newServer(t, w, 3)
	runOver(t, connectTgraw, srv, func(ctx context.Context, client tg.Invoker) error {
		if err := readAtLayer(ctx, tg.NewClient(client), w); err != nil {
			return err
		}
		return readAtLayer(ctx, tg.NewClient(client, tg.WithLayer()), w)
	})

	checkSeen(t, srv, []call{
		tgrawInit,
		{name: "users.getUsers"},
		{name: "updates.getDifference"},
		{name: "users.getUsers", wrappers: []string{"invokeWithLayer"}, layers: []int{tg.Layer}},
		{name: "updates.getDifference", wrappers: []string{"invokeWithLayer"}, layers: []int{tg.Layer}},
	})
}

// tgrawInit is the first call of each of tgraw's connections: the config,
// inside initConnection, at tg.Layer.
var tgrawInit = call{
	name:     "help.getConfig",
	wrappers: []string{"invokeWithLayer", "initConnection"},
	layers:   []int{tg.Layer},
}

func getCarol(w *world) *tg.UsersGetUsersRequest {
	return &tg.UsersGetUsersRequest{ID: []tg.InputUserClass{w.inputUser(carolID)}}
}

// readAtLayer reads Carol and the updates of getDifference through api and
// checks that they arrive whole, with the Stars of tg.Layer.
func readAtLayer(ctx context.Context, api *tg.Client, w *world) error {
	users, err := api.UsersGetUsers(ctx, getCarol(w))
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
	return nil
}

// checkSeen checks the calls the server saw, with their wrappers and
// layers, all on one connection.
func checkSeen(t *testing.T, srv *server, want []call) {
	t.Helper()
	got := srv.Seen()
	if len(got) != len(want) {
		t.Fatalf("server saw %+v, want %+v", got, want)
	}
	for i := range want {
		want[i].conn = 1
		if !sameCall(got[i], want[i]) || got[i].conn != 1 {
			t.Errorf("call %d: server saw %+v, want %+v", i, got[i], want[i])
		}
	}
}

func sameCall(a, b call) bool {
	return a.name == b.name && slices.Equal(a.wrappers, b.wrappers) && slices.Equal(a.layers, b.layers)
}

// checkLayers checks that the server read every call at tg.Layer, the
// way client c reaches it. Over gotd/td's client every call went inside
// invokeWithLayer(tg.Layer) once, but gotd/td's own help.getConfig at its
// layer. Over tgraw's, the first call of each connection was
// invokeWithLayer(tg.Layer, initConnection(help.getConfig)), and every
// call after it on that connection went bare.
func checkLayers(t *testing.T, c mtprotoClient, srv *server) {
	t.Helper()
	seen := srv.Seen()
	if len(seen) == 0 {
		t.Fatal("server saw no call")
	}
	announced := map[int]bool{} // connections whose first call was seen
	for i, got := range seen {
		switch {
		case c.layerEveryCall && got.name == gotdConfig.name:
			if !sameCall(got, gotdConfig) {
				t.Errorf("call %d: server saw %+v, want %+v", i, got, gotdConfig)
			}
		case c.layerEveryCall:
			if !slices.Equal(got.layers, []int{tg.Layer}) {
				t.Errorf("call %d: %s went inside invokeWithLayer of layers %v, want [%d]", i, got.name, got.layers, tg.Layer)
			}
		case !announced[got.conn]:
			announced[got.conn] = true
			if !sameCall(got, tgrawInit) {
				t.Errorf("call %d, the first of connection %d: server saw %+v, want %+v", i, got.conn, got, tgrawInit)
			}
		case len(got.wrappers) != 0:
			t.Errorf("call %d: %s went inside %v, want it bare: connection %d announced tg.Layer with its first call", i, got.name, got.wrappers, got.conn)
		}
	}
}
