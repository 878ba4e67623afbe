package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// fullWriter accepts limit bytes, then fails every write as a full disk
// does.
type fullWriter struct{ limit, n int }

func (f *fullWriter) Write(p []byte) (int, error) {
	if f.n+len(p) > f.limit {
		k := max(f.limit-f.n, 0)
		f.n += k
		return k, syscall.ENOSPC
	}
	f.n += len(p)
	return len(p), nil
}

// TestWriteErrorsReachExitStatus runs every command that writes standard
// output against an output that fills up after 0, 1 and 100 bytes: none
// may exit 0, and each says why on stderr. A command whose whole output
// fits is not a failure, so the limits stay below each one's output.
func TestWriteErrorsReachExitStatus(t *testing.T) {
	data := plantedCSV(t)
	dir := t.TempDir()
	old, cur := filepath.Join(dir, "old.seg"), filepath.Join(dir, "new.seg")
	require.NoError(t, os.WriteFile(old, []byte("segment a = age > 30\nsegment b = country = \"DE\"\n"), 0o644))
	require.NoError(t, os.WriteFile(cur, []byte("segment a = age > 31\nsegment b = country = \"FR\"\n"), 0o644))
	messy := filepath.Join(dir, "messy.seg")
	require.NoError(t, os.WriteFile(messy, []byte("segment  s=age>1\n"), 0o644))
	d := []string{"--data", data}
	cmds := [][]string{
		append([]string{"eval", "-o", "ids", "age > 30"}, d...),
		append([]string{"eval", "-o", "csv", "age > 30"}, d...),
		append([]string{"eval", "-o", "json", "age > 30"}, d...),
		append([]string{"eval", "-o", "table", "age > 30"}, d...),
		append([]string{"eval", "-o", "count", "age > 30"}, d...),
		append([]string{"sizes", "--defs", cur}, d...),
		append([]string{"profile", `country = "DE"`}, d...),
		append([]string{"profile", "-o", "json", `country = "DE"`}, d...),
		append([]string{"overlap", `country = "DE"`, "age > 31"}, d...),
		append([]string{"cluster", "--k", "3", "--features", "x,y"}, d...),
		append([]string{"split", "age > 30", "--arms", "a:50,b:50", "--salt", "s"}, d...),
		append([]string{"diff", old, cur}, d...),
		append([]string{"diff", "-o", "json", old, cur}, d...),
		{"check", "--json", cur, messy},
		{"check", cur},
		{"fmt", messy},
		{"fmt", "-d", messy},
		{"fmt", "-l", messy},
		{"version"},
		{"help"},
	}
	for _, args := range cmds {
		var full bytes.Buffer
		require.Equal(t, 0, run(args, strings.NewReader(""), &full, &bytes.Buffer{}), "%v", args)
		for _, limit := range []int{0, 1, 100} {
			if limit >= full.Len() {
				continue
			}
			var errb bytes.Buffer
			code := run(args, strings.NewReader(""), &fullWriter{limit: limit}, &errb)
			require.NotEqual(t, 0, code, "%v with output full after %d of %d bytes", args, limit, full.Len())
			require.Contains(t, errb.String(), "no space left on device", "%v", args)
		}
	}
}

// TestFullStdoutE2E: the built binary writing to /dev/full exits 1.
func TestFullStdoutE2E(t *testing.T) {
	devFull, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("no /dev/full:", err)
	}
	defer devFull.Close()
	bin := buildBinary(t)
	for _, args := range [][]string{{"eval", "--demo-rows", "2000", "-o", "ids", "age > 30"}, {"version"}, {"sizes", "--demo-rows", "2000", "--defs", filepath.Join("..", "..", "testdata", "segments", "edge")}} {
		cmd := exec.Command(bin, args...)
		cmd.Stdout = devFull
		var errb bytes.Buffer
		cmd.Stderr = &errb
		err := cmd.Run()
		var exit *exec.ExitError
		require.ErrorAs(t, err, &exit, "%v: %s", args, errb.String())
		require.Equal(t, 1, exit.ExitCode(), "%v", args)
		require.Contains(t, errb.String(), "writing standard output", "%v", args)
	}
}
