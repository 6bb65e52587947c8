package client

import (
	"context"
	"fmt"

	"github.com/tgraw/tgraw/auth"
	"github.com/tgraw/tgraw/peer"
	"github.com/tgraw/tgraw/session"
	"github.com/tgraw/tgraw/tg"
)

// SignInBot signs the session in as the bot with the token of
// @BotFather (auth.importBotAuthorization), and records the bot in the
// session. Call it inside Run, when Self reports no account. A wrong token
// is auth.ErrBotTokenInvalid.
func (c *Client) SignInBot(ctx context.Context, token string) (*tg.User, error) {
	a, err := auth.SignInBot(ctx, c, auth.App{ID: c.appID, Hash: c.appHash}, token)
	if err != nil {
		return nil, err
	}
	return c.signedInAs(ctx, a)
}

// SignInUser signs the session in as a user: Telegram sends a code to
// the phone number, u.Code returns it, and u.Password gives the two-step
// verification password when the account has one (package auth says how,
// and which typed errors come back). PHONE_MIGRATE moves the session to
// the number's DC on the way. The user is recorded in the session.
func (c *Client) SignInUser(ctx context.Context, u auth.UserFlow) (*tg.User, error) {
	a, err := auth.SignInUser(ctx, c, auth.App{ID: c.appID, Hash: c.appHash}, u)
	if err != nil {
		return nil, err
	}
	return c.signedInAs(ctx, a)
}

// signedInAs records the account of an authorization in the session: its
// user ID and whether it is a bot. A new account's update state starts
// anew; the keys of other DCs are signed in to it only once authorised
// for it.
func (c *Client) signedInAs(ctx context.Context, a *tg.AuthAuthorization) (*tg.User, error) {
	u, ok := a.User.(*tg.User)
	if !ok {
		return nil, fmt.Errorf("client: the authorization holds %T, not a user", a.User)
	}
	if err := c.update(ctx, func(s *session.Session) {
		if s.UserID != u.ID {
			s.Updates = session.UpdateState{}
		}
		s.UserID, s.Bot = u.ID, u.Bot
	}); err != nil {
		return nil, fmt.Errorf("client: save the session: %w", err)
	}
	c.log.Info("client: signed in", "user_id", u.ID, "bot", u.Bot)
	if rs, err := c.runState(); err == nil {
		c.signalSignIn(rs)
	}
	return u, nil
}

// SignOut signs the account out (auth.logOut) and forgets it in the
// session: its user, its update state, and the authorizations of the
// other DCs' keys. The auth keys stay, signed in to no one.
func (c *Client) SignOut(ctx context.Context) error {
	if _, err := c.API().AuthLogOut(ctx, nil); err != nil {
		return fmt.Errorf("client: auth.logOut: %w", err)
	}
	if err := c.update(ctx, func(s *session.Session) {
		s.UserID, s.Bot, s.Updates = 0, false, session.UpdateState{}
		for dc, k := range s.Keys {
			k.UserID = 0
			s.Keys[dc] = k
		}
	}); err != nil {
		return fmt.Errorf("client: save the session: %w", err)
	}
	if rs, err := c.runState(); err == nil {
		c.signalSignIn(rs)
	}
	return nil
}

// Self is the account a session is signed in to.
type Self struct {
	UserID int64
	Bot    bool
	// DC is the account's data centre.
	DC int
	// User is the account's own user as the peer store knows it (name,
	// usernames, phone, access hash); zero without Options.Peers, or
	// before the store met it.
	User peer.Record
}

// Self returns the account the session is signed in to, from the session
// storage and the peer store, with no call to Telegram: inside Run or
// before it, after a restart too. ok is false when the session is signed
// in to no account.
func (c *Client) Self(ctx context.Context) (self Self, ok bool, err error) {
	sess := c.Session()
	if sess == nil {
		if sess, err = c.loadSession(ctx); err != nil {
			return Self{}, false, err
		}
		c.mu.Lock()
		if c.sess == nil {
			c.sess = sess
		}
		c.mu.Unlock()
	}
	if sess.UserID == 0 {
		return Self{}, false, nil
	}
	self = Self{UserID: sess.UserID, Bot: sess.Bot, DC: sess.DC}
	if c.opts.Peers != nil {
		rec, found, err := c.opts.Peers.Peer(ctx, peer.UserKey(sess.UserID))
		if err != nil {
			return self, true, fmt.Errorf("client: the account's user in the peer store: %w", err)
		}
		if found {
			self.User = rec
		}
	}
	return self, true, nil
}
