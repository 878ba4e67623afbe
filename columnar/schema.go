package columnar

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/segql/segql/internal/textfile"
)

// ReadSchema returns a data file's schema without loading its rows: from
// the Parquet footer, the IPC schema message, or a sample of CSV and NDJSON
// lines. (Load may return string columns dictionary-encoded where this
// reports plain strings; both are strings to segql.)
func ReadSchema(path string) (s *arrow.Schema, err error) {
	if st, serr := os.Stat(path); (serr == nil && st.IsDir()) || (serr != nil && strings.ContainsAny(path, "*?[")) {
		return readDatasetSchema(path)
	}
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, &LoadError{Path: path, Err: fmt.Errorf("malformed file (%v)", r)}
		}
		if err == nil && s != nil {
			if uerr := uniqueNames(s); uerr != nil {
				s, err = nil, &LoadError{Path: path, Err: uerr}
			}
		}
	}()
	wrap := func(err error) error { return &LoadError{Path: path, Err: err} }
	if err := checkRegular(path); err != nil {
		return nil, wrap(err)
	}
	if strings.HasSuffix(strings.ToLower(path), SchemaFileSuffix) {
		b, err := textfile.Read(context.Background(), path, 16<<20)
		if err != nil {
			return nil, wrap(err)
		}
		s, err := ParseSchemaJSON(b)
		if err != nil {
			return nil, wrap(err)
		}
		return s, nil
	}
	switch FormatOf(path) {
	case FormatParquet:
		rdr, err := file.OpenParquetFile(path, false)
		if err != nil {
			return nil, wrap(err)
		}
		defer rdr.Close()
		fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
		if err != nil {
			return nil, wrap(err)
		}
		return fr.Schema()
	case FormatIPCFile, FormatIPCStream:
		f, err := os.Open(path)
		if err != nil {
			return nil, wrap(err)
		}
		defer f.Close()
		if FormatOf(path) == FormatIPCFile {
			r, err := ipc.NewFileReader(f)
			if err != nil {
				return nil, wrap(err)
			}
			defer r.Close()
			return r.Schema(), nil
		}
		r, err := ipc.NewReader(f)
		if err != nil {
			return nil, wrap(err)
		}
		defer r.Release()
		return r.Schema(), nil
	case FormatCSV, FormatNDJSON:
		f, err := os.Open(path)
		if err != nil {
			return nil, wrap(err)
		}
		defer f.Close()
		if FormatOf(path) == FormatCSV {
			s, _, err := inferCSV(newLineReader(context.Background(), path, f))
			if err != nil {
				return nil, csvError(path, err, 0)
			}
			if _, err := f.Seek(0, io.SeekStart); err != nil {
				return nil, wrap(err)
			}
			if !csvHasRecord(newLineReader(context.Background(), path, f)) {
				return nil, wrap(ErrHeaderOnly)
			}
			return s, nil
		}
		s, err := inferNDJSON(newLineReader(context.Background(), path, f), path, -1)
		if err != nil {
			return nil, wrap(err)
		}
		return s, nil
	}
	return nil, wrap(fmt.Errorf("unknown file type"))
}

// ErrHeaderOnly is the error of a CSV file with no rows used as a schema:
// every column would read as a string.
var ErrHeaderOnly = errors.New("a CSV file with no rows is not a schema (its types cannot be inferred): give a data sample, or a schema file from `segql schema --data FILE > users" + SchemaFileSuffix + "`")

// csvHasRecord reports whether a CSV text has a record after its header.
func csvHasRecord(r io.Reader) bool {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	if _, err := cr.Read(); err != nil {
		return false
	}
	_, err := cr.Read()
	return err == nil
}

// readDatasetSchema is the schema of a directory or pattern of data
// files: the files' own columns (every file's schema read from its
// metadata, the rows not loaded, and compared with the first's), then
// the Hive partition columns.
func readDatasetSchema(path string) (*arrow.Schema, error) {
	files, parts, err := expandPartitioned([]string{path})
	if err != nil {
		return nil, err
	}
	var first *arrow.Schema
	for i, f := range files {
		s, err := ReadSchema(f.Path)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			first = s
		} else if err := sameSchema(first, s, files[0].Path, f.Path); err != nil {
			return nil, err
		}
	}
	fields := first.Fields()
	for _, pf := range parts.Fields {
		if first.FieldIndices(pf.Name) != nil {
			return nil, &LoadError{Path: files[0].Path, Column: pf.Name, Err: fmt.Errorf("the file has a column named like its partition directory %s=…", pf.Name)}
		}
		fields = append(fields, pf)
	}
	md := first.Metadata()
	return arrow.NewSchema(fields, &md), nil
}
