package peer

import (
	"context"
	"sync"
)

// group runs one call for concurrent callers with the same key, as
// golang.org/x/sync/singleflight does, and also cancels the call when
// every caller has given up on it: a call that waits (for the lookup
// limiter, or out a flood) stops waiting as soon as nobody wants its
// result. The zero group is ready to use.
type group[T any] struct {
	mu    sync.Mutex
	calls map[string]*call[T]
}

type call[T any] struct {
	done    chan struct{}
	val     T
	err     error
	waiters int
	cancel  context.CancelFunc
}

// do returns the result of fn, run once for all the callers of key that
// overlap. fn runs on a context that keeps the values of the first
// caller's ctx and is canceled when the last caller's ctx is done; each
// caller returns ctx.Err() as soon as its own ctx is done.
func (g *group[T]) do(ctx context.Context, key string, fn func(context.Context) (T, error)) (T, error) {
	g.mu.Lock()
	c, ok := g.calls[key]
	if !ok {
		if g.calls == nil {
			g.calls = make(map[string]*call[T])
		}
		cctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		c = &call[T]{done: make(chan struct{}), cancel: cancel}
		g.calls[key] = c
		go func() {
			c.val, c.err = fn(cctx)
			cancel()
			g.forget(key, c)
			close(c.done)
		}()
	}
	c.waiters++
	g.mu.Unlock()

	select {
	case <-c.done:
		return c.val, c.err
	case <-ctx.Done():
		g.mu.Lock()
		c.waiters--
		if c.waiters == 0 {
			c.cancel()
			if g.calls[key] == c {
				delete(g.calls, key)
			}
		}
		g.mu.Unlock()
		var zero T
		return zero, ctx.Err()
	}
}

// forget removes c from the calls, so that later callers of key start a
// new call.
func (g *group[T]) forget(key string, c *call[T]) {
	g.mu.Lock()
	if g.calls[key] == c {
		delete(g.calls, key)
	}
	g.mu.Unlock()
}
