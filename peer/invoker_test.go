package peer_test

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/gotd/td/bin"

	"github.com/tgraw/tgraw/tg"
)

// rpcError is a Telegram RPC error as transports report it: it has the
// IsType method of gotd/td's tgerr.Error.
type rpcError struct {
	Code int
	Type string
}

func (e *rpcError) Error() string           { return fmt.Sprintf("rpc error code %d: %s", e.Code, e.Type) }
func (e *rpcError) IsType(t string) bool    { return e.Type == t }
func rpcErr(code int, typ string) *rpcError { return &rpcError{Code: code, Type: typ} }

// scripted is an Invoker that answers from a script and records the calls.
// A handler returns a tg.Object, a []tg.Object (a vector result) or an
// error.
type scripted struct {
	mu       sync.Mutex
	calls    []tg.Object
	handlers map[string]func(req tg.Object) (any, error)
	// before, if set, runs at the start of each call, outside the lock.
	before func()
}

func newScripted() *scripted {
	return &scripted{handlers: make(map[string]func(tg.Object) (any, error))}
}

// on sets the handler of the function with the TL name.
func (s *scripted) on(name string, h func(req tg.Object) (any, error)) *scripted {
	s.mu.Lock()
	s.handlers[name] = h
	s.mu.Unlock()
	return s
}

// reply answers every call of the function with res.
func (s *scripted) reply(name string, res any) *scripted {
	return s.on(name, func(tg.Object) (any, error) { return res, nil })
}

// names returns the TL names of the calls made so far.
func (s *scripted) names() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, c := range s.calls {
		out = append(out, c.TypeName())
	}
	return out
}

func (s *scripted) last() tg.Object {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.calls) == 0 {
		return nil
	}
	return s.calls[len(s.calls)-1]
}

func (s *scripted) Invoke(ctx context.Context, input bin.Encoder, output bin.Decoder) error {
	if s.before != nil {
		s.before()
	}
	req, ok := input.(tg.Object)
	if !ok {
		return fmt.Errorf("scripted: %T is not a tg.Object", input)
	}
	// Record a decoded copy: what went over the wire.
	var b bin.Buffer
	if err := req.Encode(&b); err != nil {
		return err
	}
	sent, err := tg.DecodeObject(&b)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.calls = append(s.calls, sent)
	h := s.handlers[req.TypeName()]
	s.mu.Unlock()
	if h == nil {
		return fmt.Errorf("scripted: unexpected call %s", req.TypeName())
	}
	res, err := h(sent)
	if err != nil {
		return err
	}
	b.Reset()
	switch v := res.(type) {
	case tg.Object:
		if err := v.Encode(&b); err != nil {
			return err
		}
	case []tg.Object:
		b.PutVectorHeader(len(v))
		for _, o := range v {
			if err := o.Encode(&b); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("scripted: handler returned %T", res)
	}
	return output.Decode(&b)
}

// sent returns the requests made so far.
func (s *scripted) sent() []tg.Object {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

func (s *scripted) count(name string) int {
	return len(slices.DeleteFunc(s.names(), func(n string) bool { return n != name }))
}
