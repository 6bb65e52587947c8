package client_test

import (
	"context"
	"crypto/rsa"
	"maps"
	"net"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/clock"
	"github.com/gotd/td/tgerr"
	"github.com/gotd/td/tgtest"
	"github.com/gotd/td/tgtest/cluster"
	"github.com/gotd/td/transport"

	"github.com/tgraw/tgraw/client"
	"github.com/tgraw/tgraw/session"
	"github.com/tgraw/tgraw/tg"
)

// world is gotd/td's tgtest/cluster: a tgtest server per DC on
// 127.0.0.1, each with its own RSA key and its own auth keys (a key made
// with one DC is unknown to the others), and handlers written with our tg
// types. It records every call with the DC and the auth key it came
// with, the TCP connections on which the client sent encrypted messages,
// and every TCP connection it closes.
type world struct {
	t       *testing.T
	ctx     context.Context
	cluster *cluster.Cluster
	servers map[int]*tgtest.Server
	list    []tg.DCOption
	keys    []*rsa.PublicKey

	mu     sync.Mutex
	calls  []served
	conns  map[string]int // by address, the connections that carried encrypted messages
	closes chan string    // the address of each connection the client closed
}

// served is a call a DC got.
type served struct {
	dc      int
	key     [8]byte // the auth key's ID
	session int64
	name    string
}

// media lists, for each DC given, a media-only address served by the same
// server (a second listener).
type worldOptions struct {
	dcs   []int
	media []int
	cdn   []int // DCs of dcs whose addresses are CDN ones
}

func newWorld(t *testing.T, o worldOptions) *world {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	w := &world{
		t: t, ctx: ctx,
		servers: map[int]*tgtest.Server{},
		conns:   map[string]int{},
		closes:  make(chan string, 100),
	}
	mediaListeners := map[int]net.Listener{}
	for _, dc := range o.media {
		l, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		mediaListeners[dc] = l
		a := l.Addr().(*net.TCPAddr)
		w.list = append(w.list, tg.DCOption{ID: dc, IPAddress: a.IP.String(), Port: a.Port, MediaOnly: true})
	}
	w.cluster = cluster.NewCluster(cluster.Options{})
	for _, dc := range o.dcs {
		srv, d := w.cluster.DC(dc, "dc"+strconv.Itoa(dc))
		w.servers[dc] = srv
		d.Fallback(tgtest.HandlerFunc(func(_ *tgtest.Server, req *tgtest.Request) error {
			id, _ := req.Buf.PeekID()
			w.record(dc, req, tg.Name(id))
			t.Errorf("DC %d: unexpected call %s", dc, tg.Name(id))
			return tgerr.New(400, "INPUT_METHOD_INVALID")
		}))
	}
	for _, k := range w.cluster.Keys() {
		w.keys = append(w.keys, k.RSA)
	}
	done := make(chan error, 1)
	go func() { done <- w.cluster.Up(ctx) }()
	select {
	case <-w.cluster.Ready():
	case err := <-done:
		t.Fatalf("cluster: %v", err)
	}
	var wg sync.WaitGroup
	for dc, l := range mediaListeners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = w.servers[dc].Serve(ctx, transport.ListenCodec(nil, l))
		}()
	}
	for _, opt := range w.cluster.List().Options {
		w.list = append(w.list, tg.DCOption{ID: opt.ID, IPAddress: opt.IPAddress, Port: opt.Port, Static: opt.Static,
			CDN: slices.Contains(o.cdn, opt.ID)})
	}
	for _, dc := range o.dcs {
		w.handle(dc, tg.HelpGetConfigRequestTypeID, func(srv *tgtest.Server, req *tgtest.Request) error {
			return srv.SendResult(req, w.config(dc))
		})
	}
	t.Cleanup(func() {
		cancel()
		<-done
		wg.Wait()
	})
	return w
}

func (w *world) config(dc int) *tg.Config {
	now := time.Now()
	return &tg.Config{
		Date: int(now.Unix()), Expires: int(now.Add(time.Hour).Unix()),
		ThisDC: dc, DCOptions: w.list,
		MeURLPrefix: "https://t.me/", DCTxtDomainName: "localhost",
	}
}

// handle answers calls of one constructor on dc, recording each.
func (w *world) handle(dc int, id uint32, f func(srv *tgtest.Server, req *tgtest.Request) error) {
	w.cluster.Dispatch(dc, "dc"+strconv.Itoa(dc)).HandleFunc(id, func(srv *tgtest.Server, req *tgtest.Request) error {
		w.record(dc, req, tg.Name(id))
		return f(srv, req)
	})
}

