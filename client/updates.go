package client

import (
	"context"

	"github.com/gotd/td/bin"

	"github.com/tgraw/tgraw/peer"
	"github.com/tgraw/tgraw/session"
	"github.com/tgraw/tgraw/tg"
	"github.com/tgraw/tgraw/updates"
)

// updateQueueSize bounds the updates waiting for the handler; beyond it,
// the client drops them and fetches the difference instead.
const updateQueueSize = 1024

// onUpdate takes an update from the connection's read loop, which must
// not wait: a full queue drops it and asks for the difference.
func (c *Client) onUpdate(b []byte) {
	if c.opts.UpdateHandler == nil {
		return
	}
	rs, err := c.runState()
	if err != nil {
		return
	}
	queue, events := rs.updateQueue, rs.updateEvents
	select {
	case queue <- b:
	default:
		c.log.Warn("client: the update handler is behind; updates will be fetched again")
		select {
		case events <- struct{}{}:
		default:
		}
	}
}

// onNewSession asks for the difference: the server may have lost
// updates with its session.
func (c *Client) onNewSession() {
	rs, err := c.runState()
	if err != nil {
		return
	}
	signal(rs.updateEvents)
}

// signalSignIn tells the update loop that the account signed in or out:
// its state starts anew.
func (c *Client) signalSignIn(rs *runState) { signal(rs.signIns) }

// signal wakes a loop waiting on ch (a channel of capacity 1).
func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// updatesLoop applies the account's updates in order until ctx ends: it
// first catches up from the saved state, then handles pushed updates and
// fills gaps.
func (c *Client) updatesLoop(ctx context.Context, rs *runState) {
	queue, events := rs.updateQueue, rs.updateEvents
	handler := c.opts.UpdateHandler
	if c.learner != nil {
		handler = c.learner.Handler(handler)
	}
	manager := func() *updates.Manager {
		sess := c.Session()
		return updates.New(targetInvoker{c, target{}}, sess.Updates, updates.Options{
			Handler: handler,
			Save: func(ctx context.Context, st session.UpdateState) error {
				return c.update(ctx, func(s *session.Session) { s.Updates = st })
			},
			ChannelHash: c.channelHash,
			Bot:         sess.Bot,
			Logger:      c.log,
		})
	}
	m := manager()
	// The new_session_created that answered the connection's first
	// message came before the catch-up, which covers it.
	select {
	case <-events:
	default:
	}
	tracking := c.catchUp(ctx, m)
	for {
		select {
		case <-ctx.Done():
			return
		case <-rs.signIns:
			// Another account, or none: its state, from the start.
			m = manager()
			tracking = c.catchUp(ctx, m)
		case b := <-queue:
			u, err := tg.DecodeUpdates(&bin.Buffer{Buf: b})
			if err != nil {
				c.log.Warn("client: an update could not be decoded; fetching the difference", "error", err)
				tracking = c.catchUp(ctx, m)
				continue
			}
			if !tracking {
				if tracking = c.catchUp(ctx, m); !tracking {
					// No state (not signed in yet): pass it on as it is.
					c.deliver(ctx, handler, u)
					continue
				}
			}
			if err := m.Handle(ctx, u); err != nil && ctx.Err() == nil {
				c.log.Warn("client: updates", "error", err)
			}
		case <-events:
			if !tracking {
				tracking = c.catchUp(ctx, m)
				continue
			}
			if err := m.Difference(ctx); err != nil && ctx.Err() == nil {
				c.log.Warn("client: updates", "error", err)
			}
		}
	}
}

// catchUp brings the update state up to date and reports whether the
// account's updates can be followed (they cannot before sign-in).
func (c *Client) catchUp(ctx context.Context, m *updates.Manager) bool {
	if err := m.CatchUp(ctx); err != nil {
		if ctx.Err() == nil {
			c.log.Debug("client: updates cannot be fetched", "error", err)
		}
		return false
	}
	return true
}

func (c *Client) deliver(ctx context.Context, h updates.Handler, u tg.UpdatesClass) {
	if err := h.Handle(ctx, u); err != nil {
		c.log.Warn("client: the update handler failed", "error", err)
	}
}

// channelHash looks a channel's access hash up in the peer store.
func (c *Client) channelHash(ctx context.Context, id int64) (int64, bool, error) {
	if c.opts.Peers == nil {
		return 0, false, nil
	}
	rec, found, err := c.opts.Peers.Peer(ctx, peer.ChannelKey(id))
	if err != nil || !found || !rec.HasHash || rec.Min {
		return 0, false, err
	}
	return rec.AccessHash, true, nil
}
