package tlrt

import (
	"encoding/binary"
	"slices"
	"unsafe"

	"github.com/gotd/td/bin"
)

// EncodeObject writes v with its ID; a nil v is ErrNilValue.
func EncodeObject(b *bin.Buffer, v bin.Encoder) error {
	if v == nil {
		return ErrNilValue
	}
	return v.Encode(b)
}

// ConsumeID reads a constructor ID and checks that it is want, the ID of the
// constructor name.
func ConsumeID(b *bin.Buffer, want uint32, name string) error {
	got, err := b.ID()
	if err != nil {
		return err
	}
	if got != want {
		return &UnknownIDError{ID: got, Type: name}
	}
	return nil
}

// DecodeBoxed reads v's ID, then v, nested depth levels deep. An error of
// the ID is v's own: a *DecodeError with no field.
func DecodeBoxed(b *Decoder, v Object, depth int) error {
	if err := ConsumeID(&b.Buffer, v.TypeID(), v.TypeName()); err != nil {
		return DecodeErr(err, v.TypeName(), "")
	}
	return DecodeAt(b, v, depth)
}

// DecodePtr reads a boxed constructor into a new value.
func DecodePtr[T any, P interface {
	*T
	Object
}](b *bin.Buffer) (P, error) {
	v := P(new(T))
	if err := v.Decode(b); err != nil {
		return nil, err
	}
	return v, nil
}

// DecodeVector reads a boxed vector of values that hold no constructors,
// each read by elem and taking at least minSize bytes of input.
func DecodeVector[T any](b *Decoder, minSize int, elem func(*Decoder) (T, error)) ([]T, error) {
	return decodeElems(b, false, minSize, func(b *Decoder, v *T, _ int) (err error) {
		*v, err = elem(b)
		return err
	})
}

// DecodeBareVector reads a bare vector (a length, then the elements) of
// values that hold no constructors, each taking at least minSize bytes.
func DecodeBareVector[T any](b *Decoder, minSize int, elem func(*Decoder) (T, error)) ([]T, error) {
	return decodeElems(b, true, minSize, func(b *Decoder, v *T, _ int) (err error) {
		*v, err = elem(b)
		return err
	})
}

// DecodeVectorAt reads a boxed vector whose elements nest depth levels
// deep and take at least minSize bytes each.
func DecodeVectorAt[T any](b *Decoder, minSize, depth int, elem func(*Decoder, int) (T, error)) ([]T, error) {
	return decodeElems(b, false, minSize, func(b *Decoder, v *T, _ int) (err error) {
		*v, err = elem(b, depth)
		return err
	})
}

// DecodeBareVectorAt reads a bare vector whose elements nest depth levels
// deep and take at least minSize bytes each.
func DecodeBareVectorAt[T any](b *Decoder, minSize, depth int, elem func(*Decoder, int) (T, error)) ([]T, error) {
	return decodeElems(b, true, minSize, func(b *Decoder, v *T, _ int) (err error) {
		*v, err = elem(b, depth)
		return err
	})
}

// DecodeStructs reads a vector of values of one constructor, each decoded
// in its place in the vector, nested depth levels deep and taking at
// least minSize bytes: the vector is bare when bare is set, and its
// elements are when bareElems is.
func DecodeStructs[T any, P interface {
	*T
	Object
}](b *Decoder, bare, bareElems bool, minSize, depth int) ([]T, error) {
	return decodeElems(b, bare, minSize, func(b *Decoder, v *T, _ int) error {
		if bareElems {
			return DecodeAt(b, P(v), depth)
		}
		return DecodeBoxed(b, P(v), depth)
	})
}

// DecodeSlabs reads a vector of class C whose elements nest depth levels
// deep and take at least minSize bytes, the vector bare when bare is set.
// Each element is read by decode, but for those of the constructor T,
// which come from slabs: arrays of several values allocated at once, so
// that a vector of n values of T costs a few allocations instead of n.
//
// An element keeps its whole slab alive: a value of T kept after the rest
// of its vector is dropped holds the memory of its slab, at most half
// again what the values of T before it in the vector took (see slab).
func DecodeSlabs[T any, P interface {
	*T
	Object
}, C any](b *Decoder, bare bool, minSize, depth int, decode func(*Decoder, int) (C, error)) ([]C, error) {
	var s slab[T]
	id := P(nil).TypeID()
	return decodeElems(b, bare, minSize, func(b *Decoder, v *C, left int) (err error) {
		if len(b.Buf) < 4 || binary.LittleEndian.Uint32(b.Buf) != id {
			*v, err = decode(b, depth)
			return err
		}
		b.Buf = b.Buf[4:]
		p := P(s.next(b, left))
		if err := DecodeAt(b, p, depth); err != nil {
			return err
		}
		c, ok := any(p).(C)
		if !ok {
			return &UnknownIDError{ID: id, Type: P(nil).TypeName()}
		}
		*v = c
		return nil
	})
}

// slab hands out new values of T from arrays allocated ahead. Its next
// array has room for half as many values as it has handed out, and one
// more, and no more than the vector has elements left (with what the
// allocator rounds the array up to, which costs nothing): what it allocates
// and no value uses is at most half of what the values use, so a valid
// vector still allocates at most 1.5 times what it keeps, and invalid
// input at most that for the values read before it failed. A vector of
// 100 values takes at most 11 arrays.
type slab[T any] struct {
	free []T
	used int
}

