package engine

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/segql/segql/columnar"
)

// The class of wide values: every Arrow integer type and every time unit,
// filled with the edges of its type (and of the microsecond range), must
// evaluate exactly or raise an error of its row — never wrap — and the
// same way on every path. extremeColumns lists the columns of the test
// table: name, Arrow type, and the stored values it cycles through.
type extremeColumn struct {
	name string
	typ  arrow.DataType
	vals []*big.Int // stored values (days, seconds, … for times)
	mul  int64      // times: microseconds per stored unit (0: an integer column; -1000: nanoseconds)
}

func bigs(vs ...any) []*big.Int {
	out := make([]*big.Int, len(vs))
	for i, v := range vs {
		switch x := v.(type) {
		case int64:
			out[i] = big.NewInt(x)
		case uint64:
			out[i] = new(big.Int).SetUint64(x)
		case int:
			out[i] = big.NewInt(int64(x))
		}
	}
	return out
}

func signedEdges(bitsN uint) []*big.Int {
	mn, mx := -(int64(1) << (bitsN - 1)), int64(1)<<(bitsN-1)-1
	if bitsN == 64 {
		mn, mx = math.MinInt64, math.MaxInt64
	}
	return bigs(mn, mn+1, int64(-1), int64(0), int64(1), mx-1, mx)
}

func unsignedEdges(bitsN uint) []*big.Int {
	mx := uint64(1)<<bitsN - 1
	if bitsN == 64 {
		return bigs(uint64(0), uint64(1), uint64(math.MaxInt64), uint64(math.MaxInt64)+1, uint64(math.MaxUint64)-1, uint64(math.MaxUint64))
	}
	return bigs(uint64(0), uint64(1), mx-1, mx)
}

// timeEdges are a time column's stored edges and those of the microsecond
// range in its unit.
func timeEdges(bitsN uint, mul int64) []*big.Int {
	out := signedEdges(bitsN)
	if mul > 1 {
		lo, hi := math.MinInt64/mul, math.MaxInt64/mul
		out = append(out, bigs(lo-1, lo, hi, hi+1, int64(19000), int64(-19000))...)
	}
	return out
}

func extremeColumns() []extremeColumn {
	return []extremeColumn{
		{name: "i8", typ: arrow.PrimitiveTypes.Int8, vals: signedEdges(8)},
		{name: "i16", typ: arrow.PrimitiveTypes.Int16, vals: signedEdges(16)},
		{name: "i32", typ: arrow.PrimitiveTypes.Int32, vals: signedEdges(32)},
		{name: "i64", typ: arrow.PrimitiveTypes.Int64, vals: signedEdges(64)},
		{name: "u8", typ: arrow.PrimitiveTypes.Uint8, vals: unsignedEdges(8)},
		{name: "u16", typ: arrow.PrimitiveTypes.Uint16, vals: unsignedEdges(16)},
		{name: "u32", typ: arrow.PrimitiveTypes.Uint32, vals: unsignedEdges(32)},
		{name: "u64", typ: arrow.PrimitiveTypes.Uint64, vals: unsignedEdges(64)},
		{name: "v64", typ: arrow.PrimitiveTypes.Uint64, vals: append(unsignedEdges(64), bigs(uint64(1)<<63+5)...)},
		{name: "ts_s", typ: &arrow.TimestampType{Unit: arrow.Second}, vals: timeEdges(64, 1_000_000), mul: 1_000_000},
		{name: "ts_ms", typ: &arrow.TimestampType{Unit: arrow.Millisecond}, vals: timeEdges(64, 1000), mul: 1000},
		{name: "ts_us", typ: &arrow.TimestampType{Unit: arrow.Microsecond}, vals: timeEdges(64, 1), mul: 1},
		{name: "ts_ns", typ: &arrow.TimestampType{Unit: arrow.Nanosecond}, vals: timeEdges(64, 1), mul: -1000},
		{name: "d32", typ: arrow.FixedWidthTypes.Date32, vals: timeEdges(32, 86_400_000_000), mul: 86_400_000_000},
		{name: "d64", typ: arrow.FixedWidthTypes.Date64, vals: timeEdges(64, 1000), mul: 1000},
	}
}

// extremeRows is how many rows the table has: every column cycles through
// its values (and a null) at its own period, so values meet in many
// combinations.
const extremeRows = 600

// cell is column c's stored value in row r, nil for null.
func (c extremeColumn) cell(r int) *big.Int {
	k := r % (len(c.vals) + 1)
	if k == len(c.vals) {
		return nil
	}
	return c.vals[(k+r/97)%len(c.vals)]
}

