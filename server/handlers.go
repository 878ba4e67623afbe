package server

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/segql/segql/analytics"
	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
	"github.com/segql/segql/lang/diag"
)

// matchRequest asks for one user's (user) or several users' (users)
// membership in segments (all of them when Segments is empty).
type matchRequest struct {
	Segments []string         `json:"segments,omitempty"`
	User     map[string]any   `json:"user,omitempty"`
	Users    []map[string]any `json:"users,omitempty"`
	// Events are the user's events (with User only), each an object of
	// name, time and props (see eventJSON).
	Events []json.RawMessage `json:"events,omitempty"`
}

// matchResponse: each segment's truth, true, false or null (UNKNOWN), for
// the user (Segments) or for each user in order (Results).
type matchResponse struct {
	Version  string             `json:"version"`
	Segments map[string]*bool   `json:"segments,omitempty"`
	Results  []map[string]*bool `json:"results,omitempty"`
}

var (
	jsonTrue, jsonFalse = true, false
	truthJSON           = map[engine.Truth]*bool{engine.True: &jsonTrue, engine.False: &jsonFalse, engine.Unknown: nil}
)

// resolve returns the named segments (all, in file order, for none).
func (snap *snapshot) resolve(names []string) ([]*segment, *requestError) {
	if len(names) == 0 {
		names = snap.names
	}
	out := make([]*segment, 0, len(names))
	for _, n := range names {
		sg, ok := snap.segs[n]
		if !ok {
			return nil, unknownSegment(snap, n)
		}
		out = append(out, sg)
	}
	return out, nil
}

func unknownSegment(snap *snapshot, n string) *requestError {
	msg := fmt.Sprintf("no segment %q in the definitions", n)
	if h := diag.DidYouMean(n, sortedNames(snap.segs)); h != "" {
		msg += " (" + h + ")"
	}
	return &requestError{status: http.StatusNotFound, code: codeNotFound, msg: msg}
}

func failRequest(w http.ResponseWriter, e *requestError) {
	fail(w, e.status, e.code, e.msg)
}

// compile compiles an expression, or returns a named segment's query.
func (s *Server) compile(ctx context.Context, snap *snapshot, expr string) (*engine.Query, int, apiError) {
	switch {
	case expr == "":
		return nil, http.StatusBadRequest, apiError{Code: codeBadRequest, Message: `give "expression": an expression or a segment's name`}
	case len(expr) > s.cfg.MaxExpr:
		return nil, http.StatusBadRequest, apiError{Code: codeExpression, Message: fmt.Sprintf("the expression is %d bytes; at most %d", len(expr), s.cfg.MaxExpr)}
	}
	if sg, ok := snap.segs[expr]; ok {
		return sg.q, 0, apiError{}
	}
	q, err := snap.cat.CompileContext(ctx, expr)
	if err != nil {
		status, code := statusOf(err)
		return nil, status, errorBody(err, code)
	}
	return q, 0, apiError{}
}

// decodeQuery decodes a request into req and compiles its expression
// (*expr, a field of req); on an error it answers and returns false.
func (s *Server) decodeQuery(w http.ResponseWriter, r *http.Request, snap *snapshot, req any, expr *string) (*engine.Query, bool) {
	if e := s.decode(w, r, req); e != nil {
		failRequest(w, e)
		return nil, false
	}
	q, status, body := s.compile(r.Context(), snap, *expr)
	if q == nil {
		writeError(w, status, body)
		return nil, false
	}
	return q, true
}

// warnings renders a query's warnings.
func warnings(q *engine.Query) []diagnostic {
	if len(q.Warnings) == 0 {
		return nil
	}
	return diagBody("", []*diag.List{{Src: diag.Source{Text: q.Source()}, Items: q.Warnings}}).Diagnostics
}

// evaluateRequest asks for an expression's (or segment's) size and a page
// of its members' ids.
type evaluateRequest struct {
	Expression string `json:"expression"`
	Limit      *int   `json:"limit,omitempty"`
	Cursor     string `json:"cursor,omitempty"`
}

type evaluateResponse struct {
	Version    string       `json:"version"`
	Expression string       `json:"expression"`
	Count      int          `json:"count"`
	Unknown    int          `json:"unknown"`
	Total      int          `json:"total"`
	Share      float64      `json:"share"`
	IDColumn   string       `json:"id_column,omitempty"`
	IDs        []string     `json:"ids"`
	NullIDs    int          `json:"null_ids,omitempty"`
	NextCursor string       `json:"next_cursor,omitempty"`
	Withheld   string       `json:"withheld,omitempty"`
	Warnings   []diagnostic `json:"warnings,omitempty"`
}

