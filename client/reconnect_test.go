package client_test

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gotd/neo"
	gotdtgerr "github.com/gotd/td/tgerr"
	"github.com/gotd/td/tgtest"

	"github.com/tgraw/tgraw/client"
	"github.com/tgraw/tgraw/session"
	"github.com/tgraw/tgraw/tg"
	"github.com/tgraw/tgraw/tgerr"
)

// gotdErr is an rpc_error for tgtest to send.
func gotdErr(code int, typ string) error { return gotdtgerr.New(code, typ) }

// TestDisconnectDuringCalls: the server closes the TCP connection in the
// middle of ten concurrent calls, after answering five of them. The
// client connects again at once, in the same MTProto session, sends the
// five unanswered calls again, and every caller gets exactly one result,
// its own. The server's new_session_created on the new connection makes
// the updates catch up with updates.getDifference.
func TestDisconnectDuringCalls(t *testing.T) {
	const n, answeredFirst = 10, 5
	w := newWorld(t, worldOptions{dcs: []int{2}})

	var (
		mu           sync.Mutex
		dropped      bool
		firstSession int64
		seen         = map[int]int{} // calls seen, by the caller's number
		answered     = map[int]int{} // results sent, by the caller's number
		difference   = make(chan struct{}, 10)
	)
	w.handle(2, tg.HelpGetCountriesListRequestTypeID, func(srv *tgtest.Server, req *tgtest.Request) error {
		i := decode[tg.HelpGetCountriesListRequest](t, req).Hash
		mu.Lock()
		seen[i]++
		answer := dropped || len(seen) <= answeredFirst
		if !dropped && len(seen) == n {
			dropped, firstSession = true, req.Session.ID
			mu.Unlock()
			srv.ForceDisconnect(req.Session)
			return nil
		}
		if answer {
			answered[i]++
		}
		mu.Unlock()
		if !answer {
			return nil // held: no answer on this connection
		}
		return srv.SendResult(req, &tg.HelpCountriesList{Countries: []tg.HelpCountry{}, Hash: i})
	})
	// The update loop's catch-up asks for the state; only a difference
	// asked for after the drop shows the new session was followed.
	caughtUp := make(chan struct{}, 1)
	w.handle(2, tg.UpdatesGetStateRequestTypeID, func(srv *tgtest.Server, req *tgtest.Request) error {
		signalTest(caughtUp)
		return srv.SendResult(req, &tg.UpdatesState{Pts: 1, Date: 1})
	})
	w.handle(2, tg.UpdatesGetDifferenceRequestTypeID, func(srv *tgtest.Server, req *tgtest.Request) error {
		mu.Lock()
		afterDrop := dropped
		mu.Unlock()
		if afterDrop {
			signalTest(difference)
		}
		return srv.SendResult(req, &tg.UpdatesDifferenceEmpty{Date: 2, Seq: 0})
	})

	opts := w.options(&session.Memory{})
	opts.UpdateHandler = updatesFunc(func(context.Context, tg.UpdatesClass) error { return nil })
	c := client.New(17, "hash", opts)
	home := w.addr(2, false)
	w.run(c, func(ctx context.Context) error {
		// The update loop has asked for the state: whatever the first
		// connection's new_session_created did is behind us, and a new
		// session from here on is followed by a difference.
		select {
		case <-caughtUp:
		case <-ctx.Done():
			return ctx.Err()
		}
		results := make([][]int, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := c.API().HelpGetCountriesList(ctx, &tg.HelpGetCountriesListRequest{LangCode: "en", Hash: i})
				errs[i] = err
				if list, ok := res.(*tg.HelpCountriesList); ok {
					results[i] = append(results[i], list.Hash)
				}
			}()
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil || len(results[i]) != 1 || results[i][0] != i {
				t.Errorf("caller %d: results %v, error %v; want its own result once", i, results[i], errs[i])
			}
		}
		select {
		case <-difference:
		case <-ctx.Done():
			t.Error("no updates.getDifference after the new session")
		}
		return nil
	})
	mu.Lock()
	defer mu.Unlock()
	if !dropped {
		t.Fatal("the server never dropped the connection")
	}
	for i := range n {
		if answered[i] == 0 {
			t.Errorf("call %d never answered by the server", i)
		}
	}
	held := 0
	for i := range n {
		if seen[i] == 2 {
			held++
		}
	}
	if held < n-answeredFirst {
		t.Errorf("%d calls seen twice, want the %d held ones", held, n-answeredFirst)
	}
	if w.connsTo(home) != 2 {
		t.Errorf("%d connections, want 2", w.connsTo(home))
	}
	for _, s := range w.served("help.getCountriesList") {
		if s.session != firstSession {
			t.Error("the calls sent again came in another MTProto session")
			break
		}
	}
}

