package peer

import (
	"context"
	"time"
)

// Clock tells the time and waits. A Resolver reads it for the username
// TTL and the caches, and waits on it for the lookup limiter and for flood
// waits, so a test can drive all of them with a clock of its own instead
// of sleeping.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// Sleep waits for d, or until ctx is done, whichever comes first. It
	// returns ctx.Err() when ctx ended the wait (or was done already), nil
	// otherwise.
	Sleep(ctx context.Context, d time.Duration) error
}

// SystemClock returns the Clock of the system: time.Now and a timer.
func SystemClock() Clock { return systemClock{} }

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
