// The end-to-end test of LayerInvoker, which TestOtherSchemas runs in the
// package it generates from layer 228.

package l228

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/session"
	"github.com/gotd/td/telegram"
	"github.com/gotd/td/telegram/dcs"
	gotdtg "github.com/gotd/td/tg"
	"github.com/gotd/td/tgerr"
	"github.com/gotd/td/tgtest"
	"github.com/gotd/td/transport"
	"go.uber.org/zap"
)

// recorder is an Invoker that keeps the bytes of every request.
type recorder struct{ requests [][]byte }

func (r *recorder) Invoke(_ context.Context, input bin.Encoder, _ bin.Decoder) error {
	var b bin.Buffer
	if err := input.Encode(&b); err != nil {
		return err
	}
	r.requests = append(r.requests, b.Buf)
	return nil
}

// TestLayerInvokerBytes checks the bytes LayerInvoker sends: the call
// inside invokeWithLayer(Layer, call), once even when wrapped twice, and
// an invokeWithLayer call as it is.
func TestLayerInvokerBytes(t *testing.T) {
	var rec recorder
	inv := LayerInvoker(LayerInvoker(&rec))
	ping := &HelpGetConfigRequest{}
	if err := inv.Invoke(context.Background(), ping, nil); err != nil {
		t.Fatal(err)
	}
	own := &InvokeWithLayerRequest{Layer: 7, Query: ping}
	if err := inv.Invoke(context.Background(), own, nil); err != nil {
		t.Fatal(err)
	}
	var want bin.Buffer
	want.PutID(InvokeWithLayerRequestTypeID)
	want.PutInt(Layer)
	want.PutID(HelpGetConfigRequestTypeID)
	var wantOwn bin.Buffer
	if err := own.Encode(&wantOwn); err != nil {
		t.Fatal(err)
	}
	if len(rec.requests) != 2 || !slices.Equal(rec.requests[0], want.Buf) || !slices.Equal(rec.requests[1], wantOwn.Buf) {
		t.Errorf("requests %x, want %x and %x", rec.requests, want.Buf, wantOwn.Buf)
	}
}

// call is an RPC as the server saw it: its TL name, the wrappers around
// it from the outside in, and the layers of the invokeWithLayer wrappers.
type call struct {
	name     string
	wrappers []string
	layers   []int
}

// layerServer is a tgtest handler that decodes every request with this
// package's types, unwraps it and records what it saw.
type layerServer struct {
	t    *testing.T
	port int

	mu    sync.Mutex
	calls []call
}

func (s *layerServer) seen() []call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

func (s *layerServer) OnMessage(srv *tgtest.Server, req *tgtest.Request) error {
	id, err := req.Buf.PeekID()
	if err != nil {
		return err
	}
	if New(id) == nil {
		return nil // an MTProto service message such as msgs_ack
	}
	obj, err := DecodeObject(req.Buf)
	if err != nil {
		s.t.Errorf("server: decode %s: %v", Name(id), err)
		return tgerr.New(400, "INPUT_REQUEST_INVALID")
	}
	var c call
unwrap:
	for {
		switch v := obj.(type) {
		case *InvokeWithoutUpdatesRequest:
			obj = v.Query
		case *InvokeWithLayerRequest:
			c.layers = append(c.layers, v.Layer)
			obj = v.Query
		case *InitConnectionRequest:
			obj = v.Query
		default:
			break unwrap
		}
		c.wrappers = append(c.wrappers, Name(id))
		id = obj.TypeID()
	}
	c.name = obj.TypeName()
	s.mu.Lock()
	s.calls = append(s.calls, c)
	s.mu.Unlock()

	switch obj.(type) {
	case *HelpGetConfigRequest:
		// gotd/td's client reads the config with its own types.
		return srv.SendResult(req, &gotdtg.Config{
			ThisDC: 2,
			DCOptions: []gotdtg.DCOption{{
				ID: 2, IPAddress: "127.0.0.1", Port: s.port, Static: true,
			}},
		})
	case *UsersGetUsersRequest:
		return srv.SendVector(req, testUser())
	}
	s.t.Errorf("server: unexpected call %s", c.name)
	return tgerr.New(400, "INPUT_METHOD_INVALID")
}

// testUser is a user with fields of this package's layer.
func testUser() *User {
	return &User{ID: 42, FirstName: "Dan", LinkedCommunityID: 77, BotVerificationIcon: 5}
}

// TestLayerOverTelegramClient runs gotd/td's telegram.Client, which
// announces its own layer in initConnection, against a tgtest server on
// 127.0.0.1. A Client with WithLayer sends each call inside
// invokeWithLayer(Layer, call), and the server sees that layer around the
// call; a Client without it sends the call bare.
func TestLayerOverTelegramClient(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := &layerServer{t: t, port: l.Addr().(*net.TCPAddr).Port}
	srv := tgtest.NewServer(tgtest.NewPrivateKey(key), h, tgtest.ServerOptions{DC: 2, Logger: zap.NewNop()})
	serveCtx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(serveCtx, transport.ListenCodec(nil, l)) }()

	client := telegram.NewClient(1, "layer-test", telegram.Options{
		DC: 2,
		DCList: dcs.List{Options: []gotdtg.DCOption{{
			ID: 2, IPAddress: "127.0.0.1", Port: h.port, Static: true,
		}}},
		PublicKeys:     []telegram.PublicKey{srv.Key()},
		Resolver:       dcs.Plain(dcs.PlainOptions{Protocol: transport.Intermediate}),
		SessionStorage: &session.StorageMemory{},
		NoUpdates:      true,
		Logger:         zap.NewNop(),
		RetryInterval:  time.Minute,
		MaxRetries:     1,
	})
	err = client.Run(ctx, func(ctx context.Context) error {
		for _, api := range []*Client{NewClient(client, WithLayer()), NewClient(client)} {
			users, err := api.UsersGetUsers(ctx, &UsersGetUsersRequest{ID: []InputUserClass{&InputUserSelf{}}})
			if err != nil {
				return err
			}
			if len(users) != 1 {
				t.Fatalf("users.getUsers: %d users, want 1", len(users))
			}
			u, ok := users[0].(*User)
			if !ok || u.ID != 42 || u.LinkedCommunityID != 77 || u.BotVerificationIcon != 5 {
				t.Errorf("users.getUsers: %#v, want %#v", users[0], testUser())
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	stop()
	if err := <-served; err != nil && !errors.Is(err, context.Canceled) {
		t.Errorf("server: %v", err)
	}

	want := []call{
		{name: "help.getConfig", wrappers: []string{"invokeWithoutUpdates", "invokeWithLayer", "invokeWithoutUpdates", "initConnection", "invokeWithoutUpdates"}, layers: []int{gotdtg.Layer}},
		{name: "users.getUsers", wrappers: []string{"invokeWithoutUpdates", "invokeWithLayer"}, layers: []int{Layer}},
		{name: "users.getUsers", wrappers: []string{"invokeWithoutUpdates"}},
	}
	got := h.seen()
	if len(got) != len(want) {
		t.Fatalf("server saw %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].name != want[i].name || !slices.Equal(got[i].wrappers, want[i].wrappers) || !slices.Equal(got[i].layers, want[i].layers) {
			t.Errorf("call %d: server saw %+v, want %+v", i, got[i], want[i])
		}
	}
	if Layer == gotdtg.Layer {
		t.Errorf("Layer %d is gotd/td's own: the test shows nothing", Layer)
	}
}
