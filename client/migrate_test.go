package client_test

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/gotd/neo"
	"github.com/gotd/td/tgerr"
	"github.com/gotd/td/tgtest"

	"github.com/tgraw/tgraw/client"
	"github.com/tgraw/tgraw/session"
	"github.com/tgraw/tgraw/tg"
)

// exportServer exports the account's authorization on from for any DC,
// and imports it on to, where it records the keys signed in.
type exportServer struct {
	mu         sync.Mutex
	authorized map[[8]byte]bool
}

func newExportServer(w *world, from, to int) *exportServer {
	e := &exportServer{authorized: map[[8]byte]bool{}}
	w.handle(from, tg.AuthExportAuthorizationRequestTypeID, func(srv *tgtest.Server, req *tgtest.Request) error {
		r := decode[tg.AuthExportAuthorizationRequest](w.t, req)
		if r.DCID != to {
			return tgerr.New(400, "DC_ID_INVALID")
		}
		return srv.SendResult(req, &tg.AuthExportedAuthorization{ID: botID, Bytes: []byte("exported for DC 4")})
	})
	w.handle(to, tg.AuthImportAuthorizationRequestTypeID, func(srv *tgtest.Server, req *tgtest.Request) error {
		r := decode[tg.AuthImportAuthorizationRequest](w.t, req)
		if r.ID != botID || !bytes.Equal(r.Bytes, []byte("exported for DC 4")) {
			return tgerr.New(400, "AUTH_BYTES_INVALID")
		}
		e.mu.Lock()
		e.authorized[req.Session.AuthKey.ID] = true
		e.mu.Unlock()
		return srv.SendResult(req, &tg.AuthAuthorization{User: &tg.User{ID: botID, Self: true, Bot: true, AccessHash: 1}})
	})
	return e
}

// moved answers calls of id on DC 2 with the redirect, and on DC 4 with f
// for keys signed in there (AUTH_KEY_UNREGISTERED for others).
func (e *exportServer) moved(w *world, id uint32, redirect string, f func(srv *tgtest.Server, req *tgtest.Request) error) {
	w.handle(2, id, func(*tgtest.Server, *tgtest.Request) error { return tgerr.New(303, redirect) })
	w.handle(4, id, func(srv *tgtest.Server, req *tgtest.Request) error {
		if !e.signedIn(req.Session.AuthKey.ID) {
			return tgerr.New(401, "AUTH_KEY_UNREGISTERED")
		}
		return f(srv, req)
	})
}

func (e *exportServer) signedIn(key [8]byte) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.authorized[key]
}

