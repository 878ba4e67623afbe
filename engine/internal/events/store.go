// Package events groups an events table by the users of a users table
// and computes event conditions (count(purchase within 30d), sum of a
// property, first and last times) for each user, vectorized for whole
// tables and one user at a time, with one implementation for both.
//
// The events are indexed once: every event that names a known user, an
// event name and a time becomes an entry; entries are ordered by user,
// then event name, then time, and each user's entries are a contiguous
// range. A condition for one user is then two binary searches (the name,
// the window) and a walk over the events that remain.
package events

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"sort"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/plan"
	"github.com/segql/segql/engine/internal/value"
	"github.com/segql/segql/internal/workers"
)

// Columns names the events table's user, name and time columns.
type Columns struct {
	User, Name, Time string
}

// Ignored counts the events the index leaves out.
type Ignored struct {
	NullUser, NullName, NullTime, UnknownUser int64
}

// Total is the number of ignored events.
func (i Ignored) Total() int64 { return i.NullUser + i.NullName + i.NullTime + i.UnknownUser }

// FilterFunc evaluates a filter (a predicate over the events table) at
// now and returns the TRUE rows as a bitmap over the table's rows.
type FilterFunc func(ctx context.Context, filter *plan.Node, now int64) ([]uint64, error)

// ErrTooMany: the events table has more rows than the index can hold.
var ErrTooMany = errors.New("the events table has more than 2^31-1 rows")

// Store is an events table indexed by the rows of a users table. It is
// immutable after New and safe for concurrent use; it keeps computed
// conditions (per condition and now) and property columns in caches.
type Store struct {
	table  *columnar.Table
	cols   [3]int // user, name, time column indexes
	users  int64
	names  []string // sorted; an entry's code indexes it
	starts []int64  // user u's entries are starts[u] … starts[u+1]-1
	codes  []uint16 // per entry: the event name's code
	// Each entry's place in the events table: in the compact layout (the
	// time column in microseconds, batch and row numbers fitting 32
	// bits) locs holds batch<<offBits | row-in-batch and times are read
	// from the table's own buffers (batchTimes); otherwise rows holds the
	// table row and times a copy of each entry's time.
	locs       []uint32
	offBits    uint
	batchTimes [][]arrow.Timestamp
	rowOffsets []int32 // the table row of each batch's first row (compact layout)
	times      []int64
	rows       []int32
	canon      []int32                      // nil, or per user row: the first row with its id (duplicate ids share events)
	cell       func(col, i int) value.Value // NewUser: event i's values (table is nil)
	kinds      []value.Kind                 // NewUser: the kind of each column
	ignored    Ignored
	filter     FilterFunc

	mu    sync.Mutex
	runs  map[runKey]*runEntry
	order []runKey // cached runs, oldest first
	props map[int]*propEntry
}

// maxRuns bounds the cached prepared conditions.
const maxRuns = 64

type runKey struct {
	spec *plan.EventSpec
	now  int64
}

type runEntry struct {
	once sync.Once
	run  *Run
	err  error
}

type propEntry struct {
	once sync.Once
	vals *props
	err  error
}

// Table returns the events table.
func (s *Store) Table() *columnar.Table { return s.table }

// Names returns the event names present, sorted.
func (s *Store) Names() []string { return s.names }

// Ignored returns the counts of events left out of the index.
func (s *Store) Ignored() Ignored { return s.ignored }

// Entries is the number of indexed events.
func (s *Store) Entries() int { return len(s.codes) }

// IndexBytes is the memory the index holds besides the table.
func (s *Store) IndexBytes() int64 {
	return int64(len(s.starts))*8 + int64(len(s.codes))*2 + int64(len(s.locs))*4 + int64(len(s.times))*8 + int64(len(s.rows))*4
}

// timeAt is entry j's time in microseconds.
func (s *Store) timeAt(j int64) int64 {
	if s.locs != nil {
		l := s.locs[j]
		return int64(s.batchTimes[l>>s.offBits][l&(1<<s.offBits-1)])
	}
	return s.times[j]
}

// rowAt is entry j's row in the events table.
func (s *Store) rowAt(j int64) int {
	if s.locs != nil {
		l := s.locs[j]
		return int(s.rowOffsets[l>>s.offBits]) + int(l&(1<<s.offBits-1))
	}
	return int(s.rows[j])
}

