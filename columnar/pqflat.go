package columnar

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/apache/arrow-go/v18/parquet/schema"
)

// segql decodes the common shape of Parquet column itself: a flat
// (top-level, not repeated) column of booleans, 32- or 64-bit numbers,
// dates and timestamps, or dictionary-encoded strings, in pages encoded
// PLAIN or with a dictionary, with RLE definition levels. Arrow's record
// readers are general but slow on it: they grow their buffers page by
// page (a load then holds twice its data, or copies it again), and they
// go through a dictionary builder value by value. The flat decoder knows
// the row group's size, so each batch's buffers are allocated once at
// their exact size, and pages are copied or gathered into them.
//
// Everything else (nested columns, other encodings, decimals, narrowed
// integers, converted units, strings without a dictionary) goes through
// Arrow's readers: the flat decoder says errNotFlat, before it has
// allocated anything or, for an unexpected page, after (its work is then
// discarded). Both paths give equal arrays; TestFlatDecoderMatchesArrow
// compares them on files of every shape the decoder takes or refuses.

// errNotFlat says that a column chunk is not one the flat decoder takes.
var errNotFlat = errors.New("not a flat column chunk")

// flatPlan is how a flat column's values are laid out.
type flatPlan struct {
	typ      arrow.DataType
	width    int  // bytes per value; 0 for booleans
	dictStr  bool // dictionary<int32, utf8> output of BYTE_ARRAY values
	nullable bool // max definition level 1
}

// planFlat returns the plan for a leaf column read as typ, or false when
// the flat decoder does not take it.
func planFlat(col *schema.Column, typ arrow.DataType) (flatPlan, bool) {
	if col.MaxRepetitionLevel() != 0 || col.MaxDefinitionLevel() > 1 || len(col.ColumnPath()) != 1 {
		return flatPlan{}, false
	}
	p := flatPlan{typ: typ, nullable: col.MaxDefinitionLevel() == 1}
	switch col.PhysicalType() {
	case parquet.Types.Boolean:
		return p, typ.ID() == arrow.BOOL
	case parquet.Types.Int32:
		p.width = 4
		switch typ.ID() {
		case arrow.INT32, arrow.UINT32:
			return p, true
		case arrow.DATE32:
			_, ok := col.LogicalType().(schema.DateLogicalType)
			return p, ok
		}
	case parquet.Types.Int64:
		p.width = 8
		switch typ.ID() {
		case arrow.INT64, arrow.UINT64:
			return p, true
		case arrow.TIMESTAMP:
			return p, sameTimestampUnit(col.LogicalType(), typ.(*arrow.TimestampType).Unit)
		}
	case parquet.Types.Float:
		p.width = 4
		return p, typ.ID() == arrow.FLOAT32
	case parquet.Types.Double:
		p.width = 8
		return p, typ.ID() == arrow.FLOAT64
	case parquet.Types.ByteArray:
		dt, ok := typ.(*arrow.DictionaryType)
		p.dictStr = ok && dt.IndexType.ID() == arrow.INT32 && dt.ValueType.ID() == arrow.STRING
		p.width = 4
		return p, p.dictStr
	}
	return flatPlan{}, false
}

// sameTimestampUnit reports whether a Parquet timestamp (or time) stores
// the unit Arrow reads it as: Arrow converts the others, multiplying or
// dividing (and their statistics are in the stored unit).
func sameTimestampUnit(lt schema.LogicalType, unit arrow.TimeUnit) bool {
	ts, ok := lt.(interface{ TimeUnit() schema.TimeUnitType })
	if !ok {
		return false
	}
	switch ts.TimeUnit() {
	case schema.TimeUnitMillis:
		return unit == arrow.Millisecond
	case schema.TimeUnitMicros:
		return unit == arrow.Microsecond
	case schema.TimeUnitNanos:
		return unit == arrow.Nanosecond
	}
	return false
}

