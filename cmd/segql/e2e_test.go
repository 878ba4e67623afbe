package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// buildBinary builds the segql binary into a temporary directory, once
// per test binary.
func buildBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "segql-bin")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "segql")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v: %s", err, out)
		}
	})
	require.NoError(t, binErr)
	return binPath
}

// TestMain removes the binary buildBinary built.
func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// needTmux skips an end-to-end terminal test in -short runs and where tmux
// is missing (in CI it must be there).
func needTmux(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test; runs without -short")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tmux is required in CI (.ci/run installs it)")
		}
		t.Skip("tmux is not installed")
	}
}

// TestTerminalE2E runs the real binary in a real pseudo-terminal (tmux):
// it types an expression, completes a column name and a value with Tab,
// cancels a long evaluation with Ctrl-C, clears a line with Ctrl-C,
// leaves with Ctrl-D and checks that the history was saved.
func TestTerminalE2E(t *testing.T) {
	needTmux(t)
	dir := t.TempDir()
	bin := buildBinary(t)

	cmd := "env HOME=" + dir + " XDG_STATE_HOME=" + dir + "/state TERM=xterm " + bin +
		" --demo-rows 10000000 --now 2026-11-01T00:00:00Z; sleep 30"
	term := startTmux(t, dir, cmd, 200, 50)
	screen, waitFor, keys := term.screen, term.waitFor, term.keys
	waitFor("10,000,000 rows", 90*time.Second)
	banner := waitFor("segql>", 10*time.Second)
	require.Regexp(t, `generating 10,000,000 demo users… \S+`, banner, "a start over a second says what it does")
	require.Contains(t, banner, "the built-in demo table as of 2026-11-01")

	keys("sessi", "Tab")
	waitFor("segql> sessions_30d", 10*time.Second)
	keys(" > 20", "Enter")
	s := waitFor("members of 10,000,000", 30*time.Second)
	require.Contains(t, s, "sessions_30d")

	// Twenty MD5 hashes per row (each term TRUE for one row in 10,000, so
	// every term runs on nearly every row): tens of seconds, interrupted.
	var terms []string
	for i := range 20 {
		terms = append(terms, fmt.Sprintf(`bucket(user_id, "salt%d") = 7`, i))
	}
	heavy := strings.Join(terms, " or ")
	keys("-l", heavy)
	keys("Enter")
	time.Sleep(1500 * time.Millisecond)
	keys("C-c")
	s = waitFor("cancelled", 20*time.Second)
	require.Equal(t, 1, strings.Count(s, "members of 10,000,000"), "the cancelled statement printed no result")

	keys("age > ")
	waitFor("segql> age >", 5*time.Second)
	keys("C-c")
	keys("user_id = 42", "Enter")
	waitFor("1 members of 10,000,000", 30*time.Second)
	require.NotContains(t, screen(), "age > user_id", "Ctrl-C cleared the line")

	// Tab completes a column's values, most common first, closing the quote.
	keys(`country = "D`, "Tab")
	waitFor(`segql> country = "DE"`, 10*time.Second)
	keys("Enter")
	waitFor("members of 10,000,000", 30*time.Second)

	keys("C-d")
	deadline := time.Now().Add(10 * time.Second)
	var history []byte
	var err error
	for time.Now().Before(deadline) {
		if history, err = os.ReadFile(filepath.Join(dir, "state", "segql", "history")); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	require.NoError(t, err, "history is saved on exit")
	require.Contains(t, string(history), "sessions_30d > 20\n")
	require.Contains(t, string(history), "user_id = 42\n")
}

// TestHistorySurvivesHangUpE2E runs the shell in tmux with an init file:
// the init file's definition exists at the prompt; statements (a
// multi-line definition typed as fmt writes it, then an expression) are
// in the history file as soon as they ran, so closing the terminal
// (SIGHUP) loses none of them.
func TestHistorySurvivesHangUpE2E(t *testing.T) {
	needTmux(t)
	dir := t.TempDir()
	bin := buildBinary(t)
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "config", "segql"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "config", "segql", "init"), []byte("segment from_init = age > 60\n"), 0o600))
	cmd := "env HOME=" + dir + " XDG_STATE_HOME=" + dir + "/state XDG_CONFIG_HOME=" + dir + "/config TERM=xterm " + bin +
		" --demo-rows 5000 --now 2026-11-01T00:00:00Z"
	term := startTmux(t, dir, cmd, 200, 50)
	keys := term.keys
	waitFor := func(what string) { term.waitFor(what, 60*time.Second) }
	waitFor("segment from_init defined")
	waitFor("segql>")
	keys("-l", "segment older =")
	keys("Enter")
	keys("-l", "    age > 50")
	keys("Enter")
	keys("-l", "    and from_init")
	keys("Enter", "Enter")
	waitFor("segment older defined")
	keys("-l", "older and user_id < 4000")
	keys("Enter")
	waitFor("members of 5,000")
	term.run("kill-server") // the terminal goes away: SIGHUP, no clean exit
	history, err := os.ReadFile(filepath.Join(dir, "state", "segql", "history"))
	require.NoError(t, err)
	require.Contains(t, string(history), "segment older = age > 50 and from_init\n")
	require.Contains(t, string(history), "older and user_id < 4000\n")
}