// cursor is where the next page of an evaluation starts.
type cursor struct {
	Version string `json:"v"`
	Expr    string `json:"e"` // hash of the expression
	Row     int64  `json:"r"`
}

func exprHash(expr string) string {
	h := sha256.Sum256([]byte(expr))
	return hex.EncodeToString(h[:8])
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c) // a struct of strings and an int always encodes
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursor, error) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.Row < 0 {
		return c, errors.New("the cursor is not one this server returned")
	}
	return c, nil
}

const defaultPage = 100

func (s *Server) evaluate(w http.ResponseWriter, r *http.Request, snap *snapshot) {
	var req evaluateRequest
	if e := s.decode(w, r, &req); e != nil {
		failRequest(w, e)
		return
	}
	limit := defaultPage
	if req.Limit != nil {
		limit = *req.Limit
	}
	if limit < 0 || limit > s.cfg.MaxPage {
		fail(w, http.StatusBadRequest, codeBadRequest, fmt.Sprintf("limit %d: give 0 to %d ids per page", limit, s.cfg.MaxPage))
		return
	}
	var start int64
	if req.Cursor != "" {
		c, err := decodeCursor(req.Cursor)
		if err != nil {
			fail(w, http.StatusBadRequest, codeBadRequest, err.Error())
			return
		}
		if c.Expr != exprHash(req.Expression) {
			fail(w, http.StatusBadRequest, codeBadRequest, "the cursor belongs to another expression")
			return
		}
		if c.Version != snap.version {
			fail(w, http.StatusConflict, codeConflict, fmt.Sprintf("the data or definitions changed since this cursor (%s, now %s): start again without a cursor", c.Version, snap.version))
			return
		}
		start = c.Row
	}
	q, status, body := s.compile(r.Context(), snap, req.Expression)
	if q == nil {
		writeError(w, status, body)
		return
	}
	res, err := q.Run(r.Context(), engine.At(s.now()))
	if err != nil {
		status, code := statusOf(err)
		writeError(w, status, errorBody(err, code))
		return
	}
	resp := evaluateResponse{
		Version: snap.version, Expression: q.Source(), Count: res.Count(), Unknown: res.Unknown(),
		Total: res.Total(), IDColumn: snap.data.id, IDs: []string{}, Warnings: warnings(q),
	}
	if resp.Total > 0 {
		resp.Share = float64(resp.Count) / float64(resp.Total)
	}
	if limit > 0 {
		s.page(&resp, res, snap, req.Expression, start, limit)
	}
	writeJSON(w, http.StatusOK, resp)
}

// page fills resp with up to limit member ids from row start on, through
// the privacy guard.
func (s *Server) page(resp *evaluateResponse, res *engine.Result, snap *snapshot, expr string, start int64, limit int) {
	d := snap.data
	if d.id == "" {
		resp.Withheld = `the table has no id column ("user_id" or "id"; name one with --id)`
		return
	}
	_, withheld, err := s.cfg.Privacy.Members(d.tbl, res.Count(), []string{d.id})
	switch {
	case err != nil:
		resp.Withheld = err.Error()
		return
	case len(withheld) > 0:
		resp.Withheld = fmt.Sprintf("the id column %q is %v", d.id, analytics.ErrPersonalData)
		return
	}
	ci := d.tbl.ColumnIndex(d.id)
	next := int64(-1)
	res.Each(func(row int64) bool {
		if row < start {
			return true
		}
		if len(resp.IDs) == limit {
			next = row
			return false
		}
		b, i := d.tbl.Locate(row)
		col := d.tbl.Batches[b].Column(ci)
		if col.IsNull(i) {
			resp.NullIDs++
			return true
		}
		id, _ := columnar.FormatValue(col, i)
		resp.IDs = append(resp.IDs, id)
		return true
	})
	if next >= 0 {
		resp.NextCursor = cursor{Version: snap.version, Expr: exprHash(expr), Row: next}.encode()
	}
}

// segmentJSON describes one named segment.
type segmentJSON struct {
	Name         string   `json:"name"`
	Description  string   `json:"description,omitempty"`
	File         string   `json:"file"`
	Position     string   `json:"position"`
	Expression   string   `json:"expression"`
	Dependencies []string `json:"dependencies"`
	Size         int      `json:"size"`
	Unknown      int      `json:"unknown"`
	Share        float64  `json:"share"`
}

type segmentsResponse struct {
	Version  string        `json:"version"`
	Rows     int64         `json:"rows"`
	LoadedAt time.Time     `json:"loaded_at"`
	Segments []segmentJSON `json:"segments"`
}

