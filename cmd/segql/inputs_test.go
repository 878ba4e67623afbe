package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestHostileInputPaths: data and definition paths that would exhaust
// memory or wait forever fail at once with the file named.
func TestHostileInputPaths(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "users.csv")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	sparse := filepath.Join(dir, "sparse.csv")
	f, err := os.Create(sparse)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(4<<30)) // 4 GiB of NUL bytes, no newline
	require.NoError(t, f.Close())
	bigSeg := filepath.Join(dir, "big.seg")
	f, err = os.Create(bigSeg)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(1<<30))
	require.NoError(t, f.Close())

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"eval", "--data", fifo, "age > 1"}, "not a regular file (a FIFO)"},
		{[]string{"check", "--data", fifo, bigSeg}, "not a regular file (a FIFO)"},
		{[]string{"eval", "--data", sparse, "age > 1"}, "sparse.csv: row 1: line longer than 16 MiB"},
		{[]string{"eval", "--data", "/dev/zero", "age > 1"}, "not a regular file (a device)"},
		{[]string{"check", bigSeg}, "file too large (over the limit of 16 MiB)"},
		{[]string{"fmt", bigSeg}, "file too large"},
		{[]string{"sizes", "--demo-rows", "100", "--defs", bigSeg}, "file too large"},
		{[]string{"diff", "--demo-rows", "100", bigSeg, bigSeg}, "file too large"},
	} {
		done := make(chan struct{})
		var errs string
		var code int
		go func() {
			defer close(done)
			_, errs, code = segql(t, "", c.args...)
		}()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatalf("%v hangs", c.args)
		}
		require.Equal(t, 1, code, "%v: %s", c.args, errs)
		require.Contains(t, errs, c.want, "%v", c.args)
	}
}

// TestSignalsEndWork: SIGTERM ends the binary within a second while it
// loads a large CSV (it stops, saying so) and while it waits on a FIFO
// definitions file that has no writer.
func TestSignalsEndWork(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test; runs without -short")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "users.csv")
	_, errs, code := segql(t, "", "gen", "--rows", "1000000", "--out", data)
	require.Equal(t, 0, code, errs)
	fifo := filepath.Join(dir, "defs.seg")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))

	for _, args := range [][]string{
		{"eval", "--data", data, "-o", "count", "age > 30"},
		{"profile", "--data", data, "age > 30"},
		{"sizes", "--demo-rows", "100", "--defs", fifo},
		{"check", fifo},
	} {
		cmd := exec.Command(bin, args...)
		var errb bytes.Buffer
		cmd.Stderr = &errb
		require.NoError(t, cmd.Start())
		time.Sleep(400 * time.Millisecond) // the CSV takes seconds to load
		require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		select {
		case err := <-exited:
			require.Error(t, err, "%v: %s", args, errb.String()) // interrupted: not success
		case <-time.After(signalGrace + 500*time.Millisecond):
			cmd.Process.Kill()
			t.Fatalf("%v still runs a second after SIGTERM: %s", args, errb.String())
		}
	}
}

// TestTextColumnHint: a type error on a column read as text because of a
// few values names the value and its row.
func TestTextColumnHint(t *testing.T) {
	path := filepath.Join(t.TempDir(), "u.csv")
	require.NoError(t, os.WriteFile(path, []byte("id,n\n1,5\n2,6\n3,seven\n4,8\n"), 0o644))
	_, errOut, code := segql(t, "", "eval", "--data", path, "-o", "count", "n > 5")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "mismatched types string and int64 in comparison\n    n > 5\n      ^\n    column \"n\" was read as text because row 3 holds \"seven\"")
}
