package mtproto

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/gotd/td/bin"

	"github.com/tgraw/tgraw/mt"
	"github.com/tgraw/tgraw/tgerr"
)

// request is a call: its encoded body and where its answer goes. Its
// msg_id changes each time it is sent again.
type request struct {
	body    []byte
	name    string // the TL name of the query, for logs and errors
	msgID   int64  // the msg_id of its last sending, 0 before the first
	seq     int32  // the seqno of its last sending
	session int64  // the session of its last sending
	out     chan answer
}

type answer struct {
	body []byte
	err  error
}

// deliver hands the answer to the caller, once.
func (r *request) deliver(body []byte, err error) {
	select {
	case r.out <- answer{body, err}:
	default:
	}
}

// outgoing is a message for the writer: a call, or a message that
// expects no answer (msgs_ack, msgs_state_info).
type outgoing struct {
	req     *request // nil for a message with no answer
	body    []byte
	content bool // content-related: odd seqno
	// resend marks a call sent on a transport that dropped before its
	// answer came: it goes again under its msg_id if it can.
	resend bool
}

// Invoke sends input and decodes its answer into output. It returns the
// server's rpc_error as a *tgerr.Error, ctx's error when ctx ends first
// (a late answer is then dropped), and an error wrapping ErrClosed when
// the connection stops first.
func (c *Conn) Invoke(ctx context.Context, input bin.Encoder, output bin.Decoder) error {
	var b bin.Buffer
	if err := input.Encode(&b); err != nil {
		return fmt.Errorf("mtproto: encode %T: %w", input, err)
	}
	req := &request{body: c.compress(b.Buf), name: c.typeName(b.Buf), out: make(chan answer, 1)}

	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return fmt.Errorf("%w: %w", ErrClosed, c.err)
	}
	c.queue = append(c.queue, &outgoing{req: req, body: req.body, content: true})
	c.mu.Unlock()
	c.signal(c.wake)

	select {
	case a := <-req.out:
		if a.err != nil {
			return a.err
		}
		if err := output.Decode(&bin.Buffer{Buf: a.body}); err != nil {
			return fmt.Errorf("mtproto: decode the result of %s: %w", req.name, err)
		}
		return nil
	case <-ctx.Done():
		c.forget(req)
		return ctx.Err()
	}
}

// forget drops a call whose caller has gone: it is no longer sent, and
// its answer, if one comes, is dropped.
func (c *Conn) forget(req *request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if req.msgID != 0 && c.pending[req.msgID] == req {
		delete(c.pending, req.msgID)
	}
	for i, o := range c.queue {
		if o.req == req {
			c.queue = append(c.queue[:i], c.queue[i+1:]...)
			break
		}
	}
}

// signal wakes a loop waiting on ch (a channel of capacity 1).
func (c *Conn) signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// answered hands an answer to the call sent as msgID and reports whether
// there was one.
func (c *Conn) answered(msgID int64, body []byte, err error) bool {
	c.mu.Lock()
	req := c.pending[msgID]
	delete(c.pending, msgID)
	c.mu.Unlock()
	if req == nil {
		return false
	}
	req.deliver(body, err)
	return true
}

// rpcResult handles rpc_result: req_msg_id, then the result, which may be
// an rpc_error or gzip_packed.
func (c *Conn) rpcResult(b *bin.Buffer) {
	if err := b.ConsumeID(mt.RpcResultTypeID); err != nil {
		c.drop(0, "undecodable rpc_result")
		return
	}
	reqID, err := b.Long()
	if err != nil {
		c.drop(0, "undecodable rpc_result")
		return
	}
	body, err := resultBody(b.Buf)
	if !c.answered(reqID, body, err) {
		c.log.Debug("mtproto: rpc_result for no waiting call (its caller has gone)", "req_msg_id", reqID)
	}
}

// resultBody turns an rpc_result's result into what Invoke decodes: the
// bytes of the result, or an error for rpc_error.
func resultBody(raw []byte) ([]byte, error) {
	id, err := (&bin.Buffer{Buf: raw}).PeekID()
	if err != nil {
		return nil, fmt.Errorf("mtproto: empty rpc_result")
	}
	switch id {
	case mt.GzipPackedTypeID:
		inner, err := gunzip(raw)
		if err != nil {
			return nil, err
		}
		return resultBody(inner)
	case mt.RpcErrorTypeID:
		var e mt.RpcError
		if err := e.Decode(&bin.Buffer{Buf: raw}); err != nil {
			return nil, fmt.Errorf("mtproto: undecodable rpc_error: %w", err)
		}
		return nil, tgerr.New(e.ErrorCode, e.ErrorMessage)
	}
	return bytes.Clone(raw), nil
}

// maxUnpacked bounds what a gzip_packed may unpack to: more than the
// largest frame the transport accepts (16 MiB), with room to spare.
const maxUnpacked = 64 << 20

var errTooLarge = errors.New("mtproto: gzip_packed unpacks to more than 64 MiB")

// gunzip unpacks a gzip_packed (with its constructor ID).
func gunzip(raw []byte) ([]byte, error) {
	var p mt.GzipPacked
	if err := p.Decode(&bin.Buffer{Buf: raw}); err != nil {
		return nil, fmt.Errorf("mtproto: undecodable gzip_packed: %w", err)
	}
	r, err := gzip.NewReader(bytes.NewReader(p.PackedData))
	if err != nil {
		return nil, fmt.Errorf("mtproto: gzip_packed: %w", err)
	}
	out, err := io.ReadAll(io.LimitReader(r, maxUnpacked+1))
	if err != nil {
		return nil, fmt.Errorf("mtproto: gzip_packed: %w", err)
	}
	if len(out) > maxUnpacked {
		return nil, errTooLarge
	}
	return out, nil
}

// compress returns body as gzip_packed when it is longer than
// CompressAbove and that is smaller.
func (c *Conn) compress(body []byte) []byte {
	if c.opts.CompressAbove < 0 || len(body) <= c.opts.CompressAbove {
		return body
	}
	var z bytes.Buffer
	w, _ := gzip.NewWriterLevel(&z, gzip.BestSpeed)
	_, _ = w.Write(body)
	if err := w.Close(); err != nil {
		return body
	}
	var b bin.Buffer
	if err := (&mt.GzipPacked{PackedData: z.Bytes()}).Encode(&b); err != nil || b.Len() >= len(body) {
		return body
	}
	return b.Buf
}

// typeName names the constructor a TL value starts with.
func (c *Conn) typeName(b []byte) string {
	id, err := (&bin.Buffer{Buf: b}).PeekID()
	if err != nil {
		return "an empty value"
	}
	if name := mt.Name(id); name != "" {
		return name
	}
	if c.opts.Names != nil {
		if name := c.opts.Names(id); name != "" {
			return name
		}
	}
	return fmt.Sprintf("#%08x", id)
}
