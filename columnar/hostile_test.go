package columnar

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"
)

// TestCorruptStringOffsets: a well-framed IPC stream whose string offsets
// point outside the data is refused, naming the column, instead of
// panicking later during evaluation.
func TestCorruptStringOffsets(t *testing.T) {
	mem := memory.NewGoAllocator()
	offsets := memory.NewBufferBytes(arrow.Int32Traits.CastToBytes([]int32{0, 4, 2}))
	data := memory.NewBufferBytes([]byte("okbad"))
	bad := array.NewData(arrow.BinaryTypes.String, 2, []*memory.Buffer{nil, offsets, data}, nil, 0, 0)
	arr := array.MakeFromData(bad)
	schema := arrow.NewSchema([]arrow.Field{{Name: "city", Type: arrow.BinaryTypes.String}}, nil)
	rec := array.NewRecordBatch(schema, []arrow.Array{arr}, 2)
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(schema), ipc.WithAllocator(mem))
	require.NoError(t, w.Write(rec))
	require.NoError(t, w.Close())
	path := filepath.Join(t.TempDir(), "bad.arrows")
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
	_, err := Load(context.Background(), []string{path}, LoadOptions{})
	require.Error(t, err)
	require.Contains(t, err.Error(), "bad.arrows")
	require.Contains(t, err.Error(), `column "city"`)
}

// TestTruncatedAndFlipped cuts and bit-flips valid Parquet and IPC files at
// many places: every load must end in an error or in valid data, never a
// panic or a hang.
func TestTruncatedAndFlipped(t *testing.T) {
	src := Demo(DemoOptions{Rows: 300, Seed: 2, Anchor: anchor, BatchSize: 100})
	defer src.Release()
	dir := t.TempDir()
	for _, ext := range []string{"parquet", "arrow", "arrows"} {
		path := filepath.Join(dir, "ok."+ext)
		require.NoError(t, WriteFile(path, src, nil))
		good, err := os.ReadFile(path)
		require.NoError(t, err)
		errors, accepted := 0, 0
		for i := 0; i < 200; i++ {
			mutated := append([]byte(nil), good...)
			pos := (i * 7919) % len(good)
			if i%2 == 0 {
				mutated = mutated[:pos]
			} else {
				mutated[pos] ^= 1 << uint(i%8)
			}
			p := filepath.Join(dir, "m."+ext)
			require.NoError(t, os.WriteFile(p, mutated, 0o644))
			tbl, err := LoadFile(context.Background(), p, LoadOptions{})
			if err != nil {
				require.Contains(t, err.Error(), "m."+ext, "errors name the file")
				errors++
				continue
			}
			accepted++
			tbl.Release()
		}
		t.Logf("%s: %d mutations refused, %d loaded as valid data", ext, errors, accepted)
		require.Greater(t, errors, 50)
	}
}

func TestZeroRowsAndAllNulls(t *testing.T) {
	dir := t.TempDir()
	header := filepath.Join(dir, "empty.csv")
	require.NoError(t, os.WriteFile(header, []byte("id,age\n"), 0o644))
	tbl, err := Load(context.Background(), []string{header}, LoadOptions{})
	require.NoError(t, err)
	require.EqualValues(t, 0, tbl.NumRows())
	tbl.Release()

	nulls := filepath.Join(dir, "nulls.csv")
	require.NoError(t, os.WriteFile(nulls, []byte("id,note\n1,\n2,\n"), 0o644))
	tbl, err = Load(context.Background(), []string{nulls}, LoadOptions{})
	require.NoError(t, err)
	require.Equal(t, 2, tbl.Batches[0].Column(1).NullN())
	tbl.Release()

	empty := Demo(DemoOptions{Rows: 1, Anchor: anchor})
	zero := NewTable("zero", empty.Schema, nil)
	for _, ext := range []string{"parquet", "arrow", "csv"} {
		p := filepath.Join(dir, "zero."+ext)
		require.NoError(t, WriteFile(p, zero, nil))
		got, err := Load(context.Background(), []string{p}, LoadOptions{})
		if ext == "csv" {
			require.NoError(t, err)
		} else {
			require.NoError(t, err, ext)
		}
		require.EqualValues(t, 0, got.NumRows(), ext)
		got.Release()
	}
	empty.Release()
}

// TestLongCSVLine: a record longer than any sane one is read or refused,
// without a crash.
func TestLongCSVLine(t *testing.T) {
	p := filepath.Join(t.TempDir(), "long.csv")
	require.NoError(t, os.WriteFile(p, []byte("id,text\n1,"+strings.Repeat("x", 8<<20)+"\n"), 0o644))
	tbl, err := Load(context.Background(), []string{p}, LoadOptions{})
	if err == nil {
		require.EqualValues(t, 1, tbl.NumRows())
		tbl.Release()
	}
}

// TestHugeDeclaredBuffer: an IPC stream whose message header declares a
// body of about 25 TB (found by FuzzIPCStream; running out of memory is
// fatal in Go) is refused with an error instead, and so is a schema whose
// field vector claims billions of children (found by mutating streams).
func TestHugeDeclaredBuffer(t *testing.T) {
	raw, err := os.ReadFile("testdata/fuzz/FuzzIPCStream/55d8c1e40761afd8")
	require.NoError(t, err)
	// The corpus file is Go syntax: go test fuzz v1, then []byte("…").
	lit := strings.TrimSpace(strings.SplitN(string(raw), "\n", 2)[1])
	body, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lit, "[]byte("), ")"))
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "huge.arrows")
	require.NoError(t, os.WriteFile(path, []byte(body), 0o644))
	_, err = LoadFile(context.Background(), path, LoadOptions{})
	require.ErrorContains(t, err, "huge.arrows")
	require.ErrorContains(t, err, "a message body of 25288767438912 bytes at offset 2288 overruns the file")
}

// TestBoundedAllocator: the loaders' allocator refuses a single buffer over
// its bound with a panic LoadFile turns into an error.
func TestBoundedAllocator(t *testing.T) {
	a := boundFor(memory.DefaultAllocator, 1000)
	require.Len(t, a.Allocate(1<<20), 1<<20)
	require.PanicsWithError(t, "it declares a buffer of 1073741825 bytes, more than its size allows (limit 1073741824)", func() { a.Allocate(1<<30 + 1) })
	require.Panics(t, func() { a.Reallocate(-1, nil) })
	big := boundFor(memory.DefaultAllocator, 1<<40)
	require.NotPanics(t, func() { big.(boundedAllocator).check(1 << 45) })
}
