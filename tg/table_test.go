package tg_test

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"sync"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
	"github.com/gotd/td/bin"

	"github.com/tgraw/tgraw/tg"
	"github.com/tgraw/tgraw/tlrt"
)

// tableSchema is the package's schema, with which tlrt encodes and decodes
// by offsets.
func tableSchema() *tlrt.Schema { return tg.WireSchema }

// defIndex returns the index of id's definition in s.Defs and that of its
// bare struct in s.Types.
func defIndex(t testing.TB, s *tlrt.Schema, id uint32) (def int, root int32) {
	def = sort.Search(len(s.Defs), func(i int) bool { return s.Defs[i].ID >= id })
	if def == len(s.Defs) || s.Defs[def].ID != id {
		t.Fatalf("no definition of ID %#08x", id)
	}
	for i, ty := range s.Types {
		if ty.Kind == tlrt.SchemaStruct && ty.Bare && int(ty.Ref) == def {
			return def, int32(i)
		}
	}
	t.Fatalf("no bare type of %s", s.Defs[def].Name)
	return 0, 0
}

// tableDecode decodes data by offsets into a new value of id.
func tableDecode(s *tlrt.Schema, def int, root int32, id uint32, data []byte) (tg.Object, int, error) {
	v := tg.New(id)
	b := &bin.Buffer{Buf: data}
	d := tlrt.NewDecoder(b, s, root)
	err := tlrt.Finish(b, d, tlrt.DecodeFields(d, s, def, reflect.ValueOf(v).UnsafePointer(), 0))
	return v, b.Len(), err
}

// TestTableCodec checks encoding and decoding by the schema against the
// generated codec, for every constructor and function: the same bytes
// from the same random values, the same values from those bytes, and the
// same error, word for word, from every prefix of them.
func TestTableCodec(t *testing.T) {
	s := tableSchema()
	for _, id := range tg.IDs() {
		name := tg.Name(id)
		def, root := defIndex(t, s, id)
		for seed := range int64(4) {
			v := fill(t, id, seed)
			var want, got bin.Buffer
			if err := v.EncodeBare(&want); err != nil {
				t.Fatalf("%s seed %d: EncodeBare: %v", name, seed, err)
			}
			if err := tlrt.EncodeFields(&got, s, def, reflect.ValueOf(v).UnsafePointer()); err != nil {
				t.Fatalf("%s seed %d: EncodeFields: %v", name, seed, err)
			}
			if !bytes.Equal(got.Buf, want.Buf) {
				t.Fatalf("%s seed %d: EncodeFields gives\n%x\nEncodeBare\n%x", name, seed, got.Buf, want.Buf)
			}
			var boxed bin.Buffer
			if err := tlrt.EncodeBoxedFields(&boxed, s, def, reflect.ValueOf(v).UnsafePointer()); err != nil || !bytes.Equal(boxed.Buf, encode(t, v)) {
				t.Fatalf("%s seed %d: EncodeBoxedFields differs from Encode (error %v)", name, seed, err)
			}
			gen := tg.New(id)
			if err := gen.DecodeBare(&bin.Buffer{Buf: want.Buf}); err != nil {
				t.Fatalf("%s seed %d: DecodeBare: %v", name, seed, err)
			}
			tab, left, err := tableDecode(s, def, root, id, want.Buf)
			if err != nil || left != 0 {
				t.Fatalf("%s seed %d: DecodeFields: %v, %d bytes left", name, seed, err, left)
			}
			if diff := cmp.Diff(gen, tab, cmpOpts...); diff != "" {
				t.Fatalf("%s seed %d: DecodeFields differs from DecodeBare (-generated +table):\n%s", name, seed, diff)
			}
			for _, cut := range cuts(len(want.Buf)) {
				in := want.Buf[:cut]
				genErr := tg.New(id).DecodeBare(&bin.Buffer{Buf: slices.Clone(in)})
				_, _, tabErr := tableDecode(s, def, root, id, slices.Clone(in))
				if fmt.Sprint(genErr) != fmt.Sprint(tabErr) {
					t.Fatalf("%s seed %d, %d of %d bytes: DecodeFields: %v\nDecodeBare: %v", name, seed, cut, len(want.Buf), tabErr, genErr)
				}
			}
		}
	}
}

