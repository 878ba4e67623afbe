package columnar

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
)

// sampleRows is how many rows type inference looks at.
const sampleRows = 2000

// inferred narrows a column's type as sample values arrive. Candidates are
// tried from the most specific: int64, uint64 (non-negative integers some
// of which pass int64), float64, bool, date, timestamp, list of strings (a
// JSON array), string. An integer beyond uint64 is no float either: it is
// kept exactly, as a string, never rounded. Empty cells do not vote.
type inferred struct {
	seen                                        bool
	values, numbers                             int    // non-empty values; of them, numbers
	odd                                         string // the first value that is no number
	oddRow                                      int    // its row (1-based, header excluded); 0: unknown
	notInt, notFloat, notBool, notDate, notTime bool
	notUint                                     bool
	notList, notIntList                         bool
}

var utc = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}

func (c *inferred) add(v string) {
	if v == "" {
		return
	}
	c.seen = true
	c.values++
	if _, err := strconv.ParseFloat(v, 64); err == nil {
		c.numbers++
	} else if c.odd == "" {
		c.odd = v
	}
	_, ierr := strconv.ParseInt(v, 10, 64)
	_, uerr := strconv.ParseUint(v, 10, 64)
	c.notInt = c.notInt || ierr != nil
	c.notUint = c.notUint || uerr != nil
	if d := strings.TrimLeft(v, "+-"); d != "" && isDigits(d) && ierr != nil && uerr != nil {
		c.notFloat = true // an integer too long for 64 bits: a float would round it
	}
	if !c.notFloat {
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			c.notFloat = true
		}
	}
	if !c.notBool {
		if _, err := strconv.ParseBool(v); err != nil || isDigits(v) {
			c.notBool = true
		}
	}
	if !c.notDate {
		if _, err := time.Parse("2006-01-02", v); err != nil {
			c.notDate = true
		}
	}
	if !c.notTime {
		if _, ok := parseTimestamp(v); !ok {
			c.notTime = true
		}
	}
	if !c.notList {
		var xs []*string
		if !strings.HasPrefix(v, "[") || json.Unmarshal([]byte(v), &xs) != nil {
			c.notList = true
		}
	}
	if !c.notIntList {
		var xs []*int64
		if !strings.HasPrefix(v, "[") || json.Unmarshal([]byte(v), &xs) != nil {
			c.notIntList = true
		}
	}
}

// addAt is add for the value of a known row (1-based, header excluded).
func (c *inferred) addAt(v string, row int) {
	first := c.odd == ""
	c.add(v)
	if first && c.odd != "" {
		c.oddRow = row
	}
}

// noteKey is the Arrow field metadata key under which the loader says why
// a column has its type, where that may surprise (a numeric column read
// as text because of a few values).
const noteKey = "segql.note"

// NoteKey is the field metadata key of that note; the engine shows the
// note with type errors on the column.
const NoteKey = noteKey

// note explains a string type that some values forced on a column most
// of whose values are numbers ("" when none is due).
func (c *inferred) note() string {
	if c.typ().ID() != arrow.STRING || c.numbers == 0 || c.odd == "" || c.numbers*2 <= c.values {
		return ""
	}
	where := "it"
	if c.oddRow > 0 {
		where = "row " + strconv.Itoa(c.oddRow)
	}
	return "read as text because " + where + " holds " + strconv.Quote(c.odd)
}

// withNote is f with the column's inference note in its metadata.
func withNote(f arrow.Field, c *inferred) arrow.Field {
	if n := c.note(); n != "" {
		f.Metadata = arrow.NewMetadata([]string{noteKey}, []string{n})
	}
	return f
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func (c *inferred) typ() arrow.DataType {
	switch {
	case !c.seen:
		return arrow.BinaryTypes.String
	case !c.notInt:
		return arrow.PrimitiveTypes.Int64
	case !c.notUint:
		return arrow.PrimitiveTypes.Uint64
	case !c.notFloat:
		return arrow.PrimitiveTypes.Float64
	case !c.notBool:
		return arrow.FixedWidthTypes.Boolean
	case !c.notDate:
		return arrow.FixedWidthTypes.Date32
	case !c.notTime:
		return utc
	case !c.notList && c.notIntList:
		return arrow.ListOf(arrow.BinaryTypes.String)
	case !c.notIntList:
		return arrow.ListOf(arrow.PrimitiveTypes.Int64)
	}
	return arrow.BinaryTypes.String
}

var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999"}

// parseTimestamp reads an RFC 3339 or ISO-8601 timestamp (UTC without offset).
func parseTimestamp(v string) (time.Time, bool) {
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
