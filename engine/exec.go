package engine

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/segql/segql/columnar"
)

// evalFn evaluates one plan node over the batch bound in c. The returned
// vector lives in c's scratch and is valid until the next batch.
type evalFn func(c *ectx) *vec

// ectx is one worker's evaluation state: the batch's columns and scratch
// vectors, one slot per plan node. It is never shared between goroutines.
type ectx struct {
	batch int // index of the bound batch in the table
	cols  []arrow.Array
	n     int
	now   int64
	slots []vec
	tmp   [][]uint64 // extra scratch words per slot
	tmp2  [][]uint64
	tmp3  [][]uint64
	err   error
	subs  []*dictState
}

// dictState caches a dictionary predicate's result per worker.
type dictState struct {
	sub    *ectx
	dict   arrow.Array
	table  []uint8 // per dictionary entry: 0 false, 1 true, 2 null
	onNull uint8   // the result for rows whose code is null
	// runs are the table's runs of TRUE codes when runsOK: no entry is
	// UNKNOWN and there are at most maxCodeRuns runs, so rows are selected
	// by range kernels over the codes instead of a lookup per row.
	runs    []codeRun
	runsOK  bool
	scratch []uint64
}

func newEctx(p *program, now int64) *ectx {
	return &ectx{
		slots: make([]vec, p.nslots),
		tmp:   make([][]uint64, p.nslots),
		tmp2:  make([][]uint64, p.nslots),
		tmp3:  make([][]uint64, p.nslots),
		subs:  make([]*dictState, p.ndicts),
		now:   now,
	}
}

// bind points the context at a batch's columns.
func (c *ectx) bind(rec arrow.RecordBatch) {
	c.cols = c.cols[:0]
	for i := 0; i < int(rec.NumCols()); i++ {
		c.cols = append(c.cols, rec.Column(i))
	}
	c.n = int(rec.NumRows())
}

func (c *ectx) fail(err error) {
	if c.err == nil {
		c.err = err
	}
}

// out prepares slot s as a fresh vector of kind k for this batch.
func (c *ectx) out(s int, k kind) *vec {
	v := &c.slots[s]
	v.k, v.n, v.c, v.valid = k, c.n, false, nil
	return v
}

// boolOut prepares slot s as a boolean vector with zeroed bits.
func (c *ectx) boolOut(s int) *vec {
	v := c.out(s, kBool)
	v.bits = grow(v.bits, words(c.n))
	clear(v.bits)
	return v
}

// program is a compiled plan: the root evaluator and the scratch it needs.
type program struct {
	root   evalFn
	nslots int
	ndicts int
}

// compiler assigns scratch slots and chooses kernels.
type compiler struct {
	eng    *Engine         // nil when compiling over a dictionary's values
	table  *columnar.Table // the engine's table (rank kernels read row offsets)
	nslots int
	ndicts int
	plain  bool // general kernels only (WithoutOptimizations)
}

func (cp *compiler) slot() int {
	cp.nslots++
	return cp.nslots - 1
}
