package engine

import (
	"errors"

	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/plan"
	"github.com/segql/segql/engine/internal/value"
)

// Errors callers can test for with errors.Is.
var (
	// ErrOverflow: integer arithmetic left the int64 range on a row that
	// needed its value (as DuckDB raises an out-of-range error).
	ErrOverflow = value.ErrOverflow
	// ErrTimeRange: a time column holds a value beyond the microsecond
	// range (about ±292,000 years) on a row that needed it converted.
	ErrTimeRange = kernels.ErrTimeRange
	// ErrUintRange: a uint64 value above the int64 range was computed
	// with (comparisons with constants are exact for every value).
	ErrUintRange = kernels.ErrUintRange
	// ErrCost: the expression's estimated cost is over Limits.MaxCost; it
	// was refused before it ran.
	ErrCost = errors.New("estimated cost over the budget")
	// ErrRunTime: an evaluation ran longer than Limits.MaxRunTime.
	ErrRunTime = errors.New("evaluation stopped: over the run-time budget")
	// ErrNeedsData: the expression ranks the whole table (percent_rank,
	// ntile, the RFM scores) and the engine has only a schema.
	ErrNeedsData = errors.New("ranking functions need the table's rows; this engine has only its schema")
	// ErrIDColumn: the id column is missing or holds neither integers nor
	// strings.
	ErrIDColumn = errors.New("bad id column")
	// ErrUnknownKey: a MapRow holds a key that is no column of the table
	// (a misspelling would otherwise read as null).
	ErrUnknownKey = errors.New("not a column of the table")
)

// EvalError is an evaluation error with the position of the operation
// that raised it; it renders with the source line and a caret, and
// unwraps to ErrOverflow, ErrTimeRange or ErrUintRange.
type EvalError = plan.EvalError
