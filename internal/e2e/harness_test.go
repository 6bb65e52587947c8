package e2e

import (
	"context"
	"crypto/rand"
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
)

// testTimeout bounds one whole connection: server start, key exchange and
// the scenario. It is far above what a run needs; it only turns a hang
// into a failure.
const testTimeout = 60 * time.Second

// dcID is the one DC of the fake server.
const dcID = 2

// runOver starts the fake server srv on 127.0.0.1 as DC 2, connects
// gotd/td's telegram.Client to it and calls f with the connected client.
// It returns when f has returned and both ends have shut down.
//
// The client announces its own layer, gotd/td's, in
// invokeWithLayer(initConnection(...)) when it connects, and runs with
// NoUpdates: it cannot read pushed updates of another layer. srv sees
// every request with its wrappers (tgtest's cluster would strip them).
func runOver(t *testing.T, srv *server, f func(ctx context.Context, client *telegram.Client) error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()

	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.dcOption = gotdtg.DCOption{ID: dcID, IPAddress: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port, Static: true}
	mt := tgtest.NewServer(tgtest.NewPrivateKey(key), srv, tgtest.ServerOptions{DC: dcID, Logger: zap.NewNop()})
	serveCtx, stopServer := context.WithCancel(ctx)
	defer stopServer()
	served := make(chan error, 1)
	go func() { served <- mt.Serve(serveCtx, transport.ListenCodec(nil, l)) }()

	client := telegram.NewClient(1, "tgraw-e2e", telegram.Options{
		DC:             dcID,
		DCList:         dcs.List{Options: []gotdtg.DCOption{srv.dcOption}},
		PublicKeys:     []telegram.PublicKey{mt.Key()},
		Resolver:       dcs.Plain(dcs.PlainOptions{Protocol: transport.Intermediate}),
		SessionStorage: &session.StorageMemory{},
		NoUpdates:      true,
		Logger:         zap.NewNop(),
		// The server answers at once; a resend would only come from a
		// stalled machine. The server counts a resent msg_id once anyway.
		RetryInterval: testTimeout,
		MaxRetries:    1,
	})
	runErr := client.Run(ctx, func(ctx context.Context) error {
		return f(ctx, client)
	})
	if runErr != nil {
		t.Errorf("client: %v", runErr)
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
