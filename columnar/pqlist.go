package columnar

import (
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/schema"
)

// The flat decoder also takes top-level lists of strings in Parquet's
// three-level shape (an optional or required LIST group, a repeated
// group, one optional or required string element): interests, tags.
// A column chunk is decoded whole (levels, and the values' bytes, from
// PLAIN or dictionary pages) and then cut into batches, each of whose
// buffers is allocated once at its exact size.

// listPlan is how a list column's levels are read.
type listPlan struct {
	typ      *arrow.ListType
	listOpt  bool // the list may be null: definition level 0
	elemOpt  bool // an element may be null: definition level maxDef-1
	maxDef   int
	defWidth int // bits of a definition level
}

// planList returns the plan for a leaf column read as typ, or false when
// the flat decoder does not take it.
func planList(col *schema.Column, typ arrow.DataType) (listPlan, bool) {
	lt, ok := typ.(*arrow.ListType)
	if !ok || lt.Elem().ID() != arrow.STRING || col.PhysicalType() != parquet.Types.ByteArray ||
		col.MaxRepetitionLevel() != 1 || len(col.ColumnPath()) != 3 {
		return listPlan{}, false
	}
	leaf := col.SchemaNode()
	rep := leaf.Parent()
	if rep == nil || rep.RepetitionType() != parquet.Repetitions.Repeated {
		return listPlan{}, false
	}
	if g, ok := rep.(*schema.GroupNode); !ok || g.NumFields() != 1 {
		return listPlan{}, false
	}
	top := rep.Parent()
	if top == nil || top.Parent() == nil || top.Parent().Parent() != nil || top.RepetitionType() == parquet.Repetitions.Repeated ||
		leaf.RepetitionType() == parquet.Repetitions.Repeated {
		return listPlan{}, false
	}
	p := listPlan{
		typ:     lt,
		listOpt: top.RepetitionType() == parquet.Repetitions.Optional,
		elemOpt: leaf.RepetitionType() == parquet.Repetitions.Optional,
		maxDef:  int(col.MaxDefinitionLevel()),
	}
	if want := b2i(p.listOpt) + 1 + b2i(p.elemOpt); want != p.maxDef {
		return listPlan{}, false
	}
	p.defWidth = bits.Len(uint(p.maxDef))
	return p, true
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// listChunk is a decoded list column chunk: one repetition and
// definition level per entry, and the present elements' bytes.
type listChunk struct {
	rep, def []uint8
	offsets  []int32 // of the present elements in data
	data     []byte
	dict     [][]byte // a dictionary page's strings
	hasDict  bool
	scratch  []uint32
}

var listChunks = sync.Pool{New: func() any { return new(listChunk) }}

// reserve readies c for a chunk of entries level entries and about size
// bytes (as its footer says: the capacities are bounded, as a malformed
// footer may claim anything; the slices grow past them if need be).
func (c *listChunk) reserve(entries, size int64) {
	entries = min(max(entries, 0), 1<<24)
	size = min(max(size, 0), 1<<28)
	c.rep = slices.Grow(c.rep[:0], int(entries))
	c.def = slices.Grow(c.def[:0], int(entries))
	c.offsets = append(slices.Grow(c.offsets[:0], int(entries)+1), 0)
	c.data = slices.Grow(c.data[:0], int(size))
	c.dict, c.hasDict = nil, false
}

// recycle returns c to the pool, unless it grew too large to keep.
func (c *listChunk) recycle() {
	if cap(c.data) > 1<<28 || cap(c.rep) > 1<<24 {
		return
	}
	c.dict = nil
	listChunks.Put(c)
}

// readListColumn decodes leaf column leaf of row group rg (rows rows) as
// lists of strings into arrays of batch rows each.
func readListColumn(rg *file.RowGroupReader, leaf int, plan listPlan, rows int64, batch int, mem memory.Allocator) ([]arrow.Array, error) {
	meta, err := rg.MetaData().ColumnChunk(leaf)
	if err != nil {
		return nil, err
	}
	pr, err := rg.GetColumnPageReader(leaf)
	if err != nil {
		return nil, err
	}
	defer pr.Close()
	c := listChunks.Get().(*listChunk)
	defer c.recycle()
	c.reserve(meta.NumValues(), meta.TotalUncompressedSize())
	for pr.Next() {
		pg := pr.Page()
		switch pg.Type() {
		case file.PageTypeDictionaryPage:
			err = c.readDictionary(pg)
		case file.PageTypeDataPage, file.PageTypeDataPageV2:
			err = c.readDataPage(pg, plan)
		}
		if err == nil && len(c.data) > 1<<31-1 {
			err = errors.New("more than 2 GiB of strings in a column chunk")
		}
		if err != nil {
			return nil, err
		}
	}
	if err := pr.Err(); err != nil {
		return nil, err
	}
	starts, err := c.rowStarts(plan, rows)
	if err != nil {
		return nil, err
	}
	var arrs []arrow.Array
	valueAt := 0
	for lo := 0; lo < int(rows); lo += batch {
		hi := min(lo+batch, int(rows))
		var a arrow.Array
		a, valueAt = c.buildBatch(plan, starts[lo:hi+1], valueAt, mem)
		arrs = append(arrs, a)
	}
	return arrs, nil
}

func (c *listChunk) readDictionary(pg file.Page) error {
	data, n, err := dictionaryPage(pg, &c.hasDict)
	if err != nil {
		return err
	}
	c.dict = make([][]byte, n)
	for i := range c.dict {
		v, rest, err := lengthPrefixed(data)
		if err != nil {
			return fmt.Errorf("dictionary page: value %d: %w", i, err)
		}
		c.dict[i] = append([]byte(nil), v...)
		data = rest
	}
	return nil
}

// readDataPage appends a data page's levels and present values.
func (c *listChunk) readDataPage(pg file.Page, plan listPlan) error {
	n := int(pg.NumValues())
	repBytes, defBytes, data, err := pageLevels(pg, true, true)
	if err != nil {
		return err
	}
	if n < 0 || n > 1<<31-1-len(c.rep) {
		return fmt.Errorf("a page of %d values", n)
	}
	present := 0
	if err := c.appendLevels(&c.rep, repBytes, 1, n); err != nil {
		return fmt.Errorf("repetition levels: %w", err)
	}
	if err := c.appendLevels(&c.def, defBytes, plan.defWidth, n); err != nil {
		return fmt.Errorf("definition levels: %w", err)
	}
	for _, d := range c.def[len(c.def)-n:] {
		if int(d) > plan.maxDef {
			return fmt.Errorf("definition level %d above the column's maximum %d", d, plan.maxDef)
		}
		if int(d) == plan.maxDef {
			present++
		}
	}
	switch enc := parquet.Encoding(pg.Encoding()); enc {
	case parquet.Encodings.Plain:
		buf, offsets := c.data, c.offsets
		for i := 0; i < present; i++ {
			v, rest, err := lengthPrefixed(data)
			if err != nil {
				return fmt.Errorf("value %d: %w", i, err)
			}
			buf = append(buf, v...)
			offsets = append(offsets, int32(len(buf)))
			data = rest
		}
		c.data, c.offsets = buf, offsets
	case parquet.Encodings.PlainDict, parquet.Encodings.RLEDict:
		if !c.hasDict {
			return errors.New("dictionary-encoded page without a dictionary")
		}
		if len(data) < 1 || data[0] > 32 {
			return errors.New("bad index bit width")
		}
		c.scratch = grow(c.scratch, present)
		if err := decodeHybrid(data[1:], int(data[0]), c.scratch); err != nil {
			return fmt.Errorf("dictionary indices: %w", err)
		}
		buf, offsets := c.data, c.offsets
		for _, ix := range c.scratch {
			if int64(ix) >= int64(len(c.dict)) {
				return fmt.Errorf("dictionary index %d out of a dictionary of %d", ix, len(c.dict))
			}
			buf = append(buf, c.dict[ix]...)
			offsets = append(offsets, int32(len(buf)))
		}
		c.data, c.offsets = buf, offsets
	default:
		return errNotFlat
	}
	return nil
}

func (c *listChunk) appendLevels(dst *[]uint8, src []byte, width, n int) error {
	c.scratch = grow(c.scratch, n)
	if err := decodeHybrid(src, width, c.scratch); err != nil {
		return err
	}
	out := *dst
	for _, l := range c.scratch {
		out = append(out, uint8(l))
	}
	*dst = out
	return nil
}

// rowStarts returns the entry at which each of the rows rows starts, and
// the entries' end after the last, checking the levels' shape.
func (c *listChunk) rowStarts(plan listPlan, rows int64) ([]int, error) {
	if rows > int64(len(c.rep)) {
		return nil, fmt.Errorf("%d rows declared, %d values read", rows, len(c.rep))
	}
	starts := make([]int, 0, rows+1)
	empty := b2i(plan.listOpt) // the level of an empty list; below it, a null one
	for i, r := range c.rep {
		switch {
		case r == 0:
			starts = append(starts, i)
		case r > 1:
			return nil, fmt.Errorf("repetition level %d above the column's maximum 1", r)
		case i == 0:
			return nil, errors.New("the first value continues a row")
		case int(c.def[i]) <= empty || int(c.def[i-1]) <= empty:
			return nil, errors.New("a list continues past a null or empty list")
		}
	}
	if int64(len(starts)) != rows {
		return nil, fmt.Errorf("%d rows read, %d declared", len(starts), rows)
	}
	return append(starts, len(c.rep)), nil
}

// buildBatch builds the list array of the rows whose entries start at
// starts (the last element being the end of the last row's), whose first
// present value is value valueAt of the chunk, and returns it with the
// index of the value after its last.
func (c *listChunk) buildBatch(plan listPlan, starts []int, valueAt int, mem memory.Allocator) (arrow.Array, int) {
	rows := len(starts) - 1
	empty := b2i(plan.listOpt)
	first, last := starts[0], starts[rows]
	elems, present := 0, 0
	for _, d := range c.def[first:last] {
		if int(d) > empty {
			elems++
		}
		if int(d) == plan.maxDef {
			present++
		}
	}
	nbytes := int(c.offsets[valueAt+present] - c.offsets[valueAt])

	listValid, listNulls := newBitmap(mem, rows, plan.listOpt)
	listOffsets := newBuffer(mem, (rows+1)*4)
	elemValid, elemNulls := newBitmap(mem, elems, plan.elemOpt)
	elemOffsets := newBuffer(mem, (elems+1)*4)
	elemData := newBuffer(mem, nbytes)

	lo := arrow.Int32Traits.CastFromBytes(listOffsets.Bytes())
	eo := arrow.Int32Traits.CastFromBytes(elemOffsets.Bytes())
	e, v := 0, valueAt
	base := c.offsets[valueAt]
	for r := 0; r < rows; r++ {
		lo[r] = int32(e)
		for i := starts[r]; i < starts[r+1]; i++ {
			d := int(c.def[i])
			switch {
			case d < empty: // a null list (its only entry)
				listNulls++
			case d == empty: // an empty list
			default:
				if d == plan.maxDef {
					v++
					bitSetIf(elemValid, e)
				} else {
					elemNulls++
				}
				e++
				eo[e] = c.offsets[v] - base
			}
		}
		if int(c.def[starts[r]]) >= empty {
			bitSetIf(listValid, r)
		}
	}
	lo[rows] = int32(e)
	copy(elemData.Bytes(), c.data[base:c.offsets[v]])

	child := array.NewData(arrow.BinaryTypes.String, elems, []*memory.Buffer{nullable(elemValid, elemNulls), elemOffsets, elemData}, nil, elemNulls, 0)
	list := array.NewData(plan.typ, rows, []*memory.Buffer{nullable(listValid, listNulls), listOffsets}, []arrow.ArrayData{child}, listNulls, 0)
	out := array.MakeFromData(list)
	list.Release()
	child.Release()
	for _, b := range []*memory.Buffer{listValid, listOffsets, elemValid, elemOffsets, elemData} {
		if b != nil {
			b.Release()
		}
	}
	return out, v
}

// newBuffer is a zeroed buffer of n bytes.
func newBuffer(mem memory.Allocator, n int) *memory.Buffer {
	b := memory.NewResizableBuffer(mem)
	b.Resize(n)
	return b
}

// newBitmap is a zeroed bitmap of n bits, or nil when not wanted.
func newBitmap(mem memory.Allocator, n int, wanted bool) (*memory.Buffer, int) {
	if !wanted {
		return nil, 0
	}
	return newBuffer(mem, bitmapBytes(n)), 0
}

func bitSetIf(b *memory.Buffer, i int) {
	if b != nil {
		bitutil.SetBit(b.Bytes(), i)
	}
}

// nullable is a validity bitmap to hand to an array: none without nulls
// (the array keeps its own reference).
func nullable(b *memory.Buffer, nulls int) *memory.Buffer {
	if nulls == 0 {
		return nil
	}
	return b
}
