package columnar

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// readNDJSON reads newline-delimited JSON objects. The schema is inferred
// from the first sampleRows lines, in order of first appearance.
func readNDJSON(ctx context.Context, path string, opts LoadOptions) (*arrow.Schema, []arrow.RecordBatch, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	schema, err := inferNDJSON(newLineReader(ctx, path, f), path)
	if err != nil {
		return nil, nil, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, nil, err
	}
	r := array.NewJSONReader(newLineReader(ctx, path, f), schema, array.WithChunk(opts.BatchSize), array.WithAllocator(opts.Mem))
	defer r.Release()
	var batches []arrow.RecordBatch
	for r.Next() {
		if err := ctx.Err(); err != nil {
			return nil, batches, context.Cause(ctx)
		}
		rec := r.RecordBatch()
		rec.Retain()
		batches = append(batches, rec)
	}
	if err := r.Err(); err != nil && !errors.Is(err, io.EOF) {
		return nil, batches, err
	}
	return schema, batches, nil
}

func inferNDJSON(r io.Reader, path string) (*arrow.Schema, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	var order []string
	kinds := map[string]*jsonKind{}
	line := 0
	for sc.Scan() && line < sampleRows {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(b, &obj); err != nil {
			return nil, &LoadError{Path: path, Row: int64(line), Err: fmt.Errorf("not a JSON object: %v", err)}
		}
		for _, k := range keysInOrder(b) {
			if kinds[k] == nil {
				kinds[k] = &jsonKind{}
				order = append(order, k)
			}
			kinds[k].add(obj[k])
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(order) == 0 {
		return nil, errors.New("no JSON objects found")
	}
	fields := make([]arrow.Field, len(order))
	for i, k := range order {
		fields[i] = arrow.Field{Name: k, Type: kinds[k].typ(), Nullable: true}
	}
	return arrow.NewSchema(fields, nil), nil
}

// keysInOrder lists an object's keys as written.
func keysInOrder(b []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(b))
	var keys []string
	if _, err := dec.Token(); err != nil {
		return nil
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return keys
		}
		keys = append(keys, t.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return keys
		}
	}
	return keys
}

// jsonKind narrows a JSON field's type over the sample.
type jsonKind struct {
	scalar  inferred
	isList  bool
	elem    inferred
	other   bool
	strings bool
}

func (k *jsonKind) add(raw json.RawMessage) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
	case raw[0] == '[':
		k.isList = true
		var xs []json.RawMessage
		if json.Unmarshal(raw, &xs) == nil {
			for _, x := range xs {
				k.elem.add(scalarText(x, &k.elem))
			}
		}
	case raw[0] == '"':
		var s string
		_ = json.Unmarshal(raw, &s)
		k.strings = true
		k.scalar.add(s)
		k.scalar.notInt, k.scalar.notFloat, k.scalar.notBool = true, true, true
	case raw[0] == '{':
		k.other = true
	default:
		k.scalar.add(string(raw))
	}
	k.scalar.notList = true
}

func scalarText(x json.RawMessage, c *inferred) string {
	var s string
	if json.Unmarshal(x, &s) == nil {
		c.notInt, c.notFloat, c.notBool = true, true, true
		return s
	}
	return string(bytes.TrimSpace(x))
}

func (k *jsonKind) typ() arrow.DataType {
	switch {
	case k.other:
		return arrow.BinaryTypes.String
	case k.isList:
		return arrow.ListOf(k.elem.typ())
	}
	return k.scalar.typ()
}
