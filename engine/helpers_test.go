package engine

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/segql/segql/lang/check"
	"github.com/segql/segql/lang/diag"
	"github.com/segql/segql/lang/syntax"
)

// checkedDefs parses and checks one .seg text against the engine's schema.
func checkedDefs(t testing.TB, eng *Engine, text string) *check.Definitions {
	t.Helper()
	f, err := syntax.ParseFile("test.seg", text, syntax.Limits{})
	require.NoError(t, err)
	defs, errs := check.CheckFiles([]check.Source{{File: f, Src: diag.Source{Name: "test.seg", Text: text}}}, eng.Schema())
	require.Empty(t, errs)
	return defs
}
