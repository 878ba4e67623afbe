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
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// readNDJSON reads newline-delimited JSON objects. A first pass infers
// every key's type over the whole file (keys in order of first appearance,
// so a key first seen late is still a column); a second decodes each line
// into Arrow builders. A key whose values mix kinds (numbers and strings,
// nested objects) is a string column holding each value's JSON text. An
// error names the file, the line and the key.
func readNDJSON(ctx context.Context, path string, opts LoadOptions) (*arrow.Schema, []arrow.RecordBatch, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	schema, err := inferNDJSON(newLineReader(ctx, path, f), path, -1)
	if err != nil {
		return nil, nil, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, nil, err
	}
	b := array.NewRecordBuilder(opts.Mem, schema)
	defer b.Release()
	col := make(map[string]int, schema.NumFields())
	for i, fd := range schema.Fields() {
		col[fd.Name] = i
	}
	var batches []arrow.RecordBatch
	release := func() {
		for _, r := range batches {
			r.Release()
		}
	}
	seen := make([]bool, schema.NumFields())
	rows := 0
	err = eachObject(newLineReader(ctx, path, f), path, func(line int, obj []jsonMember) error {
		clear(seen)
		for _, m := range obj {
			i := col[m.key]
			if seen[i] { // a repeated key: JSON's last one wins, as encoding/json reads it
				return &LoadError{Path: path, Row: int64(line), Column: m.key, Err: errors.New("key appears twice in the object")}
			}
			seen[i] = true
			if err := appendJSON(b.Field(i), m.raw); err != nil {
				return &LoadError{Path: path, Row: int64(line), Column: m.key, Err: err}
			}
		}
		for i, ok := range seen {
			if !ok {
				b.Field(i).AppendNull()
			}
		}
		if rows++; rows == opts.BatchSize {
			batches, rows = append(batches, b.NewRecordBatch()), 0
		}
		return nil
	})
	if err != nil {
		release()
		return nil, nil, err
	}
	if rows > 0 {
		batches = append(batches, b.NewRecordBatch())
	}
	return schema, batches, nil
}

// jsonMember is one key of an object and its value as written.
type jsonMember struct {
	key string
	raw json.RawMessage
}

// eachObject calls f with every non-blank line's object (keys in written
// order) and its 1-based line number.
func eachObject(r io.Reader, path string, f func(line int, obj []jsonMember) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), MaxLineBytes+1)
	var obj []jsonMember
	for line := 1; sc.Scan(); line++ {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var err error
		if obj, err = decodeObject(b, obj[:0]); err != nil {
			if lr, ok := r.(*lineReader); ok && lr.err != nil {
				return lr.err // the scanner hands over a cut line before its reader's error
			}
			return &LoadError{Path: path, Row: int64(line), Err: fmt.Errorf("not a JSON object: %v", err)}
		}
		if err := f(line, obj); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		var le *LoadError
		if errors.As(err, &le) {
			return le
		}
		return &LoadError{Path: path, Err: err}
	}
	return nil
}

// decodeObject splits a JSON object into its members, appended to dst.
func decodeObject(b []byte, dst []jsonMember) ([]jsonMember, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := t.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("a line holds %s, not an object", b[:min(len(b), 20)])
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		dst = append(dst, jsonMember{key: t.(string), raw: raw})
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("text after the object")
	}
	return dst, nil
}

