package repl

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/segql/segql/internal/atomicfile"
)

// History is the shell's history file. Every entry is appended as it is
// entered, in one write to a file opened for appending (atomic on local
// file systems for lines this short), so nothing entered is lost to a
// hang-up, a kill or another shell writing at the same time, and the file
// is never truncated: when it grows past maxHistory entries, Load keeps
// the newest half by an atomic replace.
type History struct {
	path string
}

// maxHistory is the number of entries Load compacts above.
const maxHistory = 20_000

// maxEntry is the longest entry kept (longer statements are not saved).
const maxEntry = 3_000

// OpenHistory returns the history at path ("" keeps none).
func OpenHistory(path string) *History { return &History{path: path} }

// Load returns the saved entries, oldest first, compacting the file when
// it is over maxHistory entries.
func (h *History) Load() ([]string, error) {
	if h.path == "" {
		return nil, nil
	}
	f, err := os.Open(h.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var entries []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		if e := strings.TrimSpace(sc.Text()); e != "" {
			entries = append(entries, e)
		}
	}
	if err := sc.Err(); err != nil {
		return entries, err
	}
	if len(entries) > maxHistory {
		entries = entries[len(entries)-maxHistory/2:]
		err = atomicfile.WriteString(h.path, strings.Join(entries, "\n")+"\n")
	}
	return entries, err
}

// Append adds one entry (newlines become spaces) at the end of the file.
func (h *History) Append(entry string) error {
	entry = strings.Join(strings.Fields(entry), " ")
	if h.path == "" || entry == "" || len(entry) > maxEntry {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(h.path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(h.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	_, err = f.WriteString(entry + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
