// Package tlrt is the runtime that Go packages generated from TL schemas by
// tlgen (package gen) share: the Object and Invoker interfaces, the errors
// of encoding and decoding, and the helpers their generated code calls.
//
// A generated package re-exports what its users need (Object, Invoker,
// DecodeError, UnknownIDError, ErrTooDeep, ...) as aliases, so a program
// rarely imports tlrt itself. Because the types are the same, one
// errors.As finds a *DecodeError from any generated package: tg, a subset
// generated with -only, or a package generated from another schema.
//
// The functions here other than those on the errors exist for generated
// code and change with it: a generated package states the runtime version
// it was written for, and does not compile against a runtime that cannot
// serve it (see EnforceVersion).
package tlrt

// Version is the version of this runtime's interface to generated code. It
// grows when generated code starts to depend on something new here.
const Version = 4

// MinVersion is the oldest version of generated code this runtime still
// serves.
const MinVersion = 4

// EnforceVersion turns a version mismatch into a compile error. Generated
// code written for runtime version N holds
//
//	const (
//		_ = tlrt.EnforceVersion(tlrt.Version - N)    // the runtime is recent enough
//		_ = tlrt.EnforceVersion(N - tlrt.MinVersion) // the code is recent enough
//	)
//
// A negative constant does not convert to an unsigned type, so with a
// runtime that is too old or generated code that is too old the package
// does not compile, and the compiler names the line: regenerate the code
// with the tlgen of the module version you require, or require the module
// version the code was generated with.
type EnforceVersion uint
