package testtables

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/segql/segql/columnar"
)

// HostileNames are column names built to break out of identifier quoting
// (quotes of every SQL flavour, keywords, comments, case, unicode).
var HostileNames = []string{`a"b`, "select", "x'y", `back\slash`, "ünï cödé", "User", "end;--", "`tick`", "a b\tc", "[br]"}

// HostileValues are strings built to break out of string literals
// (quotes, backslashes, dollar quoting, LIKE wildcards, bidi controls).
var HostileValues = []string{"plain", `'); DROP TABLE users; --`, `"`, `\`, `\'`, "'", "%_", "ünï\u202e", "line\nbreak", `$$`, `$tag$`, "E'x'"}

// Hostile is a table with an int64 "id" and one nullable string column per
// hostile name, rows holding hostile values in a rotation (some null).
func Hostile() *columnar.Table {
	fields := []arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}}
	for _, n := range HostileNames {
		fields = append(fields, arrow.Field{Name: n, Type: arrow.BinaryTypes.String, Nullable: true})
	}
	schema := arrow.NewSchema(fields, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	values := HostileValues
	for r := range 3 * len(values) {
		b.Field(0).(*array.Int64Builder).Append(int64(r))
		for c := 1; c <= len(HostileNames); c++ {
			sb := b.Field(c).(*array.StringBuilder)
			if (r+c)%7 == 0 {
				sb.AppendNull()
				continue
			}
			sb.Append(values[(r*c+r/len(values))%len(values)])
		}
	}
	return columnar.NewTable("hostile", schema, []arrow.RecordBatch{b.NewRecordBatch()})
}

// HostileExprs are expressions over Hostile's columns and values: each
// name quoted with backticks, compared with and matched against each value.
func HostileExprs() []string {
	var out []string
	for _, n := range HostileNames {
		q := "`" + backticks(n) + "`"
		for _, v := range HostileValues {
			out = append(out, q+" = "+quote(v)+" or "+q+" like "+quote("%"+v))
		}
	}
	return out
}

func backticks(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		out = append(out, r)
		if r == '`' {
			out = append(out, r)
		}
	}
	return string(out)
}

// quote is a segql string literal for s.
func quote(s string) string {
	out := []rune{'"'}
	for _, r := range s {
		switch r {
		case '"', '\\':
			out = append(out, '\\', r)
		case '\n':
			out = append(out, '\\', 'n')
		case '\t':
			out = append(out, '\\', 't')
		case '\u202e':
			out = append(out, []rune(`\u202e`)...)
		default:
			out = append(out, r)
		}
	}
	return string(append(out, '"'))
}