type segmentResponse struct {
	Version string      `json:"version"`
	Segment segmentJSON `json:"segment"`
}

func (snap *snapshot) describe(sg *segment) segmentJSON {
	deps := sg.def.Deps
	if deps == nil {
		deps = []string{}
	}
	out := segmentJSON{
		Name: sg.def.Name, Description: sg.def.Description, File: sg.def.File, Position: sg.def.Position,
		Expression: sg.def.Expr, Dependencies: deps, Size: sg.size, Unknown: sg.unknown,
	}
	if n := snap.data.tbl.NumRows(); n > 0 {
		out.Share = float64(sg.size) / float64(n)
	}
	return out
}

func (s *Server) segments(w http.ResponseWriter, _ *http.Request, snap *snapshot) {
	resp := segmentsResponse{Version: snap.version, Rows: snap.data.tbl.NumRows(), LoadedAt: snap.loaded.UTC(), Segments: []segmentJSON{}}
	for _, n := range snap.names {
		resp.Segments = append(resp.Segments, snap.describe(snap.segs[n]))
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) segment(w http.ResponseWriter, r *http.Request, snap *snapshot) {
	name := r.PathValue("name")
	sg, ok := snap.segs[name]
	if !ok {
		failRequest(w, unknownSegment(snap, name))
		return
	}
	writeJSON(w, http.StatusOK, segmentResponse{Version: snap.version, Segment: snap.describe(sg)})
}

// explainRequest asks for an expression's plan; Analyze runs it and
// reports what each step observed.
type explainRequest struct {
	Expression string `json:"expression"`
	Analyze    bool   `json:"analyze,omitempty"`
}

type explainResponse struct {
	Version    string       `json:"version"`
	Expression string       `json:"expression"`
	Plan       string       `json:"plan"`
	Rules      []ruleJSON   `json:"rules"`
	Root       *stepJSON    `json:"root"`
	Members    *int         `json:"members,omitempty"`
	Warnings   []diagnostic `json:"warnings,omitempty"`
}

type ruleJSON struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// stepJSON is one step of a plan.
type stepJSON struct {
	Op             string      `json:"op"`
	Text           string      `json:"text"`
	Kernel         string      `json:"kernel,omitempty"`
	Rule           string      `json:"rule,omitempty"`
	Shared         bool        `json:"shared,omitempty"`
	EstCost        float64     `json:"est_cost_ns"`
	EstSelectivity float64     `json:"est_selectivity"`
	Observed       *float64    `json:"observed,omitempty"`
	RowsIn         int64       `json:"rows_in,omitempty"`
	RowsTrue       int64       `json:"rows_true,omitempty"`
	Repeat         bool        `json:"repeat,omitempty"`
	Steps          []*stepJSON `json:"steps,omitempty"`
}

func stepOf(st *engine.Step, observed bool) *stepJSON {
	if st == nil {
		return nil
	}
	out := &stepJSON{Op: st.Op, Text: st.Text, Kernel: st.Kernel, Rule: st.Rule, Shared: st.Shared,
		EstCost: st.EstCost, EstSelectivity: st.EstSelectivity, RowsIn: st.RowsIn, RowsTrue: st.RowsTrue, Repeat: st.Repeat}
	if observed && st.Observed >= 0 {
		o := st.Observed
		out.Observed = &o
	}
	for _, c := range st.Steps {
		out.Steps = append(out.Steps, stepOf(c, observed))
	}
	return out
}

func (s *Server) explain(w http.ResponseWriter, r *http.Request, snap *snapshot) {
	var req explainRequest
	q, ok := s.decodeQuery(w, r, snap, &req, &req.Expression)
	if !ok {
		return
	}
	plan := q.Explain()
	resp := explainResponse{Version: snap.version, Expression: q.Source(), Rules: []ruleJSON{}, Warnings: warnings(q)}
	if req.Analyze {
		res, err := q.Run(r.Context(), engine.At(s.now()))
		if err != nil {
			status, code := statusOf(err)
			writeError(w, status, errorBody(err, code))
			return
		}
		plan = res.Explain()
		n := res.Count()
		resp.Members = &n
	}
	resp.Plan = plan.String()
	for _, u := range plan.Rules {
		resp.Rules = append(resp.Rules, ruleJSON{Name: u.Name, Count: u.Count})
	}
	resp.Root = stepOf(plan.Root, plan.Observed)
	writeJSON(w, http.StatusOK, resp)
}

// whyRequest asks why one user is or is not in an expression or segment.
type whyRequest struct {
	Expression string         `json:"expression"`
	User       map[string]any `json:"user"`
}

type whyResponse struct {
	Version    string     `json:"version"`
	Expression string     `json:"expression"`
	Result     *bool      `json:"result"`
	Trace      *traceJSON `json:"trace"`
}

// traceJSON is one clause of a trace: its truth (null: UNKNOWN), the
// column values it read and the values computed below it.
type traceJSON struct {
	Text         string       `json:"text"`
	Segment      string       `json:"segment,omitempty"`
	Truth        *bool        `json:"truth"`
	NotEvaluated bool         `json:"not_evaluated,omitempty"`
	Error        string       `json:"error,omitempty"`
	Inputs       []valueJSON  `json:"inputs,omitempty"`
	Computed     []valueJSON  `json:"computed,omitempty"`
	Repeat       bool         `json:"repeat,omitempty"`
	Parts        []*traceJSON `json:"parts,omitempty"`
}

type valueJSON struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

func traceOf(t *engine.Trace) *traceJSON {
	out := &traceJSON{Text: t.Text, Segment: t.Segment, Truth: truthJSON[t.Truth], NotEvaluated: t.NotEvaluated(), Repeat: t.Repeat}
	if out.NotEvaluated {
		out.Truth = nil
	}
	if t.Err != nil {
		out.Error = t.Err.Error()
	}
	for _, v := range t.Inputs {
		out.Inputs = append(out.Inputs, valueJSON(v))
	}
	for _, v := range t.Computed {
		out.Computed = append(out.Computed, valueJSON(v))
	}
	for _, p := range t.Parts {
		out.Parts = append(out.Parts, traceOf(p))
	}
	return out
}

func (s *Server) why(w http.ResponseWriter, r *http.Request, snap *snapshot) {
	var req whyRequest
	q, ok := s.decodeQuery(w, r, snap, &req, &req.Expression)
	if !ok {
		return
	}
	row, e := snap.data.userRow(req.User, "user")
	if e != nil {
		failRequest(w, e)
		return
	}
	tr, err := q.TraceAt(row, s.now())
	if err != nil {
		status, code := statusOf(err)
		writeError(w, status, errorBody(err, code))
		return
	}
	writeJSON(w, http.StatusOK, whyResponse{Version: snap.version, Expression: q.Source(), Result: truthJSON[tr.Truth], Trace: traceOf(tr)})
}

// reloadRequest reloads the definitions, and the data too when Data.
type reloadRequest struct {
	Data bool `json:"data,omitempty"`
}

type reloadResponse struct {
	Version string `json:"version"`
	Changed bool   `json:"changed"`
}

func (s *Server) reload(w http.ResponseWriter, r *http.Request, snap *snapshot) {
	var req reloadRequest
	if r.ContentLength != 0 {
		if e := s.decode(w, r, &req); e != nil {
			failRequest(w, e)
			return
		}
	}
	changed, err := true, error(nil)
	if req.Data {
		err = s.ReloadData(r.Context())
	} else {
		changed, err = s.ReloadDefinitions(r.Context())
	}
	if err != nil {
		writeError(w, http.StatusUnprocessableEntity, errorBody(err, "reload_failed"))
		return
	}
	cur := s.acquire()
	if cur == nil {
		fail(w, http.StatusServiceUnavailable, codeUnavailable, "the server is closed")
		return
	}
	defer cur.release()
	w.Header().Set("Segql-Version", cur.version)
	writeJSON(w, http.StatusOK, reloadResponse{Version: cur.version, Changed: changed})
}

type healthResponse struct {
	Status string `json:"status"`
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request, _ *snapshot) {
	writeJSON(w, http.StatusOK, healthResponse{Status: "ok"})
}

// readyResponse: whether the server takes traffic, what it serves, and
// the last reload that failed (the previous set is serving) if any.
type readyResponse struct {
	Ready       bool           `json:"ready"`
	Version     string         `json:"version"`
	Segments    int            `json:"segments"`
	Rows        int64          `json:"rows"`
	LoadedAt    time.Time      `json:"loaded_at"`
	ReloadError *reloadFailure `json:"reload_error,omitempty"`
}

func (s *Server) readyz(w http.ResponseWriter, _ *http.Request, snap *snapshot) {
	resp := readyResponse{Ready: !s.stopping.Load(), Version: snap.version, Segments: len(snap.names),
		Rows: snap.data.tbl.NumRows(), LoadedAt: snap.loaded.UTC(), ReloadError: s.lastError.Load()}
	status := http.StatusOK
	if !resp.Ready {
		status = http.StatusServiceUnavailable
	}
	writeJSON(w, status, resp)
}
