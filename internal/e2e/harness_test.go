package e2e

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gotd/td/session"
	"github.com/gotd/td/telegram"
	"github.com/gotd/td/tgtest/cluster"
	"github.com/gotd/td/transport"
	"go.uber.org/zap"
)

// testTimeout bounds one whole connection: server start, key exchange and
// the scenario. It is far above what a run needs; it only turns a hang
// into a failure.
const testTimeout = 60 * time.Second

// runOver starts the fake server on 127.0.0.1 (one DC, tgtest/cluster,
// which also answers help.getConfig with a DC list pointing at itself),
// connects gotd/td's telegram.Client to it and calls f with the connected
// client. It returns when f has returned and both ends have shut down.
func runOver(t *testing.T, srv *server, f func(ctx context.Context, client *telegram.Client) error) {
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

	client := telegram.NewClient(1, "tgraw-e2e", telegram.Options{
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
	runErr := client.Run(ctx, func(ctx context.Context) error {
		return f(ctx, client)
	})
	if runErr != nil {
		t.Errorf("client: %v", runErr)
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
