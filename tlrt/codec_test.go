package tlrt_test

import (
	"context"
	"errors"
	"io"
	"slices"
	"testing"

	"github.com/gotd/td/bin"

	"github.com/tgraw/tgraw/tlrt"
	"github.com/tgraw/tgraw/tlrt/internal/nodes"
)

// TestVectors decodes boxed and bare vectors, of values that nest and of
// values that do not, and refuses lengths the input cannot hold before
// allocating anything.
func TestVectors(t *testing.T) {
	ints := func(n int, boxed bool, elems ...int) []byte {
		var b bin.Buffer
		if boxed {
			b.PutVectorHeader(n)
		} else {
			b.PutInt(n)
		}
		for _, e := range elems {
			b.PutInt(e)
		}
		return b.Buf
	}
	for _, tc := range []struct {
		name    string
		data    []byte
		bare    bool
		want    []int
		wantErr string
	}{
		{name: "boxed", data: ints(3, true, 1, 2, 3), want: []int{1, 2, 3}},
		{name: "boxed empty", data: ints(0, true), want: []int{}},
		{name: "bare", data: ints(2, false, 7, 8), bare: true, want: []int{7, 8}},
		{name: "wrong vector ID", data: concat([]byte{1, 2, 3, 4}, ints(0, false)), wantErr: "unexpected id 0x4030201"},
		{name: "negative length", data: ints(-1, true), wantErr: "invalid vector length: -1"},
		{name: "length beyond the input", data: ints(1<<30, true, 1, 2), wantErr: "invalid vector length: 1073741824"},
		{name: "bare length beyond the input", data: ints(3, false, 1, 2), bare: true, wantErr: "invalid vector length: 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			decoders := map[string]func(b *bin.Buffer) ([]int, error){
				"leaf": func(b *bin.Buffer) ([]int, error) {
					return tlrt.DecodeVector(tlrt.NewDecoder(b, nil, 0), 4, (*tlrt.Decoder).Int)
				},
				"at depth": func(b *bin.Buffer) ([]int, error) {
					return tlrt.DecodeVectorAt(tlrt.NewDecoder(b, nil, 0), 4, 5, func(b *tlrt.Decoder, depth int) (int, error) {
						if depth != 5 {
							t.Errorf("element decoded at depth %d, want 5", depth)
						}
						return b.Int()
					})
				},
			}
			if tc.bare {
				decoders = map[string]func(b *bin.Buffer) ([]int, error){
					"leaf": func(b *bin.Buffer) ([]int, error) {
						return tlrt.DecodeBareVector(tlrt.NewDecoder(b, nil, 0), 4, (*tlrt.Decoder).Int)
					},
					"at depth": func(b *bin.Buffer) ([]int, error) {
						return tlrt.DecodeBareVectorAt(tlrt.NewDecoder(b, nil, 0), 4, 0, decodeInt)
					},
				}
			}
			for name, decode := range decoders {
				got, err := decode(&bin.Buffer{Buf: tc.data})
				if tc.wantErr != "" {
					if err == nil || err.Error() != tc.wantErr {
						t.Errorf("%s: got %v, %v; want error %q", name, got, err, tc.wantErr)
					}
					continue
				}
				if err != nil || !slices.Equal(got, tc.want) {
					t.Errorf("%s: got %v, %v; want %v", name, got, err, tc.want)
				}
			}
		})
	}
}

func decodeInt(b *tlrt.Decoder, _ int) (int, error) { return b.Int() }

// TestVectorElementError checks that an element's error names its index.
func TestVectorElementError(t *testing.T) {
	var b bin.Buffer
	b.PutVectorHeader(2)
	b.PutString("")
	b.Put([]byte{10, 'a', 'b', 'c'}) // a string of 10 bytes, cut after 3
	_, err := tlrt.DecodeVector(tlrt.NewDecoder(&b, nil, 0), 4, (*tlrt.Decoder).String)
	var de *tlrt.DecodeError
	if !errors.As(err, &de) || de.Path() != "[1]" || !errors.Is(err, io.ErrUnexpectedEOF) || err.Error() != "[1]: unexpected EOF" {
		t.Errorf("got %v, want an unexpected EOF at [1]", err)
	}
}

