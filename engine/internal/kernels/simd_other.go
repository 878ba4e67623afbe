//go:build !amd64 || purego

package kernels

// useSIMD is false where no vector kernels are built (other architectures,
// or the purego build tag): the portable loops run.
var useSIMD = false

func gtWords8(*uint64, *int8, int, int8, int8, int8, uint64)      { panic("engine: no SIMD") }
func gtWords16(*uint64, *int16, int, int16, int16, int16, uint64) { panic("engine: no SIMD") }
func gtWords32(*uint64, *int32, int, int32, int32, int32, uint64) { panic("engine: no SIMD") }
func gtWords64(*uint64, *int64, int, int64, int64, int64, uint64) { panic("engine: no SIMD") }
func rangeWordsF64(*uint64, *float64, int, float64, float64, uint64, uint64) {
	panic("engine: no SIMD")
}
func eqLenWords32(*uint64, *int32, int, int32) { panic("engine: no SIMD") }
