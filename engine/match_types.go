package engine

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/segql/segql/lang/check"
)

type arrowField = arrow.Field

// arrowStruct is a struct value in a Row.
type arrowStruct = Row

func asStruct(x any, out *arrowStruct) error {
	switch s := x.(type) {
	case map[string]any:
		*out = MapRow(s)
	case Row:
		*out = s
	default:
		return fmt.Errorf("cannot use %T as a struct", x)
	}
	return nil
}

func parseISO(s string) (int64, bool) { return check.ParseTime(s) }