// TestDecodeValues decodes boxed and bare constructors into vectors of
// values and into pointers, and checks the ID of a boxed one.
func TestDecodeValues(t *testing.T) {
	data := nodes.Encode(&nodes.Leaf{N: 42})
	var vec bin.Buffer
	vec.PutVectorHeader(2)
	vec.Put(data)
	vec.Put(data)
	v, err := tlrt.DecodeStructs[nodes.Leaf](tlrt.NewDecoder(&bin.Buffer{Buf: vec.Buf}, nil, 0), false, false, 8, 0)
	if err != nil || len(v) != 2 || v[1].N != 42 {
		t.Errorf("DecodeStructs: %+v, %v", v, err)
	}
	var bare bin.Buffer
	bare.PutInt(1)
	bare.Put(data[4:])
	v, err = tlrt.DecodeStructs[nodes.Leaf](tlrt.NewDecoder(&bin.Buffer{Buf: bare.Buf}, nil, 0), true, true, 4, 0)
	if err != nil || len(v) != 1 || v[0].N != 42 {
		t.Errorf("DecodeStructs of a bare vector of bare values: %+v, %v", v, err)
	}
	p, err := tlrt.DecodePtr[nodes.Leaf](&bin.Buffer{Buf: data})
	if err != nil || p == nil || p.N != 42 {
		t.Errorf("DecodePtr: %+v, %v", p, err)
	}
	if p, err := tlrt.DecodePtr[nodes.Box](&bin.Buffer{Buf: data}); p != nil || err == nil {
		t.Errorf("DecodePtr of a leaf as a box: %+v, %v; want an error", p, err)
	}
	var unknown *tlrt.UnknownIDError
	if _, err := tlrt.DecodeStructs[nodes.Box](tlrt.NewDecoder(&bin.Buffer{Buf: vec.Buf}, nil, 0), false, false, 8, 0); !errors.As(err, &unknown) || unknown.ID != nodes.LeafID || unknown.Type != "box" {
		t.Errorf("DecodeStructs of leaves as boxes: %v", err)
	}
	if err := tlrt.ConsumeID(&bin.Buffer{Buf: data[:3]}, nodes.LeafID, "leaf"); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("ConsumeID of 3 bytes: %v", err)
	}
}

// TestDecodeObject decodes any value of a package through its New, at a
// depth, and refuses an ID New does not know.
func TestDecodeObject(t *testing.T) {
	v, err := tlrt.DecodeObject(tlrt.NewDecoder(&bin.Buffer{Buf: nodes.Encode(&nodes.Box{Inner: &nodes.Leaf{N: 3}})}, nil, 0), 0, nodes.New)
	if b, ok := v.(*nodes.Box); err != nil || !ok || b.Inner.(*nodes.Leaf).N != 3 {
		t.Fatalf("got %#v, %v", v, err)
	}
	data := nodes.Encode(&nodes.Box{Inner: &nodes.Leaf{}})
	if _, err := tlrt.DecodeObject(tlrt.NewDecoder(&bin.Buffer{Buf: data}, nil, 0), tlrt.MaxDecodeDepth+1, nodes.New); !errors.Is(err, tlrt.ErrTooDeep) {
		t.Errorf("below the bound: %v, want ErrTooDeep", err)
	}
	var unknown *tlrt.UnknownIDError
	if _, err := tlrt.DecodeObject(tlrt.NewDecoder(&bin.Buffer{Buf: []byte{9, 9, 9, 9}}, nil, 0), 0, nodes.New); !errors.As(err, &unknown) || unknown.ID != 0x09090909 || unknown.Type != "Object" {
		t.Errorf("unknown ID: %v", err)
	}
	if _, err := tlrt.DecodeObject(tlrt.NewDecoder(&bin.Buffer{}, nil, 0), 0, nodes.New); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("no input: %v", err)
	}
}

func TestEncodeObject(t *testing.T) {
	var b bin.Buffer
	if err := tlrt.EncodeObject(&b, nil); !errors.Is(err, tlrt.ErrNilValue) || len(b.Buf) != 0 {
		t.Errorf("nil: %v, wrote %x", err, b.Buf)
	}
	if err := tlrt.EncodeObject(&b, &nodes.Leaf{N: 1}); err != nil || len(b.Buf) != 8 {
		t.Errorf("leaf: %v, wrote %x", err, b.Buf)
	}
}

