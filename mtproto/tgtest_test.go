package mtproto_test

import (
	"context"
	"crypto/rsa"
	"net"
	"runtime"
	"sync"
	"testing"

	"github.com/gotd/td/tgerr"
	"github.com/gotd/td/tgtest"
	"github.com/gotd/td/transport"

	"github.com/tgraw/tgraw/exchange"
	"github.com/tgraw/tgraw/internal/mtprototest"
	"github.com/tgraw/tgraw/mtproto"
	"github.com/tgraw/tgraw/tg"
)

// TestTgtest runs a connection against gotd/td's tgtest server, an
// independent implementation: calls queued together leave in one
// container, which tgtest unpacks and answers call by call; a query large
// enough goes as gzip_packed; a ping gets its pong.
func TestTgtest(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	priv, err := mtprototest.PrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	msgIDs := map[int64]bool{}
	d := tgtest.NewDispatcher()
	d.HandleFunc(tg.HelpGetNearestDCRequestTypeID, func(srv *tgtest.Server, req *tgtest.Request) error {
		mu.Lock()
		msgIDs[req.MsgID] = true
		mu.Unlock()
		return srv.SendResult(req, &tg.NearestDC{Country: "NL", ThisDC: 2})
	})
	d.HandleFunc(tg.ContactsResolveUsernameRequestTypeID, func(srv *tgtest.Server, req *tgtest.Request) error {
		var r tg.ContactsResolveUsernameRequest
		if err := r.Decode(req.Buf); err != nil {
			return err
		}
		return tgerr.New(400, "USERNAME_INVALID")
	})
	srv := tgtest.NewServer(tgtest.NewPrivateKey(priv), d, tgtest.ServerOptions{DC: 2})
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serveCtx, stop := context.WithCancel(ctx)
	served := make(chan struct{})
	go func() { defer close(served); _ = srv.Serve(serveCtx, transport.ListenCodec(nil, l)) }()
	defer func() { stop(); <-served }()

	dial := func(ctx context.Context) (transport.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, "tcp4", l.Addr().String())
		if err != nil {
			return nil, err
		}
		return transport.Intermediate.Handshake(c)
	}
	res, tconn, err := exchange.Create(ctx, dial, exchange.Options{DC: 2, PublicKeys: []*rsa.PublicKey{&priv.PublicKey}})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := mtproto.New(tconn, mtproto.Options{Key: res.Key, Salt: res.Salt, TimeOffset: res.TimeOffset,
		PingInterval: -1, CompressAbove: 64})
	if err != nil {
		t.Fatal(err)
	}
	results := make(chan error, 3)
	for range 3 {
		go func() {
			var r tg.NearestDC
			if err := conn.Invoke(ctx, &tg.HelpGetNearestDCRequest{}, &r); err != nil {
				results <- err
				return
			}
			if r.Country != "NL" {
				t.Errorf("result %+v", r)
			}
			results <- nil
		}()
	}
	for mtproto.QueueLen(conn) < 3 {
		// Wait until the three calls are queued (no timing assumption:
		// the loop ends when they are).
		select {
		case <-ctx.Done():
			t.Fatal("the calls were not queued")
		default:
			runtime.Gosched()
		}
	}
	runCtx, stopRun := context.WithCancel(ctx)
	runDone := make(chan error, 1)
	go func() { runDone <- conn.Run(runCtx) }()
	for range 3 {
		if err := <-results; err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	if len(msgIDs) != 3 {
		t.Errorf("the server answered %d distinct msg_ids, want 3", len(msgIDs))
	}
	mu.Unlock()

	long := make([]byte, 300)
	for i := range long {
		long[i] = 'a'
	}
	var peerRes tg.ContactsResolvedPeer
	err = conn.Invoke(ctx, &tg.ContactsResolveUsernameRequest{Username: string(long)}, &peerRes)
	if rpcErr, ok := asRPC(err); !ok || rpcErr != "USERNAME_INVALID" {
		t.Errorf("a gzipped query: %v", err)
	}
	if err := conn.Ping(ctx); err != nil {
		t.Errorf("ping: %v", err)
	}
	stopRun()
	<-runDone
}
