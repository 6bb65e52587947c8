package tlrt

import "github.com/gotd/td/bin"

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
func DecodeBoxed(b *bin.Buffer, v Object, depth int) error {
	if err := ConsumeID(b, v.TypeID(), v.TypeName()); err != nil {
		return DecodeErr(err, v.TypeName(), "")
	}
	return v.DecodeBareAt(b, depth)
}

// DecodeValue reads a boxed constructor into a value of its struct type,
// nested depth levels deep.
func DecodeValue[T any, P interface {
	*T
	Object
}](b *bin.Buffer, depth int) (T, error) {
	var v T
	err := DecodeBoxed(b, P(&v), depth)
	return v, err
}

// DecodeBareValue reads a bare constructor into a value of its struct type,
// nested depth levels deep.
func DecodeBareValue[T any, P interface {
	*T
	Object
}](b *bin.Buffer, depth int) (T, error) {
	var v T
	err := P(&v).DecodeBareAt(b, depth)
	return v, err
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
// each read by elem.
func DecodeVector[T any](b *bin.Buffer, elem func(*bin.Buffer) (T, error)) ([]T, error) {
	return decodeElems(b, false, 0, func(b *bin.Buffer, _ int) (T, error) { return elem(b) })
}

// DecodeBareVector reads a bare vector (a length, then the elements) of
// values that hold no constructors.
func DecodeBareVector[T any](b *bin.Buffer, elem func(*bin.Buffer) (T, error)) ([]T, error) {
	return decodeElems(b, true, 0, func(b *bin.Buffer, _ int) (T, error) { return elem(b) })
}

// DecodeVectorAt reads a boxed vector whose elements nest depth levels
// deep.
func DecodeVectorAt[T any](b *bin.Buffer, depth int, elem func(*bin.Buffer, int) (T, error)) ([]T, error) {
	return decodeElems(b, false, depth, elem)
}

// DecodeBareVectorAt reads a bare vector whose elements nest depth levels
// deep.
func DecodeBareVectorAt[T any](b *bin.Buffer, depth int, elem func(*bin.Buffer, int) (T, error)) ([]T, error) {
	return decodeElems(b, true, depth, elem)
}

func decodeElems[T any](b *bin.Buffer, bare bool, depth int, elem func(*bin.Buffer, int) (T, error)) ([]T, error) {
	n, err := vectorLen(b, bare)
	if err != nil {
		return nil, err
	}
	v := make([]T, 0, min(n, bin.PreallocateLimit))
	for i := range n {
		e, err := elem(b, depth)
		if err != nil {
			return nil, decodeElemErr(err, i)
		}
		v = append(v, e)
	}
	return v, nil
}

// vectorLen reads the length of a boxed or bare vector. Every element
// takes at least four bytes, so a length the input cannot hold fails
// before anything is allocated.
func vectorLen(b *bin.Buffer, bare bool) (int, error) {
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
	if n < 0 || n > b.Len()/4 {
		return 0, &bin.InvalidLengthError{Length: n, Where: "vector"}
	}
	return n, nil
}
