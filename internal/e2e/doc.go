// Package e2e holds end-to-end tests of tg and the peer layer over real
// MTProto: gotd/td's telegram.Client talks to gotd/td's tgtest server on
// 127.0.0.1, tg.Client runs over that client, and the server decodes the
// requests and encodes its answers with tg's own types.
//
// gotd/td's client announces its own layer, 170, when it connects; tg is
// of a newer one. So the tests send every call as invokeWithLayer(tg.Layer,
// call) (tg.LayerInvoker, tg.WithLayer), run the client with NoUpdates and
// fetch updates with updates.getDifference; the server checks the layer
// around every call.
//
// The tests live in their own package because they compile gotd/td's
// telegram client and its generated tg package, which takes tens of
// seconds and gigabytes of memory from a cold cache; `go test ./peer`
// stays fast. The package has no non-test code.
package e2e
