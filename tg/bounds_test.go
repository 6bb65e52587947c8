package tg_test

import (
	"bytes"
	"encoding/binary"
	"reflect"
	"testing"

	"github.com/gotd/td/bin"

	"github.com/tgraw/tgraw/internal/allocmeter"
	"github.com/tgraw/tgraw/tg"
	"github.com/tgraw/tgraw/tlrt"
)

// Decoding is bounded by its input: invalid input of n bytes allocates at
// most hostileAllocPerByte*n bytes plus hostileSlack, and valid input at
// most validAllocPerKept times what the decoded value keeps plus
// allocSlack, which covers the value's outermost struct.
const (
	hostileAllocPerByte = tlrt.MaxAllocPerByte
	validAllocPerKept   = 1.5
	allocSlack          = 1024
)

// hostileSlack is what invalid input may allocate beyond
// hostileAllocPerByte bytes per byte: what a Decoder allocates before it
// checks its input (a KB), the value it is allocating when it does (at
// most the largest struct of the package), and the errors of the check
// and of the decoding that stops (a KB).
func hostileSlack(t testing.TB) uint64 {
	largest := uintptr(0)
	for _, id := range tg.IDs() {
		largest = max(largest, reflect.TypeOf(tg.New(id)).Elem().Size())
	}
	return 2*allocSlack + uint64(largest)
}

// allocation is what decoding one input cost.
type allocation struct {
	bytes  uint64 // allocated while decoding
	allocs uint64 // allocations while decoding
	kept   uint64 // held by the decoded value
	err    error
}

// measureDecode decodes data with tg.DecodeObject and measures what it
// allocates, by the least of three decodings (see allocmeter: the
// runtime's counters count what other goroutines and the runtime itself
// allocate meanwhile), and what the decoded value keeps (heldBytes).
func measureDecode(data []byte) allocation {
	var (
		v   tg.Object
		err error
	)
	bytes, allocs := allocmeter.Least(3, nil, func() { v, err = tg.DecodeObject(&bin.Buffer{Buf: data}) })
	a := allocation{bytes: bytes, allocs: allocs, err: err}
	if err == nil {
		a.kept = heldBytes(reflect.ValueOf(v), map[uintptr]bool{})
	}
	return a
}

// sizeClasses are the sizes the Go allocator hands out up to 32 KB
// (runtime/sizeclasses.go); larger objects take whole 8 KB pages.
var sizeClasses = []uint64{8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256,
	288, 320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792,
	2048, 2304, 2688, 3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728, 10240,
	10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760, 24576, 27264, 28672, 32768}

// allocSize is what an allocation of size bytes takes.
func allocSize(size uintptr) uint64 {
	if size == 0 {
		return 0
	}
	for _, c := range sizeClasses {
		if uint64(size) <= c {
			return c
		}
	}
	const page = 8192
	return (uint64(size) + page - 1) / page * page
}

// heldBytes is the memory the value v keeps reachable: the allocations of
// its pointers and slices, each counted once, and the bytes of its strings
// and bytes, which share the decoder's chunks.
func heldBytes(v reflect.Value, seen map[uintptr]bool) uint64 {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() || seen[v.Pointer()] {
			return 0
		}
		seen[v.Pointer()] = true
		return allocSize(v.Type().Elem().Size()) + heldBytes(v.Elem(), seen)
	case reflect.Interface:
		if v.IsNil() {
			return 0
		}
		return heldBytes(v.Elem(), seen)
	case reflect.Struct:
		var n uint64
		for i := range v.NumField() {
			n += heldBytes(v.Field(i), seen)
		}
		return n
	case reflect.Array:
		var n uint64
		for i := range v.Len() {
			n += heldBytes(v.Index(i), seen)
		}
		return n
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return uint64(v.Len())
		}
		if v.Cap() == 0 || seen[v.Pointer()] {
			return 0
		}
		seen[v.Pointer()] = true
		n := allocSize(uintptr(v.Cap()) * v.Type().Elem().Size())
		for i := range v.Len() {
			n += heldBytes(v.Index(i), seen)
		}
		return n
	case reflect.String:
		return uint64(v.Len())
	}
	return 0
}

// check asserts the bound that applies to data: the hostile one when it
// does not decode, the valid one when it does.
func (a allocation) check(t testing.TB, n int, slack uint64) {
	t.Helper()
	if a.err != nil {
		if limit := uint64(hostileAllocPerByte*n) + slack; a.bytes > limit {
			t.Errorf("invalid input of %d bytes allocated %d bytes (%.1f x n), want at most %d: %v", n, a.bytes, float64(a.bytes)/float64(n), limit, a.err)
		}
		return
	}
	if limit := uint64(validAllocPerKept*float64(a.kept) + allocSlack); a.bytes > limit {
		t.Errorf("valid input of %d bytes allocated %d bytes for a value that keeps %d, want at most %d", n, a.bytes, a.kept, limit)
	}
}

