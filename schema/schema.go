// Package schema bundles the TL schemas the generated packages come from:
// the Telegram API (package tg) and MTProto's service messages (package
// mt).
package schema

import _ "embed"

// API is the text of api.tl: the Telegram API schema, layer Layer.
//
//go:embed api.tl
var API []byte

// MTProto is the text of mtproto.tl: MTProto's service schema (key
// exchange, rpc_result, containers, acks, salts, pings...), from which
// package mt is generated.
//
//go:embed mtproto.tl
var MTProto []byte

// Layer is the API layer of API. A test checks it against the schema's
// "// LAYER" line.
const Layer = 228