// inferNDJSON infers the schema from the first limit objects (all when
// limit < 0).
func inferNDJSON(r io.Reader, path string, limit int) (*arrow.Schema, error) {
	var order []string
	kinds := map[string]*jsonKind{}
	n := 0
	errEnough := errors.New("enough")
	err := eachObject(r, path, func(_ int, obj []jsonMember) error {
		if limit >= 0 && n >= limit {
			return errEnough
		}
		n++
		for _, m := range obj {
			if kinds[m.key] == nil {
				kinds[m.key] = &jsonKind{}
				order = append(order, m.key)
			}
			kinds[m.key].add(m.raw)
		}
		return nil
	})
	if err != nil && err != errEnough {
		return nil, err
	}
	if len(order) == 0 {
		return nil, errors.New("no JSON objects found")
	}
	fields := make([]arrow.Field, len(order))
	for i, k := range order {
		fields[i] = arrow.Field{Name: k, Type: kinds[k].typ(), Nullable: true}
		if kinds[k].elem.values == 0 {
			fields[i] = withNote(fields[i], &kinds[k].scalar)
		}
	}
	return arrow.NewSchema(fields, nil), nil
}

// appendJSON appends a JSON value to a builder of the type inferred for
// its key, or says why it does not read as that type.
func appendJSON(b array.Builder, raw json.RawMessage) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		b.AppendNull()
		return nil
	}
	text, isString := jsonText(raw)
	bad := func() error {
		return fmt.Errorf("%s does not read as %s (the type inferred for the key)", raw, b.Type())
	}
	switch b := b.(type) {
	case *array.StringBuilder:
		b.Append(text)
	case *array.Int64Builder:
		v, err := strconv.ParseInt(text, 10, 64)
		if err != nil || isString {
			return bad()
		}
		b.Append(v)
	case *array.Uint64Builder:
		v, err := strconv.ParseUint(text, 10, 64)
		if err != nil || isString {
			return bad()
		}
		b.Append(v)
	case *array.Float64Builder:
		v, err := strconv.ParseFloat(text, 64)
		if err != nil || (isString && !nonFinite(text)) {
			return bad()
		}
		b.Append(v)
	case *array.BooleanBuilder:
		if isString || (text != "true" && text != "false") {
			return bad()
		}
		b.Append(text == "true")
	case *array.Date32Builder:
		t, err := time.Parse("2006-01-02", text)
		if err != nil || !isString {
			return bad()
		}
		b.Append(arrow.Date32FromTime(t))
	case *array.TimestampBuilder:
		t, ok := parseTimestamp(text)
		if !ok || !isString {
			return bad()
		}
		b.Append(arrow.Timestamp(t.UnixMicro()))
	case *array.ListBuilder:
		var xs []json.RawMessage
		if raw[0] != '[' || json.Unmarshal(raw, &xs) != nil {
			return bad()
		}
		b.Append(true)
		for _, x := range xs {
			if err := appendJSON(b.ValueBuilder(), x); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("unsupported column type %s", b.Type())
	}
	return nil
}

// jsonText is a JSON value's text: a string's contents (isString), else
// the compact JSON of the number, boolean, object or array.
func jsonText(raw json.RawMessage) (text string, isString bool) {
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s, true
		}
	}
	var buf bytes.Buffer
	if json.Compact(&buf, raw) == nil {
		return buf.String(), false
	}
	return string(raw), false
}

// nonFinite reports the strings JSON output writes for non-finite floats.
func nonFinite(s string) bool { return s == "NaN" || s == "Infinity" || s == "-Infinity" }

// jsonKind narrows a JSON field's type over the sample.
type jsonKind struct {
	scalar inferred
	isList bool
	elem   inferred
	other  bool
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
		k.scalar.add(s)
		k.scalar.notInt, k.scalar.notUint, k.scalar.notBool = true, true, true
		if !nonFinite(s) { // "NaN", "Infinity": how JSON output writes those floats
			k.scalar.notFloat = true
		}
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
		c.notInt, c.notUint, c.notFloat, c.notBool = true, true, true, true
		return s
	}
	return string(bytes.TrimSpace(x))
}

func (k *jsonKind) typ() arrow.DataType {
	switch {
	case k.other, k.isList && k.scalar.seen: // objects, or lists mixed with scalars: their JSON text
		return arrow.BinaryTypes.String
	case k.isList:
		return arrow.ListOf(k.elem.typ())
	}
	return k.scalar.typ()
}