// searchTime returns the first entry of a … b-1 (sorted by time) whose
// time is at least t.
func (s *Store) searchTime(a, b, t int64) int64 {
	if s.locs == nil {
		return a + int64(search(s.times[a:b], t))
	}
	for a < b {
		m := int64(uint64(a+b) >> 1)
		if s.timeAt(m) < t {
			a = m + 1
		} else {
			b = m
		}
	}
	return a
}

// compact reports whether the index can read times from the table: a
// microsecond timestamp column, and batch and row numbers that fit 32
// bits together. It sets the layout's fields when so.
func (s *Store) compact() bool {
	if s.table == nil {
		return false
	}
	ts, ok := s.table.Schema.Field(s.cols[2]).Type.(*arrow.TimestampType)
	if !ok || ts.Unit != arrow.Microsecond {
		return false
	}
	longest := int64(1)
	for _, b := range s.table.Batches {
		longest = max(longest, b.NumRows())
	}
	off := uint(bits.Len64(uint64(longest - 1)))
	if off+uint(bits.Len(uint(len(s.table.Batches)))) > 32 {
		return false
	}
	s.offBits = off
	s.batchTimes = make([][]arrow.Timestamp, len(s.table.Batches))
	s.rowOffsets = make([]int32, len(s.table.Batches))
	for i, b := range s.table.Batches {
		s.batchTimes[i] = b.Column(s.cols[2]).(*array.Timestamp).TimestampValues()
		s.rowOffsets[i] = int32(s.table.BatchOffset(i))
	}
	return true
}

// New indexes events by the users whose ids are userIDs (the users
// table's id column, one value per user row: int64 or string; a null id
// has no events). cols names the events table's columns; filter runs
// event filters. New checks ctx between batches.
func New(ctx context.Context, events *columnar.Table, cols Columns, userIDs arrow.Array, filter FilterFunc) (*Store, error) {
	if events.NumRows() > math.MaxInt32 {
		return nil, ErrTooMany
	}
	s := &Store{table: events, users: int64(userIDs.Len()), filter: filter, runs: map[runKey]*runEntry{}, props: map[int]*propEntry{}}
	for i, name := range []string{cols.User, cols.Name, cols.Time} {
		idx := events.ColumnIndex(name)
		if idx < 0 {
			return nil, fmt.Errorf("the events table has no column %q (%s)", name, [...]string{"the user id", "the event name", "the event time"}[i])
		}
		s.cols[i] = idx
	}
	if err := s.checkTypes(userIDs); err != nil {
		return nil, err
	}
	lookup, err := newUserIndex(userIDs)
	if err != nil {
		return nil, err
	}
	br, err := s.scan(ctx, lookup)
	if err != nil {
		return nil, err
	}
	if err := s.index(ctx, br); err != nil {
		return nil, err
	}
	s.canon = lookup.canon
	return s, nil
}

// checkTypes checks the user column against the users' ids, the name
// column is a string and the time column a date or timestamp.
func (s *Store) checkTypes(userIDs arrow.Array) error {
	f := s.table.Schema.Fields()
	ut, it := kernels.KindOf(f[s.cols[0]].Type), kernels.KindOf(userIDs.DataType())
	if ut != it || (ut != value.KInt && ut != value.KStr) {
		return fmt.Errorf("the events' user column %q is %s and the users' id is %s: they must be the same, integers or strings", f[s.cols[0]].Name, f[s.cols[0]].Type, userIDs.DataType())
	}
	if kernels.KindOf(f[s.cols[1]].Type) != value.KStr {
		return fmt.Errorf("the events' name column %q is %s, not a string", f[s.cols[1]].Name, f[s.cols[1]].Type)
	}
	if kernels.KindOf(f[s.cols[2]].Type) != value.KTime {
		return fmt.Errorf("the events' time column %q is %s, not a timestamp or date", f[s.cols[2]].Name, f[s.cols[2]].Type)
	}
	return nil
}

// entry is one event while a user's events are sorted.
type entry struct {
	code int32
	time int64
	row  int32
}

// byRow is the events table read into the index's terms, by table row:
// the user row (-1: the event is ignored), the name's code and the time.
type byRow struct {
	users []int32
	codes []int32
	times []int64
}

