package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/segql/segql/analytics"
	"github.com/segql/segql/catalog"
	"github.com/segql/segql/engine"
	"github.com/segql/segql/lang/diag"
)

// apiError is the body of every error response: {"error": {...}}. For an
// expression, the first error's position, message, hint and caret are at
// the top and every diagnostic is in Diagnostics.
type apiError struct {
	Code        string       `json:"code"`
	Message     string       `json:"message"`
	File        string       `json:"file,omitempty"`
	Line        int          `json:"line,omitempty"`
	Col         int          `json:"col,omitempty"`
	EndLine     int          `json:"end_line,omitempty"`
	EndCol      int          `json:"end_col,omitempty"`
	Hint        string       `json:"hint,omitempty"`
	Caret       string       `json:"caret,omitempty"`
	Segment     string       `json:"segment,omitempty"`
	Diagnostics []diagnostic `json:"diagnostics,omitempty"`
}

// diagnostic is one positioned problem.
type diagnostic struct {
	Severity string `json:"severity"`
	Message  string `json:"message"`
	File     string `json:"file,omitempty"`
	Line     int    `json:"line"`
	Col      int    `json:"col"`
	EndLine  int    `json:"end_line"`
	EndCol   int    `json:"end_col"`
	Hint     string `json:"hint,omitempty"`
	Caret    string `json:"caret"`
}

type errorResponse struct {
	Error apiError `json:"error"`
}

// Error codes of apiError.Code.
const (
	codeBadRequest   = "bad_request"
	codeBadJSON      = "invalid_json"
	codeTooLarge     = "body_too_large"
	codeUnauthorized = "unauthorized"
	codeForbidden    = "forbidden"
	codeNotFound     = "not_found"
	codeMethod       = "method_not_allowed"
	codeBusy         = "too_many_requests"
	codeExpression   = "invalid_expression"
	codeEvaluation   = "evaluation_error"
	codeTimeout      = "timeout"
	codeConflict     = "stale_cursor"
	codeUnavailable  = "unavailable"
	codeInternal     = "internal"
)

// errorBody describes err: positioned diagnostics for expressions and
// definition sets, a plain message otherwise.
func errorBody(err error, code string) apiError {
	var list *diag.List
	var cerrs catalog.Errors
	switch {
	case errors.As(err, &list):
		return diagBody(code, []*diag.List{list})
	case errors.As(err, &cerrs):
		return diagBody(code, cerrs)
	}
	if code == "" {
		code = codeInternal
	}
	return apiError{Code: code, Message: err.Error()}
}

// diagBody renders diagnostic lists, the first error leading.
func diagBody(code string, lists []*diag.List) apiError {
	if code == "" {
		code = codeExpression
	}
	out := apiError{Code: code}
	var msgs []string
	for _, l := range lists {
		for _, d := range l.Items {
			var b strings.Builder
			diag.RenderOne(&b, l.Src, d)
			line, col := l.Src.LineCol(d.Pos)
			eline, ecol := l.Src.LineCol(d.End)
			sev := "error"
			if d.Severity == diag.Warning {
				sev = "warning"
			} else {
				msgs = append(msgs, d.Msg)
			}
			out.Diagnostics = append(out.Diagnostics, diagnostic{
				Severity: sev, Message: d.Msg, File: l.Src.Name, Line: line, Col: col,
				EndLine: eline, EndCol: ecol, Hint: d.Hint, Caret: strings.TrimRight(b.String(), "\n"),
			})
		}
	}
	for _, d := range out.Diagnostics {
		if d.Severity == "error" {
			out.Message, out.File, out.Line, out.Col = d.Message, d.File, d.Line, d.Col
			out.EndLine, out.EndCol, out.Hint, out.Caret = d.EndLine, d.EndCol, d.Hint, d.Caret
			break
		}
	}
	if len(msgs) > 1 {
		out.Message += " (and " + strconv.Itoa(len(msgs)-1) + " more)"
	}
	return out
}

// statusOf maps an evaluation's error to a status and code.
func statusOf(err error) (int, string) {
	var small *analytics.ErrTooSmall
	var list *diag.List
	switch {
	case errors.As(err, &list):
		return http.StatusBadRequest, codeExpression
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, engine.ErrRunTime):
		return http.StatusServiceUnavailable, codeTimeout
	case errors.Is(err, context.Canceled):
		return 499, codeTimeout
	case errors.As(err, &small), errors.Is(err, analytics.ErrPersonalData):
		return http.StatusForbidden, codeForbidden
	case errors.Is(err, engine.ErrCost):
		return http.StatusUnprocessableEntity, codeExpression
	}
	return http.StatusUnprocessableEntity, codeEvaluation
}

// writeError writes err as JSON with status.
func writeError(w http.ResponseWriter, status int, body apiError) {
	writeJSON(w, status, errorResponse{Error: body})
}

// fail writes a plain error.
func fail(w http.ResponseWriter, status int, code, msg string) {
	writeError(w, status, apiError{Code: code, Message: msg})
}

// Header values shared by every response (net/http never changes them).
var (
	contentTypeJSON = []string{"application/json"}
	noSniff         = []string{"nosniff"}
)

// jsonHeaders marks a JSON response, without allocating.
func jsonHeaders(h http.Header) {
	h["Content-Type"] = contentTypeJSON
	h["X-Content-Type-Options"] = noSniff
}

// writeJSON writes v with status. An encoding failure after the header
// is sent cannot be reported to the client; it is a bug (v's types are
// this package's).
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // expressions keep their < > &
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"error":{"code":"internal","message":"the response could not be encoded"}}` + "\n")
	}
	writeBuffered(w, status, buf.Bytes())
}

// writeBuffered writes a whole JSON body with its length (not chunked).
func writeBuffered(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	jsonHeaders(h)
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	_, _ = w.Write(body) // a client gone is not the server's error
}
