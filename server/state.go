package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/segql/segql/analytics"
	"github.com/segql/segql/catalog"
	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
	"github.com/segql/segql/internal/walk"
)

// dataset is one loaded users table with its engine. It is reference
// counted: snapshots hold it, and the last release releases the table.
type dataset struct {
	tbl    *columnar.Table
	eng    *engine.Engine
	an     *analytics.Analyzer
	id     string // the id column, "" when none
	gen    int    // the data generation, counted from 1
	fields map[string]arrow.Field
	cols   []string       // column names, in order
	index  map[string]int // column positions by name
	kinds  []colKind      // how each column's JSON value decodes
	elems  []colKind      // a list column's element kind (kOther: not a list of scalars)
	// records reuses match's userRecords (sized for this table).
	records sync.Pool
	refs    atomic.Int32
	events  func() // releases the attached events, or nil
}

func (d *dataset) retain() { d.refs.Add(1) }
func (d *dataset) release() {
	if d.refs.Add(-1) == 0 {
		if d.events != nil {
			d.events()
		}
		d.tbl.Release()
	}
}

// snapshot is what one request sees: a dataset and a checked definition
// set with every segment compiled and sized. It is immutable and
// reference counted.
type snapshot struct {
	data          *dataset
	cat           *catalog.Catalog
	segs          map[string]*segment
	names         []string // segment names in file order
	defsHash      string   // of the definition files' names and texts
	version       string   // data generation and definitions hash
	versionHeader []string // version, as a header value
	loaded        time.Time
	refs          atomic.Int32
}

// segment is one named segment of a snapshot.
type segment struct {
	def      *catalog.Definition
	jsonName string // the name as a JSON string
	q        *engine.Query
	size     int
	unknown  int
}

func (s *snapshot) release() {
	if s.refs.Add(-1) == 0 {
		s.data.release()
	}
}

// loadData loads the users table into a new dataset (one reference, the
// caller's).
func (s *Server) loadData(ctx context.Context) (*dataset, error) {
	tbl, err := s.cfg.Load(ctx)
	if err != nil {
		return nil, err
	}
	id, err := idColumn(tbl, s.cfg.IDColumn)
	if err != nil {
		tbl.Release()
		return nil, err
	}
	if err := s.cfg.Privacy.Validate(tbl); err != nil {
		tbl.Release()
		return nil, err
	}
	s.dataGen++
	eng := engine.Open(tbl)
	var events func()
	if s.cfg.Events != nil {
		if events, err = s.cfg.Events(ctx, eng, tbl); err != nil {
			tbl.Release()
			return nil, fmt.Errorf("events: %w", err)
		}
	}
	d := &dataset{tbl: tbl, eng: eng, an: analytics.New(eng), id: id, gen: s.dataGen, fields: map[string]arrow.Field{}, events: events}
	d.index = map[string]int{}
	for i, f := range tbl.Schema.Fields() {
		d.fields[f.Name] = f
		d.cols = append(d.cols, f.Name)
		d.index[f.Name] = i
		d.kinds = append(d.kinds, kindOf(f.Type))
		d.elems = append(d.elems, elemKind(f.Type))
	}
	d.refs.Store(1)
	return d, nil
}

// idColumn resolves the id column: name, else user_id, else id, else none.
func idColumn(t *columnar.Table, name string) (string, error) {
	if name != "" {
		if err := engine.CheckIDColumn(t, name); err != nil {
			return "", fmt.Errorf("id column: %w", err)
		}
		return name, nil
	}
	for _, c := range []string{"user_id", "id"} {
		if t.ColumnIndex(c) >= 0 && engine.CheckIDColumn(t, c) == nil {
			return c, nil
		}
	}
	return "", nil
}

// readDefs reads the definition files and hashes them.
func (s *Server) readDefs(ctx context.Context) ([]catalog.File, string, error) {
	var files []catalog.File
	var err error
	if s.cfg.ReadDefs != nil {
		files, err = s.cfg.ReadDefs(ctx)
	} else {
		files, err = catalog.ReadFiles(ctx, s.cfg.Defs)
	}
	if err != nil {
		return nil, "", err
	}
	h := sha256.New()
	for _, f := range files {
		fmt.Fprintf(h, "%d:%s%d:%s", len(f.Name), f.Name, len(f.Text), f.Text)
	}
	return files, hex.EncodeToString(h.Sum(nil))[:16], nil
}

// build checks the definition set against data, compiles and sizes every
// segment, and returns a snapshot holding a reference to data.
func (s *Server) build(ctx context.Context, data *dataset) (*snapshot, error) {
	files, hash, err := s.readDefs(ctx)
	if err != nil {
		return nil, err
	}
	return s.buildFrom(ctx, data, files, hash)
}