// refusingDial wraps the world's dialer: while refuse is above zero, each
// dial fails and counts it down.
type refusingDial struct {
	mu     sync.Mutex
	refuse int
	dial   func(ctx context.Context, network, addr string) (net.Conn, error)
}

func (r *refusingDial) set(n int) {
	r.mu.Lock()
	r.refuse = n
	r.mu.Unlock()
}

func (r *refusingDial) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	r.mu.Lock()
	refused := r.refuse > 0
	if refused {
		r.refuse--
	}
	r.mu.Unlock()
	if refused {
		return nil, errors.New("connection refused by the test")
	}
	return r.dial(ctx, network, addr)
}

// TestReconnectBackoff: after the server drops the connection, the client
// connects again at once; while that fails it waits Reconnect.Min, then
// twice as long each time up to Reconnect.Max, each wait up to a fifth
// longer; once through, the call made meanwhile is answered. With
// Reconnect.Attempts, the account's connection is given up after that
// many failures and Run ends with an error that says so.
func TestReconnectBackoff(t *testing.T) {
	const lo, hi = time.Second, 4 * time.Second
	w := newWorld(t, worldOptions{dcs: []int{2}})
	var (
		mu   sync.Mutex
		last tgtest.Session
	)
	w.handle(2, tg.HelpGetNearestDCRequestTypeID, func(srv *tgtest.Server, req *tgtest.Request) error {
		mu.Lock()
		last = req.Session
		mu.Unlock()
		return srv.SendResult(req, &tg.NearestDC{Country: "NL", ThisDC: 2})
	})
	drop := func() {
		mu.Lock()
		s := last
		mu.Unlock()
		w.servers[2].ForceDisconnect(s)
	}
	newClient := func(attempts int) (*client.Client, *refusingDial, timerClock, *neo.Time) {
		fake := neo.NewTime(time.Now())
		clk := timerClock{Clock: fake, made: make(chan time.Duration, 10),
			interesting: func(d time.Duration) bool { return d >= lo && d <= hi+hi/5 }}
		opts := w.options(&session.Memory{})
		refusing := &refusingDial{dial: opts.Dial}
		opts.Dial, opts.Clock, opts.PingInterval = refusing.Dial, clk, -1
		opts.Reconnect = client.Backoff{Min: lo, Max: hi, Attempts: attempts}
		return client.New(17, "hash", opts), refusing, clk, fake
	}
	nearest := func(ctx context.Context, c *client.Client) error {
		_, err := c.API().HelpGetNearestDC(ctx, nil)
		return err
	}
	home := w.addr(2, false)

	c, refusing, clk, fake := newClient(0)
	w.run(c, func(ctx context.Context) error {
		if err := nearest(ctx, c); err != nil {
			return err
		}
		refusing.set(3) // the attempt at once and two more fail
		drop()
		call := make(chan error, 1)
		go func() { call <- nearest(ctx, c) }()
		for _, want := range []time.Duration{lo, 2 * lo, hi} {
			got := w.waitTimer(clk)
			if got < want || got > want+want/5 {
				t.Errorf("waited %v, want %v to %v", got, want, want+want/5)
			}
			fake.Travel(got)
		}
		if err := <-call; err != nil {
			t.Errorf("the call made while disconnected: %v", err)
		}
		return nil
	})
	if n := w.connsTo(home); n != 2 {
		t.Errorf("%d connections, want 2", n)
	}

	c, refusing, clk, fake = newClient(2)
	err := c.Run(w.ctx, func(ctx context.Context) error {
		if err := nearest(ctx, c); err != nil {
			return err
		}
		refusing.set(1 << 30)
		drop()
		fake.Travel(w.waitTimer(clk)) // after the attempt at once, one wait
		<-ctx.Done()
		return ctx.Err()
	})
	if err == nil || !strings.Contains(err.Error(), "unreachable after 2 attempts") || !strings.Contains(err.Error(), "refused by the test") {
		t.Errorf("Run with the DC unreachable: %v, want it given up after 2 attempts", err)
	}
}

