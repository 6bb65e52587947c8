package e2e

import (
	"context"
	"crypto/rsa"
	"errors"
	"testing"
	"time"

	"github.com/gotd/td/session"
	"github.com/gotd/td/telegram"
	"github.com/gotd/td/tgtest/cluster"
	"github.com/gotd/td/transport"
	"go.uber.org/zap"

	"github.com/tgraw/tgraw/client"
	"github.com/tgraw/tgraw/tg"
)

// testTimeout bounds one whole connection: server start, key exchange and
// the scenario. It is far above what a run needs; it only turns a hang
// into a failure.
const testTimeout = 60 * time.Second

// mtprotoClient runs f over one MTProto client connected to the cluster.
type mtprotoClient func(ctx context.Context, t *testing.T, c *cluster.Cluster, f func(ctx context.Context, inv tg.Invoker) error) error

// clients are the MTProto clients every scenario runs over: tgraw's own
// and gotd/td's telegram.Client. Any tg.Invoker serves tg and peer.
var clients = []struct {
	name string
	run  mtprotoClient
}{
	{"tgraw", runTgraw},
	{"gotd", runGotd},
}

// forEachClient runs a subtest per MTProto client.
func forEachClient(t *testing.T, f func(t *testing.T, run mtprotoClient)) {
	for _, c := range clients {
		t.Run(c.name, func(t *testing.T) { f(t, c.run) })
	}
}

// runOver starts the fake server on 127.0.0.1 (one DC, tgtest/cluster,
// which also answers help.getConfig with a DC list pointing at itself),
// connects the client to it and calls f with the connected client. It
// returns when f has returned and both ends have shut down.
func runOver(t *testing.T, run mtprotoClient, srv *server, f func(ctx context.Context, inv tg.Invoker) error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()

	c := cluster.NewCluster(cluster.Options{
		Protocol: transport.Intermediate,
		Logger:   zap.NewNop(),
	})
	srv.common = c.Common()
	// Every request goes to srv: it answers help.getConfig through the
	// cluster's config service and everything else itself.
	c.Dispatch(2, "dc2").Fallback(srv)

	upCtx, stopServer := context.WithCancel(ctx)
	defer stopServer()
	upDone := make(chan error, 1)
	go func() { upDone <- c.Up(upCtx) }()
	select {
	case <-c.Ready():
	case err := <-upDone:
		t.Fatalf("server: %v", err)
	case <-ctx.Done():
		t.Fatalf("server did not start: %v", ctx.Err())
	}

	if err := run(ctx, t, c, f); err != nil {
		t.Errorf("client: %v", err)
	}

	stopServer()
	select {
	case err := <-upDone:
		if err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("server: %v", err)
		}
	case <-ctx.Done():
		t.Errorf("server did not stop: %v", ctx.Err())
	}
}

// runTgraw connects tgraw's client.
func runTgraw(ctx context.Context, _ *testing.T, c *cluster.Cluster, f func(ctx context.Context, inv tg.Invoker) error) error {
	var dcs []tg.DCOption
	for _, o := range c.List().Options {
		dcs = append(dcs, tg.DCOption{ID: o.ID, IPAddress: o.IPAddress, Port: o.Port, Static: o.Static})
	}
	var keys []*rsa.PublicKey
	for _, k := range c.Keys() {
		keys = append(keys, k.RSA)
	}
	cl := client.New(1, "tgraw-e2e", client.Options{DCList: dcs, PublicKeys: keys})
	return cl.Run(ctx, func(ctx context.Context) error { return f(ctx, cl) })
}

// runGotd connects gotd/td's telegram.Client.
func runGotd(ctx context.Context, _ *testing.T, c *cluster.Cluster, f func(ctx context.Context, inv tg.Invoker) error) error {
	cl := telegram.NewClient(1, "tgraw-e2e", telegram.Options{
		DC:             2,
		DCList:         c.List(),
		PublicKeys:     c.Keys(),
		Resolver:       c.Resolver(),
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
