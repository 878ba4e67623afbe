package kernels

import "testing"

func BenchmarkMonthsOf(b *testing.B) {
	times := make([]int64, 65536)
	for i := range times {
		times[i] = 1_750_000_000_000_000 + int64(i)*397_000_000
	}
	out := make([]int64, len(times))
	for b.Loop() {
		MonthsOf(out, times, All(len(times)))
	}
}
