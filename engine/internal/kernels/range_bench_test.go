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
		w := make([]uint64, Words(n))
		cnt := 0
		for i := 0; i < n; i++ {
			if r.Float64() < d {
				SetBit(w, i)
				cnt++
			}
		}
		sel := Sel{W: w, N: cnt}
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
