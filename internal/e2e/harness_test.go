package e2e

import (
	"context"
	"crypto/rsa"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/gotd/td/session"
	"github.com/gotd/td/telegram"
	"github.com/gotd/td/telegram/dcs"
	gotdtg "github.com/gotd/td/tg"
	"github.com/gotd/td/tgtest"
	"github.com/gotd/td/transport"
	"go.uber.org/zap"

	"github.com/tgraw/tgraw/client"
	"github.com/tgraw/tgraw/internal/mtprototest"
	"github.com/tgraw/tgraw/tg"
)

// testTimeout bounds one whole connection: server start, key exchange and
// the scenario. It is far above what a run needs; it only turns a hang
// into a failure.
const testTimeout = 60 * time.Second

// dcID is the one DC of the fake server.
const dcID = 2

// endpoint is where the fake server listens and the key it proves itself
// with.
type endpoint struct {
	port int
	key  *rsa.PublicKey
}

// connectFunc connects an MTProto client to the server at ep and calls f
// with the Invoker a program makes its calls through.
type connectFunc func(ctx context.Context, ep endpoint, f func(ctx context.Context, inv tg.Invoker) error) error

// mtprotoClient is an MTProto client the scenarios run over. Any
// tg.Invoker serves tg and peer.
type mtprotoClient struct {
	name    string
	connect connectFunc
	// layerEveryCall says how the client reaches tg.Layer: true when it
	// announces a layer of its own when it connects, so that every call
	// must go inside invokeWithLayer(tg.Layer); false when its first call
	// on a connection announces tg.Layer, which the server keeps for the
	// calls after it.
	layerEveryCall bool
}

// clients are the MTProto clients every scenario runs over: tgraw's own,
// which announces tg.Layer, and gotd/td's telegram.Client, which
// announces gotd/td's layer and gets tg.Layer through tg.LayerInvoker.
var clients = []mtprotoClient{
	{name: "tgraw", connect: connectTgraw},
	{name: "gotd", connect: connectGotdLayered, layerEveryCall: true},
}

// forEachClient runs a subtest per MTProto client.
func forEachClient(t *testing.T, f func(t *testing.T, c mtprotoClient)) {
	for _, c := range clients {
		t.Run(c.name, func(t *testing.T) { f(t, c) })
	}
}

// runOver starts the fake server srv on 127.0.0.1 as DC 2, connects a
// client to it with connect and calls f with the Invoker connect gives.
// It returns when f has returned and both ends have shut down. srv is a
// plain tgtest server's handler: it sees every request with its wrappers
// (tgtest's cluster would strip them).
func runOver(t *testing.T, connect connectFunc, srv *server, f func(ctx context.Context, inv tg.Invoker) error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()

	key, err := mtprototest.PrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ep := endpoint{port: l.Addr().(*net.TCPAddr).Port, key: &key.PublicKey}
	srv.port = ep.port
	mt := tgtest.NewServer(tgtest.NewPrivateKey(key), srv, tgtest.ServerOptions{DC: dcID, Logger: zap.NewNop()})
	serveCtx, stopServer := context.WithCancel(ctx)
	defer stopServer()
	served := make(chan error, 1)
	go func() { served <- mt.Serve(serveCtx, transport.ListenCodec(nil, l)) }()

	if err := connect(ctx, ep, f); err != nil {
		t.Errorf("client: %v", err)
	}

	stopServer()
	select {
	case err := <-served:
		if err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("server: %v", err)
		}
	case <-ctx.Done():
		t.Errorf("server did not stop: %v", ctx.Err())
	}
}

// connectTgraw connects tgraw's client. It announces tg.Layer itself, with
// the first call of the connection, so f gets the client as it is.
func connectTgraw(ctx context.Context, ep endpoint, f func(ctx context.Context, inv tg.Invoker) error) error {
	cl := client.New(1, "tgraw-e2e", client.Options{
		DC:         dcID,
		DCList:     []tg.DCOption{{ID: dcID, IPAddress: "127.0.0.1", Port: ep.port, Static: true}},
		PublicKeys: []*rsa.PublicKey{ep.key},
	})
	return cl.Run(ctx, func(ctx context.Context) error { return f(ctx, cl) })
}

// connectGotd connects gotd/td's telegram.Client and gives f the client
// itself, calls sent bare.
//
// The client announces its own layer, gotd/td's, in
// invokeWithLayer(initConnection(...)) when it connects, and runs with
// NoUpdates: it cannot read pushed updates of another layer.
func connectGotd(ctx context.Context, ep endpoint, f func(ctx context.Context, inv tg.Invoker) error) error {
	dc := gotdtg.DCOption{ID: dcID, IPAddress: "127.0.0.1", Port: ep.port, Static: true}
	cl := telegram.NewClient(1, "tgraw-e2e", telegram.Options{
		DC:             dcID,
		DCList:         dcs.List{Options: []gotdtg.DCOption{dc}},
		PublicKeys:     []telegram.PublicKey{{RSA: ep.key}},
		Resolver:       dcs.Plain(dcs.PlainOptions{Protocol: transport.Intermediate}),
		SessionStorage: &session.StorageMemory{},
		NoUpdates:      true,
		Logger:         zap.NewNop(),
		// The server answers at once; a resend would only come from a
		// stalled machine. The server counts a resent msg_id once anyway.
		RetryInterval: testTimeout,
		MaxRetries:    1,
	})
	return cl.Run(ctx, func(ctx context.Context) error { return f(ctx, cl) })
}

// connectGotdLayered connects gotd/td's telegram.Client and gives f the
// client wrapped in tg.LayerInvoker, as a program on tg.Layer uses it:
// every call goes inside invokeWithLayer(tg.Layer).
func connectGotdLayered(ctx context.Context, ep endpoint, f func(ctx context.Context, inv tg.Invoker) error) error {
	return connectGotd(ctx, ep, func(ctx context.Context, inv tg.Invoker) error {
		return f(ctx, tg.LayerInvoker(inv))
	})
}
