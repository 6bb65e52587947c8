package mtproto_test

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/transport"

	"github.com/tgraw/tgraw/internal/mtprototest"
	"github.com/tgraw/tgraw/mt"
	"github.com/tgraw/tgraw/mtproto"
	"github.com/tgraw/tgraw/tg"
	"github.com/tgraw/tgraw/tgerr"
)

func TestInvoke(t *testing.T) {
	h := newHarness(t, nil)
	c := h.call()
	m := h.recv()
	if m.TypeID() != tg.HelpGetNearestDCRequestTypeID || m.SeqNo != 1 || m.Salt != 1111 || m.MsgID%4 != 0 {
		t.Errorf("server got %#x seqno %d msg_id %d, salt as sent: %v", m.TypeID(), m.SeqNo, m.MsgID, m.Salt == 1111)
	}
	h.answer(m, "NL")
	if res, err := c.wait(t); err != nil || res.Country != "NL" {
		t.Errorf("call: %+v, %v", res, err)
	}
	// The next call: a higher msg_id, the next odd seqno.
	c = h.call()
	m2 := h.recv()
	if m2.MsgID <= m.MsgID || m2.SeqNo != 3 {
		t.Errorf("second call: msg_id %d after %d, seqno %d, want higher and 3", m2.MsgID, m.MsgID, m2.SeqNo)
	}
	h.answer(m2, "DE")
	if _, err := c.wait(t); err != nil {
		t.Error(err)
	}
}

func TestRPCError(t *testing.T) {
	h := newHarness(t, nil)
	c := h.call()
	m := h.recv()
	h.send(h.srv.Header(true, 1), mtprototest.RPCResult(m.MsgID, encode(&mt.RpcError{ErrorCode: 420, ErrorMessage: "FLOOD_WAIT_30"})))
	_, err := c.wait(t)
	var rpcErr *tgerr.Error
	if !errors.As(err, &rpcErr) || rpcErr.Code != 420 || rpcErr.Type != "FLOOD_WAIT" || rpcErr.Argument != 30 {
		t.Fatalf("error %#v, want FLOOD_WAIT 30", err)
	}
	// An rpc_error packed in gzip_packed.
	c = h.call()
	m = h.recv()
	h.send(h.srv.Header(true, 1), mtprototest.RPCResult(m.MsgID, mtprototest.Gzip(encode(&mt.RpcError{ErrorCode: 400, ErrorMessage: "PEER_ID_INVALID"}))))
	if _, err := c.wait(t); !tgerr.Is(err, "PEER_ID_INVALID") {
		t.Errorf("gzipped rpc_error: %v", err)
	}
}

func TestGzip(t *testing.T) {
	h := newHarness(t, func(o *mtproto.Options) { o.CompressAbove = 64 })
	// A result in gzip_packed.
	c := h.call()
	m := h.recv()
	h.send(h.srv.Header(true, 1), mtprototest.RPCResult(m.MsgID, mtprototest.Gzip(encode(&tg.NearestDC{Country: "GZ"}))))
	if res, err := c.wait(t); err != nil || res.Country != "GZ" {
		t.Errorf("gzipped result: %+v, %v", res, err)
	}
	// An update in gzip_packed.
	upd := encode(&tg.UpdateShort{Update: &tg.UpdateConfig{}, Date: 5})
	h.send(h.srv.Header(false, 1), mtprototest.Gzip(upd))
	if got := h.update(); !bytes.Equal(got, upd) {
		t.Errorf("gzipped update: got %x", got)
	}
	// A query larger than CompressAbove goes out compressed, a small one
	// does not.
	done := make(chan error, 1)
	long := strings.Repeat("tgraw ", 100)
	go func() {
		var res tg.ContactsResolvedPeer
		done <- h.conn.Invoke(h.ctx, &tg.ContactsResolveUsernameRequest{Username: long}, &res)
	}()
	m = h.recv()
	var req tg.ContactsResolveUsernameRequest
	if !m.Gzip || m.Decode(&req) != nil || req.Username != long {
		t.Errorf("a long query: gzip %v, decoded %q", m.Gzip, req.Username)
	}
	h.send(h.srv.Header(true, 1), mtprototest.RPCResult(m.MsgID, encode(&mt.RpcError{ErrorCode: 400, ErrorMessage: "USERNAME_INVALID"})))
	<-done
	c = h.call()
	if m := h.recv(); m.Gzip {
		t.Error("a short query went out compressed")
	}
	_ = c
	// A gzip_packed that unpacks to nothing sensible is dropped.
	h.send(h.srv.Header(false, 1), encode(&mt.GzipPacked{PackedData: []byte("not gzip")}))
	if reason := h.waitDrop(1); !strings.Contains(reason, "gzip") {
		t.Errorf("bad gzip: dropped because %q", reason)
	}
}

