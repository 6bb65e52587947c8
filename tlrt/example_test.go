package tlrt_test

import (
	"errors"
	"fmt"

	"github.com/gotd/td/bin"

	"github.com/tgraw/tgraw/tlrt"
	"github.com/tgraw/tgraw/tlrt/internal/nodes"
)

// A DecodeError says where decoding failed, and lets errors.As and
// errors.Is find the cause.
func ExampleDecodeError() {
	// list{items: [leaf{1}, box{inner: 0xdeadbeef...}]}
	data := nodes.Encode(&nodes.List{Items: []tlrt.Object{&nodes.Leaf{N: 1}, &nodes.Box{Inner: &nodes.Leaf{}}}})
	copy(data[24:], []byte{0xef, 0xbe, 0xad, 0xde})

	_, err := tlrt.DecodeObject(tlrt.NewDecoder(&bin.Buffer{Buf: data}, nil, 0), 0, nodes.New)
	fmt.Println(err)

	var de *tlrt.DecodeError
	if errors.As(err, &de) {
		fmt.Printf("in %s, at %s\n", de.Type(), de.Path())
	}
	var unknown *tlrt.UnknownIDError
	if errors.As(err, &unknown) {
		fmt.Printf("ID %#08x where %s was expected\n", unknown.ID, unknown.Type)
	}
	// Output:
	// list: items[1].inner: unexpected constructor 0xdeadbeef for Object
	// in list, at items[1].inner
	// ID 0xdeadbeef where Object was expected
}