// TestPagerE2E: on a terminal, a result taller than the screen goes
// through $PAGER; a short one does not; .pager off prints it directly.
func TestPagerE2E(t *testing.T) {
	needTmux(t)
	dir := t.TempDir()
	bin := buildBinary(t)
	cmd := "env HOME=" + dir + " XDG_STATE_HOME=" + dir + "/state TERM=xterm PAGER='sed s/^/PAGED:/' " + bin +
		" --demo-rows 20000 --no-init; sleep 30"
	term := startTmux(t, dir, cmd, 120, 20)
	keys := term.keys
	waitFor := func(what string) string { return term.waitFor(what, 20*time.Second) }
	waitFor("segql>")
	keys(".mode ids", "Enter")
	keys("user_id <= 100", "Enter")
	waitFor("PAGED:100")
	keys("C-l")
	keys(".pager off", "Enter")
	keys("user_id <= 60 and user_id > 30", "Enter")
	s := waitFor("\n60\n")
	require.NotContains(t, s, "PAGED:60")
	keys(".pager on", "Enter")
	keys("user_id <= 12", "Enter") // shorter than the screen: not paged
	s = waitFor("\n12\n")
	require.NotContains(t, s, "PAGED:12")
}

// tmuxTerm is a command running in a tmux pseudo-terminal of its own
// server, ended with the test.
type tmuxTerm struct {
	t    *testing.T
	sock string
}

// startTmux runs shell command cmd in a new w×h tmux terminal.
func startTmux(t *testing.T, dir, cmd string, w, h int) *tmuxTerm {
	tt := &tmuxTerm{t: t, sock: filepath.Join(dir, "tmux.sock")}
	tt.run("new-session", "-d", "-s", "e2e", "-x", fmt.Sprint(w), "-y", fmt.Sprint(h), cmd)
	t.Cleanup(func() { exec.Command("tmux", "-S", tt.sock, "kill-server").Run() })
	return tt
}

func (tt *tmuxTerm) run(args ...string) string {
	out, err := exec.Command("tmux", append([]string{"-S", tt.sock}, args...)...).CombinedOutput()
	require.NoError(tt.t, err, "tmux %v: %s", args, out)
	return string(out)
}

func (tt *tmuxTerm) screen() string { return tt.run("capture-pane", "-p", "-t", "e2e") }

func (tt *tmuxTerm) keys(k ...string) { tt.run(append([]string{"send-keys", "-t", "e2e"}, k...)...) }

// waitFor waits until the screen shows what, and returns the screen.
func (tt *tmuxTerm) waitFor(what string, timeout time.Duration) string {
	deadline := time.Now().Add(timeout)
	for {
		s := tt.screen()
		if strings.Contains(s, what) {
			return s
		}
		if time.Now().After(deadline) {
			tt.t.Fatalf("waiting for %q; the screen shows:\n%s", what, s)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