// scan reads every event's user row, name and time (batches in
// parallel), counting the ignored events, and sets the store's names.
func (s *Store) scan(ctx context.Context, users *userIndex) (*byRow, error) {
	n := s.table.NumRows()
	br := &byRow{users: make([]int32, n), codes: make([]int32, n), times: make([]int64, n)}
	nb := len(s.table.Batches)
	local := make([][]string, nb) // each batch's names, by its local code
	ignored := make([]Ignored, nb)
	err := workers.Run(ctx, nb, 0, func(_, b int) error {
		names, ig, err := s.scanBatch(b, users, br)
		local[b], ignored[b] = names, ig
		return err
	})
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for b := range local {
		for _, name := range local[b] {
			if !seen[name] {
				seen[name] = true
				s.names = append(s.names, name)
			}
		}
		s.ignored.NullUser += ignored[b].NullUser
		s.ignored.NullName += ignored[b].NullName
		s.ignored.NullTime += ignored[b].NullTime
		s.ignored.UnknownUser += ignored[b].UnknownUser
	}
	slices.Sort(s.names)
	if len(s.names) > math.MaxUint16+1 {
		return nil, fmt.Errorf("the events table has %d distinct event names, more than %d", len(s.names), math.MaxUint16+1)
	}
	err = workers.Run(ctx, nb, 0, func(_, b int) error { // local codes to the sorted names' codes
		remap := make([]int32, len(local[b]))
		for i, name := range local[b] {
			remap[i] = s.code(name)
		}
		off, rows := s.table.BatchOffset(b), s.table.Batches[b].NumRows()
		for i := off; i < off+rows; i++ {
			if br.users[i] >= 0 {
				br.codes[i] = remap[br.codes[i]]
			}
		}
		return nil
	})
	return br, err
}

// scanBatch reads batch b into br, with names coded locally; it returns
// the names by local code.
func (s *Store) scanBatch(b int, users *userIndex, br *byRow) ([]string, Ignored, error) {
	var ig Ignored
	batch := s.table.Batches[b]
	off := int(s.table.BatchOffset(b))
	ua, na, ta := batch.Column(s.cols[0]), batch.Column(s.cols[1]), batch.Column(s.cols[2])
	names := newNameCoder(na)
	timeAt := timeReader(ta)
	nulls := ua.NullN() > 0 || na.NullN() > 0 || ta.NullN() > 0
	ids, dense := ua.(*array.Int64)
	dense = dense && users.dense
	for i := 0; i < int(batch.NumRows()); i++ {
		r := off + i
		br.users[r] = -1
		var u int32
		var ok bool
		if dense { // the common case: integer ids numbered from first
			u, ok = users.intRow(ids.Value(i))
		} else {
			u, ok = users.row(ua, i)
		}
		switch {
		case nulls && ua.IsNull(i):
			ig.NullUser++
			continue
		case nulls && na.IsNull(i):
			ig.NullName++
			continue
		case nulls && ta.IsNull(i):
			ig.NullTime++
			continue
		case !ok:
			ig.UnknownUser++
			continue
		}
		t, err := timeAt(i)
		if err != nil {
			return nil, ig, fmt.Errorf("events row %d, column %q: %w", r+1, s.table.Schema.Field(s.cols[2]).Name, err)
		}
		br.users[r], br.codes[r], br.times[r] = u, names.code(i), t
	}
	return names.names, ig, nil
}

// nameCoder gives a batch's event names local codes: per dictionary
// entry for a dictionary column, per distinct string otherwise.
type nameCoder struct {
	dict  *array.Dictionary
	str   arrow.Array
	codes []int32 // dictionary entry → code (-1: not yet)
	seen  map[string]int32
	names []string
}

func newNameCoder(a arrow.Array) *nameCoder {
	c := &nameCoder{seen: map[string]int32{}}
	if d, ok := a.(*array.Dictionary); ok {
		c.dict = d
		c.codes = make([]int32, d.Dictionary().Len())
		for i := range c.codes {
			c.codes[i] = -1
		}
		c.str = d.Dictionary()
	} else {
		c.str = a
	}
	return c
}

// code returns row i's name's code (the row is not null).
func (c *nameCoder) code(i int) int32 {
	if c.dict != nil {
		e := c.dict.GetValueIndex(i)
		if c.codes[e] < 0 {
			c.codes[e] = c.named(stringAt(c.str, e))
		}
		return c.codes[e]
	}
	return c.named(stringAt(c.str, i))
}