func (s *Server) buildFrom(ctx context.Context, data *dataset, files []catalog.File, hash string) (*snapshot, error) {
	cat, err := catalog.Load(data.eng, files)
	if err != nil {
		return nil, err
	}
	now := s.now()
	sizes, err := cat.Sizes(ctx, engine.At(now))
	if err != nil {
		return nil, err
	}
	snap := &snapshot{
		data: data, cat: cat, segs: make(map[string]*segment, len(sizes)),
		defsHash: hash, version: fmt.Sprintf("d%d-%s", data.gen, hash), loaded: time.Now(),
	}
	snap.versionHeader = []string{snap.version}
	for _, sz := range sizes {
		q, err := cat.CompileContext(ctx, sz.Name)
		if err != nil {
			return nil, err
		}
		snap.segs[sz.Name] = &segment{def: sz.Definition, jsonName: jsonString(sz.Name), q: q, size: sz.Result.Count(), unknown: sz.Result.Unknown()}
		snap.names = append(snap.names, sz.Name)
	}
	data.retain()
	snap.refs.Store(1)
	return snap, nil
}

// jsonString is s as a JSON string, < > & kept as writeJSON keeps them.
func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

// now is the time now() means for an evaluation starting now.
func (s *Server) now() time.Time {
	if s.cfg.Now != nil {
		return s.cfg.Now()
	}
	return time.Now()
}

// ReloadDefinitions rereads the definition files and, when they changed,
// checks them and swaps them in atomically. On an error the previous set
// keeps serving; the error is returned, logged, counted and shown by
// /readyz until a reload succeeds.
func (s *Server) ReloadDefinitions(ctx context.Context) (changed bool, err error) {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	cur := s.acquire()
	if cur == nil {
		return false, errClosed
	}
	defer cur.release()
	files, hash, err := s.readDefs(ctx)
	if err == nil && hash == cur.defsHash {
		return false, nil
	}
	if err == nil && hash == s.failedHash {
		return false, s.failedErr // the same broken set: reported already
	}
	var snap *snapshot
	if err == nil {
		snap, err = s.buildFrom(ctx, cur.data, files, hash)
	}
	if err != nil {
		s.failedHash, s.failedErr = hash, err
		s.failed("definitions", err)
		return false, err
	}
	s.failedHash, s.failedErr = "", nil
	s.swap(snap)
	s.succeeded("definitions", snap)
	return true, nil
}

// ReloadData reloads the users table (and rechecks the definitions
// against it), swapping both in atomically; on an error the previous
// table and set keep serving.
func (s *Server) ReloadData(ctx context.Context) error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	data, err := s.loadData(ctx)
	var snap *snapshot
	if err == nil {
		snap, err = s.build(ctx, data)
		data.release()
	}
	if err != nil {
		s.failed("data", err)
		return err
	}
	s.swap(snap)
	s.succeeded("data", snap)
	return nil
}

var errClosed = errors.New("server closed")

func (s *Server) failed(what string, err error) {
	s.lastError.Store(&reloadFailure{What: what, At: time.Now().UTC(), Err: errorBody(err, "")})
	s.metrics.reloads.WithLabelValues(what, "error").Inc()
	s.metrics.reloadFailing.Set(1)
	s.log.Error("reload failed; the previous set keeps serving", "what", what, "error", err.Error())
}

func (s *Server) succeeded(what string, snap *snapshot) {
	s.lastError.Store(nil)
	s.metrics.reloads.WithLabelValues(what, "ok").Inc()
	s.metrics.reloadFailing.Set(0)
	s.log.Info("reloaded", "what", what, "segments", len(snap.names), "rows", snap.data.tbl.NumRows(), "version", snap.version)
}

// watch polls the definition files until ctx ends.
// Between polls it only stats the files: they are read (and parsed)
// again only when a name, size or modification time changed.
func (s *Server) watch(ctx context.Context) {
	t := time.NewTicker(s.cfg.Poll)
	defer t.Stop()
	last := defsStat(s.cfg.Defs)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if now := defsStat(s.cfg.Defs); now != last {
				last = now
				_, _ = s.ReloadDefinitions(ctx) // failures are logged and shown by /readyz
			}
		}
	}
}

// defsStat fingerprints the .seg files a definition set may read: those
// under each directory of defs, and for a file, those of its directory
// (the segql command reads a file with its neighbours). An unreadable
// path is part of the fingerprint, so its return is noticed.
func defsStat(defs []string) string {
	var b strings.Builder
	for _, d := range defs {
		dir := d
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			dir = filepath.Dir(d)
		}
		files, err := walk.Files(dir, func(p string) bool { return strings.HasSuffix(p, ".seg") }, nil)
		if err != nil {
			fmt.Fprintf(&b, "%s: %v\n", dir, err)
		}
		for _, f := range files {
			if st, err := os.Stat(f); err == nil {
				fmt.Fprintf(&b, "%s %d %d\n", f, st.Size(), st.ModTime().UnixNano())
			}
		}
	}
	return b.String()
}

// sortedNames returns names sorted (for did-you-mean candidates).
func sortedNames(m map[string]*segment) []string {
	out := make([]string, 0, len(m))
	for n := range m {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