func TestRegistry(t *testing.T) {
	r := tlrt.Registry{{ID: 0x11, Name: "leaf"}, {ID: 0x22, Name: "box"}, {ID: 0x33, Name: "list"}}
	for id, want := range map[uint32]string{0x11: "leaf", 0x22: "box", 0x33: "list", 0: "", 0x12: "", 0x34: ""} {
		if got := r.Name(id); got != want {
			t.Errorf("Name(%#x) = %q, want %q", id, got, want)
		}
	}
	if got := r.IDs(); !slices.Equal(got, []uint32{0x11, 0x22, 0x33}) {
		t.Errorf("IDs() = %x", got)
	}
}

// echo is an Invoker that answers every call with its request, and shows
// a middleware's view of the output.
type echo struct{ seen any }

func (e *echo) Invoke(_ context.Context, input bin.Encoder, output bin.Decoder) error {
	var b bin.Buffer
	if err := input.Encode(&b); err != nil {
		return err
	}
	if err := output.Decode(&b); err != nil {
		return err
	}
	if r, ok := output.(interface{ Result() any }); ok {
		e.seen = r.Result()
	}
	return nil
}

func TestInvoke(t *testing.T) {
	inv := &echo{}
	got, err := tlrt.Invoke(context.Background(), inv, &nodes.Leaf{N: 5}, tlrt.DecodePtr[nodes.Leaf])
	if err != nil || got.N != 5 {
		t.Fatalf("got %+v, %v", got, err)
	}
	if inv.seen != got {
		t.Errorf("the middleware saw %#v, want the decoded result %p", inv.seen, got)
	}
	got, err = tlrt.Invoke(context.Background(), inv, &nodes.Box{}, tlrt.DecodePtr[nodes.Leaf])
	if got != nil || !errors.Is(err, tlrt.ErrNilValue) {
		t.Errorf("a request that does not encode: %+v, %v", got, err)
	}
}

// TestVersion checks that the versions the runtime serves are a range.
func TestVersion(t *testing.T) {
	if tlrt.MinVersion < 1 || tlrt.MinVersion > tlrt.Version {
		t.Errorf("MinVersion %d, Version %d", tlrt.MinVersion, tlrt.Version)
	}
}

// TestVectorHoldsBack checks that an element cannot take the bytes the
// elements after it need at least: a string that would swallow the
// second element fails where it is, and so does a nested vector whose
// count claims them.
func TestVectorHoldsBack(t *testing.T) {
	var b bin.Buffer
	b.PutVectorHeader(2)
	b.Put([]byte{4, 'a', 'b', 'c'}) // a string of 4 bytes, which would take the next element's 4
	b.Put([]byte{'d', 0, 0, 0})
	_, err := tlrt.DecodeVector(tlrt.NewDecoder(&b, nil, 0), 4, (*tlrt.Decoder).String)
	var de *tlrt.DecodeError
	if !errors.As(err, &de) || de.Path() != "[0]" || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("a string over the next element: %v, want an unexpected EOF at [0]", err)
	}

	// list [list [leaf, leaf]] with the outer count raised to 2: the inner
	// list may not take the four bytes the outer list's second element
	// needs, so its second leaf is cut short.
	inner := nodes.Encode(&nodes.List{Items: []tlrt.Object{&nodes.Leaf{N: 1}, &nodes.Leaf{N: 2}}})
	data := nodes.Encode(&nodes.List{Items: []tlrt.Object{&nodes.List{}}})
	data = append(data[:len(data)-len(nodes.Encode(&nodes.List{}))], inner...)
	data[8] = 2 // the outer count
	if _, err := nodes.DecodeObject(&bin.Buffer{Buf: data}); !errors.As(err, &de) || de.Path() != "items[0].items[1].n" || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("a nested vector over the next element: %v, want an unexpected EOF at items[0].items[1].n", err)
	}
}

// TestGrowth checks that a vector of structs large beside their smallest
// encoding, which starts with room for part of its elements, allocates
// at most 1.5 times its size however many elements it has.
func TestGrowth(t *testing.T) {
	type big struct{ a [32]int64 }
	for _, n := range []int{1, 2, 3, 4, 5, 8, 9, 10, 26, 27, 28, 100, 1000, 12345} {
		room := tlrt.PreallocateForTest[big](n, 4)
		total := room
		for room < n {
			room = tlrt.GrowForTest(room, n)
			total += room
		}
		if room != n || 2*total > 3*n {
			t.Errorf("n = %d: rooms add up to %d for a last room of %d, want at most 1.5 x n", n, total, room)
		}
	}
}

