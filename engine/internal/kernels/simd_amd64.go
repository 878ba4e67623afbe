//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

// useSIMD selects the AVX2 kernels of simd_amd64.s; tests turn it off to
// compare them with the portable loops.
var useSIMD = cpu.X86.HasAVX2

// The kernels' contracts are in simd_amd64.s. Each reads 64·nwords values
// and writes nwords words; the pointers must cover that many.

//go:noescape
func gtWords8(out *uint64, vals *int8, nwords int, sub, flip, k int8, inv uint64)

//go:noescape
func gtWords16(out *uint64, vals *int16, nwords int, sub, flip, k int16, inv uint64)

//go:noescape
func gtWords32(out *uint64, vals *int32, nwords int, sub, flip, k int32, inv uint64)

//go:noescape
func gtWords64(out *uint64, vals *int64, nwords int, sub, flip, k int64, inv uint64)

//go:noescape
func rangeWordsF64(out *uint64, vals *float64, nwords int, lo, hi float64, nan, inv uint64)

//go:noescape
func eqLenWords32(out *uint64, offs *int32, nwords int, l int32)