// TestCallRetries: a call that Telegram answers with an internal error
// (500, or -503 Timeout) is made again up to CallRetries times, 3 by
// default; an error of the caller's (400) is not; negative CallRetries
// makes none.
func TestCallRetries(t *testing.T) {
	w := newWorld(t, worldOptions{dcs: []int{2}})
	var (
		mu       sync.Mutex
		failures []error // what the next calls get
	)
	w.handle(2, tg.HelpGetNearestDCRequestTypeID, func(srv *tgtest.Server, req *tgtest.Request) error {
		mu.Lock()
		defer mu.Unlock()
		if len(failures) > 0 {
			err := failures[0]
			failures = failures[1:]
			return err
		}
		return srv.SendResult(req, &tg.NearestDC{Country: "NL"})
	})
	for _, c := range []struct {
		name     string
		retries  int
		failures []error
		calls    int
		want     string // the error's type; "" for a result
	}{
		{"500 then -503 then a result", 0, []error{gotdErr(500, "INTERNAL"), gotdErr(-503, "Timeout")}, 3, ""},
		{"four 500s", 0, []error{gotdErr(500, "INTERNAL"), gotdErr(500, "INTERNAL"), gotdErr(500, "INTERNAL"), gotdErr(500, "INTERNAL")}, 4, "INTERNAL"},
		{"400", 0, []error{gotdErr(400, "LANG_CODE_INVALID")}, 1, "LANG_CODE_INVALID"},
		{"no retries", -1, []error{gotdErr(500, "INTERNAL")}, 1, "INTERNAL"},
	} {
		t.Run(c.name, func(t *testing.T) {
			mu.Lock()
			failures = slices.Clone(c.failures)
			mu.Unlock()
			opts := w.options(&session.Memory{})
			opts.CallRetries = c.retries
			opts.Reconnect.Min = time.Millisecond // the wait between tries
			cl := client.New(17, "hash", opts)
			before := len(w.served("help.getNearestDc"))
			w.run(cl, func(ctx context.Context) error {
				_, err := cl.API().HelpGetNearestDC(ctx, nil)
				var rpc *tgerr.Error
				switch {
				case c.want == "" && err != nil:
					t.Errorf("call: %v", err)
				case c.want != "" && (!errors.As(err, &rpc) || rpc.Type != c.want):
					t.Errorf("call: %v, want %s", err, c.want)
				}
				return nil
			})
			if n := len(w.served("help.getNearestDc")) - before; n != c.calls {
				t.Errorf("the server got %d calls, want %d", n, c.calls)
			}
		})
	}
}

// TestCallTimeout: a call the server does not answer ends after
// CallTimeout with context.DeadlineExceeded; the answer that comes after
// is dropped, and the next call gets its own.
func TestCallTimeout(t *testing.T) {
	w := newWorld(t, worldOptions{dcs: []int{2}})
	held := make(chan *tgtest.Request, 1)
	var (
		mu    sync.Mutex
		calls int
	)
	w.handle(2, tg.HelpGetNearestDCRequestTypeID, func(srv *tgtest.Server, req *tgtest.Request) error {
		mu.Lock()
		calls++
		first := calls == 1
		mu.Unlock()
		if first {
			held <- req
			return nil
		}
		return srv.SendResult(req, &tg.NearestDC{Country: "second"})
	})
	opts := w.options(&session.Memory{})
	opts.CallTimeout = 200 * time.Millisecond
	c := client.New(17, "hash", opts)
	w.run(c, func(ctx context.Context) error {
		if _, err := c.API().HelpGetNearestDC(ctx, nil); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("an unanswered call: %v, want the deadline exceeded", err)
		}
		if err := w.servers[2].SendResult(<-held, &tg.NearestDC{Country: "late"}); err != nil {
			return err
		}
		dc, err := c.API().HelpGetNearestDC(ctx, nil)
		if err != nil || dc.Country != "second" {
			t.Errorf("the next call: %+v, %v; want its own answer", dc, err)
		}
		return nil
	})
}

// signalTest wakes a test waiting on ch (a buffered channel) without
// blocking a server handler when nobody waits.
func signalTest(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}
