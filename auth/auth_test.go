package auth_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gotd/td/bin"

	"github.com/tgraw/tgraw/auth"
	"github.com/tgraw/tgraw/auth/srp/srptest"
	"github.com/tgraw/tgraw/tg"
	"github.com/tgraw/tgraw/tgerr"
)

// server answers the sign-in calls the way Telegram documents them: a
// code, a password checked by SRP, errors for what is wrong.
type server struct {
	t        *testing.T
	code     string
	password *srptest.Server // nil: no two-step verification
	signUp   bool            // the number has no account
	expired  bool            // every code has expired
	token    string
	calls    []string
}

var app = auth.App{ID: 17, Hash: "0123456789abcdef"}

func (s *server) Invoke(_ context.Context, in bin.Encoder, out bin.Decoder) error {
	var res bin.Encoder
	switch r := in.(type) {
	case *tg.AuthSendCodeRequest:
		s.calls = append(s.calls, "sendCode")
		if r.PhoneNumber != "15550001" || r.APIID != app.ID || r.APIHash != app.Hash {
			return tgerr.New(400, "PHONE_NUMBER_INVALID")
		}
		res = &tg.AuthSentCode{Type: &tg.AuthSentCodeTypeApp{Length: 5}, PhoneCodeHash: "hash-1"}
	case *tg.AuthSignInRequest:
		s.calls = append(s.calls, "signIn "+r.PhoneCode)
		switch {
		case r.PhoneCodeHash != "hash-1":
			return tgerr.New(400, "PHONE_CODE_HASH_EMPTY")
		case s.expired:
			return tgerr.New(400, "PHONE_CODE_EXPIRED")
		case r.PhoneCode != s.code:
			return tgerr.New(400, "PHONE_CODE_INVALID")
		case s.signUp:
			res = &tg.AuthAuthorizationSignUpRequired{TermsOfService: &tg.HelpTermsOfService{Text: "terms"}}
		case s.password != nil:
			return tgerr.New(401, "SESSION_PASSWORD_NEEDED")
		default:
			res = s.authorization(false)
		}
	case *tg.AccountGetPasswordRequest:
		s.calls = append(s.calls, "getPassword")
		id, srpB, err := s.password.Challenge()
		if err != nil {
			return err
		}
		p := s.password.Params()
		res = &tg.AccountPassword{
			HasPassword: true, Hint: "the usual",
			CurrentAlgo: &tg.PasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow{Salt1: p.Salt1, Salt2: p.Salt2, G: p.G, P: p.P},
			SRPB:        srpB, SRPID: id,
			NewAlgo:       &tg.PasswordKdfAlgoUnknown{},
			NewSecureAlgo: &tg.SecurePasswordKdfAlgoUnknown{},
			SecureRandom:  []byte{1},
		}
	case *tg.AuthCheckPasswordRequest:
		s.calls = append(s.calls, "checkPassword")
		in, ok := r.Password.(*tg.InputCheckPasswordSRP)
		if !ok {
			return tgerr.New(400, "PASSWORD_HASH_INVALID")
		}
		ok, err := s.password.Verify(in.SRPID, in.A, in.M1)
		if err != nil {
			return tgerr.New(400, "SRP_ID_INVALID")
		}
		if !ok {
			return tgerr.New(400, "PASSWORD_HASH_INVALID")
		}
		res = s.authorization(false)
	case *tg.AuthImportBotAuthorizationRequest:
		s.calls = append(s.calls, "importBotAuthorization")
		if r.BotAuthToken != s.token {
			return tgerr.New(400, "ACCESS_TOKEN_INVALID")
		}
		res = s.authorization(true)
	default:
		s.t.Fatalf("unexpected call %T", in)
	}
	var b bin.Buffer
	if err := res.Encode(&b); err != nil {
		return err
	}
	return out.Decode(&b)
}

func (s *server) authorization(bot bool) *tg.AuthAuthorization {
	return &tg.AuthAuthorization{User: &tg.User{ID: 5001, Self: true, Bot: bot, FirstName: "Ann", AccessHash: 9}}
}

// answers returns a Code or Password function that gives the answers in
// order and records the errors it was given.
func answers(list ...string) (func(string, error) (string, error), *[]error) {
	var wrongs []error
	i := 0
	return func(_ string, wrong error) (string, error) {
		wrongs = append(wrongs, wrong)
		if i == len(list) {
			return "", errors.New("no more answers")
		}
		i++
		return list[i-1], nil
	}, &wrongs
}

func flow(codes, passwords func(string, error) (string, error)) auth.UserFlow {
	u := auth.UserFlow{
		Phone: "15550001",
		Code: func(_ context.Context, sent *tg.AuthSentCode, wrong error) (string, error) {
			return codes(sent.PhoneCodeHash, wrong)
		},
	}
	if passwords != nil {
		u.Password = func(_ context.Context, hint string, wrong error) (string, error) { return passwords(hint, wrong) }
	}
	return u
}

