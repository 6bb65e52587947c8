package client_test

import (
	"context"
	"errors"
	"testing"

	"github.com/gotd/td/tgerr"
	"github.com/gotd/td/tgtest"

	"github.com/tgraw/tgraw/auth"
	"github.com/tgraw/tgraw/auth/srp/srptest"
	"github.com/tgraw/tgraw/client"
	"github.com/tgraw/tgraw/mtcrypto"
	"github.com/tgraw/tgraw/peer"
	"github.com/tgraw/tgraw/session"
	"github.com/tgraw/tgraw/tg"
)

const (
	botID  int64 = 7001
	userID int64 = 5001
	phone        = "15550001"
	code         = "12345"
)

// signInServer answers the sign-in calls on dc: a bot token, a code, and
// the two-step verification password when pw is set (the server side of
// SRP from the documented algorithm).
func signInServer(w *world, dc int, pw *srptest.Server) {
	t := w.t
	w.handle(dc, tg.AuthImportBotAuthorizationRequestTypeID, func(srv *tgtest.Server, req *tgtest.Request) error {
		r := decode[tg.AuthImportBotAuthorizationRequest](t, req)
		if r.BotAuthToken != "7001:token" {
			return tgerr.New(400, "ACCESS_TOKEN_INVALID")
		}
		return srv.SendResult(req, &tg.AuthAuthorization{User: &tg.User{ID: botID, Self: true, Bot: true, AccessHash: 1, FirstName: "Robot", Username: "robot_bot"}})
	})
	w.handle(dc, tg.AuthSendCodeRequestTypeID, func(srv *tgtest.Server, req *tgtest.Request) error {
		r := decode[tg.AuthSendCodeRequest](t, req)
		if r.PhoneNumber != phone || r.APIID != 17 || r.APIHash != "hash" {
			return tgerr.New(400, "PHONE_NUMBER_INVALID")
		}
		return srv.SendResult(req, &tg.AuthSentCode{Type: &tg.AuthSentCodeTypeSMS{Length: 5}, PhoneCodeHash: "code-hash"})
	})
	w.handle(dc, tg.AuthSignInRequestTypeID, func(srv *tgtest.Server, req *tgtest.Request) error {
		r := decode[tg.AuthSignInRequest](t, req)
		switch {
		case r.PhoneCodeHash != "code-hash" || r.PhoneCode != code:
			return tgerr.New(400, "PHONE_CODE_INVALID")
		case pw != nil:
			return tgerr.New(401, "SESSION_PASSWORD_NEEDED")
		}
		return srv.SendResult(req, userAuthorization())
	})
	if pw == nil {
		return
	}
	w.handle(dc, tg.AccountGetPasswordRequestTypeID, func(srv *tgtest.Server, req *tgtest.Request) error {
		id, srpB, err := pw.Challenge()
		if err != nil {
			return err
		}
		p := pw.Params()
		return srv.SendResult(req, &tg.AccountPassword{
			HasPassword: true, Hint: "usual",
			CurrentAlgo:   &tg.PasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow{Salt1: p.Salt1, Salt2: p.Salt2, G: p.G, P: p.P},
			SRPB:          srpB,
			SRPID:         id,
			NewAlgo:       &tg.PasswordKdfAlgoUnknown{},
			NewSecureAlgo: &tg.SecurePasswordKdfAlgoUnknown{},
			SecureRandom:  []byte{1},
		})
	})
	w.handle(dc, tg.AuthCheckPasswordRequestTypeID, func(srv *tgtest.Server, req *tgtest.Request) error {
		r := decode[tg.AuthCheckPasswordRequest](t, req)
		in, ok := r.Password.(*tg.InputCheckPasswordSRP)
		if !ok {
			return tgerr.New(400, "PASSWORD_HASH_INVALID")
		}
		if ok, err := pw.Verify(in.SRPID, in.A, in.M1); err != nil || !ok {
			return tgerr.New(400, "PASSWORD_HASH_INVALID")
		}
		return srv.SendResult(req, userAuthorization())
	})
}

func userAuthorization() *tg.AuthAuthorization {
	return &tg.AuthAuthorization{User: &tg.User{ID: userID, Self: true, AccessHash: 2, FirstName: "Ann", Phone: phone}}
}

// flow signs in with the code, and the password when asked.
func flow(password string) auth.UserFlow {
	return auth.UserFlow{
		Phone: phone,
		Code: func(_ context.Context, sent *tg.AuthSentCode, wrong error) (string, error) {
			if wrong != nil {
				return "", wrong
			}
			return code, nil
		},
		Password: func(_ context.Context, hint string, wrong error) (string, error) {
			if wrong != nil {
				return "", wrong
			}
			return password, nil
		},
	}
}

