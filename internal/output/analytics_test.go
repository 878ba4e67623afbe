package output

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestBarSparkNumber(t *testing.T) {
	for _, c := range []struct {
		share float64
		width int
		want  string
	}{{0, 10, ""}, {math.NaN(), 10, ""}, {0.001, 10, "▏"}, {0.5, 10, "█████"}, {0.55, 10, "█████▌"}, {1, 4, "████"}, {2, 4, "████"}} {
		require.Equal(t, c.want, Bar(c.share, c.width), "Bar(%v, %d)", c.share, c.width)
	}
	require.Equal(t, "▁▅█▁", Spark([]float64{0, 0.5, 1, 0}))
	require.Equal(t, "▁▁", Spark([]float64{0, 0}))
	for x, want := range map[float64]string{0: "0", 1234567: "1,234,567", -1500: "-1,500", 0.123456: "0.1235", 1234.5: "1,235", 12.5: "12.5"} {
		require.Equal(t, want, Number(x), "Number(%v)", x)
	}
}
