// Package tgraw is the typed raw Telegram API for Go: package tg is
// generated from schema/api.tl by gen and cmd/tlgen, and package peer
// resolves what a person has to the InputPeer values raw calls take.
package tgraw

//go:generate go run ./cmd/tlgen generate -schema schema/api.tl -out tg -package tg
//go:generate go run ./cmd/tlgen generate -schema schema/mtproto.tl -out mt -package mt
