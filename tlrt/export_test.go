package tlrt

// Unexported helpers, for the tests of package tlrt_test.
var GrowForTest = grow

func PreallocateForTest[T any](n, minSize int) int { return preallocate[T](n, minSize) }
