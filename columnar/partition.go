package columnar

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// DataFile is one file of a dataset with the Hive-style partition values
// its directories name (country=DE/part-0.parquet), outermost first.
type DataFile struct {
	Path  string
	Parts []PartValue
}

// PartValue is one key=value directory: the key and the value as written,
// percent-decoded. Null marks __HIVE_DEFAULT_PARTITION__ and NULL, the
// names writers give a null partition.
type PartValue struct {
	Key, Value string
	Null       bool
}

// Partitioning is a dataset's partition columns: their fields (typed as
// inferValueType decides) in directory order, and each file's values.
type Partitioning struct {
	Fields []arrow.Field
	files  []DataFile
}

// expandPartitioned expands paths (ExpandDataset) and types their
// partitions.
func expandPartitioned(paths []string) ([]DataFile, *Partitioning, error) {
	files, err := ExpandDataset(paths)
	if err != nil {
		return nil, nil, err
	}
	parts, err := newPartitioning(files)
	if err != nil {
		return nil, nil, err
	}
	return files, parts, nil
}

// partitionsOf parses the key=value directories of path below root (root
// itself and anything above it are not read: a dataset's partitions are
// the directories inside it).
func partitionsOf(root, path string) []PartValue {
	rel, err := filepath.Rel(root, filepath.Dir(path))
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
		return nil
	}
	var parts []PartValue
	for _, seg := range strings.Split(filepath.ToSlash(rel), "/") {
		k, v, ok := strings.Cut(seg, "=")
		if !ok || k == "" || strings.Contains(v, "=") {
			continue
		}
		if dk, err := url.PathUnescape(k); err == nil {
			k = dk
		}
		if dv, err := url.PathUnescape(v); err == nil {
			v = dv
		}
		parts = append(parts, PartValue{Key: k, Value: v, Null: v == "__HIVE_DEFAULT_PARTITION__" || v == "NULL"})
	}
	return parts
}

// staticPrefix is the directory part of a pattern before its first
// segment with a wildcard: the root its matches' partitions are read
// below.
func staticPrefix(pattern string) string {
	segs := strings.Split(filepath.ToSlash(pattern), "/")
	for i, s := range segs {
		if strings.ContainsAny(s, "*?[") {
			if i == 0 {
				return "."
			}
			return filepath.FromSlash(strings.Join(segs[:i], "/"))
		}
	}
	return filepath.Dir(pattern)
}

// newPartitioning checks that every file names the same partition keys in
// the same order (an error names two files that differ) and types each
// key's values.
func newPartitioning(files []DataFile) (*Partitioning, error) {
	if len(files) == 0 || len(files[0].Parts) == 0 {
		for _, f := range files {
			if len(f.Parts) > 0 {
				return nil, partMismatch(files[0], f)
			}
		}
		return &Partitioning{files: files}, nil
	}
	first := files[0]
	p := &Partitioning{files: files}
	for i, pv := range first.Parts {
		vals := make([]PartValue, len(files))
		for j, f := range files {
			if len(f.Parts) != len(first.Parts) || f.Parts[i].Key != pv.Key {
				return nil, partMismatch(first, f)
			}
			vals[j] = f.Parts[i]
		}
		for _, prev := range p.Fields {
			if prev.Name == pv.Key {
				return nil, &LoadError{Path: first.Path, Column: pv.Key, Err: fmt.Errorf("the partition key is repeated in the path")}
			}
		}
		p.Fields = append(p.Fields, arrow.Field{Name: pv.Key, Type: inferValueType(vals), Nullable: true})
	}
	return p, nil
}

func partMismatch(a, b DataFile) error {
	return &LoadError{Path: b.Path, Err: fmt.Errorf("its partition directories (%s) differ from those of %s (%s)", partKeys(b), a.Path, partKeys(a))}
}

