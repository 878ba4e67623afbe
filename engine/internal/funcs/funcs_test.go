package funcs

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/segql/segql/lang/check"
)

// TestTableMatchesChecker: the engine implements exactly the functions
// the checker declares, so a call that type-checks always resolves.
func TestTableMatchesChecker(t *testing.T) {
	require.Equal(t, check.FunctionNames(), Names())
}