// flatBatch is one output batch under construction.
type flatBatch struct {
	rows   int
	valid  *memory.Buffer // nil for a column without definition levels
	values *memory.Buffer
	nulls  int
}

// flatReader decodes one column chunk into batches of batch rows.
type flatReader struct {
	plan    flatPlan
	mem     memory.Allocator
	batch   int
	total   int
	out     []flatBatch
	dict    []byte          // fixed-width dictionary values, PLAIN
	dictN   int             // values in the dictionary
	hasDict bool            // a dictionary page was read
	dictArr arrow.ArrayData // the string dictionary
	*flatScratch
}

// flatScratch is a flat reader's per-page scratch, recycled.
type flatScratch struct {
	valid   []byte   // one page's definition levels, as bits
	indices []uint32 // one page's dictionary indices
}

var flatScratches = sync.Pool{New: func() any { return new(flatScratch) }}

// readFlat decodes leaf column leaf of row group rg (rows rows) into
// arrays of batch rows each (the last one shorter), of plan's type.
// The arrays are the caller's to release. A malformed page is an error;
// a chunk the decoder does not take is errNotFlat.
func readFlat(rg *file.RowGroupReader, leaf int, plan flatPlan, rows int64, batch int, mem memory.Allocator) (arrs []arrow.Array, err error) {
	chunk, err := rg.MetaData().ColumnChunk(leaf)
	if err != nil {
		return nil, err
	}
	if chunk.NumValues() != rows {
		return nil, errNotFlat // a flat column has one value (or null) per row
	}
	pr, err := rg.GetColumnPageReader(leaf)
	if err != nil {
		return nil, err
	}
	defer pr.Close()
	r := &flatReader{plan: plan, mem: mem, batch: batch, total: int(rows), flatScratch: flatScratches.Get().(*flatScratch)}
	defer r.release()
	defer flatScratches.Put(r.flatScratch)
	row := 0
	for pr.Next() {
		pg := pr.Page()
		switch pg.Type() {
		case file.PageTypeDictionaryPage:
			err = r.readDictionary(pg)
		case file.PageTypeDataPage, file.PageTypeDataPageV2:
			var n int
			n, err = r.readDataPage(pg, row)
			row += n
		}
		if err != nil {
			return nil, err
		}
	}
	if err := pr.Err(); err != nil {
		return nil, err
	}
	if row != r.total {
		return nil, fmt.Errorf("%d values read, %d declared", row, r.total)
	}
	return r.arrays(), nil
}

// batchAt returns the batch of row, allocating its buffers at their
// exact size (zeroed) when it is first reached (the pointer is good
// until the next call). Rows are reached in
// order, and batches only as pages fill them: a footer claiming more
// rows than its pages hold costs nothing before the pages run out.
func (r *flatReader) batchAt(row int) *flatBatch {
	i := row / r.batch
	for len(r.out) <= i {
		b := flatBatch{rows: min(r.batch, r.total-len(r.out)*r.batch)}
		b.values = memory.NewResizableBuffer(r.mem)
		if r.plan.width == 0 {
			b.values.Resize(bitmapBytes(b.rows))
		} else {
			b.values.Resize(b.rows * r.plan.width)
		}
		if r.plan.nullable {
			b.valid = memory.NewResizableBuffer(r.mem)
			b.valid.Resize(bitmapBytes(b.rows))
		}
		r.out = append(r.out, b)
	}
	return &r.out[i]
}

func bitmapBytes(n int) int { return (n + 7) / 8 }

// release frees what arrays has not handed out.
func (r *flatReader) release() {
	for _, b := range r.out {
		if b.valid != nil {
			b.valid.Release()
		}
		if b.values != nil {
			b.values.Release()
		}
	}
	r.out = nil
	if r.dictArr != nil {
		r.dictArr.Release()
		r.dictArr = nil
	}
}

