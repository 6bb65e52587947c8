package client_test

import (
	"context"
	"sync"
	"testing"

	"github.com/gotd/td/tgtest"

	"github.com/tgraw/tgraw/client"
	"github.com/tgraw/tgraw/session"
	"github.com/tgraw/tgraw/tg"
)

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
	w.result(2, tg.UpdatesGetStateRequestTypeID, &tg.UpdatesState{Pts: 1, Date: 1})
	w.handle(2, tg.UpdatesGetDifferenceRequestTypeID, func(srv *tgtest.Server, req *tgtest.Request) error {
		difference <- struct{}{}
		return srv.SendResult(req, &tg.UpdatesDifferenceEmpty{Date: 2, Seq: 0})
	})

	opts := w.options(&session.Memory{})
	opts.UpdateHandler = updatesFunc(func(context.Context, tg.UpdatesClass) error { return nil })
	c := client.New(17, "hash", opts)
	home := w.addr(2, false)
	w.run(c, func(ctx context.Context) error {
		// A call first: the update loop has caught up, and the first
		// connection's new_session_created is behind us.
		if _, err := c.API().UpdatesGetState(ctx, nil); err != nil {
			return err
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
