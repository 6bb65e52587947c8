package mtprototest

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/aes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/gotd/ige"
	"github.com/gotd/td/bin"
	"github.com/gotd/td/transport"

	"github.com/tgraw/tgraw/mt"
	"github.com/tgraw/tgraw/mtcrypto"
)

// Message is a message from the client, as the server got it.
type Message struct {
	MsgID     int64
	SeqNo     int32
	Salt      int64
	SessionID int64
	Body      []byte // without gzip_packed
	// Container is the msg_id of the container the message came in, 0
	// if it came alone.
	Container int64
	// Gzip reports a message that came as gzip_packed.
	Gzip bool
}

// TypeID returns the ID of the message's constructor.
func (m Message) TypeID() uint32 {
	id, _ := (&bin.Buffer{Buf: m.Body}).PeekID()
	return id
}

// Decode decodes the message's body into v.
func (m Message) Decode(v bin.Decoder) error { return v.Decode(&bin.Buffer{Buf: m.Body}) }

// Session is the server's side of an encrypted connection: it reads the
// client's messages and sends its own, each value chosen by the test.
type Session struct {
	Conn transport.Conn
	Key  mtcrypto.AuthKey
	// Now is the server's clock; time.Now if nil.
	Now func() time.Time
	// Salt goes in the server's messages (clients do not check it).
	Salt int64
	// SessionID is the client's session: set by the first message
	// received, or by the test.
	SessionID int64
	// Acks are the msg_ids the client acknowledged, in order.
	Acks []int64

	ids   *serverIDs
	queue []Message
}

// NewSession returns the server's side of conn with key.
func NewSession(conn transport.Conn, key mtcrypto.AuthKey, now func() time.Time) *Session {
	if now == nil {
		now = time.Now
	}
	return &Session{Conn: conn, Key: key, Now: now, ids: &serverIDs{}}
}

// RandomKey returns a random auth key.
func RandomKey() mtcrypto.AuthKey {
	b := make([]byte, 256)
	_, _ = rand.Read(b)
	k, _ := mtcrypto.NewAuthKey(b)
	return k
}

// Recv returns the client's next message; containers and gzip_packed are
// unpacked into the messages they hold.
func (s *Session) Recv(ctx context.Context) (Message, error) {
	for len(s.queue) == 0 {
		var b bin.Buffer
		if err := s.Conn.Recv(ctx, &b); err != nil {
			return Message{}, err
		}
		h, body, err := mtcrypto.Open(s.Key, mtcrypto.Client, b.Buf)
		if err != nil {
			return Message{}, fmt.Errorf("client message: %w", err)
		}
		if h.MsgID%4 != 0 {
			return Message{}, fmt.Errorf("client msg_id %d is not divisible by 4", h.MsgID)
		}
		if s.SessionID == 0 {
			s.SessionID = h.SessionID
		}
		m := Message{MsgID: h.MsgID, SeqNo: h.SeqNo, Salt: h.Salt, SessionID: h.SessionID, Body: body}
		if m.TypeID() != mt.MsgContainerTypeID {
			s.queue = append(s.queue, unzip(m))
			continue
		}
		// The bodies are read raw: the container's messages hold API
		// values that package mt cannot decode.
		inner, err := rawContainer(body)
		if err != nil {
			return Message{}, err
		}
		for _, in := range inner {
			if in.MsgID >= m.MsgID {
				return Message{}, fmt.Errorf("container %d holds message %d, not lower", m.MsgID, in.MsgID)
			}
			in.Salt, in.SessionID, in.Container = m.Salt, m.SessionID, m.MsgID
			s.queue = append(s.queue, unzip(in))
		}
	}
	m := s.queue[0]
	s.queue = s.queue[1:]
	return m, nil
}

func rawContainer(body []byte) ([]Message, error) {
	b := &bin.Buffer{Buf: body}
	_ = b.ConsumeID(mt.MsgContainerTypeID)
	n, err := b.Int()
	if err != nil {
		return nil, err
	}
	var out []Message
	for range n {
		id, err := b.Long()
		if err != nil {
			return nil, err
		}
		seq, err := b.Int32()
		if err != nil {
			return nil, err
		}
		l, err := b.Int()
		if err != nil || l > b.Len() {
			return nil, errors.New("container: bad length")
		}
		out = append(out, Message{MsgID: id, SeqNo: seq, Body: b.Buf[:l]})
		b.Skip(l)
	}
	return out, nil
}

func unzip(m Message) Message {
	if m.TypeID() != mt.GzipPackedTypeID {
		return m
	}
	var p mt.GzipPacked
	if err := m.Decode(&p); err != nil {
		return m
	}
	r, err := gzip.NewReader(bytes.NewReader(p.PackedData))
	if err != nil {
		return m
	}
	body, err := io.ReadAll(r)
	if err != nil {
		return m
	}
	m.Body, m.Gzip = body, true
	return m
}

