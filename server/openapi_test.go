package server

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type openapiSchema struct {
	Properties map[string]json.RawMessage `json:"properties"`
	Required   []string                   `json:"required"`
}

type openapiDocument struct {
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas map[string]openapiSchema `json:"schemas"`
	} `json:"components"`
}

// TestOpenAPI checks the served document against the handlers: the same
// paths and methods as the routes, and each request and response schema
// with exactly the JSON fields of its Go type, required exactly when the
// field is always present.
func TestOpenAPI(t *testing.T) {
	ts := newTestServer(t, testDefs, nil)
	var doc openapiDocument
	require.Equal(t, 200, ts.call(t, "GET", "/v1/openapi.json", nil, &doc))

	var want, got []string
	for _, rt := range ts.routeTable() {
		want = append(want, strings.ToLower(rt.method)+" "+rt.path)
	}
	want = append(want, "get /metrics")
	for path, ops := range doc.Paths {
		for m := range ops {
			got = append(got, m+" "+path)
		}
	}
	sort.Strings(want)
	sort.Strings(got)
	assert.Equal(t, want, got)

	types := map[string]any{
		"MatchRequest": matchRequest{}, "MatchResponse": matchResponse{},
		"EvaluateRequest": evaluateRequest{}, "EvaluateResponse": evaluateResponse{},
		"Segment": segmentJSON{}, "SegmentsResponse": segmentsResponse{}, "SegmentResponse": segmentResponse{},
		"ExplainRequest": explainRequest{}, "ExplainResponse": explainResponse{}, "Rule": ruleJSON{}, "Step": stepJSON{},
		"WhyRequest": whyRequest{}, "WhyResponse": whyResponse{}, "Trace": traceJSON{}, "Value": valueJSON{},
		"ReloadRequest": reloadRequest{}, "ReloadResponse": reloadResponse{},
		"HealthResponse": healthResponse{}, "ReadyResponse": readyResponse{}, "ReloadFailure": reloadFailure{},
		"ErrorResponse": errorResponse{}, "Error": apiError{}, "Diagnostic": diagnostic{},
	}
	var names []string
	for n := range doc.Components.Schemas {
		names = append(names, n)
	}
	for n := range types {
		assert.Contains(t, names, n, "schema %s is missing from the document", n)
	}
	for _, n := range names {
		v, ok := types[n]
		if !assert.True(t, ok, "schema %s has no Go type in this test", n) {
			continue
		}
		fields, always := jsonFields(reflect.TypeOf(v))
		sc := doc.Components.Schemas[n]
		var props []string
		for p := range sc.Properties {
			props = append(props, p)
		}
		sort.Strings(props)
		assert.Equal(t, fields, props, "schema %s: properties", n)
		req := append([]string{}, sc.Required...)
		sort.Strings(req)
		assert.Equal(t, always, req, "schema %s: required (fields without omitempty)", n)
	}
}

// jsonFields returns a struct's JSON field names and those always
// present (no omitempty), sorted.
func jsonFields(t reflect.Type) (all, always []string) {
	for i := range t.NumField() {
		tag := t.Field(i).Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" || name == "-" {
			continue
		}
		all = append(all, name)
		if !strings.Contains(opts, "omitempty") {
			always = append(always, name)
		}
	}
	sort.Strings(all)
	sort.Strings(always)
	if always == nil {
		always = []string{}
	}
	return all, always
}
