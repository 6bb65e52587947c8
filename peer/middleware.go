package peer

import (
	"context"
	"reflect"

	"github.com/gotd/td/bin"

	"github.com/tgraw/tgraw/tg"
)

// This file holds the learning middleware: an Invoker that stores the peers
// of every result, and the mark that keeps a caller that stores them
// itself (a Resolver) from having them stored twice.

type learningInvoker struct {
	next tg.Invoker
	l    *Learner
}

// callerStores is the context key of a call whose caller stores the peers
// of its result itself, in the Store the value holds.
type callerStores struct{}

// storingInvoker marks every call through it as one whose caller stores
// the peers of its result in store: a learning invoker on the same store
// further down lets them be. A Resolver calls through one.
type storingInvoker struct {
	next  tg.Invoker
	store Store
}

func (i storingInvoker) Invoke(ctx context.Context, input bin.Encoder, output bin.Decoder) error {
	return i.next.Invoke(context.WithValue(ctx, callerStores{}, i.store), input, output)
}

// storedByCaller reports whether the caller of the call of ctx stores the
// peers of its result in store. Stores are compared when they are
// pointers, as every store of this module is; other values never match,
// and their results are stored twice rather than compared unsafely.
func storedByCaller(ctx context.Context, store Store) bool {
	s, ok := ctx.Value(callerStores{}).(Store)
	if !ok {
		return false
	}
	a, b := reflect.ValueOf(s), reflect.ValueOf(store)
	return a.Kind() == reflect.Pointer && a.Type() == b.Type() && a.Pointer() == b.Pointer()
}

// resultHolder is implemented by decoders that hold a decoded result: the
// value is walked directly, with no second decoding.
type resultHolder interface {
	Result() any
}

func (i *learningInvoker) Invoke(ctx context.Context, input bin.Encoder, output bin.Decoder) error {
	if storedByCaller(ctx, i.l.store) {
		return i.next.Invoke(ctx, input, output)
	}
	switch output.(type) {
	case resultHolder, tg.Object:
		if err := i.next.Invoke(ctx, input, output); err != nil {
			return err
		}
		var v any = output
		if h, ok := output.(resultHolder); ok {
			v = h.Result()
		}
		i.l.report(i.l.Learn(ctx, v))
		return nil
	}
	// An opaque decoder: keep a copy of the result's bytes and decode them
	// once more through the schema's registry.
	t := &teeDecoder{out: output}
	if err := i.next.Invoke(ctx, input, t); err != nil {
		return err
	}
	if t.raw != nil {
		if v := decodeAny(t.raw); v != nil {
			i.l.report(i.l.Learn(ctx, v))
		}
	}
	return nil
}

type teeDecoder struct {
	out bin.Decoder
	raw []byte
}

func (t *teeDecoder) Decode(b *bin.Buffer) error {
	raw := append([]byte(nil), b.Buf...)
	if err := t.out.Decode(b); err != nil {
		return err
	}
	t.raw = raw
	return nil
}

// decodeAny decodes a boxed object or a vector of boxed objects, or
// returns nil.
func decodeAny(raw []byte) any {
	b := &bin.Buffer{Buf: raw}
	id, err := b.PeekID()
	if err != nil {
		return nil
	}
	if id != bin.TypeVector {
		v, err := tg.DecodeObject(b)
		if err != nil {
			return nil
		}
		return v
	}
	n, err := b.VectorHeader()
	if err != nil || n > b.Len()/4 {
		return nil
	}
	out := make([]tg.Object, 0, n)
	for range n {
		v, err := tg.DecodeObject(b)
		if err != nil {
			return nil // a vector of primitives, or garbage
		}
		out = append(out, v)
	}
	return out
}