// next returns a new zero value of T, from a vector with left elements
// still to read, this one included, decoded by d.
func (s *slab[T]) next(d *Decoder, left int) *T {
	if len(s.free) == 0 {
		n := min(left, s.used/2+1)
		if d.Spend(uintptr(n) * unsafe.Sizeof(*new(T))); d.failed() {
			n = 1
		}
		// Grow rounds the room up to what the allocator hands out.
		s.free = slices.Grow([]T(nil), n)
		s.free = s.free[:cap(s.free)]
	}
	p := &s.free[0]
	s.free = s.free[1:]
	s.used++
	return p
}

// maxAllocPerByte bounds what a vector allocates before its elements
// arrive: room for at most maxAllocPerByte bytes of Go values per byte of
// input its count claims, so that hostile counts alone stay below the
// Decoder's limit (MaxAllocPerByte). A vector of small elements
// (interfaces, strings, most structs) gets room for all of them at once,
// so a valid vector costs one allocation of exactly its size; one of
// structs that are large beside their smallest encoding starts smaller
// and grows as elements arrive (see grow).
const maxAllocPerByte = 7

// decodeElems reads a vector of elements that each take at least minSize
// bytes, decoding each into its place with decode, which is told how many
// elements are left, this one included. The count is refused
// when the input cannot hold that many elements, before anything is
// allocated.
//
// While it reads element i, the bytes the elements after it need at least
// are held back: b ends early. So a vector nested in an element sees only
// the bytes that element can have, and the counts of nested vectors claim
// disjoint bytes of the input instead of the same bytes again and again.
// What a vector allocates ahead is bounded by the bytes its count claims
// (see maxAllocPerByte), and so the allocation of hostile input by the
// length of the input.
func decodeElems[T any](b *Decoder, bare bool, minSize int, decode func(b *Decoder, v *T, left int) error) ([]T, error) {
	minSize = max(minSize, 1)
	n, err := vectorLen(&b.Buffer, bare, minSize)
	if err != nil {
		return nil, err
	}
	room := preallocate[T](n, minSize)
	var v []T
	if room == n {
		v = ifaceSlice[T](b, n)
	}
	if v == nil {
		if b.Spend(uintptr(room) * unsafe.Sizeof(*new(T))); b.failed() {
			return nil, errRefused
		}
		v = make([]T, 0, room)
	}
	err = eachElem(b, n, minSize, func(i int) error {
		if len(v) == cap(v) {
			next := grow(len(v), n)
			if b.Spend(uintptr(next) * unsafe.Sizeof(*new(T))); b.failed() {
				return errRefused
			}
			v = slices.Grow(v, next-len(v))
		}
		v = v[:i+1]
		return decode(b, &v[i], n-i)
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// eachElem reads the n elements of a vector, each of at least minSize
// bytes, with elem: while it reads element i, the bytes the elements
// after it need at least are held back (see decodeElems). Its error is
// elem's, with the element's index.
func eachElem(b *Decoder, n, minSize int, elem func(i int) error) error {
	for i := range n {
		held := (n - 1 - i) * minSize
		b.Buf = b.Buf[:len(b.Buf)-held]
		err := elem(i)
		if b.failed() {
			// The Decoder found the input invalid and has no bytes left:
			// none to give back.
			return errRefused
		}
		b.Buf = b.Buf[:len(b.Buf)+held]
		if err != nil {
			return decodeElemErr(err, i)
		}
	}
	return nil
}

// preallocate returns the room to make for a vector of n elements of at
// least minSize bytes each: all of them, unless that is more than
// maxAllocPerByte bytes per byte they claim; then at most a third of them
// (see grow).
func preallocate[T any](n, minSize int) int {
	var zero T
	return preallocateSize(n, minSize, int(unsafe.Sizeof(zero)))
}

// preallocateSize is preallocate for elements of size bytes.
func preallocateSize(n, minSize, size int) int {
	if size <= maxAllocPerByte*minSize {
		return n
	}
	return min(n*maxAllocPerByte*minSize/size, n/3)
}

// grow returns the room for a vector of n elements whose room for have
// elements is full: three times as much, or all n once three times as
// much would be more than a third of them. So every room but the last
// holds at most a third of n and a third of the next, and all the rooms
// before the last add up to at most half of it: a valid vector allocates
// at most 1.5 times its size.
func grow(have, n int) int {
	next := max(3*have, 1)
	if next > n/3 {
		return n
	}
	return next
}

// vectorLen reads the length of a boxed or bare vector of elements that
// take at least minSize bytes each, so that a length the input cannot hold
// fails before anything is allocated.
func vectorLen(b *bin.Buffer, bare bool, minSize int) (int, error) {
	var n int
	var err error
	if bare {
		n, err = b.Int()
	} else {
		n, err = b.VectorHeader()
	}
	if err != nil {
		return 0, err
	}
	if n < 0 || n > b.Len()/minSize {
		return 0, &bin.InvalidLengthError{Length: n, Where: "vector"}
	}
	return n, nil
}
