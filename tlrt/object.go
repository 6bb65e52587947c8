package tlrt

import (
	"context"
	"reflect"
	"sort"

	"github.com/gotd/td/bin"
)

// Object is a constructor or function of a generated package.
type Object interface {
	// TypeID returns the constructor or function ID.
	TypeID() uint32
	// TypeName returns the TL name, such as "inputPeerChannel".
	TypeName() string
	// Encode writes the value with its ID.
	Encode(b *bin.Buffer) error
	// Decode reads the value with its ID.
	Decode(b *bin.Buffer) error
	// EncodeBare writes the value without its ID.
	EncodeBare(b *bin.Buffer) error
	// DecodeBare reads the value without its ID.
	DecodeBare(b *bin.Buffer) error
}

// DecoderAt is an Object with a generated decoder of its fields; the
// fields of the others are read by the schema (see DecodeAt).
type DecoderAt interface {
	// DecodeBareAt is DecodeBare for a value nested depth levels deep in
	// the input that d is decoding, read into a new value. Values that
	// hold other values refuse a depth above MaxDecodeDepth with
	// ErrTooDeep, so that hostile input cannot exhaust the stack;
	// DecodeBare is DecodeBareAt at depth 0 with a Decoder of its own.
	DecodeBareAt(d *Decoder, depth int) error
}

// Invoker sends a request and decodes its result. gotd/td's
// telegram.Client is one.
type Invoker interface {
	Invoke(ctx context.Context, input bin.Encoder, output bin.Decoder) error
}

// Registry lists the IDs of a generated package with their TL names, by
// increasing ID.
type Registry []RegistryEntry

// RegistryEntry is an ID of a Registry and its TL name.
type RegistryEntry struct {
	ID   uint32
	Name string
}

// Name returns the TL name of id, or "" if r does not hold it.
func (r Registry) Name(id uint32) string {
	i := sort.Search(len(r), func(i int) bool { return r[i].ID >= id })
	if i < len(r) && r[i].ID == id {
		return r[i].Name
	}
	return ""
}

// IDs returns the IDs of r, in increasing order.
func (r Registry) IDs() []uint32 {
	ids := make([]uint32, len(r))
	for i, e := range r {
		ids[i] = e.ID
	}
	return ids
}

// DecodeObject reads an ID, makes a value of it with newObject (a generated
// package's New) and decodes the value, nested depth levels deep. An ID
// that newObject does not know is an *UnknownIDError for "Object".
func DecodeObject(b *Decoder, depth int, newObject func(id uint32) Object) (Object, error) {
	id, err := b.ID()
	if err != nil {
		return nil, err
	}
	v := newObject(id)
	if v == nil {
		return nil, &UnknownIDError{ID: id, Type: "Object"}
	}
	b.Spend(reflect.TypeOf(v).Elem().Size())
	if err := DecodeAt(b, v, depth); err != nil {
		return nil, err
	}
	return v, nil
}

// Invoke sends req through inv and decodes its result with decode.
//
// The output it gives inv also has a method Result() any, which returns the
// decoded value once Invoke returns, so that a middleware Invoker can look
// at the result with no second decoding.
func Invoke[T any](ctx context.Context, inv Invoker, req bin.Encoder, decode func(*bin.Buffer) (T, error)) (T, error) {
	r := &result[T]{decode: decode}
	if err := inv.Invoke(ctx, req, r); err != nil {
		var zero T
		return zero, err
	}
	return r.value, nil
}

// result is the output Invoke gives its Invoker.
type result[T any] struct {
	decode func(*bin.Buffer) (T, error)
	value  T
}

// Result returns the decoded value.
func (r *result[T]) Result() any { return r.value }

// Decode decodes the result from b.
func (r *result[T]) Decode(b *bin.Buffer) error {
	v, err := r.decode(b)
	if err != nil {
		return err
	}
	r.value = v
	return nil
}
