package engine

import "unsafe"

// ptrOf reinterprets a slice header; used to view []arrow.Timestamp as
// []int64 (same layout) without copying.
func ptrOf[T any](p *T) unsafe.Pointer { return unsafe.Pointer(p) }
