package syntax

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestEBNFInSpec pins the grammar: SPEC.md's ```ebnf block must equal the
// EBNF participle derives from the grammar structs.
func TestEBNFInSpec(t *testing.T) {
	spec, err := os.ReadFile("../../SPEC.md")
	require.NoError(t, err)
	m := regexp.MustCompile("(?s)```ebnf\n(.*?)```").FindSubmatch(spec)
	require.NotNil(t, m, "SPEC.md has no ```ebnf block")
	require.Equal(t, strings.TrimSpace(EBNF()), strings.TrimSpace(string(m[1])))
}
