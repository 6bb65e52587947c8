package peer

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/gotd/td/tgerr"

	"github.com/tgraw/tgraw/tg"
)

// typed is an RPC error that keeps Telegram's type string whole, as a
// transport may.
type typed struct{ Type string }

func (e *typed) Error() string            { return "rpc error: " + e.Type }
func (e *typed) IsType(t string) bool     { return e.Type == t }
func (e valueTyped) Error() string        { return "rpc error: " + e.Type }
func (e valueTyped) IsType(t string) bool { return e.Type == t }

// valueTyped is one used as a value, not a pointer.
type valueTyped struct {
	Code int
	Type string
}

// opaque exposes its type only through IsType.
type opaque struct{ t string }

func (e opaque) Error() string        { return "rpc error" }
func (e opaque) IsType(t string) bool { return e.t == t }

// The FLOOD_WAIT of any transport error that exposes its type string is
// recognised, whether the transport splits the number off (gotd/td's
// tgerr.Error) or keeps it, wrapped or not; the FloodError unwraps to the
// transport's own error.
func TestFloodOf(t *testing.T) {
	for _, tc := range []struct {
		name    string
		err     error
		wait    time.Duration
		premium bool
		flood   bool
	}{
		{name: "Gotd", err: tgerr.New(420, "FLOOD_WAIT_30"), wait: 30 * time.Second, flood: true},
		{name: "GotdPremium", err: tgerr.New(420, "FLOOD_PREMIUM_WAIT_7"), wait: 7 * time.Second, premium: true, flood: true},
		{name: "GotdWrapped", err: fmt.Errorf("call: %w", tgerr.New(420, "FLOOD_WAIT_3600")), wait: time.Hour, flood: true},
		{name: "WholeTypeString", err: &typed{Type: "FLOOD_WAIT_12"}, wait: 12 * time.Second, flood: true},
		{name: "ValueError", err: valueTyped{Code: 420, Type: "FLOOD_PREMIUM_WAIT_2"}, wait: 2 * time.Second, premium: true, flood: true},
		{name: "Zero", err: tgerr.New(420, "FLOOD_WAIT_0"), wait: time.Second, flood: true},
		{name: "Huge", err: &typed{Type: "FLOOD_WAIT_99999999999999999"}, wait: maxWait, flood: true},
		{name: "OnlyIsType", err: opaque{t: "FLOOD_WAIT"}, wait: time.Second, flood: true},
		{name: "OtherType", err: tgerr.New(400, "USERNAME_NOT_OCCUPIED")},
		{name: "SlowMode", err: &typed{Type: "SLOWMODE_WAIT_10"}},
		{name: "LooksLikeFloodInText", err: errors.New("FLOOD_WAIT_30")},
		{name: "Nil"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fe := floodOf(tc.err, "contacts.resolveUsername")
			if !tc.flood {
				if fe != nil {
					t.Fatalf("floodOf(%v) = %v; want nil", tc.err, fe)
				}
				return
			}
			if fe == nil || fe.Method != "contacts.resolveUsername" || fe.Wait != tc.wait || fe.Premium != tc.premium {
				t.Fatalf("floodOf(%v) = %+v; want a wait of %v, premium %v", tc.err, fe, tc.wait, tc.premium)
			}
			if !errors.Is(fe, tc.err) {
				t.Errorf("the FloodError does not wrap the transport's error")
			}
		})
	}
	var gotd *tgerr.Error
	if fe := floodOf(tgerr.New(420, "FLOOD_WAIT_5"), "m"); !errors.As(fe, &gotd) || gotd.Argument != 5 {
		t.Errorf("errors.As(FloodError, *tgerr.Error) = %v", gotd)
	}
}

// rpcType reads the same errors as floodOf: any RPC error by its type.
func TestRPCType(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{tgerr.New(400, "USERNAME_NOT_OCCUPIED"), true},
		{fmt.Errorf("wrapped: %w", tgerr.New(400, "USERNAME_NOT_OCCUPIED")), true},
		{&typed{Type: "USERNAME_NOT_OCCUPIED"}, true},
		{valueTyped{Type: "USERNAME_NOT_OCCUPIED"}, true},
		{opaque{t: "USERNAME_NOT_OCCUPIED"}, true},
		{tgerr.New(400, "USERNAME_INVALID"), false},
		{errors.New("USERNAME_NOT_OCCUPIED"), false},
		{nil, false},
	} {
		if got := rpcType(tc.err, "USERNAME_NOT_OCCUPIED"); got != tc.want {
			t.Errorf("rpcType(%v) = %v; want %v", tc.err, got, tc.want)
		}
	}
}