// arrays builds the output arrays, handing the buffers over.
func (r *flatReader) arrays() []arrow.Array {
	arrs := make([]arrow.Array, len(r.out))
	for i := range r.out {
		b := &r.out[i]
		valid := b.valid
		if b.nulls == 0 && valid != nil {
			valid.Release()
			valid = nil
		}
		d := array.NewData(r.plan.typ, b.rows, []*memory.Buffer{valid, b.values}, nil, b.nulls, 0)
		if r.plan.dictStr {
			d.SetDictionary(r.dictArr)
		}
		arrs[i] = array.MakeFromData(d)
		d.Release()
		if valid != nil {
			valid.Release()
		}
		b.values.Release()
		b.valid, b.values = nil, nil
	}
	r.out = nil
	return arrs
}

// readDictionary reads a dictionary page (PLAIN values).
func (r *flatReader) readDictionary(pg file.Page) error {
	data, n, err := dictionaryPage(pg, &r.hasDict)
	if err != nil {
		return err
	}
	if r.plan.dictStr {
		d, err := plainStrings(data, n, r.mem)
		if err != nil {
			return fmt.Errorf("dictionary page: %w", err)
		}
		r.dictArr, r.dictN = d, n
		return nil
	}
	if r.plan.width == 0 {
		return errNotFlat // booleans are never dictionary-encoded by writers
	}
	if len(data) < n*r.plan.width {
		return fmt.Errorf("dictionary page: %d values in %d bytes", n, len(data))
	}
	r.dict, r.dictN = append([]byte(nil), data[:n*r.plan.width]...), n
	return nil
}

// dictionaryPage returns a column chunk's dictionary page's data and
// number of values, and records in seen that it was read: a second one
// is an error, and the flat decoders take PLAIN dictionaries only.
func dictionaryPage(pg file.Page, seen *bool) (data []byte, n int, err error) {
	enc := parquet.Encoding(pg.Encoding())
	if enc != parquet.Encodings.Plain && enc != parquet.Encodings.PlainDict {
		return nil, 0, errNotFlat
	}
	if *seen {
		return nil, 0, errors.New("a second dictionary page")
	}
	*seen = true
	data, n = pg.Data(), int(pg.NumValues())
	if n < 0 || n > len(data) {
		return nil, 0, fmt.Errorf("dictionary page: %d values in %d bytes", n, len(data))
	}
	return data, n, nil
}

// plainStrings decodes n PLAIN byte arrays (4-byte length, bytes) into
// a utf8 array's data (validated as the loaded batches are).
func plainStrings(data []byte, n int, mem memory.Allocator) (arrow.ArrayData, error) {
	offsets := memory.NewResizableBuffer(mem)
	offsets.Resize((n + 1) * 4)
	off := arrow.Int32Traits.CastFromBytes(offsets.Bytes())
	size := 0
	for i, rest := 0, data; i < n; i++ {
		v, next, err := lengthPrefixed(rest)
		if err != nil {
			offsets.Release()
			return nil, fmt.Errorf("value %d: %w", i, err)
		}
		rest = next
		size += len(v)
		off[i+1] = int32(size)
	}
	values := memory.NewResizableBuffer(mem)
	values.Resize(size)
	vb := values.Bytes()
	pos := 0
	for i := 0; i < n; i++ {
		l := int(off[i+1] - off[i])
		copy(vb[off[i]:], data[pos+4:pos+4+l])
		pos += 4 + l
	}
	d := array.NewData(arrow.BinaryTypes.String, n, []*memory.Buffer{nil, offsets, values}, nil, 0, 0)
	offsets.Release()
	values.Release()
	return d, nil
}

// readDataPage decodes one data page whose first value is row first, and
// returns its number of values.
func (r *flatReader) readDataPage(pg file.Page, first int) (int, error) {
	n := int(pg.NumValues())
	if n < 0 || n > r.total-first {
		return 0, fmt.Errorf("a page of %d values past the row group's %d rows", n, r.total)
	}
	_, levels, data, err := pageLevels(pg, false, r.plan.nullable)
	if err != nil {
		return 0, err
	}
	present, err := r.readLevels(levels, n, first)
	if err != nil {
		return 0, fmt.Errorf("definition levels: %w", err)
	}
	switch enc := parquet.Encoding(pg.Encoding()); {
	case enc == parquet.Encodings.Plain && !r.plan.dictStr:
		err = r.plainValues(data, n, present, first)
	case enc == parquet.Encodings.PlainDict || enc == parquet.Encodings.RLEDict:
		err = r.dictValues(data, n, present, first)
	default:
		return 0, errNotFlat
	}
	return n, err
}