// TestFileMigrate: a signed-in bot on DC 2 asks for a file that lives on
// DC 4 (FILE_MIGRATE_4). The client makes a key with DC 4 on its main
// address, carries the authorization there (auth.exportAuthorization on
// DC 2, auth.importAuthorization on DC 4) and gets the file; the next file
// call goes to DC 4's media-only address with the same key, signed in
// already. Connections without calls for IdleTimeout close. After a
// restart, DC 4's saved key serves the file on the media address with no
// new exchange or export.
func TestFileMigrate(t *testing.T) {
	w := newWorld(t, worldOptions{dcs: []int{2, 4}, media: []int{4}})
	signInServer(w, 2, nil)
	exports := newExportServer(w, 2, 4)
	exports.moved(w, tg.UploadGetFileRequestTypeID, "FILE_MIGRATE_4", func(srv *tgtest.Server, req *tgtest.Request) error {
		r := decode[tg.UploadGetFileRequest](t, req)
		return srv.SendResult(req, &tg.UploadFile{Type: &tg.StorageFileJpeg{}, Bytes: []byte{byte(r.Offset), 0xff}})
	})

	// The fake clock's lead on the server's after the test moves it stays
	// within the 300 seconds a server message may be late.
	const idle = 2 * time.Minute
	fake := neo.NewTime(time.Now())
	clk := timerClock{Clock: fake, interesting: exactly(idle), made: make(chan time.Duration, 10)}
	store := &session.Memory{}
	opts := w.options(store)
	opts.Clock, opts.IdleTimeout, opts.PingInterval = clk, idle, -1
	c := client.New(17, "hash", opts)
	media := w.addr(4, true)
	getFile := func(ctx context.Context, offset int64) {
		t.Helper()
		f, err := c.API().UploadGetFile(ctx, &tg.UploadGetFileRequest{
			Location: &tg.InputDocumentFileLocation{ID: 1, AccessHash: 2, FileReference: []byte{3}},
			Offset:   offset, Limit: 4096,
		})
		if err != nil {
			t.Fatalf("upload.getFile: %v", err)
		}
		if file, ok := f.(*tg.UploadFile); !ok || !bytes.Equal(file.Bytes, []byte{byte(offset), 0xff}) {
			t.Fatalf("upload.getFile returned %+v", f)
		}
	}
	main4 := w.addr(4, false)
	w.run(c, func(ctx context.Context) error {
		if _, err := c.SignInBot(ctx, "7001:token"); err != nil {
			return err
		}
		getFile(ctx, 0)
		w.waitTimer(clk) // the connection to DC 4 is idle: its timer runs
		if w.connsTo(main4) != 1 || w.connsTo(media) != 0 {
			t.Errorf("the first file call: %d connections to DC 4's main address, %d to its media one; want 1, 0",
				w.connsTo(main4), w.connsTo(media))
		}
		getFile(ctx, 1)
		w.waitTimer(clk)
		if w.connsTo(main4) != 1 || w.connsTo(media) != 1 {
			t.Errorf("the second file call: %d connections to DC 4's main address, %d to its media one; want 1, 1",
				w.connsTo(main4), w.connsTo(media))
		}
		if n := len(w.served("auth.exportAuthorization")); n != 1 {
			t.Errorf("%d exports, want 1", n)
		}
		// Idle for IdleTimeout: both connections to DC 4 close.
		fake.Travel(idle)
		w.waitClose(media, main4)
		return nil
	})
	s := mustLoad(t, store)
	k4, ok := s.Keys[4]
	if !ok || k4.UserID != botID || !exports.signedIn(keyID(k4.Key)) {
		t.Fatalf("DC 4's key in the session: %v (%v), want it signed in to the bot", k4, ok)
	}
	if s.DC != 2 {
		t.Errorf("the account moved to DC %d; a file is not a reason to", s.DC)
	}
	for _, f := range w.served("upload.getFile") {
		if f.dc == 4 && f.key != keyID(k4.Key) {
			t.Error("upload.getFile came to DC 4 with another key")
		}
	}

	// After a restart: the saved key on the media address, no export, no
	// exchange.
	opts = w.options(store)
	c = client.New(17, "hash", opts)
	w.run(c, func(ctx context.Context) error {
		getFile(ctx, 2)
		return nil
	})
	if n := len(w.served("auth.exportAuthorization")); n != 1 {
		t.Errorf("%d exports after the restart, want still 1", n)
	}
	if len(w.keysOf(4)) != 1 || w.connsTo(main4) != 1 || w.connsTo(media) != 2 {
		t.Errorf("after the restart: %d keys of DC 4, %d connections to its main address, %d to its media one; want 1, 1, 2",
			len(w.keysOf(4)), w.connsTo(main4), w.connsTo(media))
	}
}

// TestUserMigrate: a signed-in bot's call on DC 2 answers USER_MIGRATE_4.
// The account moves to DC 4 with a key made there and its authorization
// carried over, the call is made there, and the session records DC 4 with
// DC 2's key, still signed in, among the others.
func TestUserMigrate(t *testing.T) {
	w := newWorld(t, worldOptions{dcs: []int{2, 4}})
	signInServer(w, 2, nil)
	exports := newExportServer(w, 2, 4)
	exports.moved(w, tg.HelpGetNearestDCRequestTypeID, "USER_MIGRATE_4", func(srv *tgtest.Server, req *tgtest.Request) error {
		return srv.SendResult(req, &tg.NearestDC{Country: "NL", ThisDC: 4, NearestDC: 4})
	})
	store := &session.Memory{}
	c := client.New(17, "hash", w.options(store))
	w.run(c, func(ctx context.Context) error {
		if _, err := c.SignInBot(ctx, "7001:token"); err != nil {
			return err
		}
		dc, err := c.API().HelpGetNearestDC(ctx, nil)
		if err != nil {
			return err
		}
		if dc.ThisDC != 4 {
			t.Errorf("answered by DC %d", dc.ThisDC)
		}
		if cfg := c.Config(); cfg == nil || cfg.ThisDC != 4 {
			t.Errorf("the configuration is not DC 4's: %+v", cfg)
		}
		return nil
	})
	s := mustLoad(t, store)
	if s.DC != 4 || s.UserID != botID || !s.Bot || !exports.signedIn(keyID(s.AuthKey)) {
		t.Fatalf("session after the move: %v", s)
	}
	if k2, ok := s.Keys[2]; !ok || k2.UserID != botID || !w.keysOf(2)[keyID(k2.Key)] {
		t.Errorf("DC 2's key is not kept, signed in: %v", k2)
	}
}
