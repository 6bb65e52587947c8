package mtproto

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"testing"
	"time"

	"github.com/gotd/neo"
	"github.com/gotd/td/bin"

	"github.com/tgraw/tgraw/mt"
	"github.com/tgraw/tgraw/mtcrypto"
)

// FuzzIncoming feeds the connection's whole incoming path (decryption,
// every check, containers, gzip_packed, service messages, RPC results)
// with server messages built from the fuzzer's bytes: as the body of a
// correctly sealed message (the checks after msg_key and everything
// after them), or, with raw set, as the frame itself (the checks up to
// msg_key). Nothing may panic.
func FuzzIncoming(f *testing.F) {
	for _, seed := range fuzzSeeds() {
		f.Add(seed, int32(1), false)
		f.Add(seed, int32(0), false)
	}
	f.Add([]byte{}, int32(0), true)
	f.Add(bytes.Repeat([]byte{0}, 80), int32(0), true)

	key := fuzzKey()
	clk := neo.NewTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	f.Fuzz(func(t *testing.T, body []byte, seq int32, raw bool) {
		c, err := New(nil, Options{Key: key, Clock: clk, SessionID: 42, Rand: rand.Reader, MaxDropped: 1 << 30})
		if err != nil {
			t.Fatal(err)
		}
		// A call waiting, so that results and notifications find one.
		c.pending[MsgIDAt(clk.Now())&^3] = &request{name: "x", out: make(chan answer, 1)}
		c.sent.add(MsgIDAt(clk.Now())&^3, nil)
		frame := body
		if !raw {
			body = append(body, make([]byte, (4-len(body)%4)%4)...)
			frame, err = mtcrypto.Seal(key, mtcrypto.Server, mtcrypto.Header{
				SessionID: 42, MsgID: MsgIDAt(clk.Now()) | 1, SeqNo: seq,
			}, body, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
		}
		_ = c.handleFrame(frame)
	})
}

func fuzzKey() mtcrypto.AuthKey {
	b := make([]byte, 256)
	for i := range b {
		b[i] = byte(i * 7)
	}
	k, _ := mtcrypto.NewAuthKey(b)
	return k
}

// fuzzSeeds are bodies of every kind the read loop handles.
func fuzzSeeds() [][]byte {
	enc := func(v bin.Encoder) []byte {
		var b bin.Buffer
		_ = v.Encode(&b)
		return b.Buf
	}
	gz := func(p []byte) []byte {
		var z bytes.Buffer
		w := gzip.NewWriter(&z)
		_, _ = w.Write(p)
		_ = w.Close()
		return enc(&mt.GzipPacked{PackedData: z.Bytes()})
	}
	req := MsgIDAt(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) &^ 3
	result := func(p []byte) []byte {
		var b bin.Buffer
		b.PutID(mt.RpcResultTypeID)
		b.PutLong(req)
		b.Put(p)
		return b.Buf
	}
	upd := []byte{0x7e, 0xaf, 0x17, 0xe3} // updatesTooLong
	container := func(bodies ...[]byte) []byte {
		var msgs []message
		for i, b := range bodies {
			msgs = append(msgs, message{id: req + int64(i)*4 + 1, seq: 1, body: b})
		}
		return encodeContainer(msgs)
	}
	seeds := [][]byte{
		upd,
		result(enc(&mt.Pong{})),
		result(enc(&mt.RpcError{ErrorCode: 420, ErrorMessage: "FLOOD_WAIT_3"})),
		result(gz(enc(&mt.RpcError{ErrorCode: 400, ErrorMessage: "X"}))),
		gz(upd),
		gz(gz(upd)),
		enc(&mt.Pong{MsgID: req, PingID: 1}),
		enc(&mt.FutureSalts{ReqMsgID: req, Now: 1, Salts: []mt.FutureSalt{{ValidSince: 1, ValidUntil: 2, Salt: 3}}}),
		enc(&mt.BadServerSalt{BadMsgID: req, ErrorCode: 48, NewServerSalt: 5}),
		enc(&mt.BadMsgNotification{BadMsgID: req, ErrorCode: 16}),
		enc(&mt.BadMsgNotification{BadMsgID: req, ErrorCode: 17}),
		enc(&mt.BadMsgNotification{BadMsgID: req, ErrorCode: 33}),
		enc(&mt.BadMsgNotification{BadMsgID: req, ErrorCode: 64}),
		enc(&mt.NewSessionCreated{FirstMsgID: req, ServerSalt: 9}),
		enc(&mt.MsgsAck{MsgIDs: []int64{req}}),
		enc(&mt.MsgsStateReq{MsgIDs: []int64{1, 2}}),
		enc(&mt.MsgsStateInfo{ReqMsgID: req, Info: []byte{1}}),
		enc(&mt.MsgDetailedInfo{MsgID: 1, AnswerMsgID: 5}),
		enc(&mt.MsgNewDetailedInfo{AnswerMsgID: 5}),
		enc(&mt.MsgResendReq{MsgIDs: []int64{1}}),
		enc(&mt.DestroySessionOk{SessionID: 1}),
		container(upd, result(enc(&mt.Pong{})), gz(upd)),
		container(container(upd)),
	}
	return seeds
}
