// Package oracle checks package tg against an independent encoder: the tg
// package of github.com/gotd/td v0.93.0, generated from the same layer 170
// schema by other code. Values filled at random in gotd's types are encoded
// there, decoded and re-encoded by tg, and must come out byte for byte; the
// few constructors where gotd's encoding disagrees with the schema are
// listed with their reasons, and tg's encoding of them is checked against
// bytes built by hand.
//
// Everything is in _test.go files: gotd's tg is large to compile, and only
// `go test ./internal/oracle` pays for it. The package also holds benchmarks
// of both encoders on the same bytes.
package oracle