// TestContainerIn checks a container from the server: two answers and
// an update, each acknowledged (odd seqnos) once, and the container not.
func TestContainerIn(t *testing.T) {
	h := newHarness(t, nil)
	c1 := h.call()
	m1 := h.recv()
	c2 := h.call()
	m2 := h.recv()
	upd := encode(&tg.UpdatesTooLong{})
	ids := []int64{h.srv.NextID(true), h.srv.NextID(true), h.srv.NextID(false)}
	container := h.srv.Header(false, 6)
	h.send(container, mtprototest.Container(
		mtprototest.InnerMessage{MsgID: ids[0], SeqNo: 1, Body: resultBody(m1, "A")},
		mtprototest.InnerMessage{MsgID: ids[1], SeqNo: 3, Body: resultBody(m2, "B")},
		mtprototest.InnerMessage{MsgID: ids[2], SeqNo: 5, Body: upd},
	))
	if res, err := c1.wait(t); err != nil || res.Country != "A" {
		t.Errorf("first call: %+v %v", res, err)
	}
	if res, err := c2.wait(t); err != nil || res.Country != "B" {
		t.Errorf("second call: %+v %v", res, err)
	}
	if got := h.update(); !bytes.Equal(got, upd) {
		t.Error("the update differs")
	}
	// The acks ride along with the next call.
	c3 := h.call()
	m3 := h.recv()
	if m3.Container == 0 {
		t.Error("the call did not come in a container with the acks")
	}
	if !equalIDs(h.srv.Acks, ids) {
		t.Errorf("acks %v, want %v (not the container %d)", h.srv.Acks, ids, container.MsgID)
	}
	if m3.Container <= m3.MsgID {
		t.Error("the container's msg_id is not above its message's")
	}
	h.answer(m3, "C")
	if _, err := c3.wait(t); err != nil {
		t.Error(err)
	}
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestContainerOut checks that calls queued together go out in one
// container, with increasing msg_ids and seqnos, and the container's
// msg_id above them.
func TestContainerOut(t *testing.T) {
	clientEnd, serverEnd := transport.Intermediate.Pipe()
	key := mtprototest.RandomKey()
	conn, err := mtproto.New(clientEnd, mtproto.Options{Key: key, PingInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	// Three calls queued before Run starts the writer.
	results := make(chan error, 3)
	for range 3 {
		go func() {
			var res tg.NearestDC
			results <- conn.Invoke(ctx, &tg.HelpGetNearestDCRequest{}, &res)
		}()
	}
	for mtproto.QueueLen(conn) < 3 {
		runtime.Gosched() // until the goroutines have queued their calls
	}
	runCtx, stop := context.WithCancel(ctx)
	runErr := make(chan error, 1)
	go func() { runErr <- conn.Run(runCtx) }()
	srv := mtprototest.NewSession(serverEnd, key, nil)
	var got []mtprototest.Message
	for range 3 {
		m, err := srv.RecvCall(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, m)
	}
	for i, m := range got {
		if m.Container == 0 || m.Container != got[0].Container {
			t.Fatalf("call %d came in container %d, want all in one", i, m.Container)
		}
		if i > 0 && (m.MsgID <= got[i-1].MsgID || m.SeqNo <= got[i-1].SeqNo) {
			t.Errorf("call %d: msg_id %d seqno %d after %d %d", i, m.MsgID, m.SeqNo, got[i-1].MsgID, got[i-1].SeqNo)
		}
		if m.Container <= m.MsgID {
			t.Errorf("container msg_id %d not above %d", m.Container, m.MsgID)
		}
		if err := srv.Result(ctx, m, &tg.NearestDC{}); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		if err := <-results; err != nil {
			t.Error(err)
		}
	}
	stop()
	<-runErr
}

// TestAcks checks acknowledgements: a content-related message is
// acknowledged AckDelay later when nothing else is sent, and 16 waiting
// ones are sent at once; a message that is not content-related is not.
func TestAcks(t *testing.T) {
	h := newHarness(t, func(o *mtproto.Options) { o.AckDelay = 10 * time.Second })
	upd := encode(&tg.UpdatesTooLong{})
	id, err := h.srv.Push(h.ctx, &tg.UpdatesTooLong{})
	if err != nil {
		t.Fatal(err)
	}
	h.update()
	h.waitTimer() // the ack timer
	h.clock.Travel(10 * time.Second)
	m, err := h.srv.Recv(h.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ack mt.MsgsAck
	if m.Decode(&ack) != nil || !equalIDs(ack.MsgIDs, []int64{id}) || m.SeqNo%2 != 0 {
		t.Fatalf("got %#x %+v seqno %d, want msgs_ack of %d with an even seqno", m.TypeID(), ack, m.SeqNo, id)
	}

	// Not content-related (even seqno): no ack.
	h.send(h.srv.Header(false, 2), upd)
	h.update()
	// Sixteen content-related ones: acknowledged at once.
	var want []int64
	for range 16 {
		hdr := h.srv.Header(false, 1)
		want = append(want, hdr.MsgID)
		h.send(hdr, upd)
		h.update()
	}
	m, err = h.srv.Recv(h.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if m.Decode(&ack) != nil || !equalIDs(ack.MsgIDs, want) {
		t.Errorf("got %#x %v, want msgs_ack of the 16", m.TypeID(), ack.MsgIDs)
	}
}

// TestBadServerSalt checks bad_server_salt: the call is sent again with a
// new msg_id and the new salt, which the connection keeps.
func TestBadServerSalt(t *testing.T) {
	h := newHarness(t, nil)
	c := h.call()
	m := h.recv()
	h.send(h.srv.Header(false, 0), encode(&mt.BadServerSalt{BadMsgID: m.MsgID, BadMsgSeqno: int(m.SeqNo), ErrorCode: 48, NewServerSalt: 2222}))
	m2 := h.recv()
	if m2.MsgID <= m.MsgID || m2.Salt != 2222 || m2.TypeID() != tg.HelpGetNearestDCRequestTypeID {
		t.Errorf("re-sent with msg_id %d (was %d), new salt used: %v; want a new msg_id and the new salt", m2.MsgID, m.MsgID, m2.Salt == 2222)
	}
	if st := <-h.states; st.Salt != 2222 {
		t.Error("OnState reports another salt than the one the server sent")
	}
	h.answer(m2, "OK")
	if res, err := c.wait(t); err != nil || res.Country != "OK" {
		t.Errorf("call: %+v, %v", res, err)
	}
	if h.conn.State().Salt != 2222 {
		t.Error("the new salt was not kept")
	}
}

// TestBadServerSaltContainer checks bad_server_salt about a container:
// every call in it is sent again.
func TestBadServerSaltContainer(t *testing.T) {
	h := newHarness(t, nil)
	h.send(h.srv.Header(false, 1), encode(&tg.UpdatesTooLong{}))
	h.update()
	c := h.call()
	m := h.recv() // with the ack, in a container
	if m.Container == 0 {
		t.Fatal("no container")
	}
	h.send(h.srv.Header(false, 0), encode(&mt.BadServerSalt{BadMsgID: m.Container, ErrorCode: 48, NewServerSalt: 3333}))
	m2 := h.recv()
	if m2.TypeID() != tg.HelpGetNearestDCRequestTypeID || m2.Salt != 3333 {
		t.Errorf("re-sent %#x, new salt used: %v", m2.TypeID(), m2.Salt == 3333)
	}
	h.answer(m2, "OK")
	if _, err := c.wait(t); err != nil {
		t.Error(err)
	}
}

// TestBadMsgTime checks codes 16 and 17: the clock offset is taken from
// the notification's msg_id and the call is sent again with a msg_id of
// the corrected clock, even when the notification's time is outside the
// window of the uncorrected one.
func TestBadMsgTime(t *testing.T) {
	h := newHarness(t, nil)
	h.srv.Now = func() time.Time { return h.clock.Now().Add(10 * time.Minute) }
	c := h.call()
	m := h.recv()
	h.send(h.srv.Header(false, 0), encode(&mt.BadMsgNotification{BadMsgID: m.MsgID, BadMsgSeqno: int(m.SeqNo), ErrorCode: 16}))
	m2 := h.recv()
	if d := mtproto.MsgIDTime(m2.MsgID).Sub(h.clock.Now()); d < 9*time.Minute || d > 11*time.Minute {
		t.Errorf("re-sent msg_id is %v from the local clock, want 10m", d)
	}
	if m2.SessionID != m.SessionID {
		t.Error("a forward correction changed the session")
	}
	h.answer(m2, "OK")
	if _, err := c.wait(t); err != nil {
		t.Fatal(err)
	}
	if off := h.conn.State().TimeOffset; off < 9*time.Minute || off > 11*time.Minute {
		t.Errorf("TimeOffset %v, want 10m", off)
	}
}

// TestBadMsgTimeBack checks code 17 with a clock that was ahead: correct
// msg_ids would be below those sent, so the call goes out in a new
// session; answers of the old session are still taken.
func TestBadMsgTimeBack(t *testing.T) {
	h := newHarness(t, func(o *mtproto.Options) { o.TimeOffset = 10 * time.Minute })
	other := h.call()
	mo := h.recv()
	c := h.call()
	m := h.recv()
	h.send(h.srv.Header(false, 0), encode(&mt.BadMsgNotification{BadMsgID: m.MsgID, BadMsgSeqno: int(m.SeqNo), ErrorCode: 17}))
	m2 := h.recv()
	if m2.SessionID == m.SessionID {
		t.Error("the session did not change")
	}
	if d := mtproto.MsgIDTime(m2.MsgID).Sub(h.clock.Now()); d < -time.Second || d > time.Second {
		t.Errorf("re-sent msg_id is %v from the server's clock", d)
	}
	if m2.SeqNo != 1 {
		t.Errorf("seqno %d in the new session, want 1", m2.SeqNo)
	}
	// The first call is answered in the old session.
	oldSession := h.srv.SessionID
	h.answer(mo, "OLD")
	if res, err := other.wait(t); err != nil || res.Country != "OLD" {
		t.Errorf("the old session's answer: %+v %v", res, err)
	}
	h.srv.SessionID = m2.SessionID
	h.answer(m2, "NEW")
	if res, err := c.wait(t); err != nil || res.Country != "NEW" {
		t.Errorf("the new session's answer: %+v %v", res, err)
	}
	_ = oldSession
}

// TestBadMsgSeqno checks codes 32 and 33: a new session, the call sent
// again.
func TestBadMsgSeqno(t *testing.T) {
	for _, code := range []int{32, 33} {
		h := newHarness(t, nil)
		c := h.call()
		m := h.recv()
		h.send(h.srv.Header(false, 0), encode(&mt.BadMsgNotification{BadMsgID: m.MsgID, BadMsgSeqno: int(m.SeqNo), ErrorCode: code}))
		m2 := h.recv()
		if m2.SessionID == m.SessionID || m2.SeqNo != 1 || m2.MsgID <= m.MsgID {
			t.Errorf("code %d: re-sent in session changed=%v seqno %d", code, m2.SessionID != m.SessionID, m2.SeqNo)
		}
		h.srv.SessionID = m2.SessionID
		h.answer(m2, "OK")
		if _, err := c.wait(t); err != nil {
			t.Errorf("code %d: %v", code, err)
		}
	}
}

// TestBadMsgFatal checks the codes re-sending cannot fix: the call fails
// with a *BadMsgError.
func TestBadMsgFatal(t *testing.T) {
	for _, code := range []int{18, 19, 20, 34, 35, 64} {
		h := newHarness(t, nil)
		c := h.call()
		m := h.recv()
		h.send(h.srv.Header(false, 0), encode(&mt.BadMsgNotification{BadMsgID: m.MsgID, BadMsgSeqno: int(m.SeqNo), ErrorCode: code}))
		_, err := c.wait(t)
		var bad *mtproto.BadMsgError
		if !errors.As(err, &bad) || bad.Code != code || !strings.Contains(err.Error(), "help.getNearestDc") {
			t.Errorf("code %d: %v", code, err)
		}
	}
}

// TestBadMsgUnknown checks that a notification about a message the client
// did not send is dropped and changes nothing.
func TestBadMsgUnknown(t *testing.T) {
	h := newHarness(t, nil)
	c := h.call()
	m := h.recv()
	h.send(h.srv.Header(false, 0), encode(&mt.BadServerSalt{BadMsgID: m.MsgID + 4000, ErrorCode: 48, NewServerSalt: 9}))
	if reason := h.waitDrop(1); !strings.Contains(reason, "not sent recently") {
		t.Errorf("dropped because %q", reason)
	}
	if h.conn.State().Salt != 1111 {
		t.Error("the salt changed")
	}
	h.answer(m, "OK")
	if _, err := c.wait(t); err != nil {
		t.Error(err)
	}
}

func TestNewSessionCreated(t *testing.T) {
	h := newHarness(t, nil)
	id, err := h.srv.Push(h.ctx, &mt.NewSessionCreated{FirstMsgID: 4, UniqueID: 5, ServerSalt: 4444})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-h.sessions:
	case <-h.ctx.Done():
		t.Fatal("OnSession was not called")
	}
	if h.conn.State().Salt != 4444 {
		t.Error("the salt of new_session_created was not taken")
	}
	c := h.call()
	h.recv()
	if !equalIDs(h.srv.Acks, []int64{id}) {
		t.Errorf("acks %v, want new_session_created's %d", h.srv.Acks, id)
	}
	_ = c
}

// TestPingsAndSalts checks the ping loop: ping_delay_disconnect each
// PingInterval with a disconnect delay of interval + timeout, then
// get_future_salts, whose salt the next message uses once valid.
func TestPingsAndSalts(t *testing.T) {
	h := newHarness(t, func(o *mtproto.Options) {
		o.PingInterval = time.Minute
		o.PingTimeout = 15 * time.Second
	})
	h.waitTimer() // the ping ticker
	h.clock.Travel(time.Minute)
	m := h.recv()
	var ping mt.PingDelayDisconnectRequest
	if m.Decode(&ping) != nil || ping.DisconnectDelay != 75 {
		t.Fatalf("got %#x %+v, want ping_delay_disconnect with 75", m.TypeID(), ping)
	}
	h.send(h.srv.Header(true, 0), encode(&mt.Pong{MsgID: m.MsgID, PingID: ping.PingID}))
	m = h.recv()
	var req mt.GetFutureSaltsRequest
	if m.Decode(&req) != nil {
		t.Fatalf("got %#x, want get_future_salts", m.TypeID())
	}
	now := int(h.clock.Now().Unix())
	h.send(h.srv.Header(true, 0), encode(&mt.FutureSalts{ReqMsgID: m.MsgID, Now: now, Salts: []mt.FutureSalt{
		{ValidSince: now - 10, ValidUntil: now + 1800, Salt: 5555},
		{ValidSince: now + 1800, ValidUntil: now + 3600, Salt: 6666},
	}}))
	for st := range h.states {
		if st.Salt == 5555 {
			break
		}
	}
	c := h.call()
	if m := h.recv(); m.Salt != 5555 {
		t.Error("the message carries another salt than the one the server sent")
	}
	_ = c
}

func TestPingTimeout(t *testing.T) {
	h := newHarness(t, func(o *mtproto.Options) {
		o.PingInterval = time.Minute
		o.PingTimeout = 15 * time.Second
	})
	h.waitTimer() // the ping ticker
	h.clock.Travel(time.Minute)
	h.recv() // the ping, unanswered; its timer is set before it is sent
	h.clock.Travel(15 * time.Second)
	select {
	case err := <-h.runErr:
		if !errors.Is(err, mtproto.ErrPingTimeout) {
			t.Errorf("Run: %v, want ErrPingTimeout", err)
		}
		h.runErr <- err
	case <-h.ctx.Done():
		t.Fatal("Run did not end")
	}
}

// TestTransportErrorFrame checks that a transport error frame ends Run
// with a *TransportError: it pins the conversion of gotd/td's codec error.
func TestTransportErrorFrame(t *testing.T) {
	h := newHarness(t, nil)
	var b bin.Buffer
	b.PutInt32(-404)
	if err := h.srv.Conn.Send(h.ctx, &b); err != nil {
		t.Fatal(err)
	}
	err := <-h.runErr
	h.runErr <- err
	var te *mtproto.TransportError
	if !errors.As(err, &te) || te.Code != 404 {
		t.Fatalf("Run: %v, want transport error 404", err)
	}
}

// TestClose checks that calls waiting when the connection ends fail with
// ErrClosed and the cause, and that later calls fail at once.
func TestClose(t *testing.T) {
	h := newHarness(t, nil)
	c := h.call()
	h.recv()
	_ = h.srv.Conn.Close()
	if _, err := c.wait(t); !errors.Is(err, mtproto.ErrClosed) {
		t.Errorf("waiting call: %v", err)
	}
	<-h.conn.Done()
	var res tg.NearestDC
	if err := h.conn.Invoke(context.Background(), &tg.HelpGetNearestDCRequest{}, &res); !errors.Is(err, mtproto.ErrClosed) {
		t.Errorf("call after the end: %v", err)
	}
}

// TestCallerGone checks that an answer to a call whose context ended is
// dropped without harm.
func TestCallerGone(t *testing.T) {
	h := newHarness(t, nil)
	ctx, cancel := context.WithCancel(h.ctx)
	done := make(chan error, 1)
	go func() {
		var res tg.NearestDC
		done <- h.conn.Invoke(ctx, &tg.HelpGetNearestDCRequest{}, &res)
	}()
	m := h.recv()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled call: %v", err)
	}
	h.answer(m, "LATE")
	c := h.call()
	m2 := h.recv()
	h.answer(m2, "NOW")
	if res, err := c.wait(t); err != nil || res.Country != "NOW" {
		t.Errorf("next call: %+v, %v", res, err)
	}
}

// TestMsgsStateReq checks the answer to msgs_state_req: one byte per
// msg_id, "nothing known".
func TestMsgsStateReq(t *testing.T) {
	h := newHarness(t, nil)
	id, _ := h.srv.Push(h.ctx, &mt.MsgsStateReq{MsgIDs: []int64{1, 2, 3}})
	m := h.recv()
	var info mt.MsgsStateInfo
	if m.Decode(&info) != nil || info.ReqMsgID != id || !bytes.Equal(info.Info, []byte{1, 1, 1}) {
		t.Errorf("got %#x %+v", m.TypeID(), info)
	}
}

// TestNoKeyMaterialInLogs runs a session with every kind of event and
// checks that the debug log holds no key bytes, salt or session_id.
func TestNoKeyMaterialInLogs(t *testing.T) {
	h := newHarness(t, nil)
	c := h.call()
	m := h.recv()
	h.send(h.srv.Header(false, 0), encode(&mt.BadServerSalt{BadMsgID: m.MsgID, ErrorCode: 48, NewServerSalt: 777777777}))
	m = h.recv()
	f := h.srv.Seal(h.srv.Header(true, 1), resultBody(m, "X"))
	f[10] ^= 1
	h.sendFrame(f)
	h.waitDrop(1)
	h.answer(m, "OK")
	if _, err := c.wait(t); err != nil {
		t.Fatal(err)
	}
	text := h.logs.text()
	st := h.conn.State()
	for _, secret := range []string{
		strconv.FormatInt(st.SessionID, 10), strconv.FormatUint(uint64(st.SessionID), 16),
		"777777777", "1111",
	} {
		if strings.Contains(text, secret) {
			t.Errorf("the log shows a session_id or salt")
		}
	}
	kb := h.key.Bytes()
	for _, form := range []string{string(kb[:8]), strconv.Quote(string(kb[:8]))} {
		if strings.Contains(text, form) {
			t.Error("the log shows key bytes")
		}
	}
}
