// Package oracle checks package tg against an independent encoder: the tg
// package of github.com/gotd/td v0.93.0, generated from the layer 170
// schema by other code. Values filled at random in gotd's types are encoded
// there, decoded and re-encoded by tg, and must come out byte for byte; the
// few constructors where gotd's encoding disagrees with the schema are
// listed with their reasons, and tg's encoding of them is checked against
// bytes built by hand.
//
// The differential test and the benchmarks of both encoders on the same
// bytes need tg at gotd's layer, so they build only with the tag gotdlayer:
// gen's TestOtherSchemas regenerates tg at layer 170 from gotd/td's own
// telegram.tl in a copy of the module and runs them there, with tg's other
// tests. At the bundled layer, this package checks the bytes that tg's
// examples print, with gotd's encoder where the layers agree and by hand
// from the TL definitions where they do not.
//
// Everything is in _test.go files: gotd's tg is large to compile, and only
// the packages that test against it pay for it.
package oracle