// pageLevels splits a data page into its repetition levels, its
// definition levels (none for a column without them: rep, def false) and
// its values. Levels encoded otherwise than RLE, and levels a v2 page
// leaves out or has beyond the column's, are errNotFlat: Arrow's readers
// decide what they mean.
func pageLevels(pg file.Page, rep, def bool) (repLevels, defLevels, values []byte, err error) {
	data := pg.Data()
	switch p := pg.(type) {
	case *file.DataPageV1:
		if rep {
			if p.RepetitionLevelEncoding() != parquet.Encodings.RLE {
				return nil, nil, nil, errNotFlat
			}
			if repLevels, data, err = lengthPrefixed(data); err != nil {
				return nil, nil, nil, fmt.Errorf("repetition levels: %w", err)
			}
		}
		if def {
			if p.DefinitionLevelEncoding() != parquet.Encodings.RLE {
				return nil, nil, nil, errNotFlat
			}
			if defLevels, data, err = lengthPrefixed(data); err != nil {
				return nil, nil, nil, fmt.Errorf("definition levels: %w", err)
			}
		}
		return repLevels, defLevels, data, nil
	case *file.DataPageV2:
		rl, dl := int(p.RepetitionLevelByteLen()), int(p.DefinitionLevelByteLen())
		if rl < 0 || dl < 0 || rl+dl > len(data) {
			return nil, nil, nil, fmt.Errorf("levels of %d and %d bytes in a page of %d", rl, dl, len(data))
		}
		missing := (rep && rl == 0 || def && dl == 0) && pg.NumValues() > 0
		extra := !rep && rl != 0 || !def && dl != 0
		if missing || extra {
			return nil, nil, nil, errNotFlat
		}
		return data[:rl], data[rl : rl+dl], data[rl+dl:], nil
	}
	return nil, nil, nil, errNotFlat
}

// lengthPrefixed splits a 4-byte length and that many bytes (a PLAIN
// byte array, or v1 levels) off b.
func lengthPrefixed(b []byte) (v, rest []byte, err error) {
	if len(b) < 4 {
		return nil, nil, errors.New("truncated")
	}
	l := binary.LittleEndian.Uint32(b)
	if uint64(l) > uint64(len(b)-4) {
		return nil, nil, fmt.Errorf("length %d past the page's end", l)
	}
	return b[4 : 4+l], b[4+l:], nil
}

// readLevels decodes a page's definition levels (none for a required
// column) into r.valid, copies them into the validity bitmaps of rows
// first…first+n, counts the nulls, and returns the number of values
// present.
func (r *flatReader) readLevels(levels []byte, n, first int) (int, error) {
	if !r.plan.nullable {
		return n, nil
	}
	if cap(r.valid) < bitmapBytes(n) {
		r.valid = make([]byte, bitmapBytes(n))
	}
	r.valid = r.valid[:bitmapBytes(n)]
	clear(r.valid)
	if err := decodeLevelBits(levels, n, r.valid); err != nil {
		return 0, err
	}
	r.spans(n, first, func(b *flatBatch, at, from, k int) {
		bitutil.CopyBitmap(r.valid, from, k, b.valid.Bytes(), at)
		b.nulls += k - bitutil.CountSetBits(r.valid, from, k)
	})
	return bitutil.CountSetBits(r.valid, 0, n), nil
}

