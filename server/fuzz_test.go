package server

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"testing"

	"github.com/segql/segql/engine"
)

// refMatch decodes a match body the general way (encoding/json into
// matchRequest, then userRow): the reference for the match endpoint's
// own scanner. It returns the segments, the users' rows, and the status
// of the error, if any.
func refMatch(d *dataset, body []byte, maxBatch int) ([]string, []engine.MapRow, int) {
	var req matchRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(&req); err != nil {
		return nil, nil, jsonError(err).status
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, nil, http.StatusBadRequest
	}
	if (req.User == nil) == (req.Users == nil) {
		return nil, nil, http.StatusBadRequest
	}
	users := req.Users
	if req.User != nil {
		users = []map[string]any{req.User}
	} else if len(users) > maxBatch {
		return nil, nil, http.StatusRequestEntityTooLarge
	}
	var rows []engine.MapRow
	for _, u := range users {
		row, e := d.userRow(u, "user")
		if e != nil {
			return nil, nil, e.status
		}
		rows = append(rows, row)
	}
	return req.Segments, rows, 0
}

// fastMatch decodes a match body with parseMatch and decodeUser,
// returning each user's values as Lookup reads them.
func fastMatch(d *dataset, body []byte, maxBatch int) ([]string, []engine.MapRow, int) {
	m, e := parseMatch(body)
	if e == nil && m.hasUser == m.hasUsers {
		e = badRequest(codeBadRequest, "either")
	}
	if e != nil {
		return nil, nil, e.status
	}
	var spans [][2]int
	if m.hasUser {
		spans = m.user
	} else {
		if m.nusers > maxBatch {
			return nil, nil, http.StatusRequestEntityTooLarge
		}
		p := &scanner{b: body[:m.users[1]], i: m.users[0] + 1}
		for p.peek() != ']' {
			start := p.i
			if err := p.skip(); err != nil {
				return nil, nil, err.status
			}
			spans = append(spans, [2]int{start, p.i})
			if done, _ := p.next(']'); done {
				break
			}
		}
	}
	var rows []engine.MapRow
	rec := &userRecord{d: d, slots: make([]slot, len(d.cols))}
	for i, sp := range spans {
		if m.hasUsers || i == 0 {
			rec.reset()
		}
		if e := d.decodeUser(body, sp, rec, -1); e != nil {
			return nil, nil, e.status
		}
		if m.hasUsers || i == len(spans)-1 {
			row := engine.MapRow{}
			for _, c := range d.cols {
				if v, _ := rec.Lookup(c); v != nil {
					row[c] = v
				}
			}
			rows = append(rows, row)
		}
	}
	return m.segments, rows, 0
}

// FuzzMatchDecode: the match endpoint's scanner accepts exactly the
// bodies encoding/json and userRow accept, with the same status for the
// others, and reads the same values.
func FuzzMatchDecode(f *testing.F) {
	for _, s := range []string{
		`{"user":{"age":30,"country":"DE","interests":["yoga"],"last_seen":"2026-10-01T10:00:00Z"}}`,
		`{"segments":["adults","germans"],"users":[{"age":1},{"income":2.5e3,"is_premium":true},{}]}`,
		`{"user":{"age":1},"user":{"country":"FR"}}`, `{"user":{"age":1},"user":null}`,
		`{"users":[null]}`, `{"users":[1]}`, `{"segments":null,"user":{"gender":null}}`,
		`{"user":{"country":"\u00e9\ud83d\ude00\ud800x\\n\"/"}}`, `{"user":{"age":-0}}`, `{"user":{"age":1e2}}`,
		`{"user":{"signup_date":"2026-02-30"}}`, `{"user":{"age":30}} x`, `[{"user":{}}]`, `{"segments":[1],"user":{}}`,
		`{"user":{"agee":1}}`, `{"users":{}}`, `{"user":[]}`, `{"user":{"interests":["a",null]}}`, `{"user":{"age":01}}`,
		`{"user":{"income":1.}}`, `{"user":{"age":"30"}}`, `{"user":{"nps":9223372036854775808}}`, " {\"user\" : { } } \n",
		`{"users":[{},{},{},{}]}`, `{"users":[{},{},{},{"age":true}]}`, `{"useR":{},"SEGMENTS":[],"\u017fegments":null}`, `{"user\u212a":{}}`, `{"user":{"country":"a` + "\x01" + `"}}`, "{\"user\":{}}\x00", "{\"user\":{}} \x00 ",
	} {
		f.Add([]byte(s))
	}
	ts := newTestServer(&testing.T{}, testDefs, nil)
	snap := ts.acquire()
	defer snap.release()
	d := snap.data
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(bytes.TrimSpace(body)) == 0 || invalidUTF8At(body) >= 0 {
			return // refused before either decoder runs
		}
		rs, rrows, rstatus := refMatch(d, body, 3)
		if tooDeep(body) >= 0 { // refused before encoding/json runs; the scanner counts depth itself
			rstatus = http.StatusBadRequest
		}
		fs, frows, fstatus := fastMatch(d, body, 3)
		if rstatus != fstatus {
			t.Fatalf("%q: status %d by encoding/json, %d by the scanner", body, rstatus, fstatus)
		}
		if rstatus != 0 {
			return
		}
		if len(rs) != len(fs) || (len(rs) > 0 && !reflect.DeepEqual(rs, fs)) {
			t.Fatalf("%q: segments %q by encoding/json, %q by the scanner", body, rs, fs)
		}
		if len(rrows) != len(frows) {
			t.Fatalf("%q: %d users by encoding/json, %d by the scanner", body, len(rrows), len(frows))
		}
		for i := range rrows {
			for _, c := range d.cols {
				rv, fv := rrows[i][c], frows[i][c]
				if !reflect.DeepEqual(rv, fv) {
					t.Fatalf("%q: user %d column %s: %#v by encoding/json, %#v by the scanner", body, i, c, rv, fv)
				}
			}
		}
	})
}