// cuts returns the lengths of the prefixes of n bytes to decode: all of
// them for short input, else 16 spread over it.
func cuts(n int) []int {
	if n <= 64 {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	out := make([]int, 16)
	for i := range out {
		out[i] = i * n / 16
	}
	return out
}

// TestTableEncodeZero checks that encoding the zero value of every
// constructor and function by the schema fails as the generated codec
// does, or gives the same bytes.
func TestTableEncodeZero(t *testing.T) {
	s := tableSchema()
	for _, id := range tg.IDs() {
		def, _ := defIndex(t, s, id)
		v := tg.New(id)
		var want, got bin.Buffer
		wantErr := v.EncodeBare(&want)
		gotErr := tlrt.EncodeFields(&got, s, def, reflect.ValueOf(v).UnsafePointer())
		if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || wantErr == nil && !bytes.Equal(got.Buf, want.Buf) {
			t.Errorf("%s: EncodeFields: %v, %x; EncodeBare: %v, %x", tg.Name(id), gotErr, got.Buf, wantErr, want.Buf)
		}
	}
	if err := tlrt.EncodeFields(&bin.Buffer{}, s, 0, unsafe.Pointer(nil)); err != tlrt.ErrNilValue {
		t.Errorf("EncodeFields of nil: %v, want ErrNilValue", err)
	}
}

// TestTableEncodeClasses encodes fields and vectors of a class whose
// values change constructor from one to the next, by the schema: each
// value must be written as its own Encode writes it, whichever
// constructor the field held before.
func TestTableEncodeClasses(t *testing.T) {
	users := []tg.InputUserClass{
		&tg.InputUserSelf{},
		&tg.InputUser{UserID: 1, AccessHash: 2},
		&tg.InputUserSelf{},
		&tg.InputUserFromMessage{Peer: &tg.InputPeerChat{ChatID: 3}, MsgID: 4, UserID: 5},
		&tg.InputUser{UserID: 6, AccessHash: 7},
		&tg.InputUser{UserID: 8, AccessHash: 9},
	}
	peers := []tg.InputPeerClass{
		&tg.InputPeerUser{UserID: 10, AccessHash: 11},
		&tg.InputPeerChannel{ChannelID: 12, AccessHash: 13},
		&tg.InputPeerSelf{},
		&tg.InputPeerChannel{ChannelID: 14, AccessHash: 15},
	}
	for round := range 3 {
		for i, p := range peers {
			req := &tg.MessagesGetHistoryRequest{Peer: p, OffsetID: i, Limit: round + 1, Hash: int64(i * round)}
			var want bin.Buffer
			want.PutID(tg.MessagesGetHistoryRequestTypeID)
			want.Put(encode(t, p))
			for _, n := range []int{req.OffsetID, req.OffsetDate, req.AddOffset, req.Limit, req.MaxID, req.MinID} {
				want.PutInt(n)
			}
			want.PutLong(req.Hash)
			if got := encode(t, req); !bytes.Equal(got, want.Buf) {
				t.Fatalf("round %d, peer %d (%T): got\n%x\nwant\n%x", round, i, p, got, want.Buf)
			}
		}
		list := slices.Clone(users[round:])
		req := &tg.UsersGetUsersRequest{ID: list}
		var want bin.Buffer
		want.PutID(tg.UsersGetUsersRequestTypeID)
		want.PutVectorHeader(len(list))
		for _, u := range list {
			want.Put(encode(t, u))
		}
		if got := encode(t, req); !bytes.Equal(got, want.Buf) {
			t.Fatalf("round %d, users: got\n%x\nwant\n%x", round, got, want.Buf)
		}
	}
	// Goroutines encoding the same field at once, each its own
	// constructor, each get their own bytes.
	var wg sync.WaitGroup
	errs := make(chan error, len(peers))
	for i, p := range peers {
		req := &tg.MessagesGetHistoryRequest{Peer: p, Limit: i}
		want := encode(t, req)
		wg.Go(func() {
			for range 2000 {
				var b bin.Buffer
				if err := req.Encode(&b); err != nil || !bytes.Equal(b.Buf, want) {
					errs <- fmt.Errorf("%T: %x, %v; want %x", p, b.Buf, err, want)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// A nil value is refused wherever it comes.
	var b bin.Buffer
	if err := (&tg.UsersGetUsersRequest{ID: []tg.InputUserClass{&tg.InputUserSelf{}, nil}}).Encode(&b); !errors.Is(err, tlrt.ErrNilValue) {
		t.Fatalf("a nil user after another: %v; want ErrNilValue", err)
	}
}
