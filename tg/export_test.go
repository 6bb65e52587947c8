package tg

import (
	"github.com/gotd/td/bin"

	"github.com/tgraw/tgraw/tlrt"
)

// ValidateObject checks b as a Decoder of DecodeObject does once it has
// allocated past its limit: with the package's Schema, from any value.
func ValidateObject(b *bin.Buffer) error {
	for i, t := range wireSchema.Types {
		if t.Kind == tlrt.SchemaObject {
			return wireSchema.Validate(b, int32(i))
		}
	}
	panic("the schema has no root for any value")
}

// WireSchema is the package's schema.
var WireSchema = &wireSchema
