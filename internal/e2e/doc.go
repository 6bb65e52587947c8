// Package e2e holds end-to-end tests of tg and the peer layer over real
// MTProto: tgraw's own client and gotd/td's telegram.Client each talk to
// gotd/td's tgtest server on 127.0.0.1, tg.Client runs over the client,
// and the server decodes the requests and encodes its answers with tg's
// own types.
//
// The server sees every call with its wrappers and checks that it is read
// at tg.Layer (checkLayers). tgraw's client announces tg.Layer itself: the
// first call of each connection is invokeWithLayer(tg.Layer,
// initConnection(help.getConfig)), and later calls go bare. gotd/td's
// client announces its own layer, 170, when it connects; so over it the
// tests send every call as invokeWithLayer(tg.Layer, call)
// (tg.LayerInvoker, tg.WithLayer), run the client with NoUpdates and fetch
// updates with updates.getDifference.
//
// The tests live in their own package because they compile gotd/td's
// telegram client and its generated tg package, which takes tens of
// seconds and gigabytes of memory from a cold cache; `go test ./peer`
// stays fast. The package has no non-test code.
package e2e
