package tlrt

import (
	"errors"
	"strconv"
	"strings"
)

// MaxDecodeDepth is how deeply values may nest in decoded input. Types such
// as RichText, PageBlock and the invokeWith* functions contain themselves,
// and each level costs four bytes of input; the bound keeps hostile input
// from exhausting the stack. Telegram's own data nests far less deeply.
const MaxDecodeDepth = 1000

// ErrTooDeep is the error for input nested more than MaxDecodeDepth levels.
var ErrTooDeep = errors.New("values nest too deeply")

// ErrNilValue is the error for a required value left nil, or for encoding
// or decoding into a nil pointer.
var ErrNilValue = errors.New("value is nil")

// UnknownIDError reports an ID that is not valid where it was met: an ID
// the schema does not have, or a constructor of another type. The
// generated package's Name says which, and what the ID is.
type UnknownIDError struct {
	ID   uint32 // the ID read
	Type string // what was expected: a type ("InputPeer") or a constructor
}

func (e *UnknownIDError) Error() string {
	return "unexpected constructor " + hexID(e.ID) + " for " + e.Type
}

// hexID spells an ID as TL does: 0x and eight hex digits.
func hexID(id uint32) string {
	const digits = "0123456789abcdef"
	b := [10]byte{'0', 'x'}
	for i := 9; i >= 2; i-- {
		b[i] = digits[id&0xf]
		id >>= 4
	}
	return string(b[:])
}

// DecodeError is an error met while decoding, with where it was met: the
// outermost value and the way from it to the failure, as in
//
//	messages.messages: messages[3].media: unexpected constructor 0xdeadbeef for MessageMedia
//
// The way is recorded once, as the error returns through each level, and
// only its first and last steps are kept: an error from input nested a
// thousand levels deep costs one allocation and prints a few hundred
// bytes at most, with the steps left out counted in the middle.
type DecodeError struct {
	// Err is what went wrong: an *UnknownIDError, ErrTooDeep,
	// io.ErrUnexpectedEOF, a *bin.InvalidLengthError, ...
	Err  error
	path path
}

// DecodeErr records that err was met while decoding field of the TL
// constructor or function typ ("message", "media"); field is "" for an
// error of the value itself, such as a wrong ID. If err is a *DecodeError
// from a deeper level, the step is added to it; otherwise err is wrapped in
// a new *DecodeError.
//
// Generated code calls it on the error path of every field, so it is kept
// out of line: inlined there, it would grow every decoder and the time to
// compile a generated package, for no gain on a path taken once.
//
//go:noinline
func DecodeErr(err error, typ, field string) error {
	e, ok := err.(*DecodeError)
	if !ok {
		e = &DecodeError{Err: err}
	}
	e.path.add(step{typ: typ, field: field})
	return e
}

// decodeElemErr records that err was met while decoding element i of a
// vector.
func decodeElemErr(err error, i int) error {
	e, ok := err.(*DecodeError)
	if !ok {
		e = &DecodeError{Err: err}
	}
	e.path.add(step{index: i})
	return e
}

func (e *DecodeError) Error() string { return e.path.message(e.Err) }

// Unwrap returns Err.
func (e *DecodeError) Unwrap() error { return e.Err }

// Type returns the TL name of the outermost value: "messages.messages". It
// is "" when the way starts at a vector element, as it does for the result
// of a function that returns a vector.
func (e *DecodeError) Type() string { return e.path.root() }

// Path returns the way from the outermost value to where the error was
// met: "messages[3].media"; "" when the error is the outermost value's own.
// Of a long way, the middle is left out: "blocks[0].blocks[0]...(970
// more)...blocks[0].text".
func (e *DecodeError) Path() string { return e.path.steps() }

// EncodeError is an error met while encoding, with where it was met, as
// in "messages.sendMessage: peer: value is nil". It records its way as
// DecodeError does.
type EncodeError struct {
	// Err is what went wrong, usually ErrNilValue.
	Err  error
	path path
}

