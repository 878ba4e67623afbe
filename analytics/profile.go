package analytics

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
	"github.com/segql/segql/internal/workers"
)

// ProfileOptions configure Profile.
type ProfileOptions struct {
	// Base is the population the segment is compared with: nil means
	// every row of the table. It must come from the same engine.
	Base *engine.Result
	// Columns to profile (default: every column but the id and personal
	// data columns).
	Columns []string
	// IDColumn is the table's id column, left out of the default columns
	// (as user_id and id always are).
	IDColumn string
	// Top is the number of values shown per categorical or list column
	// (default 5).
	Top int
	// Privacy suppresses small segments and cells and skips personal data.
	Privacy Privacy
}

// Profile describes how a segment differs from its base, column by column.
type Profile struct {
	Size    int             `json:"size"`
	Base    int             `json:"base"`
	Columns []ColumnProfile `json:"columns"` // most distinguishing first
	// Identifying lists the text columns left out of the default
	// columns because nearly every row holds its own value (names,
	// emails, keys): their values say nothing about a segment. Naming a
	// column in ProfileOptions.Columns profiles it anyway.
	Identifying []string `json:"identifying,omitempty"`
	// Events compares what the segment's users did with the base's, per
	// event name (when the engine has an events table), the names whose
	// share of users differs most first.
	Events []EventProfile `json:"events,omitempty"`
}

// EventProfile is one event name in the segment and in its base: events
// per user, and the share of users with at least one. A name fewer than
// Privacy.MinSize of the segment's users have is Suppressed (its segment
// figures are zero).
type EventProfile struct {
	Name        string  `json:"name"`
	PerUser     float64 `json:"per_user"`
	BasePerUser float64 `json:"base_per_user"`
	Share       float64 `json:"share"`
	BaseShare   float64 `json:"base_share"`
	Suppressed  bool    `json:"suppressed,omitempty"`
}

// identifyingShare is the share of distinct values among a text column's
// rows above which it identifies rows rather than describing them.
const identifyingShare = 0.9

// ColumnProfile is one column's comparison. Score, in [0, 1], measures how
// strongly the column distinguishes the segment: the total variation
// distance between the segment's and the base's distributions (over all
// values for categorical columns, over the base's deciles for numeric
// ones), and for list columns the largest difference in the share of users
// having an element.
type ColumnProfile struct {
	Name    string       `json:"name"`
	Kind    string       `json:"kind"` // numeric, time, categorical or list
	Score   float64      `json:"score"`
	Segment *NumStats    `json:"segment,omitempty"` // numeric and time columns
	Base    *NumStats    `json:"base,omitempty"`
	Deciles []float64    `json:"base_deciles,omitempty"` // edges: the base's 10th … 90th percentiles
	Bins    []float64    `json:"segment_bins,omitempty"` // the segment's share in each of the 10 decile bins
	Values  []ValueShare `json:"values,omitempty"`       // categorical and list columns: the top values
	// Suppressed is set when cells were too small to show (below
	// Privacy.MinSize): values with fewer members are left out, and a
	// numeric column with fewer non-null values has no segment numbers.
	Suppressed bool `json:"suppressed,omitempty"`
}

// NumStats summarizes a numeric (or time, in microseconds) column.
// Quantiles interpolate linearly between order statistics, like SQL's
// quantile_cont; NaN values are ignored.
type NumStats struct {
	Count  int     `json:"count"` // non-null values
	Nulls  int     `json:"nulls"`
	Mean   float64 `json:"mean"`
	P10    float64 `json:"p10"`
	Median float64 `json:"median"`
	P90    float64 `json:"p90"`
}

// ValueShare is one value of a categorical column (or element of a list
// column): its count in the segment, its share of the segment's rows and
// of the base's, and the lift (segment share / base share).
type ValueShare struct {
	Value     string  `json:"value"`
	Count     int     `json:"count"`
	Share     float64 `json:"share"`
	BaseShare float64 `json:"base_share"`
	Lift      float64 `json:"lift"`
}

