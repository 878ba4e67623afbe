package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

func BenchmarkRangeDensity(b *testing.B) {
	const n = 65536
	r := rand.New(rand.NewPCG(1, 2))
	vals := make([]int32, n)
	for i := range vals {
		vals[i] = int32(r.IntN(100))
	}
	out := make([]uint64, Words(n))
	for _, d := range []float64{0.005, 0.01, 0.03, 0.1, 0.3, 1} {
		sel := randomSel(r, n, d)
		b.Run(fmt.Sprintf("sparse_%.3f", d), func(b *testing.B) {
			for b.Loop() {
				sparseRange[int32, uint32](vals, 25, 54, sel, out)
			}
		})
	}
	b.Run("dense", func(b *testing.B) {
		for b.Loop() {
			inRange[int32, uint32](vals, 25, 54, out)
		}
	})
}

// BenchmarkRangeDensityFromMemory is BenchmarkRangeDensity over 160 batches
// of 65,536 rows (40 MB of values, beyond the caches), as a table scan
// reads them: each batch's values come from memory, not cache.
func BenchmarkRangeDensityFromMemory(b *testing.B) {
	const n, batches = 65536, 160
	r := rand.New(rand.NewPCG(1, 2))
	vals := make([]int32, n*batches)
	for i := range vals {
		vals[i] = int32(r.IntN(100))
	}
	out := make([]uint64, Words(n))
	for _, d := range []float64{0.005, 0.01, 0.03, 0.06, 0.1, 0.3} {
		sel := randomSel(r, n, d)
		b.Run(fmt.Sprintf("sparse_%.3f", d), func(b *testing.B) {
			for b.Loop() {
				for k := range batches {
					sparseRange[int32, uint32](vals[k*n:(k+1)*n], 25, 54, sel, out)
				}
			}
		})
	}
	b.Run("dense", func(b *testing.B) {
		for b.Loop() {
			for k := range batches {
				inRange[int32, uint32](vals[k*n:(k+1)*n], 25, 54, out)
			}
		}
	})
}

// randomSel selects each of n rows with probability d.
func randomSel(r *rand.Rand, n int, d float64) Sel {
	w := make([]uint64, Words(n))
	cnt := 0
	for i := 0; i < n; i++ {
		if r.Float64() < d {
			SetBit(w, i)
			cnt++
		}
	}
	return Sel{W: w, N: cnt}
}
