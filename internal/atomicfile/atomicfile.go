// Package atomicfile replaces files so that a reader (or a crash) sees
// either the old content or the new, never a truncated mix, and so that
// no output replaces a file the process reads from.
//
// Every file a process loads is registered with Protect (data by the
// columnar loaders, definitions by their readers); Write and
// WriteDefinitions refuse a path that is, by device and inode, one of
// them — whatever name, symlink or hard link reaches it.
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"syscall"
)

// Kind is what a protected input holds.
type Kind int

const (
	// Data is a table's file.
	Data Kind = iota + 1
	// Definitions is a .seg file: WriteDefinitions may replace it (the
	// shell's .save, fmt -w), nothing else may.
	Definitions
)

func (k Kind) String() string {
	if k == Definitions {
		return "definitions file"
	}
	return "data file"
}

// ErrIsInput is the error of an output path that is an input in use.
var ErrIsInput = errors.New("the output is an input")

// ErrReadOnly is the error of replacing a file its owner may not write.
var ErrReadOnly = errors.New("the file is read-only")

// inputs is the process's registry of protected files.
var inputs struct {
	mu    sync.Mutex
	files []protected
	at    map[pathKind]int // index in files of a path's entry of a kind
}

type pathKind struct {
	path string
	kind Kind
}

type protected struct {
	path string
	kind Kind
	info os.FileInfo
}

// Protect registers path, if it exists, as an input of kind k for the
// rest of the process. Safe for concurrent use. It costs one stat of
// path, however many files are registered (a dataset registers
// thousands): entries are pruned when an output is checked.
func Protect(path string, k Kind) {
	info, err := os.Stat(path)
	if err != nil {
		return
	}
	inputs.mu.Lock()
	defer inputs.mu.Unlock()
	key := pathKind{path, k}
	if i, ok := inputs.at[key]; ok {
		inputs.files[i].info = info // the file the path names now
		return
	}
	if inputs.at == nil {
		inputs.at = map[pathKind]int{}
	}
	inputs.at[key] = len(inputs.files)
	inputs.files = append(inputs.files, protected{path, k, info})
}

// prune forgets inputs whose path no longer names the file it named when
// protected: a deleted input's inode may be reused by another file.
// inputs.mu is held.
func prune() {
	live := inputs.files[:0]
	for _, p := range inputs.files {
		if now, err := os.Stat(p.path); err == nil && os.SameFile(now, p.info) {
			live = append(live, p)
		}
	}
	clear(inputs.files[len(live):])
	inputs.files = live
	clear(inputs.at)
	for i, p := range live {
		inputs.at[pathKind{p.path, p.kind}] = i
	}
}

// CheckOutput returns an ErrIsInput error if path is a protected input of
// a kind other than allow (0: none is allowed). A path that does not
// exist is no input.
func CheckOutput(path string, allow Kind) error {
	info, err := os.Stat(path)
	if err != nil {
		return nil
	}
	inputs.mu.Lock()
	defer inputs.mu.Unlock()
	prune()
	for _, p := range inputs.files {
		if p.kind != allow && os.SameFile(p.info, info) {
			same := ""
			if filepath.Clean(p.path) != filepath.Clean(path) {
				same = " " + p.path
			}
			return fmt.Errorf("refusing to write %s: %w (it is the %s%s)", path, ErrIsInput, p.kind, same)
		}
	}
	return nil
}

// Write replaces path with what fill writes, refusing a protected input
// (CheckOutput with nothing allowed); see replace.
func Write(path string, fill func(io.Writer) error) error {
	if err := CheckOutput(path, 0); err != nil {
		return err
	}
	return replace(path, fill)
}

// WriteString replaces path with text; see Write.
func WriteString(path, text string) error {
	return Write(path, writeText(text))
}

// WriteDefinitions replaces the definitions file path with text: it may
// be a definitions file in use, never a data file. The file written stays
// (or becomes) a protected definitions file.
func WriteDefinitions(path, text string) error {
	if err := CheckOutput(path, Definitions); err != nil {
		return err
	}
	if err := replace(path, writeText(text)); err != nil {
		return err
	}
	Protect(path, Definitions)
	return nil
}

func writeText(text string) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := io.WriteString(w, text)
		return err
	}
}

// replace writes what fill writes into a temporary file in the target's
// directory, synced, then puts it in place:
//   - a symlink is followed: its target is replaced, the link stays;
//   - an existing file keeps its permissions (0644 for a new file);
//   - a file with other hard links is rewritten in place once the new
//     content is complete, so every link sees it (not atomic for readers,
//     never truncated before the content exists);
//   - a file without write permission is refused (ErrReadOnly).
//
// If fill or any step before the rename or rewrite fails, the file is
// untouched and the temporary file removed.
func replace(path string, fill func(io.Writer) error) error {
	target, info, err := resolve(path)
	if err != nil {
		return err
	}
	perm := os.FileMode(0o644)
	if info != nil {
		perm = info.Mode().Perm()
		if err := syscall.Access(target, 2 /* W_OK */); err != nil || perm&0o200 == 0 {
			return fmt.Errorf("%s: %w (%v); make it writable first", path, ErrReadOnly, perm)
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	w := bufio.NewWriterSize(tmp, 1<<20)
	err = fill(w)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), perm)
	}
	if err != nil {
		return err
	}
	if info != nil && links(info) > 1 {
		return rewriteInPlace(target, tmp.Name())
	}
	return os.Rename(tmp.Name(), target)
}

// resolve follows symlinks to the file path names; info is nil when it
// does not exist yet (a dangling symlink is then created at its target).
func resolve(path string) (string, os.FileInfo, error) {
	target := path
	if real, err := filepath.EvalSymlinks(path); err == nil {
		target = real
	} else if l, lerr := os.Lstat(path); lerr == nil && l.Mode()&os.ModeSymlink != 0 {
		dest, err := os.Readlink(path)
		if err != nil {
			return "", nil, err
		}
		if !filepath.IsAbs(dest) {
			dest = filepath.Join(filepath.Dir(path), dest)
		}
		target = dest
	}
	info, err := os.Stat(target)
	if errors.Is(err, os.ErrNotExist) {
		return target, nil, nil
	}
	if err != nil {
		return "", nil, err
	}
	if !info.Mode().IsRegular() {
		return "", nil, fmt.Errorf("%s: not a regular file", path)
	}
	return target, info, nil
}

func links(info os.FileInfo) uint64 {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Nlink)
	}
	return 1
}

// rewriteInPlace copies the complete file src over dst's content.
func rewriteInPlace(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}