// decodeLevelBits decodes n definition levels of a column whose maximum
// level is 1 (RLE/bit-packed hybrid, bit width 1) into a bitmap.
func decodeLevelBits(src []byte, n int, bm []byte) error {
	return hybridRuns(src, 1, n,
		func(v uint64, pos, k int) {
			if v == 1 {
				bitutil.SetBitsTo(bm, int64(pos), int64(k), true)
			}
		},
		func(packed []byte, pos, k int) {
			if pos%8 == 0 { // whole bytes; bits past n are never read
				copy(bm[pos/8:], packed[:bitmapBytes(k)])
				return
			}
			bitutil.CopyBitmap(packed, 0, k, bm, pos)
		})
}

// spans calls f for each part of rows first…first+n within one batch:
// the batch, the part's index in it, its index in the page, its rows.
func (r *flatReader) spans(n, first int, f func(b *flatBatch, at, from, k int)) {
	for done := 0; done < n; {
		row := first + done
		b := r.batchAt(row)
		at := row % r.batch
		k := min(n-done, b.rows-at)
		f(b, at, done, k)
		done += k
	}
}

// presentRuns calls f for each run of consecutive rows of first…first+n
// holding values, within one batch: the batch, the run's index in it,
// the index of its first value among the page's values, its length.
func (r *flatReader) presentRuns(n, first int, f func(b *flatBatch, at, value, k int)) {
	value := 0
	r.spans(n, first, func(b *flatBatch, at, from, k int) {
		if !r.plan.nullable {
			f(b, at, value, k)
			value += k
			return
		}
		setRuns(r.valid, from, k, func(start, l int) {
			f(b, at+start-from, value, l)
			value += l
		})
	})
}

// setRuns calls f(start, length) for each run of set bits of bitmap bm
// within bits from…from+n.
func setRuns(bm []byte, from, n int, f func(start, length int)) {
	end := from + n
	for i := from; i < end; {
		i = skipBits(bm, i, end, 0)
		start := i
		i = skipBits(bm, i, end, 1)
		if i > start {
			f(start, i-start)
		}
	}
}

// skipBits returns the first bit of bm from i on (before end) that is not
// bit, or end.
func skipBits(bm []byte, i, end int, bit byte) int {
	for i < end {
		b := bm[i>>3]
		if bit == 1 {
			b = ^b // look for a clear bit
		}
		if b >>= uint(i & 7); b != 0 {
			return min(i+bits.TrailingZeros8(b), end)
		}
		i = (i | 7) + 1
	}
	return end
}

func grow(s []uint32, n int) []uint32 {
	if cap(s) < n {
		return make([]uint32, n)
	}
	return s[:n]
}

// plainValues copies present PLAIN values into rows first…first+n
// (those whose level is 1; all for a required column).
func (r *flatReader) plainValues(data []byte, n, present, first int) error {
	w := r.plan.width
	if w == 0 {
		if len(data) < bitmapBytes(present) {
			return fmt.Errorf("%d booleans in %d bytes", present, len(data))
		}
		r.presentRuns(n, first, func(b *flatBatch, at, value, k int) {
			bitutil.CopyBitmap(data, value, k, b.values.Bytes(), at)
		})
		return nil
	}
	if len(data) < present*w {
		return fmt.Errorf("%d values in %d bytes", present, len(data))
	}
	r.presentRuns(n, first, func(b *flatBatch, at, value, k int) {
		copy(b.values.Bytes()[at*w:(at+k)*w], data[value*w:(value+k)*w])
	})
	return nil
}

