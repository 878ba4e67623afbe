//go:build amd64 && !purego

package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

var allCompareOps = []CmpOp{Eq, Ne, Lt, Le, Gt, Ge}

// simdLengths cover no whole word, exactly whole words and ragged tails.
var simdLengths = []int{0, 1, 63, 64, 65, 127, 128, 200, 1000}

// withoutSIMD runs f with the portable loops only.
func withoutSIMD(t testing.TB, f func()) {
	t.Helper()
	defer SetSIMD(false)()
	f()
}

// edgeInts returns T's boundary values and a few around zero (and, for
// uint64, around the int64 boundary).
func edgeInts[T intType]() []T {
	width, minBits, signed := intBits[T]()
	if !signed && width == 64 {
		var out []T
		for _, v := range []uint64{0, 1, 2, 1<<63 - 1, 1 << 63, 1<<63 + 1, ^uint64(0) - 2, ^uint64(0) - 1, ^uint64(0)} {
			out = append(out, T(v))
		}
		return out
	}
	var lo, hi int64
	if signed {
		lo, hi = -int64(minBits), int64(minBits)-1
	} else {
		lo, hi = 0, int64(^uint64(0)>>(64-width))
	}
	var out []T
	for _, v := range []int64{lo, lo + 1, lo + 2, -2, -1, 0, 1, 2, hi - 2, hi - 1, hi} {
		if v >= lo && v <= hi {
			out = append(out, T(v))
		}
	}
	return out
}

// randomInts draws values from the edges and uniformly from T's range.
func randomInts[T intType](r *rand.Rand, n int) []T {
	edges := edgeInts[T]()
	out := make([]T, n)
	for i := range out {
		if r.IntN(2) == 0 {
			out[i] = edges[r.IntN(len(edges))]
		} else {
			out[i] = T(r.Uint64())
		}
	}
	return out
}

// checkIntSIMD compares the vector and portable paths of every integer
// comparison and range over T, on edge constants and random values.
func checkIntSIMD[T intType](t *testing.T, r *rand.Rand) {
	consts := append(edgeInts[T](), T(r.Uint64()), T(r.Uint64()))
	for _, n := range simdLengths {
		vals := randomInts[T](r, n)
		for _, c := range consts {
			for _, op := range allCompareOps {
				got, want := make([]uint64, Words(n)), make([]uint64, Words(n))
				cmpIntConst(op, vals, c, got)
				withoutSIMD(t, func() { cmpIntConst(op, vals, c, want) })
				require.Equal(t, want, got, "%T n=%d x %s %v", c, n, op, c)
			}
			for _, hi := range consts {
				if hi < c {
					continue
				}
				got, want := make([]uint64, Words(n)), make([]uint64, Words(n))
				var u T
				switch any(u).(type) {
				case int8, uint8:
					inRange[T, uint8](vals, c, hi, got)
					withoutSIMD(t, func() { inRange[T, uint8](vals, c, hi, want) })
				case int16, uint16:
					inRange[T, uint16](vals, c, hi, got)
					withoutSIMD(t, func() { inRange[T, uint16](vals, c, hi, want) })
				case int32, uint32:
					inRange[T, uint32](vals, c, hi, got)
					withoutSIMD(t, func() { inRange[T, uint32](vals, c, hi, want) })
				default:
					inRange[T, uint64](vals, c, hi, got)
					withoutSIMD(t, func() { inRange[T, uint64](vals, c, hi, want) })
				}
				require.Equal(t, want, got, "%T n=%d %v <= x <= %v", c, n, c, hi)
			}
		}
	}
}

func TestSIMDIntKernelsMatchPortable(t *testing.T) {
	if !useSIMD {
		t.Skip("this CPU has no AVX2: the portable loops are the only path")
	}
	r := rand.New(rand.NewPCG(1, 2))
	t.Run("int8", func(t *testing.T) { checkIntSIMD[int8](t, r) })
	t.Run("int16", func(t *testing.T) { checkIntSIMD[int16](t, r) })
	t.Run("int32", func(t *testing.T) { checkIntSIMD[int32](t, r) })
	t.Run("int64", func(t *testing.T) { checkIntSIMD[int64](t, r) })
	t.Run("uint8", func(t *testing.T) { checkIntSIMD[uint8](t, r) })
	t.Run("uint16", func(t *testing.T) { checkIntSIMD[uint16](t, r) })
	t.Run("uint32", func(t *testing.T) { checkIntSIMD[uint32](t, r) })
	t.Run("uint64", func(t *testing.T) { checkIntSIMD[uint64](t, r) })
}

func TestSIMDFloatKernelsMatchPortable(t *testing.T) {
	if !useSIMD {
		t.Skip("this CPU has no AVX2: the portable loops are the only path")
	}
	r := rand.New(rand.NewPCG(3, 4))
	inf := math.Inf(1)
	edges := []float64{math.NaN(), inf, -inf, 0, math.Copysign(0, -1), 1, -1, 0.5, math.MaxFloat64,
		-math.MaxFloat64, math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64}
	consts := append(edges[1:], 0.25, -3.75)
	for _, n := range simdLengths {
		vals := make([]float64, n)
		for i := range vals {
			if r.IntN(2) == 0 {
				vals[i] = edges[r.IntN(len(edges))]
			} else {
				vals[i] = (r.Float64() - 0.5) * 4
			}
		}
		for _, c := range consts {
			for _, op := range allCompareOps {
				got, want := make([]uint64, Words(n)), make([]uint64, Words(n))
				FloatRange(vals, FloatCmpPred(op, c), All(n), got)
				withoutSIMD(t, func() { FloatRange(vals, FloatCmpPred(op, c), All(n), want) })
				require.Equal(t, want, got, fmt.Sprintf("n=%d x %s %v", n, op, c))
			}
			for _, hi := range consts {
				got, want := make([]uint64, Words(n)), make([]uint64, Words(n))
				FloatRange(vals, FloatRangePred(c, hi), All(n), got)
				withoutSIMD(t, func() { FloatRange(vals, FloatRangePred(c, hi), All(n), want) })
				require.Equal(t, want, got, "n=%d %v <= x <= %v", n, c, hi)
			}
		}
	}
}
