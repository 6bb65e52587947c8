package client

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gotd/td/bin"

	"github.com/tgraw/tgraw/mtcrypto"
	"github.com/tgraw/tgraw/mtproto"
	"github.com/tgraw/tgraw/session"
	"github.com/tgraw/tgraw/tg"
	"github.com/tgraw/tgraw/tgerr"
)

// target is where a call goes: the account's DC (dc 0), another DC, or a
// CDN DC.
type target struct {
	dc  int
	cdn bool
}

// maxRedirects bounds the *_MIGRATE answers one call follows.
const maxRedirects = 5

// call makes a call on t: on the connection for it, following
// redirections to other DCs, retrying Telegram's internal errors, and
// authorising a connection to another DC again when the server has
// forgotten its authorization.
func (c *Client) call(ctx context.Context, t target, in bin.Encoder, out bin.Decoder) error {
	rs, err := c.runState()
	if err != nil {
		return err
	}
	file := isFileCall(in)
	redirects, retries, reauthorized := 0, 0, false
	for {
		d, err := c.connFor(ctx, rs, t, file)
		if err != nil {
			return err
		}
		err = d.Invoke(ctx, in, out)
		d.release()
		if err == nil {
			return nil
		}
		rpc, isRPC := tgerr.As(err)
		switch {
		case isRPC && rpc.Code == 303 && strings.HasSuffix(rpc.Type, "_MIGRATE") && rpc.Argument > 0:
			if redirects++; redirects > maxRedirects {
				return fmt.Errorf("client: redirected more than %d times: %w", maxRedirects, err)
			}
			switch rpc.Type {
			case "PHONE_MIGRATE", "NETWORK_MIGRATE", "USER_MIGRATE":
				if !c.isHome(rs, d) {
					return err
				}
				if err := c.migrate(ctx, rs, rpc.Argument, d); err != nil {
					return err
				}
				t = target{}
			default: // FILE_MIGRATE, STATS_MIGRATE: the call belongs to DC X.
				t = target{dc: rpc.Argument}
			}
		case isRPC && (rpc.Code == 500 || rpc.Code == -503) && retries < c.opts.CallRetries:
			retries++
			c.log.Debug("client: internal server error; calling again", "error", err, "retry", retries)
			if err := c.sleep(ctx, c.opts.Reconnect.delay(retries)); err != nil {
				return err
			}
		case isRPC && rpc.Code == 401 && rpc.IsType("AUTH_KEY_UNREGISTERED") && !reauthorized &&
			(d.kind == kindAPI || d.kind == kindMedia) && !c.isHome(rs, d) && c.signedIn():
			// The DC forgot the authorization imported there.
			reauthorized = true
			if err := c.authorize(ctx, d, true); err != nil {
				return err
			}
		case errors.Is(err, mtproto.ErrClosed) && !c.isHome(rs, d) && ctx.Err() == nil && rs.ctx.Err() == nil &&
			retries < c.opts.CallRetries:
			// A connection to another DC was given up; a new one is made.
			retries++
		default:
			return err
		}
	}
}

// isFileCall reports a call that moves a file's bytes: it goes to a DC's
// media-only addresses when there are some.
func isFileCall(in bin.Encoder) bool {
	t, ok := in.(interface{ TypeID() uint32 })
	if !ok {
		return false
	}
	switch t.TypeID() {
	case tg.UploadGetFileRequestTypeID, tg.UploadSaveFilePartRequestTypeID,
		tg.UploadSaveBigFilePartRequestTypeID, tg.UploadGetFileHashesRequestTypeID:
		return true
	}
	return false
}

// connFor returns the connection for a call to t, counted in (release
// counts it out).
func (c *Client) connFor(ctx context.Context, rs *runState, t target, file bool) (*dcConn, error) {
	c.mu.Lock()
	home, homeDC := rs.home, c.sess.DC
	list := c.dcListLocked()
	c.mu.Unlock()
	if home == nil {
		return nil, ErrNotRunning
	}
	k := poolKey{dc: t.dc, kind: kindAPI}
	switch {
	case t.cdn:
		k.kind = kindCDN
	case k.dc == 0:
		k.dc = homeDC
	}
	if file && k.kind == kindAPI && hasMedia(list, k.dc) && c.hasKey(k.dc) {
		// The key is made on the DC's main address: a new key may not
		// have reached the media servers yet.
		k.kind = kindMedia
	}
	if k.dc == homeDC && k.kind == kindAPI {
		if home.acquire() {
			return home, nil
		}
		return nil, fmt.Errorf("client: the connection to DC %d is closed: %w", homeDC, context.Cause(rs.ctx))
	}
	return c.pooled(ctx, rs, k)
}

// hasKey reports whether the session has an auth key for dc.
func (c *Client) hasKey(dc int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	k, _ := keyOf(c.sess, dc)
	return !k.IsZero()
}

