package columnar

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"
)

// writeIPC writes one record batch with the given fields and arrays.
func writeIPC(t *testing.T, path string, fields []arrow.Field, cols []arrow.Array) {
	t.Helper()
	schema := arrow.NewSchema(fields, nil)
	rec := array.NewRecordBatch(schema, cols, int64(cols[0].Len()))
	defer rec.Release()
	f, err := os.Create(path)
	require.NoError(t, err)
	w, err := ipc.NewFileWriter(f, ipc.WithSchema(schema))
	require.NoError(t, err)
	require.NoError(t, w.Write(rec))
	require.NoError(t, w.Close())
	require.NoError(t, f.Close())
}

// TestSchemaShapes: a column of Arrow's null type loads (an error only
// where an expression uses it, like every type segql cannot evaluate), and
// a duplicated column name is an error naming the file and the column
// (one of them would silently win otherwise).
func TestSchemaShapes(t *testing.T) {
	dir := t.TempDir()
	mem := memory.NewGoAllocator()
	ib := array.NewInt64Builder(mem)
	ib.AppendValues([]int64{1, 2, 3}, nil)
	ids := ib.NewArray()
	defer ids.Release()
	nulls := array.NewNull(3)
	defer nulls.Release()

	withNull := filepath.Join(dir, "n.arrow")
	writeIPC(t, withNull, []arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}, {Name: "nothing", Type: arrow.Null, Nullable: true}}, []arrow.Array{ids, nulls})
	tbl, err := LoadFile(context.Background(), withNull, LoadOptions{})
	require.NoError(t, err)
	require.EqualValues(t, 3, tbl.NumRows())
	tbl.Release()

	dup := filepath.Join(dir, "d.arrow")
	writeIPC(t, dup, []arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}, {Name: "id", Type: arrow.PrimitiveTypes.Int64}}, []arrow.Array{ids, ids})
	_, err = LoadFile(context.Background(), dup, LoadOptions{})
	require.ErrorContains(t, err, dup)
	require.ErrorContains(t, err, `column "id" appears twice`)
	_, err = ReadSchema(dup)
	require.ErrorContains(t, err, `column "id" appears twice`)
}
