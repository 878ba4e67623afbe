package kernels

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTrueRuns(t *testing.T) {
	runs, ok := TrueRuns([]uint8{0, 1, 1, 0, 1, 0, 0, 1}, nil)
	require.True(t, ok)
	require.Equal(t, []CodeRun{{1, 2}, {4, 4}, {7, 7}}, runs)
	runs, ok = TrueRuns([]uint8{0, 0}, runs)
	require.True(t, ok)
	require.Empty(t, runs)
	_, ok = TrueRuns([]uint8{1, 2, 0}, nil)
	require.False(t, ok, "an UNKNOWN entry needs the per-row table")
	_, ok = TrueRuns([]uint8{1, 3, 0}, nil)
	require.False(t, ok, "an entry that failed needs the per-row table")
	many := make([]uint8, 2*MaxCodeRuns+2)
	for i := range many {
		many[i] = uint8(i % 2)
	}
	_, ok = TrueRuns(many, nil)
	require.False(t, ok, "more than MaxCodeRuns runs")
}
