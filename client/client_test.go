package client_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/tgraw/tgraw/client"
	"github.com/tgraw/tgraw/peer"
	"github.com/tgraw/tgraw/session"
	"github.com/tgraw/tgraw/tg"
	"github.com/tgraw/tgraw/tgerr"
)

func run(t *testing.T, c *client.Client, f func(ctx context.Context) error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := c.Run(ctx, f); err != nil {
		t.Fatalf("Run: %v", err)
	}
}

// TestRun makes a key with tgtest, announces the layer and the device in
// the first call, and makes encrypted calls whose results and errors come
// back in our types.
func TestRun(t *testing.T) {
	s := startServer(t, 0)
	s.result(tg.HelpGetNearestDCRequestTypeID, &tg.NearestDC{Country: "NL", ThisDC: 2, NearestDC: 2})
	s.d.HandleFunc(tg.ContactsResolveUsernameRequestTypeID, func(srv *tgtestServer, req *tgtestRequest) error {
		return tgerrNew(400, "USERNAME_NOT_OCCUPIED")
	})
	opts := s.options()
	opts.Device = client.Device{DeviceModel: "test rig", AppVersion: "1.2.3", LangCode: "nl"}
	c := client.New(17, "hash", opts)
	run(t, c, func(ctx context.Context) error {
		api := c.API()
		dc, err := api.HelpGetNearestDC(ctx, nil)
		if err != nil {
			return err
		}
		if dc.Country != "NL" {
			t.Errorf("nearest DC %+v", dc)
		}
		_, err = api.ContactsResolveUsername(ctx, &tg.ContactsResolveUsernameRequest{Username: "nobody"})
		var rpcErr *tgerr.Error
		if !errors.As(err, &rpcErr) || rpcErr.Code != 400 || !rpcErr.IsType("USERNAME_NOT_OCCUPIED") {
			t.Errorf("resolve: %v, want USERNAME_NOT_OCCUPIED", err)
		}
		if cfg := c.Config(); cfg == nil || cfg.ThisDC != 2 {
			t.Errorf("config %+v", cfg)
		}
		return nil
	})
	first := s.first[0]
	wl, ok := first.(*tg.InvokeWithLayerRequest)
	if !ok || wl.Layer != tg.Layer {
		t.Fatalf("first request %s, want invokeWithLayer(%d, ...)", first.TypeName(), tg.Layer)
	}
	ic, ok := wl.Query.(*tg.InitConnectionRequest)
	if !ok || ic.APIID != 17 || ic.DeviceModel != "test rig" || ic.AppVersion != "1.2.3" || ic.LangCode != "nl" || ic.SystemLangCode != "en" {
		t.Fatalf("initConnection %+v", wl.Query)
	}
	if _, ok := ic.Query.(*tg.HelpGetConfigRequest); !ok {
		t.Errorf("initConnection wraps %s, want help.getConfig", ic.Query.TypeName())
	}
	sess := c.Session()
	if sess.AuthKey.IsZero() || sess.DC != 2 || sess.Addr != s.addr {
		t.Errorf("session %v", sess)
	}
}

// TestSessionReused runs the client twice with one session storage: the
// second run makes no key exchange (one connection, the same auth key on
// the server) and finds its time offset.
func TestSessionReused(t *testing.T) {
	s := startServer(t, time.Hour)
	s.result(tg.HelpGetNearestDCRequestTypeID, &tg.NearestDC{Country: "NL"})
	store := &session.Memory{}
	for i := range 2 {
		opts := s.options()
		opts.Session = store
		c := client.New(1, "hash", opts)
		run(t, c, func(ctx context.Context) error {
			_, err := c.API().HelpGetNearestDC(ctx, nil)
			return err
		})
		if i == 0 {
			sess, _ := store.Load(context.Background())
			if d := sess.TimeOffset - time.Hour; d < -2*time.Second || d > 2*time.Second {
				t.Errorf("time offset %v, want 1h", sess.TimeOffset)
			}
		}
	}
	if s.keys() != 1 {
		t.Errorf("the server saw %d auth keys, want 1", s.keys())
	}
	if s.conns.Load() != 2 {
		t.Errorf("%d connections, want 2 (one per run)", s.conns.Load())
	}
}

