package tlrt

import (
	"errors"
	"math"
	"sync"
	"unsafe"

	"github.com/gotd/td/bin"
)

// Decoder is the state of one decoding: the bytes left to read, the
// memory its small values come from and what it has allocated. The
// generated Decode and DecodeBare methods and Decode functions make one
// for each value they read from a bin.Buffer and pass it down to every
// value nested in it (DecodeBareAt). What a Decoder hands out belongs to
// the value being decoded: decoded values share nothing mutable with those
// of another Decoder, and decodings with different Decoders may run at the
// same time. A Decoder is not safe for concurrent use.
//
// Values that hold no pointers and that decoding would allocate one by
// one (an interface's value, an optional struct) come from chunks that
// the garbage collector does not scan (New), and so do the arrays of short
// vectors of interfaces: a message's peers and text entities, and the
// vector of its entities, cost a share of a few allocations instead of
// one each. So do the bytes of its strings and bytes, which String and
// Bytes copy out of the input: a decoded value shares no memory with the
// caller's buffer. A value keeps its whole chunk alive; each chunk holds
// a quarter of what the chunks before it handed out, so what a decoding
// allocates in chunks and no value uses stays below 0.45 times what its
// values use there (see chunks.take).
//
// A Decoder counts the bytes it allocates (Spend). Valid input can make a
// value many times its size (an empty optional field takes no byte of
// input and eight of a struct), and so can invalid input that is valid
// until its end. So before a decoding of n bytes allocates more than
// MaxAllocPerByte*n bytes and a little more, its Decoder checks the whole
// value with the Schema of its package, without allocating: input that is
// invalid fails there, with the error decoding it would meet, and valid
// input goes on with no bound but its own size.
type Decoder struct {
	bin.Buffer // the bytes left to read

	plain  chunks[uint64]            // values that hold no pointers
	ifaces chunks[[2]unsafe.Pointer] // arrays of short vectors of interfaces
	text   chunks[byte]              // the bytes of strings and bytes

	spent  int     // bytes allocated so far
	limit  int     // bytes allocated after which Spend checks the input
	schema *Schema // of the package that decodes; nil to check nothing
	root   int32   // the type in schema of the value decoded
	input  []byte  // the value decoded and what follows it
	err    error   // the input's error, once a check found it invalid
}

// MaxAllocPerByte is how many bytes a decoding allocates per byte of its
// input, beyond decoderSlack, before it checks that the input is valid.
const MaxAllocPerByte = 8

// decoderSlack is what a decoding allocates before it checks its input,
// beyond MaxAllocPerByte bytes per byte: the Decoder, and the values of
// short input.
const decoderSlack = 1024

// NewDecoder returns a Decoder over the bytes left in b, to read a value
// of type root (an index in s.Types; s may be nil, for values of no
// generated package). Finish then moves b past what was read.
func NewDecoder(b *bin.Buffer, s *Schema, root int32) *Decoder {
	d := new(Decoder)
	d.start(b, s, root)
	return d
}

// start makes d a new Decoder over the bytes left in b (see NewDecoder).
func (d *Decoder) start(b *bin.Buffer, s *Schema, root int32) {
	*d = Decoder{
		Buffer: bin.Buffer{Buf: b.Buf},
		spent:  int(unsafe.Sizeof(Decoder{})),
		limit:  MaxAllocPerByte*len(b.Buf) + decoderSlack,
		schema: s, root: root, input: b.Buf,
	}
}

// decoders are Decoders to reuse: a Decoder that a decoding made in the
// runtime, where it cannot stay on its caller's stack, goes back here once
// Finish has returned, when nothing refers to it any more (decoded values
// refer to its chunks, never to it).
var decoders = sync.Pool{New: func() any { return new(Decoder) }}

// getDecoder is NewDecoder with a Decoder from decoders.
func getDecoder(b *bin.Buffer, s *Schema, root int32) *Decoder {
	d := decoders.Get().(*Decoder)
	d.start(b, s, root)
	return d
}

// putDecoder gives d back to decoders, holding nothing of its decoding:
// neither the input nor the chunks.
func putDecoder(d *Decoder) {
	*d = Decoder{}
	decoders.Put(d)
}

// Finish moves b past the bytes read from d, a Decoder that NewDecoder
// made of b, and returns the error of the decoding: err, the error
// DecodeBareAt returned, unless d found the input invalid first.
func Finish(b *bin.Buffer, d *Decoder, err error) error {
	b.Buf = b.Buf[len(b.Buf)-len(d.Buf):]
	if d.err != nil {
		return d.err
	}
	return err
}

