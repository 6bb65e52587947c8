// Package auth signs an account in over any tg.Invoker, as
// https://core.telegram.org/api/auth describes:
//
//   - a bot with the token of @BotFather (auth.importBotAuthorization);
//   - a user with the code Telegram sends to the phone number
//     (auth.sendCode, then auth.signIn with the code a function of the
//     program returns), and, when the account has two-step verification,
//     its password (account.getPassword, then auth.checkPassword with the
//     SRP-2048 proof of package auth/srp).
//
// Package client runs these flows and records the account in its
// session (client.Client.SignInBot and SignInUser); a program on another
// transport can call them directly.
//
// Errors a person can act on are typed: ErrCodeInvalid, ErrCodeExpired,
// ErrPasswordInvalid, ErrPasswordNeeded, ErrPhoneInvalid, ErrBotTokenInvalid
// (for errors.Is) and *SignUpRequiredError (for errors.As). They wrap
// Telegram's *tgerr.Error where there is one. No password or code is ever
// logged, kept or put in an error.
package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/tgraw/tgraw/auth/srp"
	"github.com/tgraw/tgraw/tg"
	"github.com/tgraw/tgraw/tgerr"
)

// App is the application the account signs in with: the api_id and
// api_hash of https://my.telegram.org.
type App struct {
	ID   int
	Hash string
}

// Errors of sign-in.
var (
	// ErrCodeInvalid: the code is wrong (PHONE_CODE_INVALID,
	// PHONE_CODE_EMPTY). UserFlow.Code is asked again with it.
	ErrCodeInvalid = errors.New("auth: the code is wrong")
	// ErrCodeExpired: the code has expired (PHONE_CODE_EXPIRED); sign in
	// again for a new one.
	ErrCodeExpired = errors.New("auth: the code has expired; sign in again to get a new one")
	// ErrPasswordInvalid: the two-step verification password is wrong
	// (PASSWORD_HASH_INVALID). UserFlow.Password is asked again with it.
	ErrPasswordInvalid = errors.New("auth: the two-step verification password is wrong")
	// ErrPasswordNeeded: the account has two-step verification and the
	// flow has no Password function.
	ErrPasswordNeeded = errors.New("auth: the account has two-step verification: give UserFlow a Password function")
	// ErrPhoneInvalid: the phone number is not valid
	// (PHONE_NUMBER_INVALID) or banned (PHONE_NUMBER_BANNED).
	ErrPhoneInvalid = errors.New("auth: the phone number is invalid or banned")
	// ErrBotTokenInvalid: the bot token is wrong or revoked
	// (ACCESS_TOKEN_INVALID, ACCESS_TOKEN_EXPIRED).
	ErrBotTokenInvalid = errors.New("auth: the bot token is invalid or revoked; get one from @BotFather")
)

// SignUpRequiredError reports a phone number with no Telegram account
// (auth.authorizationSignUpRequired): auth.signUp, with the terms of
// service accepted, would make one; this package does not.
type SignUpRequiredError struct {
	// Terms are the terms of service to accept, when the server sent
	// them.
	Terms *tg.HelpTermsOfService
}

func (e *SignUpRequiredError) Error() string {
	return "auth: the phone number has no Telegram account: sign up with an official app, or call auth.signUp"
}

// maxAttempts bounds the codes and passwords asked for in one sign-in.
const maxAttempts = 5

// typed wraps Telegram's error in one of this package's.
func typed(kind error, rpc error) error { return fmt.Errorf("%w: %w", kind, rpc) }

// SignInBot signs a bot in with its token (auth.importBotAuthorization).
func SignInBot(ctx context.Context, api tg.Invoker, app App, token string) (*tg.AuthAuthorization, error) {
	res, err := tg.NewClient(api).AuthImportBotAuthorization(ctx, &tg.AuthImportBotAuthorizationRequest{
		APIID: app.ID, APIHash: app.Hash, BotAuthToken: token,
	})
	if tgerr.Is(err, "ACCESS_TOKEN_INVALID", "ACCESS_TOKEN_EXPIRED") {
		return nil, typed(ErrBotTokenInvalid, err)
	}
	if err != nil {
		return nil, fmt.Errorf("auth: auth.importBotAuthorization: %w", err)
	}
	return authorization(res)
}

// UserFlow is how a user signs in: the phone number, and the functions
// that ask the person for the code and the password.
type UserFlow struct {
	// Phone is the phone number in international format, with or without
	// '+'.
	Phone string
	// Code returns the code Telegram sent; sent says how it was sent
	// (sent.Type: an app message, an SMS, a call...) and its length.
	// After a wrong code it is asked again, with wrong set to an error
	// that matches ErrCodeInvalid; an error it returns ends the sign-in.
	Code func(ctx context.Context, sent *tg.AuthSentCode, wrong error) (string, error)
	// Password returns the two-step verification password, for accounts
	// that have one; hint is the hint the account set. After a wrong
	// password it is asked again with wrong set (ErrPasswordInvalid). Nil:
	// such accounts fail with ErrPasswordNeeded.
	Password func(ctx context.Context, hint string, wrong error) (string, error)
	// Settings are the codeSettings of auth.sendCode; the zero value asks
	// for the default delivery.
	Settings tg.CodeSettings
}

