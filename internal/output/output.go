// Package output renders segment results for people and programs: aligned
// tables, CSV, JSON and id lists. The CLI and the REPL share it.
package output

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/segql/segql/columnar"
)

// Summary renders "3,471 members of 1,000,000 (0.35%) in 3.3ms".
func Summary(count, total int, elapsed time.Duration) string {
	share := 0.0
	if total > 0 {
		share = 100 * float64(count) / float64(total)
	}
	return fmt.Sprintf("%s members of %s (%.2f%%) in %s", Thousands(count), Thousands(total), share, Round(elapsed))
}

// Round shortens a duration for display.
func Round(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}

// Thousands formats n with comma separators.
func Thousands(n int) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

const maxCell = 40

// TableOptions shape a text table.
type TableOptions struct {
	// MaxWidth bounds a line's width in runes; columns that would go past
	// it are left out (the first column is always shown, its cells cut).
	// 0: no bound.
	MaxWidth int
	// NoHeader leaves out the header line and its rule.
	NoHeader bool
}

// Table writes rec as an aligned text table with a header rule. Nulls show
// as NULL; long cells are cut with "…".
func Table(w io.Writer, rec arrow.RecordBatch) error {
	_, err := TableWith(w, rec, TableOptions{})
	return err
}

// TableWith is Table shaped by opts; it returns the names of the columns
// left out to fit opts.MaxWidth.
func TableWith(w io.Writer, rec arrow.RecordBatch, opts TableOptions) (dropped []string, err error) {
	cells, width := tableCells(rec)
	shown := fitColumns(width, opts.MaxWidth)
	for c := shown; c < len(width); c++ {
		dropped = append(dropped, rec.ColumnName(c))
	}
	if opts.MaxWidth > 0 && shown == 1 && width[0] > opts.MaxWidth {
		width[0] = max(opts.MaxWidth, 2)
	}
	for r, row := range cells {
		if r == 0 && opts.NoHeader {
			continue
		}
		var b strings.Builder
		for c, s := range row[:shown] {
			if c > 0 {
				b.WriteString("  ")
			}
			if n := utf8.RuneCountInString(s); n > width[c] {
				s = string([]rune(s)[:width[c]-1]) + "…"
			}
			pad := width[c] - utf8.RuneCountInString(s)
			if isNumeric(rec.Column(c).DataType()) && r > 0 {
				b.WriteString(strings.Repeat(" ", pad) + s)
			} else {
				b.WriteString(s + strings.Repeat(" ", pad))
			}
		}
		if _, err := fmt.Fprintln(w, strings.TrimRight(b.String(), " ")); err != nil {
			return dropped, err
		}
		if r == 0 {
			rule := make([]string, shown)
			for c := range rule {
				rule[c] = strings.Repeat("─", width[c])
			}
			if _, err := fmt.Fprintln(w, strings.Join(rule, "  ")); err != nil {
				return dropped, err
			}
		}
	}
	return dropped, nil
}

// tableCells formats rec's header and cells (NULL for nulls, long cells
// cut) and each column's width in runes.
func tableCells(rec arrow.RecordBatch) ([][]string, []int) {
	ncol, nrow := int(rec.NumCols()), int(rec.NumRows())
	cells := make([][]string, nrow+1)
	width := make([]int, ncol)
	cells[0] = make([]string, ncol)
	for c := 0; c < ncol; c++ {
		cells[0][c] = rec.ColumnName(c)
		width[c] = utf8.RuneCountInString(cells[0][c])
	}
	for r := 0; r < nrow; r++ {
		cells[r+1] = make([]string, ncol)
		for c := 0; c < ncol; c++ {
			s, ok := columnar.FormatValue(rec.Column(c), r)
			if !ok {
				s = "NULL"
			}
			if utf8.RuneCountInString(s) > maxCell {
				s = string([]rune(s)[:maxCell-1]) + "…"
			}
			cells[r+1][c] = s
			width[c] = max(width[c], utf8.RuneCountInString(s))
		}
	}
	return cells, width
}

// fitColumns is how many leading columns of the widths fit in maxWidth
// (two spaces between columns); at least one; all when maxWidth is 0.
func fitColumns(width []int, maxWidth int) int {
	if maxWidth <= 0 {
		return len(width)
	}
	used := 0
	for c, w := range width {
		if c > 0 {
			w += 2
		}
		if used+w > maxWidth && c > 0 {
			return c
		}
		used += w
	}
	return len(width)
}

