package client_test

import (
	"context"
	"crypto/rsa"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/clock"
	"github.com/gotd/td/tgerr"
	"github.com/gotd/td/tgtest"
	"github.com/gotd/td/transport"

	"github.com/tgraw/tgraw/client"
	"github.com/tgraw/tgraw/internal/mtprototest"
	"github.com/tgraw/tgraw/tg"
)

// timeout only turns a hang into a failure.
const timeout = time.Minute

// server is gotd/td's tgtest server on 127.0.0.1 with our handlers: it
// decodes requests and encodes answers with our tg types, and records the
// raw first request of each connection (before tgtest's UnpackInvoke
// strips invokeWithLayer and initConnection).
type server struct {
	t    *testing.T
	srv  *tgtest.Server
	d    *tgtest.Dispatcher
	addr string
	port int
	key  *rsa.PublicKey

	conns atomic.Int32 // connections that carried encrypted messages

	mu       sync.Mutex
	first    []tg.Object // the first request of each session, undecoded wrappers included
	sessions []tgtest.Session
	seen     map[int64]bool
	keyIDs   map[[8]byte]bool
	calls    []string
}

type shifted time.Duration

func (s shifted) Now() time.Time                      { return time.Now().Add(time.Duration(s)) }
func (s shifted) Timer(d time.Duration) clock.Timer   { return clock.System.Timer(d) }
func (s shifted) Ticker(d time.Duration) clock.Ticker { return clock.System.Ticker(d) }

// startServer serves DC 2 until the test ends. offset moves the server's
// clock.
func startServer(t *testing.T, offset time.Duration) *server {
	t.Helper()
	priv, err := mtprototest.PrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	s := &server{t: t, d: tgtest.NewDispatcher(), key: &priv.PublicKey, seen: map[int64]bool{}, keyIDs: map[[8]byte]bool{}}
	s.d.Fallback(tgtest.HandlerFunc(func(_ *tgtest.Server, req *tgtest.Request) error {
		id, _ := req.Buf.PeekID()
		s.t.Errorf("server: unexpected call %s", tg.Name(id))
		return tgerr.New(400, "INPUT_METHOD_INVALID")
	}))
	s.d.HandleFunc(tg.HelpGetConfigRequestTypeID, func(srv *tgtest.Server, req *tgtest.Request) error {
		return srv.SendResult(req, s.config())
	})
	opts := tgtest.ServerOptions{DC: 2}
	if offset != 0 {
		opts.Clock = shifted(offset)
	}
	s.srv = tgtest.NewServer(tgtest.NewPrivateKey(priv), tgtest.HandlerFunc(s.onMessage), opts)
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = l.Addr().String()
	s.port = l.Addr().(*net.TCPAddr).Port
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.srv.Serve(ctx, transport.ListenCodec(nil, l))
	}()
	t.Cleanup(func() { cancel(); <-done })
	return s
}

func (s *server) config() *tg.Config {
	return &tg.Config{
		Date: int(time.Now().Unix()), Expires: int(time.Now().Add(time.Hour).Unix()),
		ThisDC:      2,
		DCOptions:   []tg.DCOption{{ID: 2, IPAddress: "127.0.0.1", Port: s.port, Static: true}},
		MeURLPrefix: "https://t.me/", DCTxtDomainName: "localhost",
	}
}

// onMessage records, then strips the wrappers and dispatches.
func (s *server) onMessage(srv *tgtest.Server, req *tgtest.Request) error {
	s.mu.Lock()
	if !s.seen[req.Session.ID] {
		s.seen[req.Session.ID] = true
		s.sessions = append(s.sessions, req.Session)
		obj, err := tg.DecodeObject(&bin.Buffer{Buf: append([]byte(nil), req.Buf.Buf...)})
		if err != nil {
			s.t.Errorf("server: the first request does not decode: %v", err)
		}
		s.first = append(s.first, obj)
	}
	s.keyIDs[req.Session.AuthKey.ID] = true
	id, _ := req.Buf.PeekID()
	s.calls = append(s.calls, tg.Name(id))
	s.mu.Unlock()
	return tgtest.UnpackInvoke(s.d).OnMessage(srv, req)
}

// lastSession is the session of the latest connection.
func (s *server) lastSession() tgtest.Session {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions[len(s.sessions)-1]
}

func (s *server) keys() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.keyIDs)
}

// options are the client options for this server: its address, its key,
// and a dialer that counts the connections that carry encrypted messages.
func (s *server) options() client.Options {
	return client.Options{
		DCList:     []tg.DCOption{{ID: 2, IPAddress: "127.0.0.1", Port: s.port}},
		PublicKeys: []*rsa.PublicKey{s.key},
		Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return &watchedConn{Conn: conn, onEncrypted: func() { s.conns.Add(1) }}, nil
		},
	}
}

// result answers a call with our tg types.
func (s *server) result(id uint32, v bin.Encoder) {
	s.d.HandleFunc(id, func(srv *tgtest.Server, req *tgtest.Request) error { return srv.SendResult(req, v) })
}

// push sends updates to the latest connection, as the server's own
// message.
func (s *server) push(ctx context.Context, u tg.UpdatesClass) {
	s.t.Helper()
	if err := s.srv.Send(ctx, s.lastSession(), tgtest.MessageFromServer, u); err != nil {
		s.t.Fatalf("push: %v", err)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

type (
	tgtestServer  = tgtest.Server
	tgtestRequest = tgtest.Request
)

func tgerrNew(code int, msg string) error { return tgerr.New(code, msg) }
