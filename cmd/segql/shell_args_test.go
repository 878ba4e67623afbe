package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestShellScriptsAndFlags: -c statements and -f files run in order and
// stop at the first error (exit 1, file and line named); --defs opens
// definition files first; .read runs a file from a script, and files
// that read each other stop at a depth.
func TestShellScriptsAndFlags(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "s.sql")
	require.NoError(t, os.WriteFile(script, []byte("segment older =\n    age > 60\n    and purchases_30d >= 0\n\n.count older\n"), 0o644))
	bad := filepath.Join(dir, "bad.sql")
	require.NoError(t, os.WriteFile(bad, []byte(".count age > 1\nage >\n.count age > 2\n"), 0o644))
	loop := filepath.Join(dir, "loop.sql")
	require.NoError(t, os.WriteFile(loop, []byte(".read "+loop+"\n"), 0o644))
	shell := func(args ...string) (string, string, int) {
		return segql(t, "", append([]string{"repl", "--demo-rows", "2000", "--now", "2026-11-01T00:00:00Z"}, args...)...)
	}

	out, errs, code := shell("-c", ".privacy min-size 0", "-c", ".mode ids", "-c", "user_id <= 2", "-f", script)
	require.Equal(t, 0, code, errs)
	require.Contains(t, out, "allow-pii false\n1\n2\n")
	require.Contains(t, out, "segment older defined: ")
	require.Regexp(t, `\n[\d,]+ members of 2,000`, out)

	out, errs, code = shell("-f", bad)
	require.Equal(t, 1, code)
	require.Contains(t, errs, "bad.sql:2: ")
	require.Equal(t, 1, strings.Count(out, "members of 2,000"), "the statement after the error does not run")

	_, errs, code = shell("-f", loop)
	require.Equal(t, 1, code)
	require.Contains(t, errs, "files read each other more than 16 deep")

	out, errs, code = shell("--defs", filepath.Join("..", "..", "examples"), "-c", ".segments")
	require.Equal(t, 0, code, errs)
	require.Contains(t, out, "segment champions =")

	out, errs, code = segql(t, ".read "+script+"\n", "repl", "--demo-rows", "2000")
	require.Equal(t, 0, code, errs)
	require.Contains(t, out, "segment older defined: ")
}
