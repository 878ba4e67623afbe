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