// EncodeErr records that err was met while encoding field of the TL
// constructor or function typ, as DecodeErr does for decoding. It is kept
// out of line, as DecodeErr is.
//
//go:noinline
func EncodeErr(err error, typ, field string) error {
	e, ok := err.(*EncodeError)
	if !ok {
		e = &EncodeError{Err: err}
	}
	e.path.add(step{typ: typ, field: field})
	return e
}

func (e *EncodeError) Error() string { return e.path.message(e.Err) }

// Unwrap returns Err.
func (e *EncodeError) Unwrap() error { return e.Err }

// Type returns the TL name of the outermost value.
func (e *EncodeError) Type() string { return e.path.root() }

// Path returns the way from the outermost value to where the error was
// met, as DecodeError's Path does.
func (e *EncodeError) Path() string { return e.path.steps() }

// step is one level of the way to where an error was met: a field of a
// value, or an element of a vector.
type step struct {
	typ   string // TL name of the value; "" for a vector element
	field string // TL name of the field; "" for an error of the value itself or an element
	index int    // the element's index, when typ is ""
}

// The steps a path keeps: the innermost ones say where the error is, the
// outermost ones where that is in the input.
const (
	keepInner = 10
	keepOuter = 6
)

// path is the way from the outermost value to where an error was met. It
// grows from the inside out, as the error returns through each level. Of a
// long way it keeps the keepInner innermost steps and the keepOuter
// outermost ones, and counts the others.
type path struct {
	n     int             // steps added
	inner [keepInner]step // steps 0 .. keepInner-1, innermost first
	outer [keepOuter]step // the latest steps after those, a ring
}

func (p *path) add(s step) {
	if p.n < keepInner {
		p.inner[p.n] = s
	} else {
		p.outer[(p.n-keepInner)%keepOuter] = s
	}
	p.n++
}

// at returns step i, counted from the inside; it must be kept.
func (p *path) at(i int) step {
	if i < keepInner {
		return p.inner[i]
	}
	return p.outer[(i-keepInner)%keepOuter]
}

// kept reports whether step i is kept.
func (p *path) kept(i int) bool { return i < keepInner || i >= p.n-keepOuter }

func (p *path) root() string {
	if p.n == 0 {
		return ""
	}
	return p.at(p.n - 1).typ
}

// steps is the text of writeSteps.
func (p *path) steps() string {
	var b strings.Builder
	b.Grow(p.size())
	p.writeSteps(&b)
	return b.String()
}

// writeSteps writes the fields and indexes of the path, from the outside
// in: "messages[3].media".
func (p *path) writeSteps(b *strings.Builder) {
	var num [20]byte
	first := true
	for i := p.n - 1; i >= 0; i-- {
		if !p.kept(i) {
			b.WriteString("...(")
			b.Write(strconv.AppendInt(num[:0], int64(p.n-keepInner-keepOuter), 10))
			b.WriteString(" more)...")
			i = keepInner
			first = true
			continue
		}
		s := p.at(i)
		switch {
		case s.typ == "":
			b.WriteByte('[')
			b.Write(strconv.AppendInt(num[:0], int64(s.index), 10))
			b.WriteByte(']')
		case s.field != "":
			if !first {
				b.WriteByte('.')
			}
			b.WriteString(s.field)
		default:
			continue // the value's own error: its type is said at the root
		}
		first = false
	}
}

// size is an upper bound of the length of what writeSteps writes.
func (p *path) size() int {
	n := 0
	for i := range min(p.n, keepInner) {
		n += len(p.inner[i].field) + 22
	}
	for i := range min(max(p.n-keepInner, 0), keepOuter) {
		n += len(p.outer[i].field) + 22
	}
	if p.n > keepInner+keepOuter {
		n += 32
	}
	return n
}

// message is the text of an error with this path: "root: way: err".
func (p *path) message(err error) string {
	text := "<nil>"
	if err != nil {
		text = err.Error()
	}
	root := p.root()
	var b strings.Builder
	b.Grow(len(root) + 4 + p.size() + len(text))
	if root != "" {
		b.WriteString(root)
		b.WriteString(": ")
	}
	n := b.Len()
	p.writeSteps(&b)
	if b.Len() > n {
		b.WriteString(": ")
	}
	b.WriteString(text)
	return b.String()
}