// SignInUser signs a user in: auth.sendCode, auth.signIn with the code,
// and the password when the account asks for it. A code or password found
// wrong is asked again, up to five times in all.
func SignInUser(ctx context.Context, api tg.Invoker, app App, u UserFlow) (*tg.AuthAuthorization, error) {
	if u.Phone == "" || u.Code == nil {
		return nil, errors.New("auth: UserFlow needs a Phone and a Code function")
	}
	c := tg.NewClient(api)
	sent, err := c.AuthSendCode(ctx, &tg.AuthSendCodeRequest{
		PhoneNumber: u.Phone, APIID: app.ID, APIHash: app.Hash, Settings: u.Settings,
	})
	if tgerr.Is(err, "PHONE_NUMBER_INVALID", "PHONE_NUMBER_BANNED") {
		return nil, typed(ErrPhoneInvalid, err)
	}
	if err != nil {
		return nil, fmt.Errorf("auth: auth.sendCode: %w", err)
	}
	var code *tg.AuthSentCode
	switch s := sent.(type) {
	case *tg.AuthSentCode:
		code = s
	case *tg.AuthSentCodeSuccess:
		// A logout token of codeSettings matched: signed in already.
		return authorization(s.Authorization)
	default:
		return nil, fmt.Errorf("auth: auth.sendCode answered %s, a sign-in only official apps can complete", sent.TypeName())
	}

	var wrong error
	for range maxAttempts {
		phoneCode, err := u.Code(ctx, code, wrong)
		if err != nil {
			return nil, err
		}
		res, err := c.AuthSignIn(ctx, &tg.AuthSignInRequest{
			PhoneNumber: u.Phone, PhoneCodeHash: code.PhoneCodeHash, PhoneCode: phoneCode,
		})
		switch {
		case tgerr.Is(err, "PHONE_CODE_INVALID", "PHONE_CODE_EMPTY"):
			wrong = typed(ErrCodeInvalid, err)
			continue
		case tgerr.Is(err, "PHONE_CODE_EXPIRED"):
			return nil, typed(ErrCodeExpired, err)
		case tgerr.Is(err, "SESSION_PASSWORD_NEEDED"):
			return checkPassword(ctx, c, u)
		case err != nil:
			return nil, fmt.Errorf("auth: auth.signIn: %w", err)
		}
		return authorization(res)
	}
	return nil, wrong
}

// checkPassword proves the two-step verification password.
func checkPassword(ctx context.Context, c *tg.Client, u UserFlow) (*tg.AuthAuthorization, error) {
	if u.Password == nil {
		return nil, ErrPasswordNeeded
	}
	var wrong error
	for range maxAttempts {
		// Each proof needs a new srp_B and srp_id.
		pw, err := c.AccountGetPassword(ctx, nil)
		if err != nil {
			return nil, fmt.Errorf("auth: account.getPassword: %w", err)
		}
		algo, ok := pw.CurrentAlgo.(*tg.PasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow)
		if !ok {
			name := "none"
			if pw.CurrentAlgo != nil {
				name = pw.CurrentAlgo.TypeName()
			}
			return nil, fmt.Errorf("auth: the account's password uses the algorithm %s, which this version does not know", name)
		}
		password, err := u.Password(ctx, pw.Hint, wrong)
		if err != nil {
			return nil, err
		}
		ans, err := srp.Check([]byte(password), srp.Params{Salt1: algo.Salt1, Salt2: algo.Salt2, G: algo.G, P: algo.P}, pw.SRPB, nil)
		if err != nil {
			return nil, fmt.Errorf("auth: account.getPassword: %w", err)
		}
		res, err := c.AuthCheckPassword(ctx, &tg.AuthCheckPasswordRequest{
			Password: &tg.InputCheckPasswordSRP{SRPID: pw.SRPID, A: ans.A, M1: ans.M1},
		})
		if tgerr.Is(err, "PASSWORD_HASH_INVALID") {
			wrong = typed(ErrPasswordInvalid, err)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("auth: auth.checkPassword: %w", err)
		}
		return authorization(res)
	}
	return nil, wrong
}

// authorization returns the auth.authorization of a sign-in, or the
// error of auth.authorizationSignUpRequired.
func authorization(a tg.AuthAuthorizationClass) (*tg.AuthAuthorization, error) {
	switch a := a.(type) {
	case *tg.AuthAuthorization:
		if _, ok := a.User.(*tg.User); !ok {
			return nil, fmt.Errorf("auth: the authorization holds no user")
		}
		return a, nil
	case *tg.AuthAuthorizationSignUpRequired:
		return nil, &SignUpRequiredError{Terms: a.TermsOfService}
	case nil:
		return nil, errors.New("auth: no authorization in the answer")
	}
	return nil, fmt.Errorf("auth: unexpected %s", a.TypeName())
}