func extremeTable(t *testing.T) *columnar.Table {
	cols := extremeColumns()
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.name, Type: c.typ, Nullable: true}
	}
	schema := arrow.NewSchema(fields, nil)
	var batches []arrow.RecordBatch
	for lo := 0; lo < extremeRows; lo += 128 {
		b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
		for r := lo; r < min(lo+128, extremeRows); r++ {
			for i, c := range cols {
				appendBig(b.Field(i), c.cell(r))
			}
		}
		batches = append(batches, b.NewRecordBatch())
		b.Release()
	}
	return columnar.NewTable("extremes", schema, batches)
}

func appendBig(b array.Builder, v *big.Int) {
	if v == nil {
		b.AppendNull()
		return
	}
	i := v.Int64()
	switch x := b.(type) {
	case *array.Int8Builder:
		x.Append(int8(i))
	case *array.Int16Builder:
		x.Append(int16(i))
	case *array.Int32Builder:
		x.Append(int32(i))
	case *array.Int64Builder:
		x.Append(i)
	case *array.Uint8Builder:
		x.Append(uint8(i))
	case *array.Uint16Builder:
		x.Append(uint16(i))
	case *array.Uint32Builder:
		x.Append(uint32(i))
	case *array.Uint64Builder:
		x.Append(v.Uint64())
	case *array.TimestampBuilder:
		x.Append(arrow.Timestamp(i))
	case *array.Date32Builder:
		x.Append(arrow.Date32(i))
	case *array.Date64Builder:
		x.Append(arrow.Date64(i))
	}
}

// outcome is a predicate's result for one row: 0 FALSE, 1 TRUE, 2 NULL, 3
// an evaluation error.
type outcome int8

const (
	oFalse outcome = iota
	oTrue
	oNull
	oErr
)

func truthOutcome(b bool) outcome {
	if b {
		return oTrue
	}
	return oFalse
}

// xval is a reference value: an exact integer (microseconds for times),
// null, or an error.
type xval struct {
	v    *big.Int
	null bool
	err  bool
}

var (
	minI64 = big.NewInt(math.MinInt64)
	maxI64 = big.NewInt(math.MaxInt64)
)

func fitsI64(v *big.Int) bool { return v.Cmp(minI64) >= 0 && v.Cmp(maxI64) <= 0 }

// read is column c of row r as the engine must see it: integers exactly,
// times in microseconds (an error beyond int64).
func (c extremeColumn) read(r int) xval {
	s := c.cell(r)
	switch {
	case s == nil:
		return xval{null: true}
	case c.mul == 0:
		return xval{v: s}
	case c.mul < 0: // nanoseconds: floor to microseconds
		q := new(big.Int)
		q.Div(s, big.NewInt(-c.mul)) // Euclidean: floor for a positive divisor
		return xval{v: q}
	}
	us := new(big.Int).Mul(s, big.NewInt(c.mul))
	if !fitsI64(us) {
		return xval{err: true}
	}
	return xval{v: us}
}

// extremePredicate is a predicate source and its reference.
type extremePredicate struct {
	src string
	ref func(r int) outcome
}

var cmpOps = []struct {
	op   string
	hold func(c int) bool
}{
	{"=", func(c int) bool { return c == 0 }}, {"!=", func(c int) bool { return c != 0 }},
	{"<", func(c int) bool { return c < 0 }}, {"<=", func(c int) bool { return c <= 0 }},
	{">", func(c int) bool { return c > 0 }}, {">=", func(c int) bool { return c >= 0 }},
}

// onValue is the outcome of a test of column c's value on row r: the
// value's error or null, else the test's truth.
func onValue(c extremeColumn, test func(xval) bool) func(r int) outcome {
	return func(r int) outcome {
		x := c.read(r)
		switch {
		case x.err:
			return oErr
		case x.null:
			return oNull
		}
		return truthOutcome(test(x))
	}
}

// compareRef compares x with a constant k.
func compareRef(x xval, k *big.Int, hold func(int) bool) outcome {
	switch {
	case x.err:
		return oErr
	case x.null:
		return oNull
	}
	return truthOutcome(hold(x.v.Cmp(k)))
}

// arithRef is x op k in int64, an error on overflow or on a uint64 above
// int64 (which only comparisons take).
func arithRef(x xval, op string, k int64) xval {
	if x.err || x.null {
		return x
	}
	if !fitsI64(x.v) {
		return xval{err: true}
	}
	r := new(big.Int)
	switch op {
	case "+":
		r.Add(x.v, big.NewInt(k))
	case "*":
		r.Mul(x.v, big.NewInt(k))
	case "neg":
		r.Neg(x.v)
	case "abs":
		r.Abs(x.v)
	}
	if !fitsI64(r) {
		return xval{err: true}
	}
	return xval{v: r}
}