// TestUnknownKey starts with a session whose key the server does not know:
// -404, a new key, and the run goes on.
func TestUnknownKey(t *testing.T) {
	a := startServer(t, 0)
	store := &session.Memory{}
	opts := a.options()
	opts.Session = store
	run(t, client.New(1, "hash", opts), func(context.Context) error { return nil })
	oldKey := mustLoad(t, store).AuthKey

	b := startServer(t, 0) // another server: the key is not there
	b.result(tg.HelpGetNearestDCRequestTypeID, &tg.NearestDC{Country: "B"})
	sess := mustLoad(t, store)
	sess.Addr = b.addr
	_ = store.Save(context.Background(), sess)
	opts = b.options()
	opts.Session = store
	c := client.New(1, "hash", opts)
	run(t, c, func(ctx context.Context) error {
		_, err := c.API().HelpGetNearestDC(ctx, nil)
		return err
	})
	if k := mustLoad(t, store).AuthKey; k.IsZero() || k.Equal(oldKey) {
		t.Error("no new auth key was saved")
	}
}

func mustLoad(t *testing.T, s session.Storage) *session.Session {
	t.Helper()
	sess, err := s.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return sess
}

// TestNotRunning: Invoke outside Run.
func TestNotRunning(t *testing.T) {
	c := client.New(1, "hash", client.Options{})
	if err := c.Invoke(context.Background(), &tg.HelpGetNearestDCRequest{}, &tg.NearestDC{}); !errors.Is(err, client.ErrNotRunning) {
		t.Errorf("Invoke: %v", err)
	}
}

