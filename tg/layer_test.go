package tg_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/gotd/td/bin"

	"github.com/tgraw/tgraw/tg"
)

// requestLog is an Invoker that keeps the bytes of every request and
// answers none.
type requestLog [][]byte

func (l *requestLog) Invoke(_ context.Context, input bin.Encoder, _ bin.Decoder) error {
	var b bin.Buffer
	if err := input.Encode(&b); err != nil {
		return err
	}
	*l = append(*l, b.Buf)
	return nil
}

// TestLayerInvoker checks the bytes LayerInvoker and WithLayer send: the
// call inside invokeWithLayer(Layer, call), once even when wrapped twice,
// and a call that already is invokeWithLayer as it is.
func TestLayerInvoker(t *testing.T) {
	var log requestLog
	inv := tg.LayerInvoker(tg.LayerInvoker(&log))
	ctx := context.Background()
	call := &tg.HelpGetConfigRequest{}
	own := &tg.InvokeWithLayerRequest{Layer: 7, Query: call}
	if err := inv.Invoke(ctx, call, nil); err != nil {
		t.Fatal(err)
	}
	if err := inv.Invoke(ctx, own, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := tg.NewClient(&log, tg.WithLayer()).HelpGetConfig(ctx, call); err != nil {
		t.Fatal(err)
	}

	var wrapped bin.Buffer
	wrapped.PutID(tg.InvokeWithLayerRequestTypeID)
	wrapped.PutInt(tg.Layer)
	wrapped.PutID(tg.HelpGetConfigRequestTypeID)
	want := [][]byte{wrapped.Buf, encode(t, own), wrapped.Buf}
	if len(log) != len(want) {
		t.Fatalf("%d requests, want %d", len(log), len(want))
	}
	for i := range want {
		if !bytes.Equal(log[i], want[i]) {
			t.Errorf("request %d: %x, want %x", i, log[i], want[i])
		}
	}
}
