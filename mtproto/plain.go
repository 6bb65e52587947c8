package mtproto

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/transport"
)

// PlainConn sends and receives unencrypted messages (auth_key_id 0), as
// the key exchange does, over a transport connection.
type PlainConn struct {
	conn transport.Conn
	ids  *MsgIDs
}

// NewPlainConn returns a PlainConn on conn whose message IDs come from
// ids.
func NewPlainConn(conn transport.Conn, ids *MsgIDs) *PlainConn {
	return &PlainConn{conn: conn, ids: ids}
}

// Send sends msg in a plain message: auth_key_id 0, message_id,
// message_data_length, message_data.
func (c *PlainConn) Send(ctx context.Context, msg bin.Encoder) error {
	var body bin.Buffer
	if err := msg.Encode(&body); err != nil {
		return err
	}
	var b bin.Buffer
	b.PutLong(0)
	b.PutLong(c.ids.New())
	b.PutInt(body.Len())
	b.Put(body.Buf)
	return c.conn.Send(ctx, &b)
}

// Recv receives a plain message and returns its message_data. A transport
// error comes back as a *TransportError.
func (c *PlainConn) Recv(ctx context.Context) ([]byte, error) {
	var b bin.Buffer
	if err := c.conn.Recv(ctx, &b); err != nil {
		if te, ok := asTransportError(err); ok {
			return nil, te
		}
		return nil, err
	}
	return ParsePlain(b.Buf)
}

// ParsePlain checks a plain message and returns its message_data: the
// auth_key_id must be 0, the message_id odd (a server's) and the length
// within the frame.
func ParsePlain(frame []byte) ([]byte, error) {
	if len(frame) < 20 {
		return nil, fmt.Errorf("mtproto: a plain message of %d bytes, shorter than its header", len(frame))
	}
	if binary.LittleEndian.Uint64(frame[0:8]) != 0 {
		return nil, fmt.Errorf("mtproto: a message with an auth_key_id where a plain one was expected")
	}
	if id := binary.LittleEndian.Uint64(frame[8:16]); id%2 == 0 {
		return nil, fmt.Errorf("mtproto: a plain message with an even message_id, not a server's")
	}
	n := int64(int32(binary.LittleEndian.Uint32(frame[16:20])))
	if n < 0 || n > int64(len(frame)-20) {
		return nil, fmt.Errorf("mtproto: a plain message's length %d does not fit its %d bytes", n, len(frame)-20)
	}
	return frame[20 : 20+n], nil
}
