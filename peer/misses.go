package peer

import (
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// missCache remembers the usernames Telegram reported as not occupied or
// invalid, each with its error, until an expiry: a negative cache, bounded
// by an LRU list.
type missCache struct {
	mu  sync.Mutex
	lru *simplelru.LRU[string, miss]
}

type miss struct {
	err     *UsernameError
	expires time.Time
}

func (c *missCache) init(size int) {
	// NewLRU fails only for a size below one.
	c.lru, _ = simplelru.NewLRU[string, miss](size, nil)
}

// get returns the error of a username remembered as missing at now, or
// nil.
func (c *missCache) get(username string, now time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, ok := c.lru.Get(username)
	if !ok {
		return nil
	}
	if !now.Before(m.expires) {
		c.lru.Remove(username)
		return nil
	}
	return m.err
}

// add remembers a missing username until expires.
func (c *missCache) add(username string, err *UsernameError, expires time.Time) {
	c.mu.Lock()
	c.lru.Add(username, miss{err: err, expires: expires})
	c.mu.Unlock()
}
