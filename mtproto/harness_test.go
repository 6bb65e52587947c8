package mtproto_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gotd/neo"
	"github.com/gotd/td/bin"
	"github.com/gotd/td/clock"
	"github.com/gotd/td/transport"

	"github.com/tgraw/tgraw/internal/mtprototest"
	"github.com/tgraw/tgraw/mtcrypto"
	"github.com/tgraw/tgraw/mtproto"
	"github.com/tgraw/tgraw/tg"
	"github.com/tgraw/tgraw/tgerr"
)

var tgerrAs = tgerr.As

// timeout only turns a hang into a failure.
const timeout = time.Minute

var epoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// logs records log lines and lets a test wait for one.
type logs struct {
	mu      sync.Mutex
	records []slog.Record
	changed chan struct{}
}

func newLogs() *logs { return &logs{changed: make(chan struct{})} }

func (l *logs) Enabled(context.Context, slog.Level) bool { return true }
func (l *logs) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *logs) WithGroup(string) slog.Handler            { return l }
func (l *logs) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	l.records = append(l.records, r.Clone())
	close(l.changed)
	l.changed = make(chan struct{})
	l.mu.Unlock()
	return nil
}

// text is every line so far, with its attributes.
func (l *logs) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var b strings.Builder
	for _, r := range l.records {
		b.WriteString(r.Message)
		r.Attrs(func(a slog.Attr) bool {
			b.WriteString(" " + a.Key + "=" + a.Value.String())
			return true
		})
		b.WriteString("\n")
	}
	return b.String()
}

// drops returns the reasons of the dropped messages so far.
func (l *logs) drops() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, r := range l.records {
		if r.Message != "mtproto: message dropped" {
			continue
		}
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "reason" {
				out = append(out, a.Value.String())
			}
			return true
		})
	}
	return out
}

// waitDrop waits until the n-th dropped message (counting from 1) has been
// logged and returns its reason.
func (h *harness) waitDrop(n int) string {
	h.t.Helper()
	for {
		h.logs.mu.Lock()
		ch := h.logs.changed
		h.logs.mu.Unlock()
		if d := h.logs.drops(); len(d) >= n {
			return d[n-1]
		}
		select {
		case <-ch:
		case <-h.ctx.Done():
			h.t.Fatalf("no drop %d logged; logs:\n%s", n, h.logs.text())
		}
	}
}

type harness struct {
	t        *testing.T
	ctx      context.Context
	clock    *neo.Time
	key      mtcrypto.AuthKey
	srv      *mtprototest.Session
	srvEnd   transport.Conn
	conn     *mtproto.Conn
	runCtx   context.Context
	logs     *logs
	updates  chan []byte
	sessions chan struct{}
	states   chan mtproto.State
	runErr   chan error
	// timers gets a value each time the connection has made a timer or a
	// ticker on the fake clock: after that, moving the clock fires it.
	timers chan struct{}
}

// signalClock is the fake clock, telling when a timer or ticker has been
// made. (neo.Time's Observe fires before the timer is complete.)
type signalClock struct {
	*neo.Time
	made chan struct{}
}

func (c signalClock) Timer(d time.Duration) clock.Timer {
	t := c.Time.Timer(d)
	c.signal()
	return t
}

func (c signalClock) Ticker(d time.Duration) clock.Ticker {
	t := c.Time.Ticker(d)
	c.signal()
	return t
}

func (c signalClock) signal() {
	select {
	case c.made <- struct{}{}:
	default: // nobody waits for these
	}
}

// waitTimer waits until the connection has made a timer or a ticker.
func (h *harness) waitTimer() {
	h.t.Helper()
	select {
	case <-h.timers:
	case <-h.ctx.Done():
		h.t.Fatal("no timer was made")
	}
}

// newHarness connects a Conn to the scripted server over an in-memory
// connection, with a fake clock the server shares, no pings unless edit
// asks for them, and starts it with Run.
func newHarness(t *testing.T, edit func(*mtproto.Options)) *harness {
	t.Helper()
	return startHarness(t, edit, false)
}

// newServeHarness is newHarness with the connection started by Serve: a
// dropped transport leaves it open, for reconnect.
func newServeHarness(t *testing.T, edit func(*mtproto.Options)) *harness {
	t.Helper()
	return startHarness(t, edit, true)
}

// drop closes the server's end of the transport and waits for Serve to
// return, with its error.
func (h *harness) drop() error {
	h.t.Helper()
	_ = h.srvEnd.Close()
	select {
	case err := <-h.runErr:
		return err
	case <-h.ctx.Done():
		h.t.Fatal("Serve did not return after the transport dropped")
		return nil
	}
}

// reconnect gives the connection a new in-memory transport, with a server
// session on the same session_id, and serves it.
func (h *harness) reconnect() {
	h.t.Helper()
	clientEnd, serverEnd := transport.Intermediate.Pipe()
	if err := h.conn.Reconnect(clientEnd); err != nil {
		h.t.Fatal(err)
	}
	sessionID := h.srv.SessionID
	h.srv = mtprototest.NewSession(serverEnd, h.key, h.clock.Now)
	h.srv.SessionID = sessionID
	h.srvEnd = serverEnd
	go func() { h.runErr <- h.conn.Serve(h.runCtx) }()
}