// Concurrent callers of one key share one call; the call is canceled
// when the last of them gives up, and not before.
func TestGroup(t *testing.T) {
	var g group[int]
	release := make(chan struct{})
	var calls int
	var mu sync.Mutex
	fn := func(ctx context.Context) (int, error) {
		mu.Lock()
		calls++
		mu.Unlock()
		select {
		case <-release:
			return 42, nil
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
	waiting := func(n int) {
		t.Helper()
		for {
			g.mu.Lock()
			c := g.calls["k"]
			got := 0
			if c != nil {
				got = c.waiters
			}
			g.mu.Unlock()
			if got == n {
				return
			}
			runtime.Gosched()
		}
	}

	// Three callers, one call.
	results := make(chan int, 3)
	for range 3 {
		go func() {
			v, _ := g.do(context.Background(), "k", fn)
			results <- v
		}()
	}
	waiting(3)
	close(release)
	for range 3 {
		if v := <-results; v != 42 {
			t.Errorf("result %d; want 42", v)
		}
	}
	if calls != 1 {
		t.Errorf("%d calls; want 1", calls)
	}

	// Two callers give up: the call goes on while one waits, and is
	// canceled when the last leaves.
	release = make(chan struct{})
	calls = 0
	canceled := make(chan error, 1)
	fn2 := func(ctx context.Context) (int, error) {
		<-ctx.Done()
		canceled <- ctx.Err()
		return 0, ctx.Err()
	}
	ctxA, cancelA := context.WithCancel(context.Background())
	ctxB, cancelB := context.WithCancel(context.Background())
	errs := make(chan error, 2)
	go func() { _, err := g.do(ctxA, "k", fn2); errs <- err }()
	waiting(1)
	go func() { _, err := g.do(ctxB, "k", fn2); errs <- err }()
	waiting(2)
	cancelA()
	if err := <-errs; !errors.Is(err, context.Canceled) {
		t.Errorf("first caller: %v", err)
	}
	select {
	case <-canceled:
		t.Fatal("the call was canceled while a caller still waited")
	default:
	}
	cancelB()
	if err := <-errs; !errors.Is(err, context.Canceled) {
		t.Errorf("second caller: %v", err)
	}
	select {
	case err := <-canceled:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("the call's context: %v", err)
		}
	case <-time.After(time.Minute): // a guard against hanging; no timing is asserted
		t.Fatal("the call was not canceled when its last caller left")
	}
}

// contactsHash follows Telegram's hash generation: the 64-bit vector hash
// of saved_count and the sorted contact IDs. The expected values are the
// algorithm worked by hand: for [0, 1] the steps leave 0 then add 1; for
// [2, 5], 2 becomes 2^36+2^32+2 and 5 is added.
func TestContactsHash(t *testing.T) {
	list := func(saved int, ids ...int64) *tg.ContactsContacts {
		c := &tg.ContactsContacts{SavedCount: saved}
		for _, id := range ids {
			c.Contacts = append(c.Contacts, tg.Contact{UserID: id})
		}
		return c
	}
	for _, tc := range []struct {
		list *tg.ContactsContacts
		want int64
	}{
		{list(0), 0},
		{list(0, 1), 1},
		{list(2, 5), 1<<36 + 1<<32 + 2 + 5},
	} {
		if got := contactsHash(tc.list); got != tc.want {
			t.Errorf("contactsHash(%d, %v) = %d; want %d", tc.list.SavedCount, tc.list.Contacts, got, tc.want)
		}
	}
	// The order of the list does not matter; its content does.
	a, b := contactsHash(list(3, 30, 10, 20)), contactsHash(list(3, 10, 20, 30))
	if a != b {
		t.Errorf("hash depends on the order of the contacts: %d, %d", a, b)
	}
	if c := contactsHash(list(3, 10, 20, 31)); c == a {
		t.Errorf("hash of another list is the same: %d", c)
	}
	if c := contactsHash(list(4, 10, 20, 30)); c == a {
		t.Errorf("hash ignores saved_count: %d", c)
	}
}
