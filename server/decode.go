package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/segql/segql/engine"
	"github.com/segql/segql/lang/check"
	"github.com/segql/segql/lang/diag"
)

// maxDepth bounds the nesting of a request's JSON.
const maxDepth = 32

// requestError is a request refused before it is served.
type requestError struct {
	status int
	code   string
	msg    string
}

func (e *requestError) Error() string { return e.msg }

func badRequest(code, format string, args ...any) *requestError {
	return &requestError{status: http.StatusBadRequest, code: code, msg: fmt.Sprintf(format, args...)}
}

// decode reads the request body into v strictly (whatever its
// Content-Type says, as curl -d sends a form's): at most MaxBody bytes of
// valid UTF-8 JSON, nested at most maxDepth deep, one value, no field v
// does not have, every field of its type.
func (s *Server) decode(w http.ResponseWriter, r *http.Request, v any) *requestError {
	buf, rerr := s.readJSON(w, r, true)
	if buf != nil {
		defer bodyPool.Put(buf)
	}
	if rerr != nil {
		return rerr
	}
	dec := json.NewDecoder(bytes.NewReader(buf.Bytes()))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest(codeBadJSON, "unexpected data after the JSON object (at byte %d)", dec.InputOffset())
	}
	return nil
}

// readJSON reads the request body into a buffer from bodyPool (the
// caller puts it back when non-nil) and checks what every JSON body must
// be: at most MaxBody bytes, not empty, valid UTF-8, and with depth,
// nested at most maxDepth deep.
func (s *Server) readJSON(w http.ResponseWriter, r *http.Request, depth bool) (*bytes.Buffer, *requestError) {
	buf := bodyPool.Get().(*bytes.Buffer)
	buf.Reset()
	if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, s.cfg.MaxBody)); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return buf, &requestError{status: http.StatusRequestEntityTooLarge, code: codeTooLarge, msg: fmt.Sprintf("the body is larger than %d bytes", s.cfg.MaxBody)}
		}
		return buf, badRequest(codeBadRequest, "reading the body: %v", err)
	}
	body := buf.Bytes()
	if len(bytes.TrimSpace(body)) == 0 {
		return buf, badRequest(codeBadJSON, "the body is empty: send a JSON object")
	}
	if !utf8.Valid(body) {
		return buf, badRequest(codeBadJSON, "the body is not valid UTF-8 (at byte %d)", invalidUTF8At(body))
	}
	if !depth {
		return buf, nil
	}
	if at := tooDeep(body); at >= 0 {
		return buf, badRequest(codeBadJSON, "the JSON is nested more than %d levels deep (at byte %d)", maxDepth, at)
	}
	return buf, nil
}

// jsonError explains a decoding error.
func jsonError(err error) *requestError {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return badRequest(codeBadJSON, "invalid JSON at byte %d: %s", max(syn.Offset-1, 0), strings.TrimPrefix(syn.Error(), "json: "))
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "the body"
		}
		return badRequest(codeBadJSON, "%s: expected %s, got a JSON %s", field, goTypeName(typ.Type.String()), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest(codeBadJSON, "the JSON ends early")
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	return badRequest(codeBadJSON, "%s", msg)
}

// goTypeName names a Go type the way a JSON caller thinks of it.
func goTypeName(t string) string {
	switch {
	case strings.HasPrefix(t, "[]"):
		return "an array"
	case strings.HasPrefix(t, "map["), strings.Contains(t, "Request"), strings.HasPrefix(t, "struct"):
		return "an object"
	case t == "string":
		return "a string"
	case t == "bool":
		return "true or false"
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "uint"), strings.HasPrefix(t, "float"), t == "json.Number":
		return "a number"
	}
	return t
}

// invalidUTF8At is the offset of the first invalid UTF-8 byte.
func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return -1
}

