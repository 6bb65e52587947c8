package tlrt

import (
	"bytes"
	"unsafe"

	"github.com/gotd/td/bin"
)

// Decoder is the state of one decoding: the bytes left to read, and the
// memory its small values come from. The generated Decode and DecodeBare
// methods and Decode functions make one for each value they read from a
// bin.Buffer and pass it down to every value nested in it (DecodeBareAt).
// What a Decoder hands out belongs to the value being decoded: decoded
// values share nothing mutable with those of another Decoder, and
// decodings with different Decoders may run at the same time. A Decoder
// is not safe for concurrent use.
//
// Values that hold no pointers and that decoding would allocate one by
// one (an interface's value, an optional struct) come from chunks that
// the garbage collector does not scan (New), and so do the arrays of short
// vectors of interfaces (DecodeClasses, DecodeSlabs): a message's peers and
// text entities, and the vector of its entities, cost a share of a few
// allocations instead of one each. A value keeps its whole chunk alive;
// each chunk holds at most half as much as the chunks before it handed
// out, so what a decoding allocates and no value uses stays below half of
// what its values use.
type Decoder struct {
	bin.Buffer // the bytes left to read

	plain  chunks[uint64]            // values that hold no pointers
	ifaces chunks[[2]unsafe.Pointer] // arrays of short vectors of interfaces
}

// NewDecoder returns a Decoder over the bytes left in b, which the values
// it decodes may share. Advance then moves b past what was read.
func NewDecoder(b *bin.Buffer) *Decoder {
	return &Decoder{Buffer: bin.Buffer{Buf: b.Buf}}
}

// Own returns a Decoder over a copy of the bytes left in b, to decode a
// value that can hold strings or bytes from: they share the copy, and
// none of the caller's memory. Advance then moves b past what was read.
func Own(b *bin.Buffer) *Decoder {
	return &Decoder{Buffer: bin.Buffer{Buf: bytes.Clone(b.Buf)}}
}

// Advance moves b past the bytes read from d, a Decoder that NewDecoder
// or Own made of b.
func Advance(b *bin.Buffer, d *Decoder) {
	b.Buf = b.Buf[len(b.Buf)-len(d.Buf):]
}

// Owned decodes a value from a copy of the bytes left in b (see Own) with
// decode, at depth 0, and moves b past it.
func Owned[T any](b *bin.Buffer, decode func(*Decoder, int) (T, error)) (T, error) {
	d := Own(b)
	v, err := decode(d, 0)
	Advance(b, d)
	return v, err
}

// Decode decodes a value that holds no strings or bytes from the bytes
// left in b with decode, at depth 0, and moves b past it.
func Decode[T any](b *bin.Buffer, decode func(*Decoder, int) (T, error)) (T, error) {
	d := NewDecoder(b)
	v, err := decode(d, 0)
	Advance(b, d)
	return v, err
}

// New returns a new zero value of T, which must hold no pointers: a
// struct of numbers and bools only. It comes from d's chunks of such
// values.
func New[T any](d *Decoder) *T {
	var zero T
	const word = unsafe.Sizeof(uint64(0))
	return (*T)(d.plain.take(int((unsafe.Sizeof(zero) + word - 1) / word)))
}

// maxChunkVector is the longest vector of interfaces whose array comes
// from a Decoder's chunks; a longer one is allocated on its own, exactly.
const maxChunkVector = 16

// minChunk is the fewest elements of a chunk: enough that the first
// values of a decoding share one.
const minChunk = 16

// chunks hands out runs of elements of type W from arrays allocated ahead,
// so that many small values cost a few allocations.
type chunks[W any] struct {
	free []W // the room left in the latest chunk
	used int // elements handed out
}

// take returns the address of n new zero elements. A new chunk has room
// for half as many elements as were handed out before it, and at least n
// and minChunk: the room left unused, in the latest chunk and at the ends
// of those before it, is at most half of what was handed out, and a
// minChunk.
func (c *chunks[W]) take(n int) unsafe.Pointer {
	if len(c.free) < n {
		c.free = make([]W, max(n, c.used/2, minChunk))
	}
	p := unsafe.Pointer(&c.free[0])
	c.free = c.free[n:]
	c.used += n
	return p
}

// ifaceSlice returns room for n interfaces of type C, taken from d's
// chunks when n is small and C is an interface type (two pointers in
// memory, which is what the chunks hold); its capacity is n, so that
// appending to it copies.
func ifaceSlice[C any](d *Decoder, n int) []C {
	// Only an interface type's zero value is a nil any.
	var zero C
	if n == 0 || n > maxChunkVector || any(zero) != nil {
		return make([]C, 0, n)
	}
	return unsafe.Slice((*C)(d.ifaces.take(n)), n)[:0:n]
}