// TestDecodeSlabs decodes vectors of a class whose values of one
// constructor come from slabs: the values read back alike, whichever
// constructors the vector mixes, a vector of n values of the constructor
// costs the vector and a few slabs, and errors name the element.
func TestDecodeSlabs(t *testing.T) {
	vector := func(elems ...tlrt.Object) []byte {
		var b bin.Buffer
		b.PutVectorHeader(len(elems))
		for _, e := range elems {
			b.Put(nodes.Encode(e))
		}
		return b.Buf
	}
	leaves := func(n int) []tlrt.Object {
		v := make([]tlrt.Object, n)
		for i := range v {
			v[i] = &nodes.Leaf{N: i}
		}
		return v
	}
	box := &nodes.Box{Inner: &nodes.Leaf{N: 7}}
	for _, tc := range []struct {
		name   string
		elems  []tlrt.Object
		allocs float64 // the buffer, the vector, the slabs, one for each box and its leaf
	}{
		{name: "empty", elems: []tlrt.Object{}, allocs: 1},
		{name: "one leaf", elems: leaves(1), allocs: 1 + 1 + 1},
		{name: "boxes only", elems: []tlrt.Object{box, box}, allocs: 1 + 1 + 4},
		{name: "mixed", elems: append(leaves(3), box, &nodes.Leaf{N: 9}), allocs: 1 + 1 + 3 + 2},
		{name: "100 leaves", elems: leaves(100), allocs: 1 + 1 + 11},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := vector(tc.elems...)
			decode := func() ([]tlrt.Object, error) {
				return tlrt.DecodeSlabs[nodes.Leaf](tlrt.NewDecoder(&bin.Buffer{Buf: data}, nil, 0), false, 8, 0, nodes.Decode)
			}
			got, err := decode()
			if err != nil || len(got) != len(tc.elems) {
				t.Fatalf("got %d values, %v; want %d", len(got), err, len(tc.elems))
			}
			for i, v := range got {
				if !slices.Equal(nodes.Encode(v), nodes.Encode(tc.elems[i])) {
					t.Errorf("[%d] = %+v, want %+v", i, v, tc.elems[i])
				}
			}
			if allocs := testing.AllocsPerRun(10, func() { _, _ = decode() }); allocs != tc.allocs {
				t.Errorf("%v allocations, want %v", allocs, tc.allocs)
			}
		})
	}

	bad := vector(&nodes.Leaf{N: 1}, &nodes.Leaf{N: 2})
	var de *tlrt.DecodeError // the second leaf cut short
	if _, err := tlrt.DecodeSlabs[nodes.Leaf](tlrt.NewDecoder(&bin.Buffer{Buf: bad[:len(bad)-2]}, nil, 0), false, 4, 0, nodes.Decode); !errors.As(err, &de) || !errors.Is(err, io.ErrUnexpectedEOF) || err.Error() != "[1].n: unexpected EOF" {
		t.Errorf("a leaf cut short: %v, want an unexpected EOF at [1].n", err)
	}
	unknown := vector(&nodes.Leaf{N: 1})
	unknown[8] ^= 0xff // the element's ID
	var ue *tlrt.UnknownIDError
	if _, err := tlrt.DecodeSlabs[nodes.Leaf](tlrt.NewDecoder(&bin.Buffer{Buf: unknown}, nil, 0), false, 8, 0, nodes.Decode); !errors.As(err, &ue) || !errors.As(err, &de) || de.Path() != "[0]" {
		t.Errorf("an unknown ID: %v, want an *UnknownIDError at [0]", err)
	}
	if _, err := tlrt.DecodeSlabs[nodes.Leaf](tlrt.NewDecoder(&bin.Buffer{Buf: vector(leaves(3)...)[:12]}, nil, 0), false, 8, 0, nodes.Decode); err == nil || err.Error() != "invalid vector length: 3" {
		t.Errorf("a count beyond the input: %v", err)
	}
}