func (c *nameCoder) named(name string) int32 {
	if code, ok := c.seen[name]; ok {
		return code
	}
	code := int32(len(c.names))
	c.seen[name] = code
	c.names = append(c.names, name)
	return code
}

func stringAt(a arrow.Array, i int) string {
	switch x := a.(type) {
	case *array.String:
		return x.Value(i)
	case *array.LargeString:
		return x.Value(i)
	}
	v, _ := kernels.ArrowValue(a, i)
	return v.S
}

// timeReader returns a reader of a time column's values in microseconds.
func timeReader(a arrow.Array) func(i int) (int64, error) {
	if ts, ok := a.(*array.Timestamp); ok {
		mul, div := kernels.TimeUnitMicros(ts.DataType().(*arrow.TimestampType).Unit)
		vals := ts.TimestampValues()
		if mul == 1 && div == 1 {
			return func(i int) (int64, error) { return int64(vals[i]), nil }
		}
		return func(i int) (int64, error) {
			us, ok := kernels.ToMicros(int64(vals[i]), mul, div)
			if !ok {
				return 0, kernels.ErrTimeRange
			}
			return us, nil
		}
	}
	return func(i int) (int64, error) {
		v, err := kernels.ArrowValue(a, i)
		return v.I, err
	}
}

// index orders the events by user (a counting sort over the rows), then
// by name and time within each user (users in parallel).
func (s *Store) index(ctx context.Context, br *byRow) error {
	s.starts = make([]int64, s.users+1)
	for _, u := range br.users {
		if u >= 0 {
			s.starts[u+1]++
		}
	}
	for u := int64(1); u <= s.users; u++ {
		s.starts[u] += s.starts[u-1]
	}
	total := s.starts[s.users]
	next := slices.Clone(s.starts[:s.users])
	s.rows = make([]int32, total)
	for r, u := range br.users {
		if u >= 0 {
			s.rows[next[u]] = int32(r)
			next[u]++
		}
	}
	next = nil
	s.codes = make([]uint16, total)
	compact := s.compact()
	if compact {
		s.locs = make([]uint32, total)
	} else {
		s.times = make([]int64, total)
	}
	const chunk = 1 << 16
	err := workers.Run(ctx, int((s.users+chunk-1)/chunk), 0, func(_, c int) error {
		var part []entry
		batch := 0
		for u := int64(c) * chunk; u < min(s.users, int64(c+1)*chunk); u++ {
			lo, hi := s.starts[u], s.starts[u+1]
			part = part[:0]
			for _, r := range s.rows[lo:hi] {
				part = append(part, entry{code: br.codes[r], time: br.times[r], row: r})
			}
			if len(part) > 1 {
				slices.SortStableFunc(part, compareEntries)
			}
			for j, e := range part {
				at := lo + int64(j)
				s.codes[at] = uint16(e.code)
				if !compact {
					s.times[at], s.rows[at] = e.time, e.row
					continue
				}
				if e.row < s.rowOffsets[batch] || (batch+1 < len(s.rowOffsets) && e.row >= s.rowOffsets[batch+1]) {
					batch, _ = s.table.Locate(int64(e.row))
				}
				s.locs[at] = uint32(batch)<<s.offBits | uint32(e.row-s.rowOffsets[batch])
			}
		}
		return nil
	})
	if compact {
		s.rows = nil // the locations hold the rows
	}
	return err
}

// compareEntries orders by name code, then time (stable: then by row).
func compareEntries(a, b entry) int {
	if a.code != b.code {
		return cmp.Compare(a.code, b.code)
	}
	return cmp.Compare(a.time, b.time)
}

// code returns an event name's code, or -1 when no event has the name.
func (s *Store) code(name string) int32 {
	i := sort.SearchStrings(s.names, name)
	if i < len(s.names) && s.names[i] == name {
		return int32(i)
	}
	return -1
}

// userIndex maps user ids to user rows.
type userIndex struct {
	dense bool // int ids first, first+1, …: row = id - first
	first int64
	ints  map[int64]int32
	strs  map[string]int32
	isStr bool
	users int64
	canon []int32 // set when ids repeat: per row, the first row with its id
}