func partKeys(f DataFile) string {
	if len(f.Parts) == 0 {
		return "none"
	}
	keys := make([]string, len(f.Parts))
	for i, p := range f.Parts {
		keys[i] = p.Key + "=…"
	}
	return strings.Join(keys, "/")
}

// inferValueType types a partition key's values as DuckDB's Hive
// partitioning does: int64 when every non-null value is an integer, else
// date when every one is YYYY-MM-DD, else timestamp (microseconds, UTC)
// when every one is a timestamp, else string.
func inferValueType(vals []PartValue) arrow.DataType {
	all := func(ok func(string) bool) bool {
		n := 0
		for _, v := range vals {
			if v.Null {
				continue
			}
			if !ok(v.Value) {
				return false
			}
			n++
		}
		return n > 0
	}
	switch {
	case all(func(s string) bool { _, err := strconv.ParseInt(s, 10, 64); return err == nil }):
		return arrow.PrimitiveTypes.Int64
	case all(func(s string) bool { _, err := time.Parse(time.DateOnly, s); return err == nil }):
		return arrow.FixedWidthTypes.Date32
	case all(func(s string) bool { _, ok := parsePartTime(s); return ok }):
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	}
	return stringDictType
}

func parsePartTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// constArray returns an array of n copies of file's value of partition
// field f.
func constArray(mem memory.Allocator, f arrow.Field, pv PartValue, n int) arrow.Array {
	switch t := f.Type.(type) {
	case *arrow.DictionaryType:
		ib := array.NewInt32Builder(mem)
		defer ib.Release()
		if pv.Null {
			ib.AppendNulls(n)
		} else {
			ib.AppendValues(make([]int32, n), nil)
		}
		idx := ib.NewArray()
		defer idx.Release()
		sb := array.NewStringBuilder(mem)
		defer sb.Release()
		if !pv.Null {
			sb.Append(pv.Value)
		}
		dict := sb.NewArray()
		defer dict.Release()
		return array.NewDictionaryArray(t, idx, dict)
	}
	b := array.NewBuilder(mem, f.Type)
	defer b.Release()
	if pv.Null {
		b.AppendNulls(n)
		return b.NewArray()
	}
	switch b := b.(type) {
	case *array.Int64Builder:
		v, _ := strconv.ParseInt(pv.Value, 10, 64)
		vals := make([]int64, n)
		for i := range vals {
			vals[i] = v
		}
		b.AppendValues(vals, nil)
	case *array.Date32Builder:
		d, _ := time.Parse(time.DateOnly, pv.Value)
		v := arrow.Date32FromTime(d)
		vals := make([]arrow.Date32, n)
		for i := range vals {
			vals[i] = v
		}
		b.AppendValues(vals, nil)
	case *array.TimestampBuilder:
		tm, _ := parsePartTime(pv.Value)
		v := arrow.Timestamp(tm.UnixMicro())
		vals := make([]arrow.Timestamp, n)
		for i := range vals {
			vals[i] = v
		}
		b.AppendValues(vals, nil)
	}
	return b.NewArray()
}

// addPartitions returns t with file i's partition columns appended (a
// file column of a partition's name is an error naming both).
func (p *Partitioning) addPartitions(t *Table, i int, mem memory.Allocator) (*Table, error) {
	for k, f := range p.Fields {
		if t.ColumnIndex(f.Name) >= 0 {
			t.Release()
			return nil, &LoadError{Path: p.files[i].Path, Column: f.Name, Err: fmt.Errorf("the file has a column named like its partition directory %s=%s", f.Name, p.files[i].Parts[k].Value)}
		}
		cols := make([]arrow.Array, len(t.Batches))
		for b, rec := range t.Batches {
			cols[b] = constArray(mem, f, p.files[i].Parts[k], int(rec.NumRows()))
		}
		nt, err := t.WithColumn(f, cols)
		t.Release()
		if err != nil {
			return nil, err
		}
		t = nt
	}
	return t, nil
}