// maximizeCounts rewrites the count of every boxed vector in data, in the
// order they come, to the largest that the bytes after it could hold if
// every element took minSizes[i] bytes: the counts of a hostile input
// that claims as much memory as the decoder lets it. The values encoded
// in data hold no other bytes equal to the vector ID.
func maximizeCounts(t testing.TB, data []byte, minSizes ...int) {
	t.Helper()
	var id [4]byte
	binary.LittleEndian.PutUint32(id[:], bin.TypeVector)
	i, pos := 0, 0
	for {
		at := bytes.Index(data[pos:], id[:])
		if at < 0 {
			break
		}
		pos += at + 8
		size := minSizes[min(i, len(minSizes)-1)]
		binary.LittleEndian.PutUint32(data[pos-4:], uint32((len(data)-pos)/size))
		i++
	}
	if i == 0 {
		t.Fatal("no vector to claim with")
	}
}

// padded is the encoding of v followed by zero bytes, n bytes in all.
func padded(t testing.TB, v bin.Encoder, n int) []byte {
	t.Helper()
	data := encode(t, v)
	if len(data) > n {
		t.Fatalf("%T takes %d bytes, more than %d", v, len(data), n)
	}
	return append(data, make([]byte, n-len(data))...)
}

// fit returns how many elements fit in n bytes in a value that takes
// size(k) bytes with k of them.
func fit(n int, size func(k int) int) int {
	base, one := size(0), size(1)-size(0)
	return (n - base) / one
}

// minSize returns the smallest encoding of a boxed value of the class or
// single constructor named tlName, from the model tg was generated from.
func minSize(t testing.TB, tlName string) int {
	in := loadInfo(t)
	for _, c := range in.model.Classes {
		if c.TLName == tlName {
			return c.MinSize
		}
	}
	t.Fatalf("no type %s", tlName)
	return 0
}

// boundShapes are the inputs of TestDecodeBounds: hostile ones, whose
// vectors claim the most the decoder allows, and valid ones whose
// elements are as small as the schema allows.
func boundShapes(t testing.TB) []struct {
	name  string
	data  []byte
	valid bool
} {
	const (
		kb    = 1 << 10
		mb    = 1 << 20
		depth = 400 // levels of nesting, below MaxDecodeDepth
	)
	textConcat := func(levels int) bin.Encoder {
		var v tg.RichTextClass = &tg.TextEmpty{}
		for range levels {
			v = &tg.TextConcat{Texts: []tg.RichTextClass{v}}
		}
		return v
	}
	jsonArray := func(levels int) bin.Encoder {
		var v tg.JSONValueClass = &tg.JSONNull{}
		for range levels {
			v = &tg.JSONArray{Value: []tg.JSONValueClass{v}}
		}
		return v
	}
	pageBlockDetails := func(levels int) bin.Encoder {
		var v tg.PageBlockClass = &tg.PageBlockDivider{}
		for range levels {
			v = &tg.PageBlockDetails{Blocks: []tg.PageBlockClass{v}, Title: &tg.TextEmpty{}}
		}
		return v
	}
	jsonObject := func(levels int) bin.Encoder {
		var v tg.JSONValueClass = &tg.JSONNull{}
		for range levels {
			v = &tg.JSONObject{Value: []tg.JSONObjectValue{{Key: "", Value: v}}}
		}
		return v
	}
	hostile := func(v bin.Encoder, n int, minSizes ...int) []byte {
		data := padded(t, v, n)
		maximizeCounts(t, data, minSizes...)
		return data
	}
	keyboard := &tg.ReplyKeyboardMarkup{Rows: []tg.KeyboardButtonRow{{Buttons: []tg.KeyboardButtonClass{&tg.KeyboardButton{Text: "x"}}}}}
	sponsored := func(k int) *tg.MessagesSponsoredMessages {
		return &tg.MessagesSponsoredMessages{Messages: make([]tg.SponsoredMessage, k), Chats: []tg.ChatClass{}, Users: []tg.UserClass{}}
	}
	sponsoredClaim := sponsored(1)
	pollVote := func(k int) *tg.UpdateMessagePollVote {
		v := &tg.UpdateMessagePollVote{Peer: &tg.PeerUser{UserID: 1}, Options: make([][]byte, k)}
		for i := range v.Options {
			v.Options[i] = []byte{}
		}
		return v
	}
	chatFull := func(k int) *tg.ChatFull {
		return &tg.ChatFull{Participants: &tg.ChatParticipantsForbidden{}, NotifySettings: tg.PeerNotifySettings{}, BotInfo: make([]tg.BotInfo, k)}
	}
	// A run of the smallest botInfo, each 136 bytes of Go struct from 8 of
	// input, cut short at the end.
	botInfoRun := encode(t, chatFull(1+fit(mb, func(k int) int { return len(encode(t, chatFull(k+1))) })))
	sponsoredCount := fit(mb, func(k int) int { return len(encode(t, sponsored(k))) })
	pollCount := fit(mb, func(k int) int { return len(encode(t, pollVote(k))) })
	return []struct {
		name  string
		data  []byte
		valid bool
	}{
		{name: "textConcat nested, maximal counts, 64 KB", data: hostile(textConcat(depth), 64*kb, minSize(t, "RichText"))},
		{name: "jsonArray nested, maximal counts, 64 KB", data: hostile(jsonArray(depth), 64*kb, minSize(t, "JSONValue"))},
		{name: "pageBlockDetails nested, maximal counts, 64 KB", data: hostile(pageBlockDetails(depth), 64*kb, minSize(t, "PageBlock"))},
		{name: "jsonObject nested, maximal counts, 64 KB", data: hostile(jsonObject(depth), 64*kb, minSize(t, "JSONObjectValue"))},
		{name: "messages.sponsoredMessages claiming the largest count, 1 KB", data: hostile(sponsoredClaim, kb, minSize(t, "SponsoredMessage"), minSize(t, "Chat"), minSize(t, "User"))},
		{name: "replyKeyboardMarkup rows and buttons, maximal counts, 1 KB", data: hostile(keyboard, kb, minSize(t, "KeyboardButtonRow"), minSize(t, "KeyboardButton"))},
		{name: "chatFull of minimal botInfo cut short at the end, 1 MB", data: botInfoRun[:len(botInfoRun)-1]},
		{name: "valid chatFull of minimal botInfo, 1 MB", data: botInfoRun, valid: true},
		{name: "valid messages.sponsoredMessages of minimal elements, 1 MB", data: encode(t, sponsored(sponsoredCount)), valid: true},
		{name: "valid updateMessagePollVote of empty options, 1 MB", data: encode(t, pollVote(pollCount)), valid: true},
	}
}