func newUserIndex(ids arrow.Array) (*userIndex, error) {
	ix := &userIndex{users: int64(ids.Len()), isStr: kernels.KindOf(ids.DataType()) == value.KStr}
	if ids.Len() > math.MaxInt32 {
		return nil, ErrTooMany
	}
	vals := make([]value.Value, ids.Len())
	for i := range vals {
		v, err := kernels.ArrowValue(ids, i)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	if !ix.isStr && len(vals) > 0 {
		ix.dense = !vals[0].Null && !vals[0].U
		ix.first = vals[0].I
		for i, v := range vals {
			if v.Null || v.U || v.I != ix.first+int64(i) {
				ix.dense = false
				break
			}
		}
		if ix.dense {
			return ix, nil
		}
	}
	if ix.isStr {
		ix.strs = make(map[string]int32, len(vals))
	} else {
		ix.ints = make(map[int64]int32, len(vals))
	}
	for i, v := range vals {
		switch {
		case v.Null:
		case ix.isStr:
			if first, dup := ix.strs[v.S]; dup {
				ix.share(i, first)
			} else {
				ix.strs[v.S] = int32(i)
			}
		case !v.U:
			if first, dup := ix.ints[v.I]; dup {
				ix.share(i, first)
			} else {
				ix.ints[v.I] = int32(i)
			}
		}
	}
	return ix, nil
}

// row returns the user row of events row i's user id.
func (ix *userIndex) row(a arrow.Array, i int) (int32, bool) {
	if a.IsNull(i) {
		return 0, false
	}
	if x, ok := a.(*array.Int64); ok && !ix.isStr {
		return ix.intRow(x.Value(i))
	}
	if ix.isStr {
		if d, isDict := a.(*array.Dictionary); isDict {
			r, ok := ix.strs[stringAt(d.Dictionary(), d.GetValueIndex(i))]
			return r, ok
		}
		r, ok := ix.strs[stringAt(a, i)]
		return r, ok
	}
	v, err := kernels.ArrowValue(a, i)
	if err != nil || v.U {
		return 0, false
	}
	return ix.intRow(v.I)
}

// intRow returns the user row of an integer id.
func (ix *userIndex) intRow(id int64) (int32, bool) {
	if ix.dense {
		d := id - ix.first
		if id < ix.first || d >= ix.users { // id < first also guards the subtraction's overflow
			return 0, false
		}
		return int32(d), true
	}
	r, ok := ix.ints[id]
	return r, ok
}

// share records that user row i has the id of row first.
func (ix *userIndex) share(i int, first int32) {
	if ix.canon == nil {
		ix.canon = make([]int32, ix.users)
		for r := range ix.canon {
			ix.canon[r] = int32(r)
		}
	}
	ix.canon[i] = first
}

// NameColumn is the events table's name column.
func (s *Store) NameColumn() int { return s.cols[1] }

// TimeColumn is the events table's time column.
func (s *Store) TimeColumn() int { return s.cols[2] }

// NewUser returns a store of one user's events (user row 0), for
// single-user evaluation: names and times per event, kinds the kinds of
// the events table's columns, cell(col, i) the
// value of events table column col for event i, filter the filter
// function over these events. Property columns have the kinds of the
// events table's, which cell must return.
func NewUser(names []string, times []int64, kinds []value.Kind, cell func(col, i int) value.Value, filter FilterFunc) *Store {
	s := &Store{users: 1, filter: filter, cell: cell, kinds: kinds, runs: map[runKey]*runEntry{}, props: map[int]*propEntry{}}
	s.names = slices.Clone(names)
	slices.Sort(s.names)
	s.names = slices.Compact(s.names)
	br := &byRow{users: make([]int32, len(names)), codes: make([]int32, len(names)), times: times}
	for i, n := range names {
		br.codes[i] = s.code(n)
	}
	_ = s.index(context.Background(), br) // fails only when cancelled
	return s
}

// Counts returns, for each event name (by code), the events of the users
// each yields and how many of them have at least one.
func (s *Store) Counts(each func(yield func(u int64) bool)) (events, users []int64) {
	events, users = make([]int64, len(s.names)), make([]int64, len(s.names))
	each(func(u int64) bool {
		if u < 0 || u >= s.users {
			return true
		}
		if s.canon != nil {
			u = int64(s.canon[u])
		}
		last := -1
		for j := s.starts[u]; j < s.starts[u+1]; j++ {
			c := int(s.codes[j])
			events[c]++
			if c != last { // codes are sorted within a user
				users[c]++
				last = c
			}
		}
		return true
	})
	return events, users
}