func startHarness(t *testing.T, edit func(*mtproto.Options), serve bool) *harness {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	clientEnd, serverEnd := transport.Intermediate.Pipe()
	h := &harness{
		t:        t,
		ctx:      ctx,
		clock:    neo.NewTime(epoch),
		key:      mtprototest.RandomKey(),
		logs:     newLogs(),
		updates:  make(chan []byte, 100),
		sessions: make(chan struct{}, 10),
		states:   make(chan mtproto.State, 100),
		runErr:   make(chan error, 4),
		timers:   make(chan struct{}, 100),
	}
	h.srv = mtprototest.NewSession(serverEnd, h.key, h.clock.Now)
	opts := mtproto.Options{
		Key:          h.key,
		Salt:         1111,
		Clock:        signalClock{h.clock, h.timers},
		Logger:       slog.New(h.logs),
		PingInterval: -1,
		Names:        tg.Name,
		Handler:      func(b []byte) { h.updates <- b },
		OnSession:    func() { h.sessions <- struct{}{} },
		OnState:      func(s mtproto.State) { h.states <- s },
	}
	if edit != nil {
		edit(&opts)
	}
	conn, err := mtproto.New(clientEnd, opts)
	if err != nil {
		t.Fatal(err)
	}
	h.conn = conn
	h.srv.SessionID = conn.State().SessionID
	h.srvEnd = serverEnd
	runCtx, stop := context.WithCancel(ctx)
	h.runCtx = runCtx
	if serve {
		go func() { h.runErr <- conn.Serve(runCtx) }()
	} else {
		go func() { h.runErr <- conn.Run(runCtx) }()
	}
	t.Cleanup(func() {
		stop()
		_ = h.srvEnd.Close()
		if serve {
			conn.Close(errors.New("test over"))
		}
		select {
		case <-conn.Done():
		case <-time.After(timeout):
			t.Error("the connection did not close")
		}
		cancel()
	})
	return h
}

// call is an Invoke running in the background.
type call struct {
	done chan struct{}
	res  tg.NearestDC
	err  error
}

// call starts help.getNearestDc.
func (h *harness) call() *call {
	c := &call{done: make(chan struct{})}
	go func() {
		defer close(c.done)
		c.err = h.conn.Invoke(h.ctx, &tg.HelpGetNearestDCRequest{}, &c.res)
	}()
	return c
}

func (c *call) wait(t *testing.T) (tg.NearestDC, error) {
	t.Helper()
	select {
	case <-c.done:
		return c.res, c.err
	case <-time.After(timeout):
		t.Fatal("the call did not return")
		return tg.NearestDC{}, nil
	}
}

// pending fails the test if the call has returned.
func (c *call) pending(t *testing.T) {
	t.Helper()
	select {
	case <-c.done:
		t.Fatalf("the call returned (%+v, %v); it should still wait", c.res, c.err)
	default:
	}
}

// recv is the server's next call.
func (h *harness) recv() mtprototest.Message {
	h.t.Helper()
	m, err := h.srv.RecvCall(h.ctx)
	if err != nil {
		h.t.Fatalf("server: %v", err)
	}
	return m
}

func (h *harness) send(hdr mtcrypto.Header, body []byte) {
	h.t.Helper()
	if err := h.srv.Send(h.ctx, hdr, body); err != nil {
		h.t.Fatalf("server: %v", err)
	}
}

func (h *harness) sendFrame(frame []byte) {
	h.t.Helper()
	if err := h.srv.SendFrame(h.ctx, frame); err != nil {
		h.t.Fatalf("server: %v", err)
	}
}

// answer sends the result of m: a nearestDc naming country.
func (h *harness) answer(m mtprototest.Message, country string) {
	h.t.Helper()
	if err := h.srv.Result(h.ctx, m, &tg.NearestDC{Country: country, ThisDC: 2, NearestDC: 2}); err != nil {
		h.t.Fatalf("server: %v", err)
	}
}

// resultBody is the body of an rpc_result for m naming country.
func resultBody(m mtprototest.Message, country string) []byte {
	return mtprototest.RPCResult(m.MsgID, mtprototest.Encode(&tg.NearestDC{Country: country, ThisDC: 2, NearestDC: 2}))
}

func encode(v bin.Encoder) []byte { return mtprototest.Encode(v) }

// update waits for the next update the handler got.
func (h *harness) update() []byte {
	h.t.Helper()
	select {
	case b := <-h.updates:
		return b
	case <-h.ctx.Done():
		h.t.Fatalf("no update; logs:\n%s", h.logs.text())
		return nil
	}
}

// asRPC returns the type of the Telegram RPC error in err's chain.
func asRPC(err error) (string, bool) {
	e, ok := tgerrAs(err)
	if !ok {
		return "", false
	}
	return e.Type, true
}