// RecvCall returns the client's next message that is not msgs_ack; the
// acknowledged msg_ids go to Acks.
func (s *Session) RecvCall(ctx context.Context) (Message, error) {
	for {
		m, err := s.Recv(ctx)
		if err != nil {
			return m, err
		}
		if m.TypeID() != mt.MsgsAckTypeID {
			return m, nil
		}
		var a mt.MsgsAck
		if err := m.Decode(&a); err != nil {
			return m, err
		}
		s.Acks = append(s.Acks, a.MsgIDs...)
	}
}

// NextID returns a new server msg_id: 1 mod 4 for a response, 3 mod 4
// otherwise.
func (s *Session) NextID(response bool) int64 { return s.ids.next(s.Now(), response) }

// Header returns the header of a server message with a new msg_id.
func (s *Session) Header(response bool, seq int32) mtcrypto.Header {
	return mtcrypto.Header{Salt: s.Salt, SessionID: s.SessionID, MsgID: s.NextID(response), SeqNo: seq}
}

// Encode encodes v.
func Encode(v bin.Encoder) []byte {
	var b bin.Buffer
	if err := v.Encode(&b); err != nil {
		panic(err)
	}
	return b.Buf
}

// Seal seals a server message.
func (s *Session) Seal(h mtcrypto.Header, body []byte) []byte {
	frame, err := mtcrypto.Seal(s.Key, mtcrypto.Server, h, body, rand.Reader)
	if err != nil {
		panic(err)
	}
	return frame
}

// SendFrame sends a frame as it is.
func (s *Session) SendFrame(ctx context.Context, frame []byte) error {
	var b bin.Buffer
	b.Put(frame)
	return s.Conn.Send(ctx, &b)
}

// Send sends body in a message with header h.
func (s *Session) Send(ctx context.Context, h mtcrypto.Header, body []byte) error {
	return s.SendFrame(ctx, s.Seal(h, body))
}

// Push sends v as a message of the server's own (an update), content
// related, and returns its msg_id.
func (s *Session) Push(ctx context.Context, v bin.Encoder) (int64, error) {
	h := s.Header(false, 1)
	return h.MsgID, s.Send(ctx, h, Encode(v))
}

// Result answers the call m with an rpc_result holding v.
func (s *Session) Result(ctx context.Context, m Message, v bin.Encoder) error {
	return s.Send(ctx, s.Header(true, 1), RPCResult(m.MsgID, Encode(v)))
}

// RPCResult encodes rpc_result with a result already encoded.
func RPCResult(reqMsgID int64, result []byte) []byte {
	var b bin.Buffer
	b.PutID(mt.RpcResultTypeID)
	b.PutLong(reqMsgID)
	b.Put(result)
	return b.Buf
}

// Gzip encodes body as gzip_packed.
func Gzip(body []byte) []byte {
	var z bytes.Buffer
	w := gzip.NewWriter(&z)
	_, _ = w.Write(body)
	_ = w.Close()
	return Encode(&mt.GzipPacked{PackedData: z.Bytes()})
}

// InnerMessage is a message of a container the server sends.
type InnerMessage struct {
	MsgID int64
	SeqNo int32
	Body  []byte
}

// Container encodes msg_container.
func Container(msgs ...InnerMessage) []byte {
	var b bin.Buffer
	b.PutID(mt.MsgContainerTypeID)
	b.PutInt(len(msgs))
	for _, m := range msgs {
		b.PutLong(m.MsgID)
		b.PutInt32(m.SeqNo)
		b.PutInt(len(m.Body))
		b.Put(m.Body)
	}
	return b.Buf
}

// SealPlain seals a plaintext the test wrote whole (header, length,
// data, padding; a multiple of 16 bytes), with a correct msg_key: what a
// server could send, right or wrong inside.
func (s *Session) SealPlain(plain []byte) []byte {
	msgKey := mtcrypto.MessageKey(s.Key, mtcrypto.Server, plain)
	key, iv := mtcrypto.MessageKeys(s.Key, mtcrypto.Server, msgKey)
	block, err := aes.NewCipher(key[:])
	if err != nil {
		panic(err)
	}
	enc := make([]byte, len(plain))
	ige.EncryptBlocks(block, iv[:], enc, plain)
	var b bin.Buffer
	b.PutLong(s.Key.ID())
	b.Put(msgKey[:])
	b.Put(enc)
	return b.Buf
}

// Plain writes a plaintext: header, message_data_length (as given), data
// and padding bytes.
func Plain(h mtcrypto.Header, dataLen int32, data []byte, padding int) []byte {
	var b bin.Buffer
	b.PutLong(h.Salt)
	b.PutLong(h.SessionID)
	b.PutLong(h.MsgID)
	b.PutInt32(h.SeqNo)
	b.PutInt32(dataLen)
	b.Put(data)
	b.Put(make([]byte, padding))
	return b.Buf
}
