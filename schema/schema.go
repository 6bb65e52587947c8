// Package schema bundles the Telegram API TL schema that package tg is
// generated from.
package schema

import _ "embed"

// API is the text of api.tl: the Telegram API schema, layer Layer.
//
//go:embed api.tl
var API []byte

// Layer is the API layer of API. A test checks it against the schema's
// "// LAYER" line.
const Layer = 228
