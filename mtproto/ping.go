package mtproto

import (
	"context"
	"errors"
	"fmt"

	"github.com/tgraw/tgraw/mt"
)

// ErrPingTimeout is the error of a connection whose server did not answer
// a ping within PingTimeout.
var ErrPingTimeout = errors.New("mtproto: no pong within the ping timeout")

// pingLoop sends ping_delay_disconnect every PingInterval and fails the
// connection when the pong does not come within PingTimeout. It also
// fetches future salts when none is known for the next half hour.
func (c *Conn) pingLoop(ctx context.Context) error {
	t := c.opts.Clock.Ticker(c.opts.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C():
		}
		if err := c.Ping(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		if c.needSalts() {
			if err := c.fetchSalts(ctx); err != nil && ctx.Err() == nil {
				c.log.Warn("mtproto: could not fetch future salts", "error", err)
			}
		}
	}
}

// Ping sends ping_delay_disconnect and waits for the pong, at most
// PingTimeout. The server closes the connection PingInterval +
// PingTimeout later unless another ping comes.
func (c *Conn) Ping(ctx context.Context) error {
	id, err := c.random64()
	if err != nil {
		return err
	}
	delay := int((c.opts.PingInterval + c.opts.PingTimeout).Seconds())
	pctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	timer := c.opts.Clock.Timer(c.opts.PingTimeout)
	defer timer.Stop()
	go func() {
		select {
		case <-timer.C():
			cancel(ErrPingTimeout)
		case <-pctx.Done():
		}
	}()
	var pong mt.Pong
	err = c.Invoke(pctx, &mt.PingDelayDisconnectRequest{PingID: id, DisconnectDelay: delay}, &pong)
	switch {
	case err != nil && errors.Is(context.Cause(pctx), ErrPingTimeout):
		return ErrPingTimeout
	case err == nil && pong.PingID != id:
		return fmt.Errorf("mtproto: pong for ping %d, want %d", pong.PingID, id)
	}
	return err
}