// TestSignInBot signs a bot in: the session records its ID and that it
// is a bot, and after a restart Self tells it, and its username from the
// peer store, with no call.
func TestSignInBot(t *testing.T) {
	w := newWorld(t, worldOptions{dcs: []int{2}})
	signInServer(w, 2, nil)
	store := &session.Memory{}
	peers := peer.NewMemoryStore(peer.MemoryOptions{})
	opts := w.options(store)
	opts.Peers = peers
	c := client.New(17, "hash", opts)
	w.run(c, func(ctx context.Context) error {
		if _, ok, err := c.Self(ctx); ok || err != nil {
			t.Errorf("Self before sign-in: %v, %v", ok, err)
		}
		if _, err := c.SignInBot(ctx, "7001:wrong"); !errors.Is(err, auth.ErrBotTokenInvalid) {
			t.Errorf("a wrong token: %v", err)
		}
		u, err := c.SignInBot(ctx, "7001:token")
		if err != nil {
			return err
		}
		if u.ID != botID || !u.Bot {
			t.Errorf("signed in as %d (bot %v)", u.ID, u.Bot)
		}
		return nil
	})
	if s := mustLoad(t, store); s.UserID != botID || !s.Bot {
		t.Fatalf("the session records user %d, bot %v", s.UserID, s.Bot)
	}

	calls := len(w.served(""))
	again := client.New(17, "hash", opts)
	self, ok, err := again.Self(context.Background())
	if err != nil || !ok || self.UserID != botID || !self.Bot || self.DC != 2 {
		t.Fatalf("Self after a restart: %+v, %v, %v", self, ok, err)
	}
	if len(self.User.Usernames) != 1 || self.User.Usernames[0] != "robot_bot" || !self.User.Self {
		t.Errorf("Self's user from the peer store: %+v", self.User)
	}
	if n := len(w.served("")); n != calls {
		t.Errorf("Self made %d calls", n-calls)
	}
}

// TestSignInUser signs a user in with a code, with and without two-step
// verification (SRP-2048 against the documented server side), and with a
// wrong password.
func TestSignInUser(t *testing.T) {
	for _, c := range []struct {
		name     string
		password string // the account's; "" for none
		give     string // what the user gives
		want     error
	}{
		{name: "code only"},
		{name: "two-step verification", password: "hunter2", give: "hunter2"},
		{name: "wrong password", password: "hunter2", give: "hunter3", want: auth.ErrPasswordInvalid},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t, worldOptions{dcs: []int{2}})
			var pw *srptest.Server
			if c.password != "" {
				pw = srptest.New(t, c.password)
			}
			signInServer(w, 2, pw)
			store := &session.Memory{}
			cl := client.New(17, "hash", w.options(store))
			w.run(cl, func(ctx context.Context) error {
				u, err := cl.SignInUser(ctx, flow(c.give))
				if c.want != nil {
					if !errors.Is(err, c.want) {
						t.Errorf("SignInUser: %v, want %v", err, c.want)
					}
					return nil
				}
				if err != nil {
					return err
				}
				if u.ID != userID || u.Bot {
					t.Errorf("signed in as %d (bot %v)", u.ID, u.Bot)
				}
				return nil
			})
			s := mustLoad(t, store)
			if want := map[bool]int64{true: 0, false: userID}[c.want != nil]; s.UserID != want || s.Bot {
				t.Errorf("the session records user %d (bot %v), want %d", s.UserID, s.Bot, want)
			}
		})
	}
}

// TestPhoneMigrate: auth.sendCode on DC 2 answers PHONE_MIGRATE_3 (the
// number's DC), or NETWORK_MIGRATE_3 (the DC of the client's network);
// the session moves to DC 3 with a key made there, and the sign-in, with
// two-step verification, ends on DC 3. The session keeps DC 2's key among
// the others, and a restart connects to DC 3 with the saved key.
func TestPhoneMigrate(t *testing.T) {
	for _, redirect := range []string{"PHONE_MIGRATE_3", "NETWORK_MIGRATE_3"} {
		t.Run(redirect, func(t *testing.T) { testSignInMigrate(t, redirect) })
	}
}

func testSignInMigrate(t *testing.T, redirect string) {
	w := newWorld(t, worldOptions{dcs: []int{2, 3}})
	w.handle(2, tg.AuthSendCodeRequestTypeID, func(*tgtest.Server, *tgtest.Request) error {
		return tgerr.New(303, redirect)
	})
	signInServer(w, 3, srptest.New(t, "hunter2"))
	store := &session.Memory{}
	c := client.New(17, "hash", w.options(store))
	w.run(c, func(ctx context.Context) error {
		_, err := c.SignInUser(ctx, flow("hunter2"))
		return err
	})
	s := mustLoad(t, store)
	if s.DC != 3 || s.UserID != userID || s.Addr != w.addr(3, false) {
		t.Fatalf("session after the move: %v", s)
	}
	k3, k2 := w.keysOf(3), w.keysOf(2)
	if len(k3) != 1 || len(k2) != 1 || !k3[keyID(s.AuthKey)] {
		t.Fatalf("DC 3 saw %d keys, DC 2 %d; the session's key is DC 3's: %v", len(k3), len(k2), k3[keyID(s.AuthKey)])
	}
	old, ok := s.Keys[2]
	if !ok || !k2[keyID(old.Key)] || old.UserID != 0 {
		t.Errorf("DC 2's key is not kept as it was (signed in to no one): %v", old)
	}
	for _, sc := range w.served("auth.sendCode") {
		if sc.dc == 3 && sc.key != keyID(s.AuthKey) {
			t.Error("auth.sendCode went to DC 3 with another key")
		}
	}

	// A restart: DC 3, the same key, no exchange.
	conns := w.connsTo(w.addr(3, false))
	c = client.New(17, "hash", w.options(store))
	if self, ok, _ := c.Self(context.Background()); !ok || self.DC != 3 || self.UserID != userID {
		t.Errorf("Self after the restart: %+v", self)
	}
	w.run(c, func(context.Context) error { return nil })
	if len(w.keysOf(3)) != 1 || w.connsTo(w.addr(3, false)) != conns+1 {
		t.Errorf("the restart made a new key or did not connect to DC 3 once")
	}
}

func keyID(k mtcrypto.AuthKey) [8]byte {
	var id [8]byte
	v := uint64(k.ID())
	for i := range id {
		id[i] = byte(v >> (8 * i))
	}
	return id
}