// TestUpdates: a pushed update reaches the handler in our types, after
// the peers it names are in the store; its state is saved with the
// session; after a restart, the client catches up with getDifference and
// getChannelDifference from the saved state, the channel's access hash
// from the peer store.
func TestUpdates(t *testing.T) {
	s := startServer(t, 0)
	const (
		aliceID int64 = 501
		newsID  int64 = 777
	)
	alice := &tg.User{ID: aliceID, AccessHash: 5010, FirstName: "Alice", Username: "alice"}
	news := &tg.Channel{ID: newsID, AccessHash: 7770, Title: "News", Photo: &tg.ChatPhotoEmpty{}, Broadcast: true}
	msg := func(id int, peerID tg.PeerClass) *tg.Message {
		return &tg.Message{ID: id, PeerID: peerID, FromID: &tg.PeerUser{UserID: aliceID}, Date: 1, Message: "m" + itoa(id)}
	}
	s.result(tg.UpdatesGetStateRequestTypeID, &tg.UpdatesState{Pts: 10, Qts: 0, Date: 100, Seq: 0})
	s.result(tg.HelpGetNearestDCRequestTypeID, &tg.NearestDC{Country: "NL"})

	store := peer.NewMemoryStore(peer.MemoryOptions{})
	sessions := &session.Memory{}
	got := make(chan tg.UpdatesClass, 10)
	handler := func(ctx context.Context, u tg.UpdatesClass) error {
		// The peers are stored before the handler runs.
		if rec, found, _ := store.Peer(ctx, peer.UserKey(aliceID)); !found || rec.AccessHash != 5010 {
			t.Errorf("alice is not in the store when the handler runs")
		}
		got <- u
		return nil
	}
	opts := s.options()
	opts.Session = sessions
	opts.Peers = store
	opts.UpdateHandler = updatesFunc(handler)
	c := client.New(1, "hash", opts)
	run(t, c, func(ctx context.Context) error {
		// A call first, so that the server knows the connection.
		if _, err := c.API().HelpGetNearestDC(ctx, nil); err != nil {
			return err
		}
		s.push(ctx, &tg.Updates{
			Updates: []tg.UpdateClass{
				&tg.UpdateNewMessage{Message: msg(1, &tg.PeerUser{UserID: aliceID}), Pts: 11, PtsCount: 1},
				&tg.UpdateNewChannelMessage{Message: msg(50, &tg.PeerChannel{ChannelID: newsID}), Pts: 5, PtsCount: 1},
			},
			Users: []tg.UserClass{alice},
			Chats: []tg.ChatClass{news},
			Date:  101,
		})
		select {
		case u := <-got:
			upd, ok := u.(*tg.Updates)
			if !ok || len(upd.Updates) != 2 {
				t.Errorf("handler got %T %+v", u, u)
			}
		case <-ctx.Done():
			t.Fatal("no update reached the handler")
		}
		return nil
	})
	st := mustLoad(t, sessions).Updates
	if st.Pts != 11 || st.Channels[newsID] != 5 {
		t.Fatalf("saved update state %+v, want pts 11 and channel pts 5", st)
	}

	// While the client is away: two messages, one channel post.
	var mu sync.Mutex
	var asked []string
	s.d.HandleFunc(tg.UpdatesGetDifferenceRequestTypeID, func(srv *tgtestServer, req *tgtestRequest) error {
		var r tg.UpdatesGetDifferenceRequest
		if err := r.Decode(req.Buf); err != nil {
			return err
		}
		mu.Lock()
		asked = append(asked, "getDifference from "+itoa(r.Pts))
		mu.Unlock()
		return srv.SendResult(req, &tg.UpdatesDifference{
			NewMessages:          []tg.MessageClass{msg(2, &tg.PeerUser{UserID: aliceID}), msg(3, &tg.PeerUser{UserID: aliceID})},
			NewEncryptedMessages: []tg.EncryptedMessageClass{},
			OtherUpdates:         []tg.UpdateClass{},
			Chats:                []tg.ChatClass{},
			Users:                []tg.UserClass{alice},
			State:                tg.UpdatesState{Pts: 13, Date: 200},
		})
	})
	s.d.HandleFunc(tg.UpdatesGetChannelDifferenceRequestTypeID, func(srv *tgtestServer, req *tgtestRequest) error {
		var r tg.UpdatesGetChannelDifferenceRequest
		if err := r.Decode(req.Buf); err != nil {
			return err
		}
		in, _ := r.Channel.(*tg.InputChannel)
		mu.Lock()
		asked = append(asked, "getChannelDifference of "+itoa(int(in.ChannelID))+" hash "+itoa(int(in.AccessHash))+" from "+itoa(r.Pts))
		mu.Unlock()
		return srv.SendResult(req, &tg.UpdatesChannelDifference{
			Final: true, Pts: 6,
			NewMessages:  []tg.MessageClass{msg(51, &tg.PeerChannel{ChannelID: newsID})},
			OtherUpdates: []tg.UpdateClass{},
			Chats:        []tg.ChatClass{news},
			Users:        []tg.UserClass{alice},
		})
	})
	opts = s.options()
	opts.Session = sessions
	opts.Peers = store
	opts.UpdateHandler = updatesFunc(handler)
	c = client.New(1, "hash", opts)
	run(t, c, func(ctx context.Context) error {
		for _, want := range []string{"common", "channel"} {
			select {
			case u := <-got:
				if _, ok := u.(*tg.Updates); !ok {
					t.Errorf("%s difference delivered as %T", want, u)
				}
			case <-ctx.Done():
				t.Fatalf("no %s difference reached the handler", want)
			}
		}
		return nil
	})
	mu.Lock()
	defer mu.Unlock()
	want := []string{"getDifference from 11", "getChannelDifference of 777 hash 7770 from 5"}
	if len(asked) != 2 || asked[0] != want[0] || asked[1] != want[1] {
		t.Errorf("calls %q, want %q", asked, want)
	}
	st = mustLoad(t, sessions).Updates
	if st.Pts != 13 || st.Channels[newsID] != 6 {
		t.Errorf("saved update state %+v, want pts 13 and channel pts 6", st)
	}
}

type updatesFunc func(ctx context.Context, u tg.UpdatesClass) error

func (f updatesFunc) Handle(ctx context.Context, u tg.UpdatesClass) error { return f(ctx, u) }