// dictValues decodes present dictionary indices (a bit width byte, then
// RLE/bit-packed runs) into rows first…first+n: the indices themselves
// for a string dictionary, the gathered values for numbers.
func (r *flatReader) dictValues(data []byte, n, present, first int) error {
	if !r.hasDict {
		return errors.New("dictionary-encoded page without a dictionary")
	}
	if r.plan.width == 0 {
		return errNotFlat
	}
	if len(data) < 1 {
		return errors.New("missing index bit width")
	}
	width := int(data[0])
	if width > 32 {
		return fmt.Errorf("index bit width %d", width)
	}
	r.indices = grow(r.indices, present)
	if err := decodeHybrid(data[1:], width, r.indices); err != nil {
		return fmt.Errorf("dictionary indices: %w", err)
	}
	for _, ix := range r.indices {
		if int64(ix) >= int64(r.dictN) {
			return fmt.Errorf("dictionary index %d out of a dictionary of %d", ix, r.dictN)
		}
	}
	ix := r.indices
	switch {
	case r.plan.dictStr:
		r.presentRuns(n, first, func(b *flatBatch, at, value, k int) {
			copy(arrow.Uint32Traits.CastFromBytes(b.values.Bytes())[at:at+k], ix[value:value+k])
		})
	case r.plan.width == 4:
		dict := arrow.Uint32Traits.CastFromBytes(r.dict)
		r.presentRuns(n, first, func(b *flatBatch, at, value, k int) {
			dst := arrow.Uint32Traits.CastFromBytes(b.values.Bytes())[at : at+k]
			for i, x := range ix[value : value+k] {
				dst[i] = dict[x]
			}
		})
	case r.plan.width == 8:
		dict := arrow.Uint64Traits.CastFromBytes(r.dict)
		r.presentRuns(n, first, func(b *flatBatch, at, value, k int) {
			dst := arrow.Uint64Traits.CastFromBytes(b.values.Bytes())[at : at+k]
			for i, x := range ix[value : value+k] {
				dst[i] = dict[x]
			}
		})
	}
	return nil
}

// decodeHybrid decodes len(out) values of width bits from Parquet's
// RLE/bit-packed hybrid encoding.
func decodeHybrid(src []byte, width int, out []uint32) error {
	return hybridRuns(src, width, len(out),
		func(v uint64, pos, k int) { fill(out[pos:pos+k], uint32(v)) },
		func(packed []byte, pos, k int) { unpack(packed, width, out[pos:pos+k]) })
}

// hybridRuns walks n values of width bits in Parquet's RLE/bit-packed
// hybrid encoding, calling rle for each run of one value (v, its first
// position, its length) and packed for each bit-packed run (its bytes,
// holding at least k values, its first position, its length k). Runs
// are cut at n; data after the last value needed is ignored, as writers
// may pad the last bit-packed group. A value wider than width, or runs
// ending before n values, are errors.
func hybridRuns(src []byte, width, n int, rle func(v uint64, pos, k int), packed func(src []byte, pos, k int)) error {
	if width < 0 || width > 32 {
		return fmt.Errorf("bit width %d", width)
	}
	byteWidth := (width + 7) / 8
	mask := uint64(1)<<width - 1
	for pos := 0; pos < n; {
		header, m := binary.Uvarint(src)
		if m <= 0 {
			return errors.New("truncated run header")
		}
		src = src[m:]
		if header&1 == 0 { // RLE run: a count, then one value
			count := header >> 1
			if count == 0 {
				return errors.New("empty run")
			}
			if len(src) < byteWidth {
				return errors.New("truncated run value")
			}
			var v uint64
			for i := 0; i < byteWidth; i++ {
				v |= uint64(src[i]) << (8 * i)
			}
			if v > mask {
				return fmt.Errorf("run value %d wider than %d bits", v, width)
			}
			src = src[byteWidth:]
			k := int(min(count, uint64(n-pos)))
			rle(v, pos, k)
			pos += k
			continue
		}
		groups := header >> 1 // bit-packed: groups of 8 values, width bytes each
		if groups == 0 {
			return errors.New("empty bit-packed run")
		}
		k := n - pos
		if groups < uint64(k+7)/8 {
			k = int(groups) * 8
		}
		need := (k*width + 7) / 8
		if need > len(src) {
			return errors.New("truncated bit-packed run")
		}
		packed(src[:need], pos, k)
		pos += k
		switch {
		case width == 0:
		case groups > uint64(len(src)/width):
			src = nil // a last run cut short after the values needed
		default:
			src = src[int(groups)*width:]
		}
	}
	return nil
}