// Markdown writes the records as a Markdown table (numbers aligned
// right); a | in a cell is escaped, line breaks become spaces.
func Markdown(w io.Writer, recs []arrow.RecordBatch) error {
	if len(recs) == 0 {
		return nil
	}
	esc := strings.NewReplacer("|", `\|`, "\r\n", " ", "\n", " ", "\r", " ")
	var b strings.Builder
	first := recs[0]
	b.WriteString("|")
	for c := 0; c < int(first.NumCols()); c++ {
		b.WriteString(" " + esc.Replace(first.ColumnName(c)) + " |")
	}
	b.WriteString("\n|")
	for c := 0; c < int(first.NumCols()); c++ {
		if isNumeric(first.Column(c).DataType()) {
			b.WriteString(" ---: |")
		} else {
			b.WriteString(" --- |")
		}
	}
	b.WriteString("\n")
	for _, rec := range recs {
		for r := 0; r < int(rec.NumRows()); r++ {
			b.WriteString("|")
			for c := 0; c < int(rec.NumCols()); c++ {
				s, ok := columnar.FormatValue(rec.Column(c), r)
				if !ok {
					s = "NULL"
				}
				b.WriteString(" " + esc.Replace(s) + " |")
			}
			b.WriteString("\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Lines writes each row as "column = value" lines, names aligned, rows
// separated by a blank line.
func Lines(w io.Writer, recs []arrow.RecordBatch) error {
	var b strings.Builder
	for _, rec := range recs {
		width := 0
		for c := 0; c < int(rec.NumCols()); c++ {
			width = max(width, utf8.RuneCountInString(rec.ColumnName(c)))
		}
		for r := 0; r < int(rec.NumRows()); r++ {
			if b.Len() > 0 {
				b.WriteString("\n")
			}
			for c := 0; c < int(rec.NumCols()); c++ {
				s, ok := columnar.FormatValue(rec.Column(c), r)
				if !ok {
					s = "NULL"
				}
				name := rec.ColumnName(c)
				fmt.Fprintf(&b, "%s%s = %s\n", strings.Repeat(" ", width-utf8.RuneCountInString(name)), name, s)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func isNumeric(t arrow.DataType) bool {
	return arrow.IsInteger(t.ID()) || arrow.IsFloating(t.ID())
}

// CSV writes the records as CSV with one header line.
func CSV(w io.Writer, recs []arrow.RecordBatch) error { return CSVWith(w, recs, true) }

// CSVWith writes the records as CSV, with a header line when header is
// set.
func CSVWith(w io.Writer, recs []arrow.RecordBatch, header bool) error {
	cw := csv.NewWriter(w)
	for i, rec := range recs {
		if i == 0 && header {
			names := make([]string, rec.NumCols())
			for c := range names {
				names[c] = rec.ColumnName(c)
			}
			if err := cw.Write(names); err != nil {
				return err
			}
		}
		row := make([]string, rec.NumCols())
		for r := 0; r < int(rec.NumRows()); r++ {
			for c := range row {
				row[c], _ = columnar.FormatValue(rec.Column(c), r)
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// JSON writes the records as one JSON array of objects, fields in column
// order.
func JSON(w io.Writer, recs []arrow.RecordBatch) error {
	if _, err := io.WriteString(w, "["); err != nil {
		return err
	}
	first := true
	for _, rec := range recs {
		for r := 0; r < int(rec.NumRows()); r++ {
			sep := ",\n  "
			if first {
				sep = "\n  "
			}
			first = false
			obj, err := JSONObject(rec, r)
			if err != nil {
				return err
			}
			if _, err := io.WriteString(w, sep+obj); err != nil {
				return err
			}
		}
	}
	if !first {
		_, err := io.WriteString(w, "\n]\n")
		return err
	}
	_, err := io.WriteString(w, "]\n")
	return err
}

// JSONObject returns row r of rec as one JSON object, fields in column
// order.
func JSONObject(rec arrow.RecordBatch, r int) (string, error) {
	var b strings.Builder
	b.WriteString("{")
	for c := 0; c < int(rec.NumCols()); c++ {
		if c > 0 {
			b.WriteString(", ")
		}
		k, _ := json.Marshal(rec.ColumnName(c))
		v, err := json.Marshal(columnar.JSONValue(rec.Column(c), r))
		if err != nil {
			return "", err
		}
		b.Write(k)
		b.WriteString(": ")
		b.Write(v)
	}
	b.WriteString("}")
	return b.String(), nil
}

// Columns writes rows as aligned columns separated by two spaces; right[c]
// right-aligns column c. The first row is a header, underlined.
func Columns(w io.Writer, rows [][]string, right []bool) {
	width := make([]int, len(right))
	for _, r := range rows {
		for c, s := range r {
			width[c] = max(width[c], utf8.RuneCountInString(s))
		}
	}
	line := func(r []string) {
		var b strings.Builder
		for c, s := range r {
			if c > 0 {
				b.WriteString("  ")
			}
			pad := strings.Repeat(" ", width[c]-utf8.RuneCountInString(s))
			if right[c] {
				b.WriteString(pad + s)
			} else {
				b.WriteString(s + pad)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	for i, r := range rows {
		line(r)
		if i == 0 {
			rule := make([]string, len(r))
			for c := range rule {
				rule[c] = strings.Repeat("─", width[c])
			}
			line(rule)
		}
	}
}

// ErrUnprintableID is the error of an id that one-per-line output cannot
// show unambiguously.
var ErrUnprintableID = errors.New("id cannot be written one per line")

// IDs writes one id per line. An id with a control character (a newline
// would split it into two ids) or an empty id is refused before anything
// is written, naming it quoted: CSV and JSON carry any id.
func IDs(w io.Writer, ids []string) error {
	for _, id := range ids {
		if id == "" || strings.ContainsFunc(id, unicode.IsControl) {
			return fmt.Errorf("%w: %q (use -o csv or -o json)", ErrUnprintableID, id)
		}
	}
	bw := bufio.NewWriter(w)
	for _, id := range ids {
		bw.WriteString(id)
		bw.WriteByte('\n')
	}
	return bw.Flush()
}
