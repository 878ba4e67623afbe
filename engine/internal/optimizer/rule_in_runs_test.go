package optimizer

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/segql/segql/engine/internal/kernels"
)

func TestIntRuns(t *testing.T) {
	runs, ok := IntRuns([]int64{5, 3, 4, 9, math.MaxInt64, math.MaxInt64 - 1})
	require.True(t, ok)
	require.Equal(t, []kernels.CodeRun{{Lo: 3, Hi: 5}, {Lo: 9, Hi: 9}, {Lo: math.MaxInt64 - 1, Hi: math.MaxInt64}}, runs)
	_, ok = IntRuns([]int64{1, 3, 5, 7, 9, 11, 13, 15, 17})
	require.False(t, ok, "nine runs are too many")
}
