package mtproto

import (
	"context"
	"fmt"
	"time"

	"github.com/tgraw/tgraw/mt"
)

// currentSalt returns the salt to send with, switching to a future salt
// once it is valid. c.mu is held.
func (c *Conn) currentSalt() int64 {
	if len(c.salts) == 0 {
		return c.salt
	}
	now := int(c.ids.Now().Unix())
	best := -1
	kept := c.salts[:0]
	for _, s := range c.salts {
		if s.ValidUntil <= now {
			continue // expired
		}
		kept = append(kept, s)
		if s.ValidSince <= now && (best < 0 || s.ValidSince > kept[best].ValidSince) {
			best = len(kept) - 1
		}
	}
	c.salts = kept
	if best >= 0 {
		c.salt = kept[best].Salt
	}
	return c.salt
}

// needSalts reports whether no salt is known for the next 30 minutes.
func (c *Conn) needSalts() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	horizon := int(c.ids.Now().Add(30 * time.Minute).Unix())
	for _, s := range c.salts {
		if s.ValidUntil > horizon {
			return false
		}
	}
	return true
}

// fetchSalts asks for the coming salts (get_future_salts) and keeps them.
func (c *Conn) fetchSalts(ctx context.Context) error {
	var res mt.FutureSalts
	if err := c.Invoke(ctx, &mt.GetFutureSaltsRequest{Num: 32}, &res); err != nil {
		return fmt.Errorf("mtproto: get_future_salts: %w", err)
	}
	c.mu.Lock()
	c.salts = res.Salts
	c.currentSalt()
	s := c.stateLocked()
	c.mu.Unlock()
	c.notifyState(s)
	return nil
}