// movedRef is the constant a comparison x op k <cmp> than becomes when the
// optimizer moves constants (SPEC "Moving constants"): x + k <cmp> than is
// x <cmp> than - k, and x * k <cmp> than is x <cmp> than / k when k > 0
// divides than. ok is false where the rule does not apply.
func movedRef(op string, k, than int64) (*big.Int, bool) {
	switch {
	case op == "+":
		return new(big.Int).Sub(big.NewInt(than), big.NewInt(k)), true
	case op == "*" && k > 0 && than%k == 0:
		return big.NewInt(than / k), true
	}
	return nil, false
}

func extremePredicates(now time.Time) []extremePredicate {
	var out []extremePredicate
	consts := bigs(int64(math.MinInt64), int64(math.MinInt64+1), int64(-1<<31-1), int64(-129), int64(-128), int64(-1), int64(0),
		int64(1), int64(127), int64(128), int64(255), int64(256), int64(65535), int64(1<<31-1), int64(1<<32), int64(math.MaxInt64-1), int64(math.MaxInt64))
	for ci, c := range extremeColumns() {
		if c.mul != 0 {
			continue
		}
		for _, k := range consts {
			for _, op := range cmpOps {
				out = append(out, extremePredicate{fmt.Sprintf("%s %s %s", c.name, op.op, k), func(r int) outcome {
					return compareRef(c.read(r), k, op.hold)
				}})
			}
		}
		lo, hi := consts[(ci*3)%len(consts)], consts[(ci*3+7)%len(consts)]
		out = append(out,
			extremePredicate{fmt.Sprintf("%s between %s and %s", c.name, lo, hi), func(r int) outcome {
				x := c.read(r)
				if x.null {
					return oNull
				}
				return truthOutcome(x.v.Cmp(lo) >= 0 && x.v.Cmp(hi) <= 0)
			}},
			extremePredicate{fmt.Sprintf("%s in (-1, 0, 255, 9223372036854775807)", c.name), func(r int) outcome {
				x := c.read(r)
				if x.null {
					return oNull
				}
				for _, k := range bigs(int64(-1), int64(0), int64(255), int64(math.MaxInt64)) {
					if x.v.Cmp(k) == 0 {
						return oTrue
					}
				}
				return oFalse
			}},
			extremePredicate{fmt.Sprintf("%s in (1, null)", c.name), func(r int) outcome {
				x := c.read(r)
				if x.null || x.v.Cmp(big.NewInt(1)) != 0 {
					return oNull
				}
				return oTrue
			}},
			extremePredicate{fmt.Sprintf("%s not in (-1, 18446744073)", c.name), func(r int) outcome {
				x := c.read(r)
				if x.null {
					return oNull
				}
				return truthOutcome(x.v.Cmp(big.NewInt(-1)) != 0 && x.v.Cmp(big.NewInt(18446744073)) != 0)
			}},
			extremePredicate{fmt.Sprintf("%s > 1.5", c.name), func(r int) outcome {
				x := c.read(r)
				if x.null {
					return oNull
				}
				f, _ := new(big.Float).SetInt(x.v).Float64() // as a float, as DuckDB casts
				return truthOutcome(f > 1.5)
			}},
			extremePredicate{fmt.Sprintf("%s is null", c.name), func(r int) outcome { return truthOutcome(c.read(r).null) }},
		)
		gt, lt := func(c int) bool { return c > 0 }, func(c int) bool { return c < 0 }
		for _, a := range []struct {
			src, op string
			k, than int64
			hold    func(int) bool
		}{{"%s + 1 > 0", "+", 1, 0, gt}, {"%s * 2 < 0", "*", 2, 0, lt}, {"-%s > 0", "neg", 0, 0, gt}, {"abs(%s) > 5", "abs", 0, 5, gt}} {
			out = append(out, extremePredicate{fmt.Sprintf(a.src, c.name), func(r int) outcome {
				if moved, ok := movedRef(a.op, a.k, a.than); ok {
					return compareRef(c.read(r), moved, a.hold) // SPEC "Moving constants": exact, no overflow
				}
				return compareRef(arithRef(c.read(r), a.op, a.k), big.NewInt(a.than), a.hold)
			}})
		}
		out = append(out, extremePredicate{fmt.Sprintf("coalesce(%s, 0) > 5", c.name), func(r int) outcome {
			x := c.read(r)
			if x.null {
				return oFalse
			}
			if !fitsI64(x.v) {
				return oErr
			}
			return truthOutcome(x.v.Cmp(big.NewInt(5)) > 0)
		}})
	}
	// Integer columns against each other, uint64 against uint64 included.
	cols := extremeColumns()
	for _, pair := range [][2]string{{"i64", "u64"}, {"u64", "v64"}, {"i8", "u8"}, {"u32", "i32"}} {
		var a, b extremeColumn
		for _, c := range cols {
			if c.name == pair[0] {
				a = c
			}
			if c.name == pair[1] {
				b = c
			}
		}
		for _, op := range cmpOps {
			out = append(out, extremePredicate{fmt.Sprintf("%s %s %s", a.name, op.op, b.name), func(r int) outcome {
				x, y := a.read(r), b.read(r)
				if x.null || y.null {
					return oNull
				}
				return truthOutcome(op.hold(x.v.Cmp(y.v)))
			}})
		}
	}
	// Times: comparisons with literals, within, days_since, date parts, in.
	nowUS := big.NewInt(now.UnixMicro())
	lits := []time.Time{time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Unix(0, 0).UTC(), time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)}
	for _, c := range cols {
		if c.mul == 0 {
			continue
		}
		for _, lit := range lits {
			k := big.NewInt(lit.UnixMicro())
			for _, op := range cmpOps {
				out = append(out, extremePredicate{fmt.Sprintf("%s %s %q", c.name, op.op, lit.Format(time.RFC3339)), func(r int) outcome {
					return compareRef(c.read(r), k, op.hold)
				}})
			}
		}
		out = append(out,
			extremePredicate{c.name + " within 30d", onValue(c, func(x xval) bool {
				lo := new(big.Int).Sub(nowUS, big.NewInt(30*86_400_000_000))
				return x.v.Cmp(lo) >= 0 && x.v.Cmp(nowUS) <= 0
			})},
			extremePredicate{"days_since(" + c.name + ") > 10", func(r int) outcome {
				x := c.read(r)
				switch {
				case x.err:
					return oErr
				case x.null:
					return oNull
				}
				d := new(big.Int).Sub(nowUS, x.v)
				if !fitsI64(d) {
					return oErr
				}
				days := new(big.Int).Div(d, big.NewInt(86_400_000_000)) // floor (Euclidean, positive divisor)
				return truthOutcome(days.Cmp(big.NewInt(10)) > 0)
			}},
			extremePredicate{"year(" + c.name + ") = 1970", onValue(c, func(x xval) bool { return time.UnixMicro(x.v.Int64()).UTC().Year() == 1970 })},
			extremePredicate{"month(" + c.name + ") = 12", onValue(c, func(x xval) bool { return time.UnixMicro(x.v.Int64()).UTC().Month() == 12 })},
			extremePredicate{c.name + ` in ("1970-01-01", "1969-12-31")`, onValue(c, func(x xval) bool { return x.v.Sign() == 0 || x.v.Cmp(big.NewInt(-86_400_000_000)) == 0 })},
			extremePredicate{c.name + " is not null", func(r int) outcome { return truthOutcome(c.cell(r) != nil) }},
		)
	}
	return out
}