// Decode decodes a value of type root from the bytes left in b with
// decode, at depth 0, and moves b past it.
func Decode[T any](b *bin.Buffer, s *Schema, root int32, decode func(*Decoder, int) (T, error)) (T, error) {
	d := getDecoder(b, s, root)
	defer putDecoder(d)
	v, err := decode(d, 0)
	if err = Finish(b, d, err); err != nil {
		var zero T
		return zero, err
	}
	return v, nil
}

// Spend records that the decoding is about to allocate size bytes. Once
// that takes it above its limit, it checks the whole value (see
// Decoder): when the input is invalid, the Decoder keeps its error for
// Finish and has no bytes left, so that decoding stops at its next read,
// allocating nothing more.
func (d *Decoder) Spend(size uintptr) {
	d.spent += allocated(int(size))
	if d.spent > d.limit {
		d.check()
	}
}

// allocated bounds what an allocation of size bytes takes: the allocator
// rounds a small size up to its next size class (classes are at most 16
// bytes or an eighth apart) and a large one to whole pages.
func allocated(size int) int {
	const maxSmall, page = 32 << 10, 8 << 10
	if size > maxSmall {
		return (size + page - 1) &^ (page - 1)
	}
	return size + size/8 + 16
}

// check validates the input, once its Decoder has spent its limit.
func (d *Decoder) check() {
	d.limit = math.MaxInt
	if d.schema == nil {
		return
	}
	if err := d.schema.Validate(&bin.Buffer{Buf: d.input}, d.root); err != nil {
		d.err = err
		d.Buf = nil
	}
}

// errRefused is what decoding returns, up to Finish, once its Decoder has
// found the input invalid; Finish returns the input's error instead. It is
// not that error itself, which the levels decoding returns through would
// add their steps to a second time.
var errRefused = errors.New("input refused by its check")

// failed reports whether d found its input invalid.
func (d *Decoder) failed() bool { return d.err != nil }

// New returns a new zero value of T, which must hold no pointers: a
// struct of numbers and bools only. It comes from d's chunks of such
// values.
func New[T any](d *Decoder) *T {
	var zero T
	const word = unsafe.Sizeof(uint64(0))
	return (*T)(d.plain.take(d, int((unsafe.Sizeof(zero)+word-1)/word)))
}

// maxChunkVector is the longest vector of interfaces whose array comes
// from a Decoder's chunks; a longer one is allocated on its own, exactly.
const maxChunkVector = 16

// minChunk is the fewest bytes of a chunk: enough that the first values
// of a decoding share one.
const minChunk = 256

// chunks hands out runs of elements of type W from arrays allocated ahead,
// so that many small values cost a few allocations.
type chunks[W any] struct {
	free []W // the room left in the latest chunk
	used int // elements handed out
}

// take returns the address of n new zero elements. A new chunk has room
// for a quarter of the elements handed out before it, and at least
// minChunk bytes; n elements that would take more than a sixth of it
// get an array of their own, and the chunk stays. So every chunk but the
// latest is left with less than a sixth of it unused, and the room
// unused in all of them stays below 0.45 times what was handed out, and a
// minChunk. A chunk has no more room than n elements and as many as the
// decoding's input has bytes for, so that decoding a small value takes
// little more memory than the value.
func (c *chunks[W]) take(d *Decoder, n int) unsafe.Pointer {
	if len(c.free) < n {
		var w W
		size := max(c.used/4, minChunk/int(unsafe.Sizeof(w)))
		if n > size/6 {
			d.Spend(uintptr(n) * unsafe.Sizeof(w))
			c.used += n
			return unsafe.Pointer(&make([]W, n)[0])
		}
		// A decoding of a few bytes needs a few bytes of chunks: its
		// strings take at most its input, its other values hardly more.
		size = min(size, n+len(d.input)/int(unsafe.Sizeof(w)))
		if d.Spend(uintptr(size) * unsafe.Sizeof(w)); d.failed() {
			size = n
		}
		c.free = make([]W, size)
	}
	p := unsafe.Pointer(&c.free[0])
	c.free = c.free[n:]
	c.used += n
	return p
}

// ifaceSlice returns room for n interfaces of type C, taken from d's
// chunks, when n is small and C is an interface type (two pointers in
// memory, which is what the chunks hold); its capacity is n, so that
// appending to it copies. Otherwise it returns nil.
func ifaceSlice[C any](d *Decoder, n int) []C {
	// Only an interface type's zero value is a nil any.
	var zero C
	if n == 0 || n > maxChunkVector || any(zero) != nil {
		return nil
	}
	return unsafe.Slice((*C)(d.ifaces.take(d, n)), n)[:0:n]
}