func fill(s []uint32, v uint32) {
	if v == 0 {
		clear(s)
		return
	}
	for i := range s {
		s[i] = v
	}
}

// unpack reads len(out) values of width bits, least significant bit
// first, from src (which holds at least len(out)*width bits).
func unpack(src []byte, width int, out []uint32) {
	if width == 0 {
		clear(out)
		return
	}
	mask := uint64(1)<<width - 1
	i := 0
	if width <= 8 { // a group of 8 values fits in one 64-bit load
		for ; i+8 <= len(out) && (i/8)*width+8 <= len(src); i += 8 {
			g := binary.LittleEndian.Uint64(src[(i/8)*width:])
			o := out[i : i+8 : i+8]
			for k := range o {
				o[k] = uint32(g >> (k * width) & mask)
			}
		}
	}
	var acc uint64
	have := 0
	pos := (i / 8) * width
	for ; i < len(out); i++ {
		for have < width {
			acc |= uint64(src[pos]) << have
			pos++
			have += 8
		}
		out[i] = uint32(acc & mask)
		acc >>= width
		have -= width
	}
}

// parquetFile is one open Parquet file as segql's readers use it: its
// footer, Arrow's reader over it, its Arrow schema and each top-level
// column's leaf columns, worked out once when it is opened.
type parquetFile struct {
	rdr    *file.Reader
	fr     *pqarrow.FileReader
	schema *arrow.Schema
	leaves [][]int // per top-level column, its leaf columns
}

// newParquetFile readies rdr for reading batches of batch rows into
// mem's buffers (top-level strings dictionary-encoded, see
// arrowReadProps).
func newParquetFile(rdr *file.Reader, batch int64, mem memory.Allocator) (*parquetFile, error) {
	fr, err := pqarrow.NewFileReader(rdr, arrowReadProps(rdr, batch), mem)
	if err != nil {
		return nil, err
	}
	schema, err := fr.Schema()
	if err != nil {
		return nil, err
	}
	pf := &parquetFile{rdr: rdr, fr: fr, schema: schema}
	for i := range fr.Manifest.Fields {
		pf.leaves = append(pf.leaves, leavesOf(&fr.Manifest.Fields[i]))
	}
	if len(pf.leaves) != schema.NumFields() {
		return nil, fmt.Errorf("%d columns in the schema, %d in the manifest", schema.NumFields(), len(pf.leaves))
	}
	return pf, nil
}

func leavesOf(f *pqarrow.SchemaField) []int {
	if f.IsLeaf() {
		return []int{f.ColIndex}
	}
	var out []int
	for i := range f.Children {
		out = append(out, leavesOf(&f.Children[i])...)
	}
	return out
}

// readGroup reads the top-level columns fields (indexes into f.schema)
// of row group g, as one array per batch of the reader's batch size for
// each: the shapes segql's decoders take by them, the others (together)
// by Arrow's record reader (all by Arrow's without own). The arrays are
// the caller's to release; a column's batches have the same lengths as
// every other's.
func (f *parquetFile) readGroup(ctx context.Context, g int, fields []int, mem memory.Allocator, own bool) (cols [][]arrow.Array, err error) {
	rdr, fr, schema, leaves := f.rdr, f.fr, f.schema, f.leaves
	rg := rdr.RowGroup(g)
	rows := rg.NumRows()
	batch := int(fr.Props.BatchSize)
	cols = make([][]arrow.Array, len(fields))
	defer func() {
		if err != nil {
			releaseColumns(cols)
			cols = nil
		}
	}()
	var slow []int // leaves for Arrow's reader
	slowAt := map[string]int{}
	for k, c := range fields {
		if ls := leaves[c]; own && len(ls) == 1 && rows > 0 {
			arrs, ferr := readOwn(rg, rdr.MetaData().Schema.Column(ls[0]), ls[0], schema.Field(c).Type, rows, batch, mem)
			if ferr == nil {
				cols[k] = arrs
				continue
			}
			if !errors.Is(ferr, errNotFlat) {
				return cols, fmt.Errorf("column %q: %w", schema.Field(c).Name, ferr)
			}
		}
		slow = append(slow, leaves[c]...)
		slowAt[schema.Field(c).Name] = k
	}
	if len(slow) == 0 && rows > 0 {
		return cols, nil
	}
	rr, err := fr.GetRecordReader(ctx, slow, []int{g})
	if err != nil {
		return cols, err
	}
	defer rr.Release()
	for rr.Next() {
		if err := ctx.Err(); err != nil {
			return cols, context.Cause(ctx)
		}
		rec := rr.RecordBatch()
		for i, f := range rec.Schema().Fields() {
			k, ok := slowAt[f.Name]
			if !ok {
				return cols, fmt.Errorf("column %q read but not asked for", f.Name)
			}
			a := rec.Column(i)
			a.Retain()
			cols[k] = append(cols[k], a)
		}
	}
	if err := rr.Err(); err != nil && !errors.Is(err, io.EOF) {
		return cols, err
	}
	return cols, sameBatches(cols, schema, fields)
}

