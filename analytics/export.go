package analytics

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
)

// ExportOptions configure Export.
type ExportOptions struct {
	// Columns to write (default: every column that is not personal data).
	Columns []string
	Privacy Privacy
	Mem     memory.Allocator
	// Sink, when set, receives the batches instead of the file path names
	// (a warehouse table, written atomically by the sink).
	Sink func(schema *arrow.Schema, src columnar.BatchSource) error
}

// ExportReport says what Export wrote.
type ExportReport struct {
	Rows    int
	Columns []string
	// Withheld lists personal-data columns left out of a default export.
	Withheld []string
}

// Export writes the members of res to path (the format from its
// extension), one batch at a time and atomically. A segment smaller than
// Privacy.MinSize is refused; personal-data columns are refused when named
// and left out (and reported) when no columns are named, unless
// Privacy.AllowPII is set.
func (e *Analyzer) Export(ctx context.Context, res *engine.Result, path string, opts ExportOptions) (*ExportReport, error) {
	if err := e.sameTable("export", res); err != nil {
		return nil, err
	}
	mem := opts.Mem
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	return e.ExportFrom(ctx, res.Count(), path, opts, func(idx []int, schema *arrow.Schema, emit func(arrow.RecordBatch) error) error {
		for bi := range res.NumBatches() {
			if err := ctx.Err(); err != nil {
				return err
			}
			b := res.Batch(bi)
			if b.Count == 0 {
				continue
			}
			rec, err := takeRecord(b.Record, b.Members, idx, schema, mem)
			if err != nil {
				return err
			}
			err = emit(rec)
			rec.Release()
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// ExportFrom is Export for n members whose rows another source supplies
// (a warehouse): rows emits batches of the chosen columns (idx are their
// positions in the analyzer's table, schema their schema), one batch at a
// time. The same privacy rules apply before rows is called.
func (e *Analyzer) ExportFrom(ctx context.Context, n int, path string, opts ExportOptions, rows func(idx []int, schema *arrow.Schema, emit func(arrow.RecordBatch) error) error) (*ExportReport, error) {
	if err := e.guard(opts.Privacy, n); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	cols, withheld, err := e.exportColumns(opts)
	if err != nil {
		return nil, err
	}
	idx, schema, err := e.table.Project(cols)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	src := func(emit func(arrow.RecordBatch) error) error { return rows(idx, schema, emit) }
	if opts.Sink != nil {
		err = opts.Sink(schema, src)
	} else {
		err = columnar.WriteStream(path, schema, src, opts.Mem)
	}
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	return &ExportReport{Rows: n, Columns: cols, Withheld: withheld}, nil
}

// exportColumns applies the personal-data rule to the requested columns.
func (e *Analyzer) exportColumns(opts ExportOptions) (cols, withheld []string, err error) {
	pv := opts.Privacy
	if len(opts.Columns) > 0 {
		for _, c := range opts.Columns {
			i := e.table.ColumnIndex(c)
			if i < 0 {
				return nil, nil, fmt.Errorf("export: %s", unknownColumn(e.table, c))
			}
			if pv.isPII(e.table.Schema.Field(i)) && !pv.AllowPII {
				return nil, nil, fmt.Errorf("export: column %s is %w, exported only when allowed", c, ErrPersonalData)
			}
		}
		return opts.Columns, nil, nil
	}
	for _, f := range e.table.Schema.Fields() {
		if pv.isPII(f) && !pv.AllowPII {
			withheld = append(withheld, f.Name)
			continue
		}
		cols = append(cols, f.Name)
	}
	if len(cols) == 0 {
		return nil, nil, fmt.Errorf("export: every column is %w; name the columns and allow personal data", ErrPersonalData)
	}
	return cols, withheld, nil
}

// takeRecord gathers the member rows of a batch's chosen columns.
func takeRecord(rec arrow.RecordBatch, bits []uint64, idx []int, schema *arrow.Schema, mem memory.Allocator) (arrow.RecordBatch, error) {
	sel := array.NewInt64Builder(mem)
	defer sel.Release()
	eachBit(bits, func(j int) bool { sel.Append(int64(j)); return true })
	indices := sel.NewArray()
	defer indices.Release()
	cols, err := columnar.TakeColumns(rec, idx, indices, mem)
	if err != nil {
		return nil, err
	}
	out := array.NewRecordBatch(schema, cols, int64(indices.Len()))
	for _, c := range cols {
		c.Release()
	}
	return out, nil
}

// Arm is one arm of an experiment: a name and its percentage of users.
type Arm struct {
	Name    string  `json:"name"`
	Percent float64 `json:"percent"`
}

// ParseArms reads "control:50,treatment:50". Percentages must be positive
// and sum to at most 100; the rest of the users is held out.
func ParseArms(s string) ([]Arm, error) {
	var arms []Arm
	total := 0.0
	for _, part := range strings.Split(s, ",") {
		name, pct, ok := strings.Cut(strings.TrimSpace(part), ":")
		if !ok || name == "" {
			return nil, fmt.Errorf("arms: %q is not NAME:PERCENT (for example control:50,treatment:50)", part)
		}
		p, err := strconv.ParseFloat(strings.TrimSuffix(pct, "%"), 64)
		if err != nil || p <= 0 || math.IsNaN(p) || math.IsInf(p, 0) {
			return nil, fmt.Errorf("arms: the percentage of %s must be a positive number, got %q", name, pct)
		}
		for _, a := range arms {
			if a.Name == name {
				return nil, fmt.Errorf("arms: %s is named twice", name)
			}
		}
		total += p
		arms = append(arms, Arm{Name: name, Percent: p})
	}
	if total > 100+1e-9 {
		return nil, fmt.Errorf("arms: the percentages add up to %g, over 100", total)
	}
	return arms, nil
}

// SplitOptions configure Split.
type SplitOptions struct {
	Arms     []Arm
	Salt     string
	IDColumn string
	Privacy  Privacy
}

// Split is an experiment's assignment of a segment's members to arms.
type Split struct {
	Salt string     `json:"salt"`
	Arms []ArmCount `json:"arms"`
	// Held counts members in no arm (when percentages sum below 100).
	Held  int `json:"held_out"`
	Total int `json:"members"`
	// arm holds each member's arm index in row order (-1: held out).
	arm []int16
	res *engine.Result
	id  string
}

// ArmCount is one arm with its bucket range and size.
type ArmCount struct {
	Arm
	// Buckets [From, To) of bucket(id, salt) go to this arm.
	From  int `json:"from"`
	To    int `json:"to"`
	Count int `json:"count"`
}

// Split assigns res's members to arms by bucket(id, salt): arm i takes the
// consecutive bucket range matching its percentage, so the assignment is
// stable, reproducible in SQL and independent of the segment.
func (e *Analyzer) Split(res *engine.Result, opts SplitOptions) (*Split, error) {
	if err := e.sameTable("split", res); err != nil {
		return nil, err
	}
	if err := e.guard(opts.Privacy, res.Count()); err != nil {
		return nil, fmt.Errorf("split: %w", err)
	}
	sp, err := e.NewSplitter(opts)
	if err != nil {
		return nil, err
	}
	col := e.table.ColumnIndex(opts.IDColumn)
	sp.s.res = res
	e.members(res, func(_ int, rec arrow.RecordBatch, bits []uint64) {
		arr := rec.Column(col)
		eachBit(bits, func(i int) bool {
			sp.s.arm = append(sp.s.arm, sp.assign(arr, i))
			return true
		})
	})
	return sp.s, nil
}

// Splitter assigns members to an experiment's arms id by id, for members
// read in parts (a streamed scan): Assign takes their ids, Split says
// what it counted. It is not safe for concurrent use.
type Splitter struct {
	s     *Split
	armOf []int16 // bucket → arm, -1 held out
	isStr bool    // string ids (else integers)
}

// NewSplitter checks the options against the analyzer's table (its id
// column must hold integers or strings) and lays out the arms.
func (e *Analyzer) NewSplitter(opts SplitOptions) (*Splitter, error) {
	col := e.table.ColumnIndex(opts.IDColumn)
	if col < 0 {
		return nil, fmt.Errorf("split: %s", unknownColumn(e.table, opts.IDColumn))
	}
	idType := e.table.Schema.Field(col).Type
	isStr := profileKind(idType) == "categorical" && idType.ID() != arrow.BOOL
	if !isStr && (!columnar.IsNumeric(idType) || idType.ID() == arrow.FLOAT32 || idType.ID() == arrow.FLOAT64) {
		return nil, fmt.Errorf("split: id column %s must hold integers or strings", opts.IDColumn)
	}
	sp := &Splitter{s: &Split{Salt: opts.Salt, id: opts.IDColumn}, armOf: make([]int16, engine.BucketCount), isStr: isStr}
	cum := 0.0
	for _, a := range opts.Arms {
		from := int(math.Round(cum * engine.BucketCount / 100))
		cum += a.Percent
		sp.s.Arms = append(sp.s.Arms, ArmCount{Arm: a, From: from, To: int(math.Round(cum * engine.BucketCount / 100))})
	}
	for i := range sp.armOf {
		sp.armOf[i] = -1
	}
	for i, a := range sp.s.Arms {
		for b := a.From; b < a.To; b++ {
			sp.armOf[b] = int16(i)
		}
	}
	return sp, nil
}

// Assign counts the members whose ids are ids and returns each one's arm
// index (-1: held out; a null id is held out).
func (sp *Splitter) Assign(ids arrow.Array) []int16 {
	out := make([]int16, ids.Len())
	for i := range out {
		out[i] = sp.assign(ids, i)
	}
	return out
}

// assign counts and returns the arm of the member whose id is ids[i].
func (sp *Splitter) assign(ids arrow.Array, i int) int16 {
	a := int16(-1)
	if !ids.IsNull(i) {
		var id any = cellString(ids, i)
		if !sp.isStr {
			n, _ := strconv.ParseInt(id.(string), 10, 64)
			id = n
		}
		b, _ := engine.Bucket(sp.s.Salt, id)
		a = sp.armOf[b]
	}
	sp.s.Total++
	if a < 0 {
		sp.s.Held++
	} else {
		sp.s.Arms[a].Count++
	}
	return a
}

// AssignBatch is Assign for a batch whose one column holds the ids,
// returning the assigned members' (id, arm name) rows; the caller
// releases them.
func (sp *Splitter) AssignBatch(ids arrow.RecordBatch) (arrow.RecordBatch, error) {
	return sp.s.assignments(ids, sp.Assign(ids.Column(0)), memory.DefaultAllocator)
}

// Split returns what the splitter counted. Its Assignments are not
// available: the members were not kept.
func (sp *Splitter) Split() *Split { return sp.s }

// Assignments returns the assigned members as a table of two columns, the
// id and the arm's name, in row order. The caller releases it.
func (s *Split) Assignments(mem memory.Allocator) (*columnar.Table, error) {
	if s.res == nil {
		return nil, errors.New("split: the assignments were not kept (a Splitter's split)")
	}
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	rec, err := s.res.Rows([]string{s.id}, -1, mem)
	if err != nil {
		return nil, err
	}
	defer rec.Release()
	out, err := s.assignments(rec, s.arm, mem)
	if err != nil {
		return nil, err
	}
	return columnar.NewTable("assignments", out.Schema(), []arrow.RecordBatch{out}), nil
}

// assignments is the (id, arm name) rows of the members whose ids are
// ids (one column) and whose arms are arms, the held out left out.
func (s *Split) assignments(ids arrow.RecordBatch, arms []int16, mem memory.Allocator) (arrow.RecordBatch, error) {
	keep := array.NewInt64Builder(mem)
	defer keep.Release()
	names := array.NewStringBuilder(mem)
	defer names.Release()
	for i, a := range arms {
		if a >= 0 {
			keep.Append(int64(i))
			names.Append(s.Arms[a].Name)
		}
	}
	indices := keep.NewArray()
	defer indices.Release()
	cols, err := columnar.TakeColumns(ids, []int{0}, indices, mem)
	if err != nil {
		return nil, err
	}
	armArr := names.NewArray()
	schema := arrow.NewSchema([]arrow.Field{ids.Schema().Field(0), {Name: "arm", Type: arrow.BinaryTypes.String}}, nil)
	out := array.NewRecordBatch(schema, []arrow.Array{cols[0], armArr}, int64(indices.Len()))
	cols[0].Release()
	armArr.Release()
	return out, nil
}
