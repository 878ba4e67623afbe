package columnar

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/stretchr/testify/require"
)

// flatShapes are the columns of the random files: every type the flat
// decoder takes, and some it must refuse (converted units, narrowed
// integers, lists).
var flatShapes = []arrow.Field{
	{Name: "i32", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	{Name: "i32req", Type: arrow.PrimitiveTypes.Int32},
	{Name: "u32", Type: arrow.PrimitiveTypes.Uint32, Nullable: true},
	{Name: "i64", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "u64", Type: arrow.PrimitiveTypes.Uint64},
	{Name: "date", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	{Name: "ts_us", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
	{Name: "ts_ms", Type: &arrow.TimestampType{Unit: arrow.Millisecond}},
	{Name: "ts_s", Type: &arrow.TimestampType{Unit: arrow.Second, TimeZone: "UTC"}, Nullable: true},
	{Name: "f32", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
	{Name: "f64", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "breq", Type: arrow.FixedWidthTypes.Boolean},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "sreq", Type: arrow.BinaryTypes.String},
	{Name: "shigh", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "i8", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
	{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
	{Name: "tagsreq", Type: arrow.ListOfNonNullable(arrow.BinaryTypes.String)},
	{Name: "i64s", Type: arrow.ListOf(arrow.PrimitiveTypes.Int64), Nullable: true},
}

// randomFlatRecord builds n rows of flatShapes: each column with its own
// share of nulls (none, some, most or all) and of distinct values (few,
// so writers choose dictionaries, or many).
func randomFlatRecord(rng *rand.Rand, n int) arrow.RecordBatch {
	b := array.NewRecordBuilder(memory.DefaultAllocator, arrow.NewSchema(flatShapes, nil))
	defer b.Release()
	for c, f := range flatShapes {
		nullShare := []float64{0, 0.1, 0.9, 1}[rng.IntN(4)]
		if !f.Nullable {
			nullShare = 0
		}
		distinct := []int{1, 3, 200, 1 << 30}[rng.IntN(4)]
		if f.Name == "shigh" {
			distinct = 1 << 30
		}
		fb := b.Field(c)
		for i := 0; i < n; i++ {
			if rng.Float64() < nullShare {
				fb.AppendNull()
				continue
			}
			v := rng.IntN(distinct)
			switch fb := fb.(type) {
			case *array.Int32Builder:
				fb.Append(int32(v) - int32(distinct/2))
			case *array.Uint32Builder:
				fb.Append(uint32(v) * 2654435761)
			case *array.Int64Builder:
				fb.Append(int64(v)*1_000_003 - int64(distinct))
			case *array.Uint64Builder:
				fb.Append(uint64(v) << 33)
			case *array.Date32Builder:
				fb.Append(arrow.Date32(v % 40000))
			case *array.TimestampBuilder:
				fb.Append(arrow.Timestamp(int64(v) * 1_000_000))
			case *array.Float32Builder:
				fb.Append([]float32{float32(v) / 3, float32(math.NaN()), float32(math.Inf(-1)), 0}[rng.IntN(4)])
			case *array.Float64Builder:
				fb.Append([]float64{float64(v) / 7, math.NaN(), math.Copysign(0, -1), math.MaxFloat64}[rng.IntN(4)])
			case *array.BooleanBuilder:
				fb.Append(v%2 == 1)
			case *array.StringBuilder:
				fb.Append([]string{"", "é", fmt.Sprintf("v%d", v), fmt.Sprintf("a longer value %d", v)}[v%4])
			case *array.Int8Builder:
				fb.Append(int8(v))
			case *array.ListBuilder:
				fb.Append(true)
				for k := 0; k < v%4; k++ {
					switch vb := fb.ValueBuilder().(type) {
					case *array.StringBuilder:
						if f.Type.(*arrow.ListType).ElemField().Nullable && rng.IntN(5) == 0 {
							vb.AppendNull()
						} else {
							vb.Append([]string{"", "é", "meditation", fmt.Sprint(v % 50)}[(k+v)%4])
						}
					case *array.Int64Builder:
						vb.Append(int64(k))
					}
				}
			}
		}
	}
	return b.NewRecordBatch()
}

// randomWriterProps varies everything a writer chooses: dictionaries
// (and their fallback to PLAIN when the dictionary outgrows its page),
// data page versions and sizes, compression, row group lengths.
func randomWriterProps(rng *rand.Rand, rows int) (*parquet.WriterProperties, string) {
	dict := rng.IntN(3) > 0
	v2 := rng.IntN(2) == 0
	pageSize := []int64{64, 1024, 1 << 20}[rng.IntN(3)]
	dictLimit := []int64{64, 1 << 20}[rng.IntN(2)]
	codec := []compress.Compression{compress.Codecs.Uncompressed, compress.Codecs.Snappy, compress.Codecs.Zstd, compress.Codecs.Gzip}[rng.IntN(4)]
	groupRows := max([]int64{1, 7, 1000, 4096, 1 << 20}[rng.IntN(5)], int64(rows/50)) // at most 50 row groups
	opts := []parquet.WriterProperty{
		parquet.WithDictionaryDefault(dict), parquet.WithDataPageSize(pageSize),
		parquet.WithDictionaryPageSizeLimit(dictLimit), parquet.WithCompression(codec),
		parquet.WithMaxRowGroupLength(groupRows),
	}
	if v2 {
		opts = append(opts, parquet.WithDataPageVersion(parquet.DataPageV2))
	}
	desc := fmt.Sprintf("dict=%v v2=%v page=%d dictLimit=%d codec=%s groupRows=%d", dict, v2, pageSize, dictLimit, codec, groupRows)
	return parquet.NewWriterProperties(opts...), desc
}

// TestFlatDecoderMatchesArrow reads random files both ways, row group by
// row group and column by column, and requires equal arrays: the flat
// decoder where it takes the column, Arrow's record reader always. It
// also requires the flat decoder to take most of the chunks it plans
// for, so the test cannot pass by falling back.
func TestFlatDecoderMatchesArrow(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 3))
	var planned, taken, lists int
	for round := 0; round < 40; round++ {
		n := []int{0, 1, 9, 3000, 20000}[rng.IntN(5)]
		rec := randomFlatRecord(rng, n)
		props, desc := randomWriterProps(rng, n)
		var buf bytes.Buffer
		tbl := array.NewTableFromRecords(rec.Schema(), []arrow.RecordBatch{rec})
		err := pqarrow.WriteTable(tbl, &buf, max(int64(n), 1), props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
		tbl.Release()
		rec.Release()
		require.NoError(t, err)
		batch := []int64{7, 1000, 4096, 65536}[rng.IntN(4)]
		p, k, l := checkFlatFile(t, buf.Bytes(), batch, fmt.Sprintf("round %d (%d rows, %s, batch %d)", round, n, desc, batch))
		planned += p
		taken += k
		lists += l
	}
	t.Logf("flat decoder took %d of %d planned chunks (%d of lists)", taken, planned, lists)
	require.Greater(t, taken, planned*2/3, "the flat decoder must take most chunks it plans for")
	require.Greater(t, lists, 40, "the flat decoder must take lists of strings")
}

// checkFlatFile compares both ways of reading every row group and column
// of a file, and returns the chunks planned for and taken by the flat
// decoder.
func checkFlatFile(t *testing.T, data []byte, batch int64, desc string) (planned, taken, lists int) {
	rdr, err := file.NewParquetReader(bytes.NewReader(data))
	require.NoError(t, err, desc)
	defer rdr.Close()
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	pf, err := newParquetFile(rdr, batch, mem)
	require.NoError(t, err, desc)
	schema, leaves := pf.schema, pf.leaves
	fields := make([]int, schema.NumFields())
	for i := range fields {
		fields[i] = i
	}
	for g := 0; g < rdr.NumRowGroups(); g++ {
		ctx := context.Background()
		fast, err := pf.readGroup(ctx, g, fields, mem, true)
		require.NoError(t, err, desc)
		slow, err := pf.readGroup(ctx, g, fields, mem, false)
		require.NoError(t, err, desc)
		for c := range fields {
			where := fmt.Sprintf("%s: row group %d, column %s", desc, g, schema.Field(c).Name)
			require.Len(t, fast[c], len(slow[c]), where)
			for b := range fast[c] {
				requireSameArray(t, slow[c][b], fast[c][b], fmt.Sprintf("%s, batch %d", where, b))
			}
			if len(leaves[c]) != 1 || rdr.RowGroup(g).NumRows() == 0 {
				continue
			}
			col := rdr.MetaData().Schema.Column(leaves[c][0])
			_, flat := planFlat(col, schema.Field(c).Type)
			_, list := planList(col, schema.Field(c).Type)
			if !flat && !list {
				continue
			}
			planned++
			arrs, err := readOwn(rdr.RowGroup(g), col, leaves[c][0], schema.Field(c).Type, rdr.RowGroup(g).NumRows(), int(batch), mem)
			if errors.Is(err, errNotFlat) {
				continue
			}
			require.NoError(t, err, where)
			taken++
			if list {
				lists++
			}
			for _, a := range arrs {
				require.NoError(t, array.ValidateFull(a), where)
				a.Release()
			}
		}
		releaseColumns(fast)
		releaseColumns(slow)
	}
	return planned, taken, lists
}

// requireSameArray requires equal types, validity and values; floats are
// compared by their bits (NaN included), dictionaries by their values.
func requireSameArray(t *testing.T, want, got arrow.Array, where string) {
	t.Helper()
	require.True(t, arrow.TypeEqual(want.DataType(), got.DataType()), "%s: type %s, want %s", where, got.DataType(), want.DataType())
	require.Equal(t, want.Len(), got.Len(), where)
	require.Equal(t, want.NullN(), got.NullN(), where)
	for i := 0; i < want.Len(); i++ {
		if want.IsNull(i) != got.IsNull(i) {
			t.Fatalf("%s: row %d: null %v, want %v", where, i, got.IsNull(i), want.IsNull(i))
		}
		if want.IsNull(i) {
			continue
		}
		same := true
		switch w := want.(type) {
		case *array.Dictionary:
			g := got.(*array.Dictionary)
			same = w.Dictionary().(*array.String).Value(w.GetValueIndex(i)) == g.Dictionary().(*array.String).Value(g.GetValueIndex(i))
		case *array.Float64:
			same = math.Float64bits(w.Value(i)) == math.Float64bits(got.(*array.Float64).Value(i))
		case *array.Float32:
			same = math.Float32bits(w.Value(i)) == math.Float32bits(got.(*array.Float32).Value(i))
		default:
			same = array.SliceEqual(want, int64(i), int64(i+1), got, int64(i), int64(i+1))
		}
		if !same {
			t.Fatalf("%s: row %d: %v, want %v", where, i, got.ValueStr(i), want.ValueStr(i))
		}
	}
}

// TestDecodeHybrid decodes runs of every kind and width against values
// encoded here by the format's definition.
func TestDecodeHybrid(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 8))
	for round := 0; round < 500; round++ {
		width := rng.IntN(33)
		if round%3 == 0 {
			width = 1
		}
		var want []uint32
		var enc []byte
		for runs := rng.IntN(5) + 1; runs > 0; runs-- {
			if rng.IntN(2) == 0 { // RLE
				count := rng.IntN(100) + 1
				v := uint32(rng.Uint64() & (1<<width - 1))
				enc = appendUvarint(enc, uint64(count)<<1)
				for i := 0; i < (width+7)/8; i++ {
					enc = append(enc, byte(v>>(8*i)))
				}
				for i := 0; i < count; i++ {
					want = append(want, v)
				}
				continue
			}
			groups := rng.IntN(4) + 1
			enc = appendUvarint(enc, uint64(groups)<<1|1)
			var acc uint64
			have := 0
			for i := 0; i < groups*8; i++ {
				v := uint32(rng.Uint64() & (1<<width - 1))
				want = append(want, v)
				acc |= uint64(v) << have
				have += width
				for have >= 8 {
					enc = append(enc, byte(acc))
					acc >>= 8
					have -= 8
				}
			}
		}
		got := make([]uint32, len(want))
		require.NoError(t, decodeHybrid(enc, width, got), "width %d", width)
		require.Equal(t, want, got, "width %d", width)
		if width == 1 { // the levels of a nullable column, decoded as bits
			bm := make([]byte, bitmapBytes(len(want)))
			require.NoError(t, decodeLevelBits(enc, len(want), bm))
			for i, v := range want {
				require.Equal(t, v == 1, bm[i/8]>>(i%8)&1 == 1, "level %d", i)
			}
		}
		short := make([]uint32, len(want)+1)
		require.Error(t, decodeHybrid(enc, width, short), "width %d: one value more than encoded", width)
	}
}

func appendUvarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// FuzzFlatLevels feeds arbitrary bytes to the flat decoder's run
// decoders: they must return an error or values, never panic.
func FuzzFlatLevels(f *testing.F) {
	f.Add([]byte{0x03, 0xff}, uint8(1), uint16(9))
	f.Add([]byte{0x08, 0x01, 0x03, 0x05}, uint8(3), uint16(12))
	f.Fuzz(func(t *testing.T, data []byte, width uint8, n uint16) {
		out := make([]uint32, n)
		if decodeHybrid(data, int(width%34), out) == nil && width%34 <= 32 {
			for _, v := range out {
				if uint64(v) >= 1<<(width%34) {
					t.Fatalf("value %d wider than %d bits", v, width%34)
				}
			}
		}
		bits := make([]byte, bitmapBytes(int(n)))
		_ = decodeLevelBits(data, int(n), bits)
	})
}
