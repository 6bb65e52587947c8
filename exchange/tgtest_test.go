package exchange_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gotd/td/clock"
	"github.com/gotd/td/tgtest"
	"github.com/gotd/td/transport"

	"github.com/tgraw/tgraw/exchange"
	"github.com/tgraw/tgraw/internal/mtprototest"
)

// shifted is the system clock moved by an offset.
type shifted time.Duration

func (s shifted) Now() time.Time                      { return time.Now().Add(time.Duration(s)) }
func (s shifted) Timer(d time.Duration) clock.Timer   { return clock.System.Timer(d) }
func (s shifted) Ticker(d time.Duration) clock.Ticker { return clock.System.Ticker(d) }

// startTgtest serves gotd/td's tgtest server on 127.0.0.1 and returns a
// dialer for it.
func startTgtest(t *testing.T, ctx context.Context, opts tgtest.ServerOptions) (*rsa.PublicKey, exchange.Dialer, *atomic.Int32) {
	t.Helper()
	key, err := mtprototest.PrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	srv := tgtest.NewServer(tgtest.NewPrivateKey(key), tgtest.NewDispatcher(), opts)
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ctx, transport.ListenCodec(nil, l))
	}()
	t.Cleanup(func() { cancel(); <-done })
	dials := new(atomic.Int32)
	dial := func(ctx context.Context) (transport.Conn, error) {
		dials.Add(1)
		c, err := (&net.Dialer{}).DialContext(ctx, "tcp4", l.Addr().String())
		if err != nil {
			return nil, err
		}
		return transport.Intermediate.Handshake(c)
	}
	return &key.PublicKey, dial, dials
}

// TestCreateTgtest makes keys with gotd/td's tgtest server, an independent
// implementation of the server side, whose clock runs two hours ahead.
// That server fails a handshake now and then (it derives the temporary
// AES key from nonces with their leading zero bytes dropped); Create's
// restart on a new connection covers it, so every key is made and the
// connections counted may exceed the keys.
func TestCreateTgtest(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	pub, dial, dials := startTgtest(t, ctx, tgtest.ServerOptions{DC: 2, Clock: shifted(2 * time.Hour)})
	const keys = 16
	for range keys {
		res := create(t, ctx, dial, pub)
		if d := res.TimeOffset - 2*time.Hour; d < -2*time.Second || d > 2*time.Second {
			t.Errorf("TimeOffset = %v, want 2h", res.TimeOffset)
		}
	}
	t.Logf("%d keys in %d connections", keys, dials.Load())
}

// TestCreateTgtestRestart makes tgtest's first server_nonce start with a
// zero byte, which that server mishandles: the first handshake fails the
// client's check of the answer's hash, and Create starts again on a new
// connection.
func TestCreateTgtestRestart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	random := io.MultiReader(bytes.NewReader([]byte{0}), rand.Reader)
	pub, dial, dials := startTgtest(t, ctx, tgtest.ServerOptions{DC: 2, Random: random})
	create(t, ctx, dial, pub)
	if dials.Load() < 2 {
		t.Errorf("%d connections: the first handshake should have failed", dials.Load())
	}
}

// create makes a key with Create and closes its connection.
func create(t *testing.T, ctx context.Context, dial exchange.Dialer, pub *rsa.PublicKey) exchange.Result {
	t.Helper()
	res, conn, err := exchange.Create(ctx, dial, exchange.Options{DC: 2, PublicKeys: []*rsa.PublicKey{pub}})
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.Close()
	if res.Key.IsZero() {
		t.Fatal("no key")
	}
	return res
}
