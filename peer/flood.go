package peer

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gotd/td/bin"
	"golang.org/x/time/rate"

	"github.com/tgraw/tgraw/tg"
)

// Defaults of the flood safety of a Resolver.
const (
	// DefaultMaxFloodWait is the longest FLOOD_WAIT a Resolver waits out
	// before it retries a call, as Telethon does by default.
	DefaultMaxFloodWait = time.Minute
	// DefaultLookupInterval and DefaultLookupBurst make the default limiter
	// of contacts.resolveUsername and contacts.resolvePhone: up to
	// DefaultLookupBurst lookups at once, then one every
	// DefaultLookupInterval (30 a minute), below the bursts after which
	// Telegram answers these lookups with waits of hours.
	DefaultLookupInterval = 2 * time.Second
	DefaultLookupBurst    = 5
)

// FloodError reports that Telegram asked to wait before calling a method
// again (FLOOD_WAIT_X or FLOOD_PREMIUM_WAIT_X), for longer than the
// Resolver waits on its own (ResolverOptions.MaxFloodWait). It wraps the
// RPC error as the transport returned it, so errors.As finds that too.
//
// After such an answer the Resolver makes no call of the method until the
// wait is over: it returns a FloodError with the time left at once.
type FloodError struct {
	// Method is the TL name of the call, such as
	// "contacts.resolveUsername".
	Method string
	// Wait is how long to wait before calling Method again; at least one
	// second.
	Wait time.Duration
	// Premium is set for FLOOD_PREMIUM_WAIT, a limit that Telegram Premium
	// lifts.
	Premium bool
	// Err is the RPC error of the answer that set the wait.
	Err error
}

func (e *FloodError) Error() string {
	s := "peer: " + e.Method + ": Telegram asks to wait " + e.Wait.String() + " before calling it again"
	if e.Premium {
		s += " (a limit of accounts without Telegram Premium)"
	}
	s += "; retry after that, or let the resolver wait this long with ResolverOptions.MaxFloodWait"
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *FloodError) Unwrap() error { return e.Err }

// floodOf returns the *FloodError of err, an error of a call of method, or
// nil if err is not FLOOD_WAIT_X or FLOOD_PREMIUM_WAIT_X.
func floodOf(err error, method string) *FloodError {
	r, ok := asRPC(err)
	if !ok {
		return nil
	}
	var premium bool
	switch {
	case r.is("FLOOD_WAIT"):
	case r.is("FLOOD_PREMIUM_WAIT"):
		premium = true
	default:
		return nil
	}
	wait := time.Second
	if r.arg > 1 {
		wait = time.Duration(min(r.arg, int64(maxWait/time.Second))) * time.Second
	}
	return &FloodError{Method: method, Wait: wait, Premium: premium, Err: err}
}

// maxWait bounds the wait of a FloodError, so that no number an error
// carries overflows a time.Duration.
const maxWait = 100 * 365 * 24 * time.Hour

// floodGuard is the Invoker under a Resolver's calls. It waits out floods
// of up to max in all (none if max is negative) and retries, and remembers
// each method's flood so that no call of it is made before the wait ends.
type floodGuard struct {
	next  tg.Invoker
	clock Clock
	max   time.Duration

	mu    sync.Mutex
	marks map[string]floodMark // by method
}

// floodMark is a method's last flood.
type floodMark struct {
	until time.Time
	err   *FloodError
}

func newFloodGuard(next tg.Invoker, clock Clock, max time.Duration) *floodGuard {
	return &floodGuard{next: next, clock: clock, max: max, marks: make(map[string]floodMark)}
}

func (g *floodGuard) Invoke(ctx context.Context, input bin.Encoder, output bin.Decoder) error {
	method := methodName(input)
	var waited time.Duration
	for {
		if fe := g.pending(method); fe != nil {
			if err := g.wait(ctx, fe, &waited); err != nil {
				return err
			}
		}
		err := g.next.Invoke(ctx, input, output)
		fe := floodOf(err, method)
		if fe == nil {
			return err
		}
		g.mu.Lock()
		g.marks[method] = floodMark{until: g.clock.Now().Add(fe.Wait), err: fe}
		g.mu.Unlock()
		if err := g.wait(ctx, fe, &waited); err != nil {
			return err
		}
	}
}

// pending returns the flood that still holds method back, with the time
// left, or nil.
func (g *floodGuard) pending(method string) *FloodError {
	g.mu.Lock()
	m, ok := g.marks[method]
	g.mu.Unlock()
	if !ok {
		return nil
	}
	left := m.until.Sub(g.clock.Now())
	if left <= 0 {
		return nil
	}
	fe := *m.err
	fe.Wait = left
	return &fe
}

// wait waits fe out if the waits of one call stay within the limit, and
// returns fe otherwise.
func (g *floodGuard) wait(ctx context.Context, fe *FloodError, waited *time.Duration) error {
	if g.max < 0 || *waited+fe.Wait > g.max {
		return fe
	}
	if err := g.clock.Sleep(ctx, fe.Wait); err != nil {
		return fmt.Errorf("%w; %w", err, fe)
	}
	*waited += fe.Wait
	return nil
}

// floodUntil returns when the wait of a flood returned at now ends.
func floodUntil(err error, now time.Time) (time.Time, bool) {
	var fe *FloodError
	if !errors.As(err, &fe) {
		return time.Time{}, false
	}
	return now.Add(fe.Wait), true
}

func methodName(input bin.Encoder) string {
	if obj, ok := input.(tg.Object); ok {
		return obj.TypeName()
	}
	return fmt.Sprintf("%T", input)
}

// newLookupLimiter returns the default limiter of username and phone
// lookups.
func newLookupLimiter() *rate.Limiter {
	return rate.NewLimiter(rate.Every(DefaultLookupInterval), DefaultLookupBurst)
}

// lookupSlot waits, on the resolver's clock, for the limiter to allow one
// more username or phone lookup.
func (r *Resolver) lookupSlot(ctx context.Context, method string) error {
	now := r.clock.Now()
	res := r.opts.Lookups.ReserveN(now, 1)
	if !res.OK() {
		return fmt.Errorf("peer: %s: the lookup limiter allows no call (its burst is zero); give it a burst of at least 1, or rate.Inf to turn limiting off", method)
	}
	d := res.DelayFrom(now)
	if d <= 0 {
		return nil
	}
	if err := r.clock.Sleep(ctx, d); err != nil {
		res.CancelAt(r.clock.Now())
		return err
	}
	return nil
}
