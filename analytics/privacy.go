package analytics

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/segql/segql/columnar"
)

// PIIMetadataKey marks a column as personal data in its Arrow field
// metadata (value "true"); Privacy.PII adds columns by name.
const PIIMetadataKey = "segql.pii"

// Privacy guards what analytics reveal. The zero value guards nothing (the
// library default); the segql command sets MinSize to 10.
type Privacy struct {
	// MinSize is a k-anonymity threshold: a segment with fewer members
	// (but not none) is neither shown nor exported, and profile and
	// overlap cells with fewer members are suppressed. 0 turns it off.
	MinSize int
	// PII names personal-data columns, besides those marked in the
	// table's field metadata. They are never profiled, and never exported
	// unless AllowPII is set.
	PII      []string
	AllowPII bool
}

// ErrPersonalData reports a personal-data column that was asked for
// without Privacy.AllowPII (export) or at all (profile). Front ends add
// the name of their own switch.
var ErrPersonalData = errors.New("personal data")

// ErrTooSmall reports a segment below the k-anonymity threshold.
type ErrTooSmall struct{ Size, MinSize int }

func (e *ErrTooSmall) Error() string {
	return fmt.Sprintf("the segment has %d members, fewer than the minimum size %d: it is not shown (the k-anonymity threshold)", e.Size, e.MinSize)
}

// Check returns an *ErrTooSmall for a non-empty group of n users smaller
// than MinSize.
func (p Privacy) Check(n int) error {
	if p.MinSize > 0 && n > 0 && n < p.MinSize {
		return &ErrTooSmall{Size: n, MinSize: p.MinSize}
	}
	return nil
}

// ErrInvalidPrivacy reports a privacy setting that cannot be honoured: a
// negative MinSize, or a PII name that is not a column of the table (a
// misspelling would leave the real column unprotected).
var ErrInvalidPrivacy = errors.New("invalid privacy setting")

// Validate checks p against the table it is to guard.
func (p Privacy) Validate(t *columnar.Table) error {
	if p.MinSize < 0 {
		return fmt.Errorf("%w: minimum size %d is negative (0 turns the threshold off)", ErrInvalidPrivacy, p.MinSize)
	}
	for _, c := range p.PII {
		if t.ColumnIndex(c) < 0 {
			return fmt.Errorf("%w: personal-data column %q is not a column of %s (columns: %s)", ErrInvalidPrivacy, c, t.Name, strings.Join(columnNames(t), ", "))
		}
	}
	return nil
}

func columnNames(t *columnar.Table) []string {
	out := make([]string, 0, t.Schema.NumFields())
	for _, f := range t.Schema.Fields() {
		out = append(out, f.Name)
	}
	return out
}

// Members is the one guard of every output that shows members, as ids or
// rows (the CLI's eval formats, the shell's modes and .show, export): it
// validates p, returns an *ErrTooSmall for a non-empty group of n members
// under MinSize, and splits cols (nil: every column of t, in order) into
// the columns that may be shown and the personal-data ones withheld
// (none withheld when AllowPII is set).
func (p Privacy) Members(t *columnar.Table, n int, cols []string) (shown, withheld []string, err error) {
	if err := p.Validate(t); err != nil {
		return nil, nil, err
	}
	if err := p.Check(n); err != nil {
		return nil, nil, err
	}
	if cols == nil {
		cols = columnNames(t)
	}
	for _, c := range cols {
		if i := t.ColumnIndex(c); i >= 0 && !p.AllowPII && p.isPII(t.Schema.Field(i)) {
			withheld = append(withheld, c)
		} else {
			shown = append(shown, c)
		}
	}
	return shown, withheld, nil
}

// guard validates p for the analyzer's table and checks each group size.
func (e *Analyzer) guard(p Privacy, sizes ...int) error {
	if err := p.Validate(e.table); err != nil {
		return err
	}
	for _, n := range sizes {
		if err := p.Check(n); err != nil {
			return err
		}
	}
	return nil
}

// isPII reports whether a column holds personal data.
func (p Privacy) isPII(f arrow.Field) bool {
	if slices.Contains(p.PII, f.Name) {
		return true
	}
	v, ok := f.Metadata.GetValue(PIIMetadataKey)
	return ok && strings.EqualFold(v, "true")
}

// PIIColumns lists the table's personal-data columns under p.
func (p Privacy) PIIColumns(t *columnar.Table) []string {
	var out []string
	for _, f := range t.Schema.Fields() {
		if p.isPII(f) {
			out = append(out, f.Name)
		}
	}
	return out
}

// suppress returns n, or -1 when it is a cell too small to show.
func (p Privacy) suppress(n int) int {
	if p.MinSize > 0 && n > 0 && n < p.MinSize {
		return -1
	}
	return n
}