func TestSignInUser(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name      string
		srv       server
		codes     []string
		passwords []string
		noPwFunc  bool
		wantErr   error
		wantCalls string
	}{
		{name: "code", srv: server{code: "12345"}, codes: []string{"12345"},
			wantCalls: "sendCode,signIn 12345"},
		{name: "wrong code, then the right one", srv: server{code: "12345"}, codes: []string{"11111", "12345"},
			wantCalls: "sendCode,signIn 11111,signIn 12345"},
		{name: "wrong codes only", srv: server{code: "12345"}, codes: []string{"1", "2", "3", "4", "5", "6"},
			wantErr: auth.ErrCodeInvalid, wantCalls: "sendCode,signIn 1,signIn 2,signIn 3,signIn 4,signIn 5"},
		{name: "expired code", srv: server{code: "12345", expired: true}, codes: []string{"12345"},
			wantErr: auth.ErrCodeExpired, wantCalls: "sendCode,signIn 12345"},
		{name: "two-step verification", srv: server{code: "12345", password: srptest.New(t, "hunter2")},
			codes: []string{"12345"}, passwords: []string{"hunter2"},
			wantCalls: "sendCode,signIn 12345,getPassword,checkPassword"},
		{name: "wrong password, then the right one", srv: server{code: "12345", password: srptest.New(t, "hunter2")},
			codes: []string{"12345"}, passwords: []string{"hunter3", "hunter2"},
			wantCalls: "sendCode,signIn 12345,getPassword,checkPassword,getPassword,checkPassword"},
		{name: "wrong password", srv: server{code: "12345", password: srptest.New(t, "hunter2")},
			codes: []string{"12345"}, passwords: []string{"hunter3"},
			wantErr: errors.New("no more answers"), wantCalls: "sendCode,signIn 12345,getPassword,checkPassword,getPassword"},
		{name: "no password function", srv: server{code: "12345", password: srptest.New(t, "hunter2")},
			codes: []string{"12345"}, noPwFunc: true,
			wantErr: auth.ErrPasswordNeeded, wantCalls: "sendCode,signIn 12345"},
		{name: "sign-up required", srv: server{code: "12345", signUp: true}, codes: []string{"12345"},
			wantErr: &auth.SignUpRequiredError{}, wantCalls: "sendCode,signIn 12345"},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := c.srv
			srv.t = t
			codes, codeWrongs := answers(c.codes...)
			var passwords func(string, error) (string, error)
			pwWrongs := new([]error)
			if !c.noPwFunc {
				passwords, pwWrongs = answers(c.passwords...)
			}
			a, err := auth.SignInUser(ctx, &srv, app, flow(codes, passwords))
			if got := strings.Join(srv.calls, ","); got != c.wantCalls {
				t.Errorf("calls %s, want %s", got, c.wantCalls)
			}
			switch want := c.wantErr.(type) {
			case nil:
				if err != nil || a.User.(*tg.User).ID != 5001 {
					t.Fatalf("SignInUser: %v", err)
				}
			case *auth.SignUpRequiredError:
				var su *auth.SignUpRequiredError
				if !errors.As(err, &su) || su.Terms == nil || su.Terms.Text != "terms" {
					t.Fatalf("SignInUser: %v, want a *SignUpRequiredError with the terms", err)
				}
			default:
				if err == nil || (!errors.Is(err, want) && err.Error() != want.Error()) {
					t.Fatalf("SignInUser: %v, want %v", err, want)
				}
			}
			// After a wrong code or password, the function was told so.
			for i, w := range *codeWrongs {
				if (i == 0) != (w == nil) || (w != nil && !errors.Is(w, auth.ErrCodeInvalid)) {
					t.Errorf("code asked %d: wrong = %v", i+1, w)
				}
			}
			for i, w := range *pwWrongs {
				if (i == 0) != (w == nil) || (w != nil && !errors.Is(w, auth.ErrPasswordInvalid)) {
					t.Errorf("password asked %d: wrong = %v", i+1, w)
				}
			}
		})
	}
}

// The typed errors keep Telegram's error in their chain.
func TestErrorsWrapRPC(t *testing.T) {
	srv := &server{t: t, code: "1", expired: true}
	_, err := auth.SignInUser(context.Background(), srv, app, flow(func(string, error) (string, error) { return "1", nil }, nil))
	if !errors.Is(err, auth.ErrCodeExpired) || !tgerr.Is(err, "PHONE_CODE_EXPIRED") {
		t.Errorf("%v: want ErrCodeExpired wrapping PHONE_CODE_EXPIRED", err)
	}
	_, err = auth.SignInUser(context.Background(), srv, auth.App{ID: 1}, flow(nil, nil))
	if !errors.Is(err, auth.ErrPhoneInvalid) {
		t.Errorf("a wrong app: %v", err)
	}
	if _, err := auth.SignInUser(context.Background(), srv, app, auth.UserFlow{Phone: "1"}); err == nil {
		t.Error("a flow without Code accepted")
	}
}

func TestSignInBot(t *testing.T) {
	srv := &server{t: t, token: "123:abc"}
	a, err := auth.SignInBot(context.Background(), srv, app, "123:abc")
	if err != nil || !a.User.(*tg.User).Bot {
		t.Fatalf("SignInBot: %v", err)
	}
	_, err = auth.SignInBot(context.Background(), srv, app, "123:wrong")
	if !errors.Is(err, auth.ErrBotTokenInvalid) || !tgerr.Is(err, "ACCESS_TOKEN_INVALID") {
		t.Errorf("a wrong token: %v", err)
	}
	if strings.Contains(fmt.Sprint(err), "wrong") {
		t.Errorf("the error shows the token: %v", err)
	}
}