// result answers calls of one constructor on dc with v.
func (w *world) result(dc int, id uint32, v bin.Encoder) {
	w.handle(dc, id, func(srv *tgtest.Server, req *tgtest.Request) error { return srv.SendResult(req, v) })
}

func (w *world) record(dc int, req *tgtest.Request, name string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.calls = append(w.calls, served{dc: dc, key: req.Session.AuthKey.ID, session: req.Session.ID, name: name})
}

// served returns the calls of one name (all, for "").
func (w *world) served(name string) []served {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []served
	for _, c := range w.calls {
		if name == "" || c.name == name {
			out = append(out, c)
		}
	}
	return out
}

// keysOf returns the auth keys that made calls on dc.
func (w *world) keysOf(dc int) map[[8]byte]bool {
	keys := map[[8]byte]bool{}
	for _, c := range w.served("") {
		if c.dc == dc {
			keys[c.key] = true
		}
	}
	return keys
}

// addr returns the main address of dc, or its media-only one.
func (w *world) addr(dc int, media bool) string {
	for _, o := range w.list {
		if o.ID == dc && o.MediaOnly == media {
			return net.JoinHostPort(o.IPAddress, strconv.Itoa(o.Port))
		}
	}
	w.t.Fatalf("no address of DC %d (media %v)", dc, media)
	return ""
}

// connsTo returns how many connections to addr carried encrypted
// messages (see watchedConn).
func (w *world) connsTo(addr string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.conns[addr]
}

// options are client options for the world: its DCs and keys, a dialer
// that counts the connections that carry encrypted messages and reports
// those the client closes, and storage as given.
func (w *world) options(store session.Storage) client.Options {
	return client.Options{
		DCList:     w.list,
		PublicKeys: w.keys,
		Session:    store,
		Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			watched := &watchedConn{Conn: conn, onEncrypted: func() {
				w.mu.Lock()
				w.conns[addr]++
				w.mu.Unlock()
			}}
			return &closeReporter{Conn: watched, addr: addr, closes: w.closes}, nil
		},
	}
}

// closeReporter reports the first Close of a connection.
type closeReporter struct {
	net.Conn
	addr   string
	closes chan string
	once   sync.Once
}

func (c *closeReporter) Close() error {
	c.once.Do(func() { c.closes <- c.addr })
	return c.Conn.Close()
}

// run runs the client and fails the test when Run fails.
func (w *world) run(c *client.Client, f func(ctx context.Context) error) {
	w.t.Helper()
	if err := c.Run(w.ctx, f); err != nil {
		w.t.Fatalf("Run: %v", err)
	}
}

// decode decodes a request with our types.
func decode[T any, P interface {
	*T
	bin.Decoder
}](t *testing.T, req *tgtest.Request) *T {
	t.Helper()
	v := P(new(T))
	if err := v.Decode(req.Buf); err != nil {
		t.Errorf("decode the request: %v", err)
	}
	return (*T)(v)
}

// waitTimer waits until the client made a timer of a duration clk
// watches, and returns its duration.
func (w *world) waitTimer(clk timerClock) time.Duration {
	w.t.Helper()
	select {
	case d := <-clk.made:
		return d
	case <-w.ctx.Done():
		w.t.Fatal("no timer was made")
		return 0
	}
}

// waitClose waits until the client closed a connection to each of
// addrs.
func (w *world) waitClose(addrs ...string) {
	w.t.Helper()
	left := map[string]bool{}
	for _, a := range addrs {
		left[a] = true
	}
	for len(left) > 0 {
		select {
		case a := <-w.closes:
			delete(left, a)
		case <-w.ctx.Done():
			w.t.Fatalf("the client did not close its connections to %v", slices.Collect(maps.Keys(left)))
		}
	}
}

// timerClock is a fake clock that reports each timer made on it whose
// duration is of interest: moving the clock after that fires it.
type timerClock struct {
	clock.Clock
	interesting func(time.Duration) bool
	made        chan time.Duration
}

// exactly is an interest in timers of duration d.
func exactly(d time.Duration) func(time.Duration) bool {
	return func(x time.Duration) bool { return x == d }
}

func (c timerClock) Timer(d time.Duration) clock.Timer {
	t := c.Clock.Timer(d)
	if c.interesting(d) {
		c.made <- d
	}
	return t
}

// publicKey is the RSA key of dc's server.
func (w *world) publicKey(dc int) *rsa.PublicKey { return w.servers[dc].Key().RSA }
