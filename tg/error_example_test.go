package tg_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/gotd/td/bin"

	"github.com/tgraw/tgraw/tg"
)

// A decode error says where it was met, from the outermost value in, and
// errors.As finds its cause.
func ExampleDecodeError() {
	// A history of four messages, the last of which has a media
	// constructor this layer does not know.
	history := &tg.MessagesMessages{}
	for i := range 4 {
		m := &tg.Message{ID: i + 1, PeerID: &tg.PeerUser{UserID: 1}, Message: "hi"}
		if i == 3 {
			m.Media = &tg.MessageMediaDice{Value: 6, Emoticon: "🎲"}
		}
		history.Messages = append(history.Messages, m)
	}
	var b bin.Buffer
	if err := history.Encode(&b); err != nil {
		fmt.Println(err)
		return
	}
	dice := binary.LittleEndian.AppendUint32(nil, tg.MessageMediaDiceTypeID)
	copy(b.Buf[bytes.Index(b.Buf, dice):], binary.LittleEndian.AppendUint32(nil, 0xdeadbeef))

	_, err := tg.DecodeMessagesMessages(&b)
	fmt.Println(err)
	var unknown *tg.UnknownIDError
	if errors.As(err, &unknown) {
		fmt.Printf("ID %#08x (%q in this layer) where a %s was expected\n", unknown.ID, tg.Name(unknown.ID), unknown.Type)
	}
	// Output:
	// messages.messages: messages[3].media: unexpected constructor 0xdeadbeef for MessageMedia
	// ID 0xdeadbeef ("" in this layer) where a MessageMedia was expected
}
