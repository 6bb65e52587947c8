// The examples pin the bundled layer's bytes: they build without the
// gotdlayer tag, which gen's TestOtherSchemas sets for its copy of tg at
// layer 170.

//go:build !gotdlayer

package tg_test

import (
	"fmt"

	"github.com/gotd/td/bin"

	"github.com/tgraw/tgraw/tg"
)

// An optional value is sent when it is not zero; SetAbout sends it even
// when it is, which clears the bio.
func ExampleAccountUpdateProfileRequest_SetAbout() {
	req := &tg.AccountUpdateProfileRequest{FirstName: "Dan"}
	req.SetAbout("")

	var b bin.Buffer
	if err := req.Encode(&b); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(words(b.Buf))
	fmt.Println(req.HasFirstName(), req.HasLastName(), req.HasAbout())

	req.ClearAbout()
	fmt.Println(req.HasAbout())
	// Output:
	// 75575178 05000000 0344616e 00000000
	// true false true
	// false
}

// HasAccessHash says whether a decoded user carried an access hash, even
// one of zero.
func ExampleUser_HasAccessHash() {
	var b bin.Buffer
	sent := &tg.User{ID: 42}
	sent.SetAccessHash(0)
	if err := sent.Encode(&b); err != nil {
		fmt.Println(err)
		return
	}

	var u tg.User
	if err := u.Decode(&b); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(u.AccessHash, u.HasAccessHash())
	// Output:
	// 0 true
}
