package tlrt_test

import (
	"testing"

	"github.com/gotd/td/bin"

	"github.com/tgraw/tgraw/internal/allocmeter"
	"github.com/tgraw/tgraw/tlrt"
	"github.com/tgraw/tgraw/tlrt/internal/nodes"
)

// TestNew checks that values from a Decoder's chunks are new and zero,
// and that many cost a few allocations and at most half again their size.
func TestNew(t *testing.T) {
	const n = 1000
	var leaves [n]*nodes.Leaf
	input := make([]byte, 8*n) // what n leaves take on the wire
	decode := func() {
		d := tlrt.NewDecoder(&bin.Buffer{Buf: input}, nil, 0)
		for i := range leaves {
			leaves[i] = tlrt.New[nodes.Leaf](d)
		}
	}
	decode()
	seen := map[*nodes.Leaf]bool{}
	for _, l := range leaves {
		if l.N != 0 || seen[l] {
			t.Fatalf("a value from a chunk is not new and zero: %p %+v", l, l)
		}
		seen[l] = true
		l.N = 1
	}
	// The Decoder, and chunks that grow by half of what they handed out.
	if allocs := testing.AllocsPerRun(10, decode); allocs > 14 {
		t.Errorf("%d values cost %.0f allocations, want at most 14", n, allocs)
	}
	if got, limit := leastBytes(nil, decode), uint64(1.5*n*8+1024); got > limit {
		t.Errorf("%d values of 8 bytes allocated %d bytes, want at most %d", n, got, limit)
	}
}

// TestNewSmallInput checks that a decoding of a few bytes takes chunks no
// larger than its input can fill, not the least chunk of a large one.
func TestNewSmallInput(t *testing.T) {
	data := nodes.Encode(&nodes.Leaf{N: 1})
	var leaf *nodes.Leaf
	var d *tlrt.Decoder
	got := leastBytes(func() { d = tlrt.NewDecoder(&bin.Buffer{Buf: data}, nil, 0) }, func() { leaf = tlrt.New[nodes.Leaf](d) })
	if leaf == nil || leaf.N != 0 {
		t.Fatalf("New gave %+v", leaf)
	}
	if limit := uint64(64); got > limit {
		t.Errorf("a leaf of %d bytes of input allocated %d bytes, want at most %d", len(data), got, limit)
	}
}

// list is the encoding of a list of k boxes of leaves.
func list(k int) []byte {
	v := &nodes.List{}
	for i := range k {
		v.Items = append(v.Items, &nodes.Box{Inner: &nodes.Leaf{N: i}})
	}
	return nodes.Encode(v)
}

// TestDecoderCheck checks that a decoding that has allocated more than
// MaxAllocPerByte bytes per byte of input checks its input before it goes
// on: valid input goes on and decodes, invalid input fails with the error
// decoding would have met, and allocates nothing more than that error.
func TestDecoderCheck(t *testing.T) {
	// A decoding that spends its whole limit at once, then reads a list.
	spending := func(data []byte) func(*tlrt.Decoder, int) (tlrt.Object, error) {
		return func(d *tlrt.Decoder, depth int) (tlrt.Object, error) {
			d.Spend(uintptr(tlrt.MaxAllocPerByte*len(data) + 4096))
			return nodes.Decode(d, depth)
		}
	}
	valid := list(2000)
	v, err := tlrt.Decode(&bin.Buffer{Buf: valid}, &nodes.Schema, nodes.ObjectRoot, spending(valid))
	if err != nil || len(v.(*nodes.List).Items) != 2000 {
		t.Fatalf("valid input: %v", err)
	}
	for _, cut := range []int{len(valid) - 1, len(valid) - 6, len(valid) / 2, 9} {
		data := valid[:cut]
		_, want := tlrt.Decode(&bin.Buffer{Buf: data}, nil, 0, nodes.Decode) // no check
		var got error
		bytes := leastBytes(nil, func() {
			_, got = tlrt.Decode(&bin.Buffer{Buf: data}, &nodes.Schema, nodes.ObjectRoot, spending(data))
		})
		if got == nil || got.Error() != want.Error() {
			t.Errorf("cut at %d: got %v, want %v", cut, got, want)
		}
		// The Decoder, the error of the check and one of the decoding it
		// stopped.
		if bytes > 3072 {
			t.Errorf("cut at %d: allocated %d bytes, want at most 3072", cut, bytes)
		}
	}
}

// TestValidate checks that a Schema refuses what decoding refuses, with
// the same error, at every length of an input, and accepts what decodes.
func TestValidate(t *testing.T) {
	inputs := [][]byte{
		list(3),
		nodes.Encode(&nodes.Box{Inner: &nodes.Box{Inner: &nodes.Leaf{N: 5}}}),
		{0x33, 0, 0, 0, 0x15, 0xc4, 0xb5, 0x1c, 0xff, 0xff, 0xff, 0x7f}, // a list claiming a huge count
		{0x22, 0, 0, 0, 9, 9, 9, 9},                                     // a box of an unknown ID
	}
	for _, data := range inputs {
		for cut := range len(data) + 1 {
			b := &bin.Buffer{Buf: data[:cut]}
			got := nodes.Schema.Validate(b, nodes.ObjectRoot)
			d := &bin.Buffer{Buf: data[:cut]}
			_, want := tlrt.Decode(d, nil, 0, nodes.Decode)
			if (got == nil) != (want == nil) || got != nil && got.Error() != want.Error() {
				t.Errorf("%x: the check gives %v, decoding %v", data[:cut], got, want)
			}
			if got == nil && b.Len() != d.Len() {
				t.Errorf("%x: the check leaves %d bytes, decoding %d", data[:cut], b.Len(), d.Len())
			}
		}
	}
	deep := &nodes.Box{Inner: &nodes.Leaf{}}
	for range tlrt.MaxDecodeDepth + 1 {
		deep = &nodes.Box{Inner: deep}
	}
	_, want := tlrt.Decode(&bin.Buffer{Buf: nodes.Encode(deep)}, nil, 0, nodes.Decode)
	if got := nodes.Schema.Validate(&bin.Buffer{Buf: nodes.Encode(deep)}, nodes.ObjectRoot); got == nil || got.Error() != want.Error() {
		t.Errorf("too deep: the check gives %v, decoding %v", got, want)
	}
}

// TestDecodeAtNil checks that DecodeAt refuses a nil value, as the
// generated DecodeBareAt does.
func TestDecodeAtNil(t *testing.T) {
	d := tlrt.NewDecoder(&bin.Buffer{}, &nodes.Schema, nodes.ObjectRoot)
	if err := tlrt.DecodeAt(d, nil, 0); err != tlrt.ErrNilValue {
		t.Errorf("DecodeAt(nil): %v, want ErrNilValue", err)
	}
}

// leastBytes is what f allocates, by the least of three runs, each after
// setup (see allocmeter).
func leastBytes(setup, f func()) uint64 {
	bytes, _ := allocmeter.Least(3, setup, f)
	return bytes
}
