package tlrt

import (
	"encoding/binary"

	"github.com/gotd/td/bin"
)

// Extend lengthens b by n bytes and returns them for the caller to fill,
// all of them: they are not cleared. A generated encoder writes a run of
// fixed-size fields at offsets of one Extend, with one check of b's room
// instead of one for each field.
func Extend(b *bin.Buffer, n int) []byte {
	l := len(b.Buf)
	if cap(b.Buf)-l < n {
		b.Buf = append(b.Buf, make([]byte, n)...)[:l]
	}
	b.Buf = b.Buf[:l+n]
	return b.Buf[l:]
}

// PutUint32 writes v: a constructor ID, a flags word or an int.
func PutUint32(b *bin.Buffer, v uint32) {
	binary.LittleEndian.PutUint32(Extend(b, 4), v)
}

// PutUint64 writes v, a long.
func PutUint64(b *bin.Buffer, v uint64) {
	binary.LittleEndian.PutUint64(Extend(b, 8), v)
}

// PutVectorHeader writes the ID of a boxed vector and its length n.
func PutVectorHeader(b *bin.Buffer, n int) {
	binary.LittleEndian.PutUint64(Extend(b, 8), uint64(uint32(n))<<32|bin.TypeVector)
}

// PutString writes s as a TL string: its length, its bytes and zeros to
// the next multiple of 4 bytes, with one check of b's room.
func PutString(b *bin.Buffer, s string) { putBytes(b, s) }

// PutBytes writes v as TL bytes, which are encoded as a string is.
func PutBytes(b *bin.Buffer, v []byte) { putBytes(b, v) }

// putBytes is kept out of line: a call costs little beside the copy, and
// encoders call it for every string and bytes field.
//
//go:noinline
func putBytes[S string | []byte](b *bin.Buffer, s S) {
	n := len(s)
	head := 1
	if n > maxShortText {
		head = 4
	}
	w := Extend(b, (head+n+3)&^3)
	// The last word holds the padding, if any: clear it before the bytes
	// overwrite what of it is theirs.
	binary.LittleEndian.PutUint32(w[len(w)-4:], 0)
	if head == 1 {
		w[0] = byte(n)
	} else {
		binary.LittleEndian.PutUint32(w, uint32(n)<<8|longText)
	}
	copy(w[head:], s)
}

// Bit returns a flags word with bit set when set is true, and none
// otherwise, with no branch: encoders or it into a flags word for each
// optional field.
func Bit(set bool, bit int) bin.Fields {
	var v bin.Fields
	if set {
		v = 1
	}
	return v << bit
}