// Profile compares the segment res with its base. It reads every profiled
// column once, columns in parallel.
func (e *Analyzer) Profile(ctx context.Context, res *engine.Result, opts ProfileOptions) (*Profile, error) {
	if err := e.sameTable("profile", res, opts.Base); err != nil {
		return nil, err
	}
	if err := e.guard(opts.Privacy, res.Count()); err != nil {
		return nil, err
	}
	if opts.Base != nil { // the base's statistics show its members too
		if err := e.guard(opts.Privacy, opts.Base.Count()); err != nil {
			return nil, fmt.Errorf("the base: %w", err)
		}
	}
	if opts.Top <= 0 {
		opts.Top = 5
	}
	cols, err := e.profileColumns(opts)
	if err != nil {
		return nil, err
	}
	base := opts.Base
	p := &Profile{Size: res.Count(), Base: int(e.table.NumRows())}
	if base != nil {
		p.Base = base.Count()
	}
	out := make([]ColumnProfile, len(cols))
	workers.Each(len(cols), func(i int) {
		if ctx.Err() == nil {
			out[i] = e.profileColumn(cols[i], res, base, opts)
		}
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(opts.Columns) == 0 {
		out, p.Identifying = e.withoutIdentifying(out, cols, base)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	p.Columns = out
	if e.eng.Events() != nil {
		if p.Events, err = e.eventProfile(ctx, res, base, opts.Privacy); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// eventProfile compares the segment's events with the base's.
func (e *Analyzer) eventProfile(ctx context.Context, res, base *engine.Result, priv Privacy) ([]EventProfile, error) {
	seg, err := e.eng.EventCounts(ctx, res)
	if err != nil {
		return nil, err
	}
	all, err := e.eng.EventCounts(ctx, base)
	if err != nil {
		return nil, err
	}
	n, bn := float64(res.Count()), float64(e.table.NumRows())
	if base != nil {
		bn = float64(base.Count())
	}
	ratio := func(a int64, b float64) float64 {
		if b == 0 {
			return 0
		}
		return float64(a) / b
	}
	out := make([]EventProfile, len(seg))
	for i, s := range seg {
		ep := EventProfile{Name: s.Name, PerUser: ratio(s.Events, n), BasePerUser: ratio(all[i].Events, bn),
			Share: ratio(s.Users, n), BaseShare: ratio(all[i].Users, bn)}
		if priv.MinSize > 0 && s.Users > 0 && s.Users < int64(priv.MinSize) {
			ep.PerUser, ep.Share, ep.Suppressed = 0, 0, true
		}
		out[i] = ep
	}
	sort.SliceStable(out, func(i, j int) bool {
		return math.Abs(out[i].Share-out[i].BaseShare) > math.Abs(out[j].Share-out[j].BaseShare)
	})
	return out, nil
}

// withoutIdentifying drops the categorical columns holding a distinct
// value on nearly every row of the base, returning their names.
func (e *Analyzer) withoutIdentifying(out []ColumnProfile, cols []int, base *engine.Result) (kept []ColumnProfile, dropped []string) {
	for i, cp := range out {
		if cp.Kind == "categorical" {
			b := e.baseColumn(cols[i], base, false)
			if b.rows >= 20 && float64(len(b.counts)) >= identifyingShare*float64(b.rows) {
				dropped = append(dropped, cp.Name)
				continue
			}
		}
		kept = append(kept, cp)
	}
	return kept, dropped
}

// profileColumns resolves the columns to profile.
func (e *Analyzer) profileColumns(opts ProfileOptions) ([]int, error) {
	var cols []int
	if len(opts.Columns) > 0 {
		for _, name := range opts.Columns {
			i := e.table.ColumnIndex(name)
			if i < 0 {
				return nil, fmt.Errorf("profile: %s", unknownColumn(e.table, name))
			}
			if opts.Privacy.isPII(e.table.Schema.Field(i)) {
				return nil, fmt.Errorf("profile: column %s is %w and is never profiled", name, ErrPersonalData)
			}
			cols = append(cols, i)
		}
		return cols, nil
	}
	for i, f := range e.table.Schema.Fields() {
		if f.Name == "user_id" || f.Name == "id" || f.Name == opts.IDColumn || opts.Privacy.isPII(f) || profileKind(f.Type) == "" {
			continue
		}
		cols = append(cols, i)
	}
	return cols, nil
}

// profileKind classifies a column type for profiling; "" is not profiled.
func profileKind(t arrow.DataType) string {
	switch {
	case columnar.IsNumeric(t):
		return "numeric"
	case columnar.IsTime(t):
		return "time"
	}
	switch t.ID() {
	case arrow.STRING, arrow.LARGE_STRING, arrow.BOOL:
		return "categorical"
	case arrow.DICTIONARY:
		if v := t.(*arrow.DictionaryType).ValueType.ID(); v == arrow.STRING || v == arrow.LARGE_STRING {
			return "categorical"
		}
	case arrow.LIST, arrow.LARGE_LIST:
		if e := t.(arrow.ListLikeType).Elem(); columnar.IsNumeric(e) || e.ID() == arrow.STRING || e.ID() == arrow.LARGE_STRING {
			return "list"
		}
	}
	return ""
}

func (e *Analyzer) profileColumn(col int, seg, base *engine.Result, opts ProfileOptions) ColumnProfile {
	f := e.table.Schema.Field(col)
	cp := ColumnProfile{Name: f.Name, Kind: profileKind(f.Type)}
	switch cp.Kind {
	case "numeric", "time":
		e.profileNumeric(&cp, col, seg, base, opts.Privacy)
	case "categorical":
		e.profileCategorical(&cp, col, seg, base, opts, false)
	case "list":
		e.profileCategorical(&cp, col, seg, base, opts, true)
	}
	return cp
}

// members calls f for every batch with the member bits of res (nil res:
// every row).
func (e *Analyzer) members(res *engine.Result, f func(b int, rec arrow.RecordBatch, bits []uint64)) {
	var all []uint64
	for b, rec := range e.table.Batches {
		if res != nil {
			if b < res.NumBatches() {
				f(b, rec, res.Batch(b).Members)
			}
			continue
		}
		n := int(rec.NumRows())
		all = grow(all, words(n))
		for i := range all {
			all[i] = ^uint64(0)
		}
		if r := n & 63; r != 0 {
			all[len(all)-1] = 1<<uint(r) - 1
		}
		f(b, rec, all)
	}
}

// numericValues gathers the non-NaN values of column col for the rows of
// res (every row when res is nil), and counts nulls.
func (e *Analyzer) numericValues(col int, res *engine.Result) (vals []float64, nulls int) {
	if res != nil {
		vals = make([]float64, 0, res.Count())
	} else {
		vals = make([]float64, 0, e.table.NumRows())
	}
	e.members(res, func(_ int, rec arrow.RecordBatch, bits []uint64) {
		var n int
		if res == nil {
			bits = nil // every row: the bulk path
		}
		vals, n = columnar.AppendFloat64s(vals, rec.Column(col), bits)
		nulls += n
	})
	return vals, nulls
}

func (e *Analyzer) profileNumeric(cp *ColumnProfile, col int, seg, base *engine.Result, pv Privacy) {
	b := e.baseColumn(col, base, false)
	svals, snulls := e.numericValues(col, seg)
	sstats, _ := numStats(svals, snulls)
	cp.Base, cp.Deciles = b.stats, b.deciles
	if pv.MinSize > 0 && len(svals) < pv.MinSize {
		cp.Suppressed = true
		return
	}
	cp.Segment = sstats
	if len(b.deciles) == 0 || len(svals) == 0 {
		return
	}
	sb := decileBins(svals, b.deciles)
	cp.Bins = sb
	tv := 0.0
	for i := range b.bins {
		tv += math.Abs(sb[i] - b.bins[i])
	}
	cp.Score = tv / 2
}

// baseColumn is what a profile needs of the base for one column.
type baseColumn struct {
	stats   *NumStats
	deciles []float64
	bins    []float64 // the base's share in each decile bin
	counts  map[string]int
	rows    int
}

// baseColumn returns the base's summary of col. Summaries of the whole
// table (base nil) are kept for the engine's lifetime, so profiles against
// the default base read the table only for the segment after the first.
func (e *Analyzer) baseColumn(col int, base *engine.Result, list bool) *baseColumn {
	if base != nil {
		return e.computeBase(col, base, list)
	}
	b, _ := e.profiles.Get(col, func() (*baseColumn, error) { return e.computeBase(col, nil, list), nil })
	return b
}

func (e *Analyzer) computeBase(col int, base *engine.Result, list bool) *baseColumn {
	switch profileKind(e.table.Schema.Field(col).Type) {
	case "numeric", "time":
		vals, nulls := e.numericValues(col, base)
		stats, deciles := numStats(vals, nulls)
		b := &baseColumn{stats: stats, deciles: deciles}
		if len(deciles) > 0 {
			b.bins = decileBins(vals, deciles)
		}
		return b
	}
	counts, rows := e.valueCounts(col, base, list)
	return &baseColumn{counts: counts, rows: rows}
}

// numStats computes a column's summary; vals is reordered. It also
// returns the nine decile edges (nil when vals is empty).
func numStats(vals []float64, nulls int) (*NumStats, []float64) {
	s := &NumStats{Count: len(vals), Nulls: nulls}
	if len(vals) == 0 {
		return s, nil
	}
	sum := 0.0
	for _, x := range vals {
		sum += x
	}
	s.Mean = sum / float64(len(vals))
	qs := []float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9}
	dec := quantiles(vals, qs)
	s.P10, s.Median, s.P90 = dec[0], dec[4], dec[8]
	return s, dec
}

// decileBins returns the share of vals in each of the ten bins the nine
// edges delimit: bin i holds values in (edge[i-1], edge[i]].
func decileBins(vals []float64, edges []float64) []float64 {
	counts := make([]int, len(edges)+1)
	for _, x := range vals {
		counts[sort.SearchFloat64s(edges, x)]++
	}
	out := make([]float64, len(counts))
	for i, c := range counts {
		out[i] = float64(c) / float64(len(vals))
	}
	return out
}

// quantiles returns the qs quantiles of vals (interpolated like SQL's
// quantile_cont), selecting only the order statistics needed: O(n) per
// quantile rather than a full sort. vals is reordered.
func quantiles(vals []float64, qs []float64) []float64 {
	n := len(vals)
	var ks []int
	for _, q := range qs {
		pos := q * float64(n-1)
		lo := int(math.Floor(pos))
		ks = append(ks, lo, min(lo+1, n-1))
	}
	slices.Sort(ks)
	ks = slices.Compact(ks)
	stat := orderStats(vals, ks)
	out := make([]float64, len(qs))
	for i, q := range qs {
		pos := q * float64(n-1)
		lo := int(math.Floor(pos))
		hi := min(lo+1, n-1)
		out[i] = stat[lo] + (pos-float64(lo))*(stat[hi]-stat[lo])
	}
	return out
}

// orderStats returns the k-th smallest values of vals for every k in ks
// (sorted): by counting when the values are integers in a small range
// (ages, counts), else by selection. vals may be reordered.
func orderStats(vals []float64, ks []int) map[int]float64 {
	out := make(map[int]float64, len(ks))
	if lo, hi, ok := smallIntRange(vals); ok {
		counts := make([]int, int(hi-lo)+1)
		for _, x := range vals {
			counts[int(x-lo)]++
		}
		seen, j := 0, 0
		for v, c := range counts {
			seen += c
			for j < len(ks) && ks[j] < seen {
				out[ks[j]] = lo + float64(v)
				j++
			}
		}
		return out
	}
	multiSelect(vals, ks, 0)
	for _, k := range ks {
		out[k] = vals[k]
	}
	return out
}

// smallIntRange reports whether every value is an integer within a range
// of at most a million, and returns the range.
func smallIntRange(vals []float64) (lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range vals {
		if x != math.Trunc(x) {
			return 0, 0, false
		}
		lo, hi = min(lo, x), max(hi, x)
	}
	return lo, hi, len(vals) > 0 && hi-lo <= 1<<20
}

// multiSelect reorders a so that a[k] holds the k-th smallest value for
// every k in ks (sorted, offsets relative to base): quickselect that
// recurses only into the parts holding a wanted index.
func multiSelect(a []float64, ks []int, base int) {
	for len(ks) > 0 && len(a) > 16 {
		p := medianOf3(a[0], a[len(a)/2], a[len(a)-1])
		lt, gt := partition3(a, p)
		// a[:lt] < p, a[lt:gt] == p, a[gt:] > p
		var left, right []int
		for _, k := range ks {
			switch i := k - base; {
			case i < lt:
				left = append(left, k)
			case i >= gt:
				right = append(right, k)
			}
		}
		if len(left) > 0 {
			multiSelect(a[:lt], left, base)
		}
		a, ks, base = a[gt:], right, base+gt
	}
	if len(ks) > 0 {
		slices.Sort(a)
	}
}

func medianOf3(a, b, c float64) float64 {
	if a > b {
		a, b = b, a
	}
	if b > c {
		b = c
	}
	if a > b {
		return a
	}
	return b
}

// partition3 is a Dutch-flag partition around p.
func partition3(a []float64, p float64) (lt, gt int) {
	i, lt, gt := 0, 0, len(a)
	for i < gt {
		switch {
		case a[i] < p:
			a[i], a[lt] = a[lt], a[i]
			lt++
			i++
		case a[i] > p:
			gt--
			a[i], a[gt] = a[gt], a[i]
		default:
			i++
		}
	}
	return lt, gt
}

// valueCounts counts, for the rows of res, each value of a categorical
// column (null as "null"), or for a list column the rows having each
// element. It returns the counts and the number of rows.
func (e *Analyzer) valueCounts(col int, res *engine.Result, list bool) (map[string]int, int) {
	counts := map[string]int{}
	rows := 0
	add := func(s string) {
		if _, ok := counts[s]; !ok {
			s = strings.Clone(s) // s may view Arrow memory
		}
		counts[s]++
	}
	var seen []string
	var codes []int
	e.members(res, func(_ int, rec arrow.RecordBatch, bits []uint64) {
		arr := rec.Column(col)
		if d, ok := arr.(*array.Dictionary); ok && !list {
			// Count codes, then name each code once.
			codes = grow(codes, d.Dictionary().Len()+1)
			clear(codes)
			null := len(codes) - 1
			eachBit(bits, func(i int) bool {
				rows++
				if d.IsNull(i) {
					codes[null]++
				} else {
					codes[d.GetValueIndex(i)]++
				}
				return true
			})
			for c, n := range codes {
				if n == 0 {
					continue
				}
				name := "null"
				if c != null {
					name = cellString(d.Dictionary(), c)
				}
				if _, ok := counts[name]; !ok {
					name = strings.Clone(name)
				}
				counts[name] += n
			}
			return
		}
		eachBit(bits, func(i int) bool {
			rows++
			if !list {
				add(cellString(arr, i))
				return true
			}
			l := arr.(array.ListLike)
			if l.IsNull(i) {
				return true
			}
			lo, hi := l.ValueOffsets(i)
			seen = seen[:0]
			for j := lo; j < hi; j++ {
				s := cellString(l.ListValues(), int(j))
				if !slices.Contains(seen, s) {
					seen = append(seen, s)
					add(s)
				}
			}
			return true
		})
	})
	return counts, rows
}

// cellString formats a categorical cell without allocating for strings.
func cellString(a arrow.Array, i int) string {
	if a.IsNull(i) {
		return "null"
	}
	switch x := a.(type) {
	case *array.Dictionary:
		return cellString(x.Dictionary(), x.GetValueIndex(i))
	case *array.String:
		return x.Value(i)
	case *array.LargeString:
		return x.Value(i)
	case *array.Boolean:
		return strconv.FormatBool(x.Value(i))
	}
	s, _ := columnar.FormatValue(a, i)
	return s
}

func (e *Analyzer) profileCategorical(cp *ColumnProfile, col int, seg, base *engine.Result, opts ProfileOptions, list bool) {
	b := e.baseColumn(col, base, list)
	bc, bn := b.counts, b.rows
	sc, sn := e.valueCounts(col, seg, list)
	share := func(c, n int) float64 {
		if n == 0 {
			return 0
		}
		return float64(c) / float64(n)
	}
	var vals []ValueShare
	for v, c := range sc {
		vs := ValueShare{Value: v, Count: c, Share: share(c, sn), BaseShare: share(bc[v], bn)}
		if vs.BaseShare > 0 {
			vs.Lift = vs.Share / vs.BaseShare
		}
		vals = append(vals, vs)
	}
	// The score covers every value, shown or not.
	score := 0.0
	for v, c := range bc {
		d := math.Abs(share(sc[v], sn) - share(c, bn))
		if list {
			score = max(score, d)
		} else {
			score += d / 2
		}
	}
	cp.Score = score
	sort.Slice(vals, func(i, j int) bool {
		if vals[i].Count != vals[j].Count {
			return vals[i].Count > vals[j].Count
		}
		return vals[i].Value < vals[j].Value
	})
	kept := vals[:0]
	for _, v := range vals {
		if opts.Privacy.MinSize > 0 && v.Count < opts.Privacy.MinSize {
			cp.Suppressed = true
			continue
		}
		kept = append(kept, v)
	}
	cp.Values = kept[:min(len(kept), opts.Top)]
}