// readOwn decodes a column chunk with segql's decoders: a flat column,
// or a list of strings; errNotFlat when neither takes it.
func readOwn(rg *file.RowGroupReader, col *schema.Column, leaf int, typ arrow.DataType, rows int64, batch int, mem memory.Allocator) ([]arrow.Array, error) {
	if plan, ok := planFlat(col, typ); ok {
		return readFlat(rg, leaf, plan, rows, batch, mem)
	}
	if plan, ok := planList(col, typ); ok {
		return readListColumn(rg, leaf, plan, rows, batch, mem)
	}
	return nil, errNotFlat
}

// sameBatches checks that every column came in batches of one shape.
func sameBatches(cols [][]arrow.Array, schema *arrow.Schema, fields []int) error {
	for k := range cols {
		if len(cols[k]) != len(cols[0]) {
			return fmt.Errorf("column %q: %d batches, column %q %d", schema.Field(fields[k]).Name, len(cols[k]), schema.Field(fields[0]).Name, len(cols[0]))
		}
		for b := range cols[k] {
			if cols[k][b].Len() != cols[0][b].Len() {
				return fmt.Errorf("column %q: batch %d of %d rows, column %q's of %d", schema.Field(fields[k]).Name, b, cols[k][b].Len(), schema.Field(fields[0]).Name, cols[0][b].Len())
			}
		}
	}
	return nil
}

func releaseColumns(cols [][]arrow.Array) {
	for _, arrs := range cols {
		for _, a := range arrs {
			a.Release()
		}
	}
}

// arrowReadProps are the properties segql reads Parquet with: batches of
// batch rows, and top-level string columns dictionary-encoded, so that
// their predicates run once per distinct value. Arrow's own parallel
// reads stay off: segql reads row groups as work items of its own, each
// with its own recover.
func arrowReadProps(rdr *file.Reader, batch int64) pqarrow.ArrowReadProperties {
	props := pqarrow.ArrowReadProperties{BatchSize: batch, Parallel: false}
	for i := 0; i < rdr.MetaData().Schema.NumColumns(); i++ {
		col := rdr.MetaData().Schema.Column(i)
		if col.ColumnPath().String() == col.Name() && col.LogicalType().String() == "String" {
			props.SetReadDict(i, true)
		}
	}
	return props
}

// setStreamReads makes a Parquet reader read column chunks through a
// buffer of 64 KiB: page headers are read through it, and page bodies
// (larger) straight into the page reader's recycled buffers. Unbuffered,
// arrow-go reads each chunk whole into a fresh buffer, garbage after the
// row group (half of what a scan allocated); with its default 4 KiB
// buffer, small pages cost a system call each.
func setStreamReads(props *parquet.ReaderProperties) {
	props.BufferedStreamEnabled = true
	props.BufferSize = 64 << 10
}