// TestWideValuesEverywhere runs every predicate of extremePredicates on
// every path — the optimized run, the plain run, TruthAt and MatchAt on
// each row read back with RowAt — and compares each row's outcome with the
// exact reference: no path may wrap a value, and each raises an error on
// exactly the rows the reference fails.
func TestWideValuesEverywhere(t *testing.T) {
	tbl := extremeTable(t)
	defer tbl.Release()
	eng := Open(tbl)
	now := testAnchor
	preds := extremePredicates(now)
	require.Greater(t, len(preds), 700)
	rows := make([]MapRow, extremeRows)
	for r := range rows {
		rows[r] = RowAt(tbl, int64(r))
	}
	for _, p := range preds {
		want := make([]outcome, extremeRows)
		for r := range want {
			want[r] = p.ref(r)
		}
		for _, plain := range []bool{false, true} {
			opts := []Option{WithNow(now)}
			if plain {
				opts = append(opts, WithoutOptimizations())
			}
			q, err := eng.Compile(p.src, opts...)
			require.NoError(t, err, p.src)
			res, err := q.Run(context.Background(), keepErrors())
			require.NoError(t, err, p.src)
			for r := range extremeRows {
				got := runOutcome(res, int64(r))
				require.Equal(t, want[r], got, "%s (plain %v) row %d: %v", p.src, plain, r, rows[r])
			}
			if plain {
				continue
			}
			for r := range extremeRows {
				truth, err := q.TruthAt(rows[r], now)
				require.Equal(t, want[r], matchOutcome(truth, err), "%s TruthAt row %d: %v (%v)", p.src, r, rows[r], err)
			}
		}
	}
}

func runOutcome(res *Result, row int64) outcome {
	if res.failed(row) {
		return oErr
	}
	if res.Bitmap().Get(int(row)) {
		return oTrue
	}
	b, i := res.table.Locate(row)
	if b < len(res.known) {
		if k := res.known[b]; k != nil && k[i>>6]&(1<<uint(i&63)) == 0 {
			return oNull
		}
	}
	return oFalse
}

func matchOutcome(t Truth, err error) outcome {
	switch {
	case err != nil:
		return oErr
	case t == True:
		return oTrue
	case t == Unknown:
		return oNull
	}
	return oFalse
}
