package check

import (
	"github.com/segql/segql/lang/ast"
)

// Distribution and experiment functions. Their arguments have shapes the
// planner relies on, so the checker enforces them: ranking functions take
// a column (ranks are computed over that column of the whole table), and
// the constants of ntile, bucket and sample must be literals.

// MaxNtile is the largest bucket count ntile accepts.
const MaxNtile = 10000

const (
	msgRankColumn   = "%s needs a column of numbers, dates or timestamps (ranks are computed over the whole table), got an expression"
	msgRankNested   = "%s needs a top-level column, not a struct field"
	msgNtileCount   = "ntile: the number of tiles must be an integer literal between 1 and %d"
	msgSaltLiteral  = "%s: the salt must be a string literal"
	msgSampleShare  = "sample: the share must be a literal between 0%% and 100%% (for example 10%%)"
	msgBucketIDType = "%s: argument 1 must be an integer or a string (a user id), got %s"
)

func init() {
	rank := func(result *Type) sigFunc {
		return func(c *checker, call *ast.Call, a []*Type) *Type {
			if !c.rankColumn(call, a) {
				return TInvalid
			}
			return result
		}
	}
	functions["percent_rank"] = &function{"1 argument", 1, 1, rank(TFloat64)}
	functions["r_score"] = &function{"1 argument", 1, 1, rank(TInt64)}
	functions["f_score"] = &function{"1 argument", 1, 1, rank(TInt64)}
	functions["m_score"] = &function{"1 argument", 1, 1, rank(TInt64)}
	functions["ntile"] = &function{"2 arguments", 2, 2, ntile}
	functions["bucket"] = &function{"2 arguments", 2, 2, bucket}
	functions["sample"] = &function{"3 arguments", 3, 3, sample}
}

// IsRankFunction reports whether name is a function computed from the
// ranks of a column over the whole table.
func IsRankFunction(name string) bool {
	switch name {
	case "percent_rank", "ntile", "r_score", "f_score", "m_score":
		return true
	}
	return false
}

// rankColumn checks that the first argument is a top-level numeric or
// temporal column.
func (c *checker) rankColumn(call *ast.Call, a []*Type) bool {
	ref, ok := call.Args[0].(*ast.Ref)
	if !ok {
		c.errorf(call.Args[0].Bounds(), msgRankColumn, call.Name)
		return false
	}
	r, ok := c.info.Refs[ref]
	if !ok {
		return false // unknown name: already reported
	}
	if r.Kind != ColumnRef {
		c.errorf(ref.Bounds(), msgRankColumn, call.Name)
		return false
	}
	if len(r.Fields) > 0 {
		c.errorf(ref.Bounds(), msgRankNested, call.Name)
		return false
	}
	return c.argKind(call, 0, a, "a number, date or timestamp column", func(t *Type) bool { return t.IsNumeric() || t.IsTemporal() })
}

func ntile(c *checker, call *ast.Call, a []*Type) *Type {
	ok := c.rankColumn(call, a)
	if l, isLit := call.Args[1].(*ast.Literal); !isLit || l.Kind != ast.Int || l.Int < 1 || l.Int > MaxNtile {
		c.errorf(call.Args[1].Bounds(), msgNtileCount, MaxNtile)
		return TInvalid
	}
	if !ok {
		return TInvalid
	}
	return TInt64
}

// idArg checks a user-id argument of bucket or sample.
func (c *checker) idArg(call *ast.Call, a []*Type) bool {
	if t := a[0]; t.Kind != Null && t.Kind != Invalid && !t.IsInteger() && t.Kind != String {
		c.errorf(call.Args[0].Bounds(), msgBucketIDType, call.Name, t)
		return false
	}
	return true
}

// saltArg checks that argument i is a string literal.
func (c *checker) saltArg(call *ast.Call, i int) bool {
	if l, ok := call.Args[i].(*ast.Literal); !ok || l.Kind != ast.String {
		c.errorf(call.Args[i].Bounds(), msgSaltLiteral, call.Name)
		return false
	}
	return true
}

func bucket(c *checker, call *ast.Call, a []*Type) *Type {
	if !c.idArg(call, a) || !c.saltArg(call, 1) {
		return TInvalid
	}
	return TInt64
}

func sample(c *checker, call *ast.Call, a []*Type) *Type {
	okID := c.idArg(call, a)
	if _, ok := SampleShare(call.Args[1]); !ok {
		c.errorf(call.Args[1].Bounds(), msgSampleShare)
		return TInvalid
	}
	if !c.saltArg(call, 2) || !okID {
		return TInvalid
	}
	return TBool
}

// SampleShare returns the share of a sample call's second argument as a
// fraction in [0, 1]: a percent literal (10%) or a number literal (0.1).
func SampleShare(e ast.Expr) (float64, bool) {
	l, ok := e.(*ast.Literal)
	if !ok {
		return 0, false
	}
	var f float64
	switch l.Kind {
	case ast.Percent:
		f = l.Fraction()
	case ast.Float:
		f = l.Float
	case ast.Int:
		f = float64(l.Int)
	default:
		return 0, false
	}
	return f, f >= 0 && f <= 1
}