// TestDecodeBounds checks that what decoding allocates is bounded by its
// input: hostile vector counts, and runs of valid values that turn invalid
// at their end, cost at most hostileAllocPerByte bytes per byte of input,
// however they nest, and a valid input allocates at most
// validAllocPerKept times what its value keeps. Allocation counters are
// exact, not timings.
func TestDecodeBounds(t *testing.T) {
	slack := hostileSlack(t)
	for _, tc := range boundShapes(t) {
		t.Run(tc.name, func(t *testing.T) {
			a := measureDecode(tc.data)
			if tc.valid != (a.err == nil) {
				t.Fatalf("valid %v, got error %v", tc.valid, a.err)
			}
			t.Logf("n = %d: allocated %d bytes (%.2f x n) in %d allocations; kept %d", len(tc.data), a.bytes, float64(a.bytes)/float64(len(tc.data)), a.allocs, a.kept)
			a.check(t, len(tc.data), slack)
		})
	}
}

// FuzzDecodeBounds decodes any input and checks the bounds of
// TestDecodeBounds: valid input allocates at most validAllocPerKept times
// what its value keeps, invalid input at most hostileAllocPerByte bytes
// per byte and hostileSlack. It also checks the input with the package's
// Schema, as a Decoder does once it has allocated that much: the check
// must fail exactly where decoding does, with the same error. The seed
// corpus holds the shapes of TestDecodeBounds, an encoding of every
// constructor and function, and the first half of each.
func FuzzDecodeBounds(f *testing.F) {
	for _, id := range tg.IDs() {
		data := encode(f, fill(f, id, 3000))
		f.Add(data)
		f.Add(data[:len(data)/2])
	}
	for _, tc := range boundShapes(f) {
		f.Add(tc.data)
	}
	slack := hostileSlack(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		a := measureDecode(data)
		a.check(t, len(data), slack)
		checkValidate(t, data, a.err)
	})
}

// checkValidate checks that tg.ValidateObject refuses data exactly when
// decoding does, decodeErr, with the same error, and reads what it reads.
func checkValidate(t testing.TB, data []byte, decodeErr error) {
	t.Helper()
	b := &bin.Buffer{Buf: data}
	err := tg.ValidateObject(b)
	if (err == nil) != (decodeErr == nil) || err != nil && err.Error() != decodeErr.Error() {
		t.Fatalf("the check of %x gives %v, decoding %v", data, err, decodeErr)
	}
	if err == nil {
		d := &bin.Buffer{Buf: data}
		if _, err := tg.DecodeObject(d); err != nil || d.Len() != b.Len() {
			t.Fatalf("the check of %x leaves %d bytes, decoding %d (%v)", data, b.Len(), d.Len(), err)
		}
	}
}

// TestValidate checks that the package's Schema refuses input exactly
// where decoding does, with the same error, and accepts what decodes: an
// encoding of every constructor and function, cut short at every fourth
// byte, and with its last word changed.
func TestValidate(t *testing.T) {
	for _, id := range tg.IDs() {
		data := encode(t, fill(t, id, 3000))
		step := max(4, len(data)/16&^3)
		for cut := len(data); cut >= 0; cut -= step {
			_, err := tg.DecodeObject(&bin.Buffer{Buf: data[:cut]})
			checkValidate(t, data[:cut], err)
		}
		if len(data) >= 8 {
			bad := bytes.Clone(data)
			copy(bad[len(bad)-4:], []byte{0xff, 0xff, 0xff, 0x7f})
			_, err := tg.DecodeObject(&bin.Buffer{Buf: bad})
			checkValidate(t, bad, err)
		}
	}
}