// tooDeep returns the offset where b's JSON nesting passes maxDepth, or -1.
func tooDeep(b []byte) int {
	depth, inStr, esc := 0, false, false
	for i, c := range b {
		switch {
		case inStr:
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '[' || c == '{':
			if depth++; depth > maxDepth {
				return i
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return -1
}

// userRow converts one user's JSON values into a row of Go values of the
// table's column types. A key that is no column, and a value of the wrong
// type, are errors naming path (such as "users[3]"). A column left out is
// null.
func (d *dataset) userRow(user map[string]any, path string) (engine.MapRow, *requestError) {
	if user == nil {
		return nil, badRequest(codeBadRequest, "%s: give the user's values as an object", path)
	}
	row := make(engine.MapRow, len(user))
	for k, v := range user {
		f, ok := d.fields[k]
		if !ok {
			return nil, unknownKey(path, k, d.cols)
		}
		x, err := jsonValue(v, f.Type, path+"."+k)
		if err != nil {
			return nil, err
		}
		row[k] = x
	}
	return row, nil
}

func unknownKey(path, k string, cols []string) *requestError {
	msg := fmt.Sprintf("%s: %q is no column of the table", path, k)
	if h := diag.DidYouMean(k, cols); h != "" {
		msg += " (" + h + ")"
	}
	return badRequest(codeBadRequest, "%s", msg)
}

// jsonValue converts a decoded JSON value (json.Number, string, bool, nil,
// []any, map[string]any) to the Go value the engine reads for type t.
func jsonValue(v any, t arrow.DataType, path string) (any, *requestError) {
	if v == nil {
		return nil, nil
	}
	if dt, ok := t.(*arrow.DictionaryType); ok {
		t = dt.ValueType
	}
	wrong := func(want string) *requestError {
		return badRequest(codeBadRequest, "%s: expected %s, got %s", path, want, jsonKind(v))
	}
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		n, ok := v.(json.Number)
		if !ok {
			return nil, wrong("an integer")
		}
		if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
			return i, nil
		}
		if u, err := strconv.ParseUint(string(n), 10, 64); err == nil && t.ID() == arrow.UINT64 {
			return u, nil
		}
		return nil, badRequest(codeBadRequest, "%s: %s is not an integer of the column's range", path, n)
	case arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64:
		n, ok := v.(json.Number)
		if !ok {
			return nil, wrong("a number")
		}
		f, err := strconv.ParseFloat(string(n), 64)
		if err != nil {
			return nil, badRequest(codeBadRequest, "%s: %s is out of range", path, n)
		}
		return f, nil
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW:
		if s, ok := v.(string); ok {
			return s, nil
		}
		return nil, wrong("a string")
	case arrow.BOOL:
		if b, ok := v.(bool); ok {
			return b, nil
		}
		return nil, wrong("true or false")
	case arrow.DATE32, arrow.DATE64, arrow.TIMESTAMP:
		s, ok := v.(string)
		if !ok {
			return nil, wrong(`a date or time string ("2026-11-01" or RFC 3339)`)
		}
		us, ok := check.ParseTime(s)
		if !ok {
			return nil, badRequest(codeBadRequest, "%s: %q is not a date or time (2026-11-01, 2026-11-01T10:00:00Z)", path, s)
		}
		return time.UnixMicro(us).UTC(), nil
	case arrow.LIST, arrow.LARGE_LIST, arrow.FIXED_SIZE_LIST:
		xs, ok := v.([]any)
		if !ok {
			return nil, wrong("an array")
		}
		elem := t.(arrow.ListLikeType).Elem()
		out := make([]any, len(xs))
		for i, x := range xs {
			c, err := jsonValue(x, elem, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case arrow.STRUCT:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, wrong("an object")
		}
		st := t.(*arrow.StructType)
		out := make(map[string]any, len(m))
		for k, x := range m {
			i, ok := st.FieldIdx(k)
			if !ok {
				names := make([]string, st.NumFields())
				for j, f := range st.Fields() {
					names[j] = f.Name
				}
				return nil, unknownKey(path, k, names)
			}
			c, err := jsonValue(x, st.Field(i).Type, path+"."+k)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	}
	return nil, badRequest(codeBadRequest, "%s: the column's type %s cannot be given in JSON", path, t)
}

func jsonKind(v any) string {
	switch v.(type) {
	case json.Number:
		return "a number"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