func (c *Client) isHome(rs *runState, d *dcConn) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return rs.home == d
}

func (c *Client) signedIn() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sess != nil && c.sess.UserID != 0
}

// poolKey names a pooled connection.
type poolKey struct {
	dc   int
	kind dcKind
}

// poolEntry is a pooled connection, or one being opened.
type poolEntry struct {
	ready chan struct{} // closed when d or err is set
	d     *dcConn
	err   error
}

// pooled returns the pool's connection for k, opening it (key exchange,
// authorization) for the first call that needs it; the calls that come
// meanwhile wait for it.
func (c *Client) pooled(ctx context.Context, rs *runState, k poolKey) (*dcConn, error) {
	for {
		c.mu.Lock()
		e := rs.pool[k]
		opener := e == nil
		if opener {
			e = &poolEntry{ready: make(chan struct{})}
			rs.pool[k] = e
		}
		c.mu.Unlock()
		if opener {
			e.d, e.err = c.openPooled(ctx, rs, k)
			if e.err != nil {
				c.mu.Lock()
				delete(rs.pool, k)
				c.mu.Unlock()
			}
			close(e.ready)
		}
		select {
		case <-e.ready:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if e.err != nil {
			if !opener && ctx.Err() == nil && rs.ctx.Err() == nil && errors.Is(e.err, context.Canceled) {
				continue // the caller that opened it left; try again
			}
			return nil, e.err
		}
		if e.d.acquire() {
			return e.d, nil
		}
		// Closed meanwhile (idle or given up): it has left the pool.
	}
}

// openPooled opens a connection of the pool and, when the account is
// signed in and the DC's key is not, authorises it.
func (c *Client) openPooled(ctx context.Context, rs *runState, k poolKey) (*dcConn, error) {
	d, err := c.open(ctx, rs, k.dc, k.kind)
	if err != nil {
		return nil, err
	}
	if k.kind != kindCDN {
		if err := c.authorize(ctx, d, false); err != nil {
			d.markClosed()
			d.mt.Close(err)
			return nil, err
		}
	}
	go d.idleLoop(rs)
	return d, nil
}

// authorize signs d's key in to the account, when the account is signed
// in and the key is not (or again, with force): auth.exportAuthorization
// on the account's DC, auth.importAuthorization on d.
func (c *Client) authorize(ctx context.Context, d *dcConn, force bool) error {
	c.mu.Lock()
	user, homeDC := c.sess.UserID, c.sess.DC
	signedIn := c.sess.Keys[d.dc].UserID == user
	c.mu.Unlock()
	if user == 0 || d.dc == homeDC || (signedIn && !force) {
		return nil
	}
	var exp tg.AuthExportedAuthorization
	if err := c.call(ctx, target{}, &tg.AuthExportAuthorizationRequest{DCID: d.dc}, &exp); err != nil {
		return fmt.Errorf("client: auth.exportAuthorization for DC %d: %w", d.dc, err)
	}
	if _, err := tg.NewClient(d).AuthImportAuthorization(ctx, &tg.AuthImportAuthorizationRequest{ID: exp.ID, Bytes: exp.Bytes}); err != nil {
		return fmt.Errorf("client: auth.importAuthorization on DC %d: %w", d.dc, err)
	}
	c.log.Info("client: authorization carried to another DC", "dc", d.dc)
	return c.update(ctx, func(s *session.Session) {
		if k, ok := s.Keys[d.dc]; ok && k.Key.ID() == d.key.ID() {
			k.UserID = user
			s.Keys[d.dc] = k
		}
	})
}

// idleLoop closes a pooled connection that has made no call for
// IdleTimeout.
func (d *dcConn) idleLoop(rs *runState) {
	c := d.c
	for {
		select {
		case <-d.idle:
		case <-d.done:
			return
		}
		d.mu.Lock()
		gen := d.gen
		d.mu.Unlock()
		if err := c.sleep(rs.ctx, c.opts.IdleTimeout); err != nil {
			return
		}
		d.mu.Lock()
		idle := d.busy == 0 && d.gen == gen && !d.closed
		if idle {
			d.closed = true
		}
		d.mu.Unlock()
		if idle {
			c.log.Debug("client: idle connection closed", "dc", d.dc, "conn", d.kind.String())
			c.forget(rs, d)
			d.mt.Close(errIdle)
			return
		}
	}
}

var errIdle = errors.New("client: the connection was idle")

// forget takes d out of the pool.
func (c *Client) forget(rs *runState, d *dcConn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range rs.pool {
		if e.d == d {
			delete(rs.pool, k)
		}
	}
}

// startHome opens the account's connection and announces it with
// help.getConfig. A saved auth key the server does not know (transport
// error -404: revoked, or lost by the server) is dropped and a new one
// made, once.
func (c *Client) startHome(ctx context.Context, rs *runState, savedKey bool) error {
	for {
		c.mu.Lock()
		dc := c.sess.DC
		c.mu.Unlock()
		d, err := c.open(ctx, rs, dc, kindHome)
		if err != nil {
			return err
		}
		// Not the run's connection before it works: its failure here is
		// startHome's to handle.
		err = c.fetchConfig(ctx, d)
		if err == nil {
			c.mu.Lock()
			rs.home = d
			c.mu.Unlock()
			return nil
		}
		d.markClosed()
		d.mt.Close(err)
		<-d.done
		var te *mtproto.TransportError
		if savedKey && errors.As(err, &te) && te.Code == mtproto.CodeAuthKeyNotFound {
			c.log.Warn("client: the server does not know the saved auth key; making a new one")
			if ferr := c.update(ctx, func(s *session.Session) { s.AuthKey, s.Salt = mtcrypto.AuthKey{}, 0 }); ferr != nil {
				return ferr
			}
			savedKey = false
			continue
		}
		return err
	}
}

// fetchConfig makes a connection's first call, help.getConfig (wrapped
// in invokeWithLayer and initConnection), and keeps the configuration.
func (c *Client) fetchConfig(ctx context.Context, d *dcConn) error {
	var cfg tg.Config
	if err := d.Invoke(ctx, &tg.HelpGetConfigRequest{}, &cfg); err != nil {
		var te *mtproto.TransportError
		if errors.As(err, &te) && te.Code == mtproto.CodeAuthKeyNotFound {
			return fmt.Errorf("client: DC %d does not know the session's auth key (it may have been revoked): %w", d.dc, err)
		}
		return fmt.Errorf("client: initConnection with DC %d: %w", d.dc, err)
	}
	c.mu.Lock()
	c.config = &cfg
	c.mu.Unlock()
	return nil
}

// migrate makes dc the account's DC, after Telegram answered a call of
// the account's connection from with PHONE_MIGRATE, USER_MIGRATE or
// NETWORK_MIGRATE: a connection to dc with its saved key or a new one,
// the authorization carried over when the account is signed in, and the
// session saved with dc as its DC and the former DC's key among the
// others. The former connection joins the pool, where it finishes its
// calls and closes when idle.
func (c *Client) migrate(ctx context.Context, rs *runState, dc int, from *dcConn) error {
	c.migrateMu.Lock()
	defer c.migrateMu.Unlock()
	c.mu.Lock()
	moved := rs.home != from
	sess := c.sess.Clone()
	c.mu.Unlock()
	if moved {
		return nil // another call moved it already
	}
	if dc == sess.DC {
		return fmt.Errorf("client: DC %d redirected a call to itself", dc)
	}
	c.log.Info("client: the account's DC moves", "from", sess.DC, "to", dc)

	var exp *tg.AuthExportedAuthorization
	if sess.UserID != 0 && sess.Keys[dc].UserID != sess.UserID {
		var e tg.AuthExportedAuthorization
		if err := from.Invoke(ctx, &tg.AuthExportAuthorizationRequest{DCID: dc}, &e); err != nil {
			return fmt.Errorf("client: auth.exportAuthorization for DC %d: %w", dc, err)
		}
		exp = &e
	}
	d, err := c.open(ctx, rs, dc, kindHome)
	if err != nil {
		return err
	}
	fail := func(err error) error {
		d.markClosed()
		d.mt.Close(err)
		return err
	}
	if err := c.fetchConfig(ctx, d); err != nil {
		return fail(err)
	}
	if exp != nil {
		if _, err := tg.NewClient(d).AuthImportAuthorization(ctx, &tg.AuthImportAuthorizationRequest{ID: exp.ID, Bytes: exp.Bytes}); err != nil {
			return fail(fmt.Errorf("client: auth.importAuthorization on DC %d: %w", dc, err))
		}
	}
	if err := c.update(ctx, func(s *session.Session) {
		if s.Keys == nil {
			s.Keys = map[int]session.DCKey{}
		}
		s.Keys[s.DC] = session.DCKey{Key: s.AuthKey, Salt: s.Salt, UserID: s.UserID}
		k := s.Keys[dc]
		delete(s.Keys, dc)
		s.DC, s.Addr, s.AuthKey, s.Salt = dc, d.addr, k.Key, k.Salt
	}); err != nil {
		return fail(fmt.Errorf("client: save the session: %w", err))
	}
	c.mu.Lock()
	rs.home = d
	old := poolKey{dc: sess.DC, kind: kindAPI}
	if rs.pool[old] == nil {
		e := &poolEntry{ready: make(chan struct{}), d: from}
		close(e.ready)
		rs.pool[old] = e
	}
	c.mu.Unlock()
	go from.idleLoop(rs)
	if from.acquire() {
		from.release() // starts its idle timer
	}
	return nil
}
