package analytics

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
	"github.com/segql/segql/internal/testtables"
)

// analyticsTable plants known structure in 1,000 users: ids 0–199 are
// from DE, aged 60–64, interested in yoga; the others alternate FR and
// US, aged 30–34, interested in deals. spend is a permutation of 0…999
// (no structure); email is personal data (field metadata).
func analyticsTable(t *testing.T) *columnar.Table {
	t.Helper()
	pii := arrow.NewMetadata([]string{PIIMetadataKey}, []string{"true"})
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "age", Type: arrow.PrimitiveTypes.Int32},
		{Name: "country", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int16, ValueType: arrow.BinaryTypes.String}},
		{Name: "interests", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
		{Name: "spend", Type: arrow.PrimitiveTypes.Float64},
		{Name: "email", Type: arrow.BinaryTypes.String, Metadata: pii},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for i := 0; i < 1000; i++ {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		country, age, interest := []string{"FR", "US"}[i%2], int32(30+i%5), "deals"
		if i < 200 {
			country, age, interest = "DE", int32(60+i%5), "yoga"
		}
		b.Field(1).(*array.Int32Builder).Append(age)
		require.NoError(t, b.Field(2).(*array.BinaryDictionaryBuilder).AppendString(country))
		lb := b.Field(3).(*array.ListBuilder)
		lb.Append(true)
		lb.ValueBuilder().(*array.StringBuilder).Append(interest)
		b.Field(4).(*array.Float64Builder).Append(float64(i * 37 % 1000))
		b.Field(5).(*array.StringBuilder).Append(fmt.Sprintf("user%d@example.com", i))
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	var batches []arrow.RecordBatch
	for lo := int64(0); lo < 1000; lo += 128 {
		batches = append(batches, rec.NewSlice(lo, min(lo+128, 1000)))
	}
	return columnar.NewTable("planted", schema, batches)
}

func run(t *testing.T, eng *engine.Engine, src string) *engine.Result {
	t.Helper()
	q, err := eng.Compile(src)
	require.NoError(t, err, src)
	res, err := q.Run(context.Background())
	require.NoError(t, err, src)
	return res
}

func columnProfile(p *Profile, name string) *ColumnProfile {
	for i := range p.Columns {
		if p.Columns[i].Name == name {
			return &p.Columns[i]
		}
	}
	return nil
}

func TestProfile(t *testing.T) {
	tbl := analyticsTable(t)
	defer tbl.Release()
	eng := engine.Open(tbl)
	p, err := New(eng).Profile(context.Background(), run(t, eng, `country = "DE"`), ProfileOptions{})
	require.NoError(t, err)
	require.Equal(t, 200, p.Size)
	require.Equal(t, 1000, p.Base)
	require.Nil(t, columnProfile(p, "email"), "personal data is never profiled")
	require.Nil(t, columnProfile(p, "id"))

	age := columnProfile(p, "age")
	require.Equal(t, NumStats{Count: 200, Mean: 62, P10: 60, Median: 62, P90: 64}, *age.Segment)
	require.Equal(t, 38.0, age.Base.Mean) // (800 × 32 + 200 × 62) / 1000
	require.InDelta(t, 39.2, age.Deciles[7], 1e-9, "p80 interpolates between 34 and 60")
	require.Equal(t, 33.0, age.Base.Median) // order statistics 499 and 500

	country := columnProfile(p, "country")
	require.Equal(t, "DE", country.Values[0].Value)
	require.Equal(t, ValueShare{Value: "DE", Count: 200, Share: 1, BaseShare: 0.2, Lift: 5}, country.Values[0])
	require.Len(t, country.Values, 1)
	require.InDelta(t, 0.8, country.Score, 1e-9) // ½(|1−0.2| + 0.4 + 0.4)

	interests := columnProfile(p, "interests")
	require.Equal(t, "yoga", interests.Values[0].Value)
	require.InDelta(t, 5, interests.Values[0].Lift, 1e-9)
	require.InDelta(t, 0.8, interests.Score, 1e-9)

	spend := columnProfile(p, "spend")
	require.Less(t, spend.Score, 0.15, "spend carries no planted structure")
	require.Equal(t, "spend", p.Columns[len(p.Columns)-1].Name, "the least distinguishing column comes last")
	for i := 1; i < len(p.Columns); i++ {
		require.GreaterOrEqual(t, p.Columns[i-1].Score, p.Columns[i].Score)
	}

	// A base other than the whole table.
	p, err = New(eng).Profile(context.Background(), run(t, eng, `country = "DE"`), ProfileOptions{Base: run(t, eng, `age >= 60 or country = "FR"`), Columns: []string{"country"}})
	require.NoError(t, err)
	require.Equal(t, 600, p.Base) // 200 aged 60+, 400 from FR
	require.InDelta(t, 200.0/600, p.Columns[0].Values[0].BaseShare, 1e-12)
}

func TestProfilePrivacy(t *testing.T) {
	tbl := analyticsTable(t)
	defer tbl.Release()
	eng := engine.Open(tbl)
	_, err := New(eng).Profile(context.Background(), run(t, eng, `id < 5`), ProfileOptions{Privacy: Privacy{MinSize: 10}})
	var small *ErrTooSmall
	require.ErrorAs(t, err, &small)
	require.Equal(t, 5, small.Size)

	// One FR user (id 201) in a segment of 201: the FR cell is withheld.
	p, err := New(eng).Profile(context.Background(), run(t, eng, `country = "DE" or id = 201`), ProfileOptions{Privacy: Privacy{MinSize: 10}})
	require.NoError(t, err)
	country := columnProfile(p, "country")
	require.True(t, country.Suppressed)
	require.Len(t, country.Values, 1)
	require.Equal(t, "DE", country.Values[0].Value)

	_, err = New(eng).Profile(context.Background(), run(t, eng, `id < 50`), ProfileOptions{Columns: []string{"email"}})
	require.ErrorContains(t, err, "personal data")
	_, err = New(eng).Profile(context.Background(), run(t, eng, `id < 50`), ProfileOptions{Columns: []string{"contry"}})
	require.ErrorContains(t, err, `did you mean "country"?`)
}

func TestOverlap(t *testing.T) {
	tbl := analyticsTable(t)
	defer tbl.Release()
	eng := engine.Open(tbl)
	srcs := []string{`id < 500`, `id >= 250 and id < 750`, `id % 2 = 0`, `id % 7 = 3`}
	var results []*engine.Result
	for _, s := range srcs {
		results = append(results, run(t, eng, s))
	}
	o, err := New(eng).Overlap(srcs, results, Privacy{})
	require.NoError(t, err)
	// Expectations by brute force.
	in := func(seg, id int) bool {
		switch seg {
		case 0:
			return id < 500
		case 1:
			return id >= 250 && id < 750
		case 2:
			return id%2 == 0
		}
		return id%7 == 3
	}
	combos := map[uint32]int{}
	union := 0
	for id := 0; id < 1000; id++ {
		var m uint32
		for s := range srcs {
			if in(s, id) {
				m |= 1 << s
			}
		}
		if m != 0 {
			combos[m]++
			union++
		}
	}
	require.Equal(t, union, o.Union)
	require.Len(t, o.Combinations, len(combos))
	for _, c := range o.Combinations {
		require.Equal(t, combos[c.Mask], c.Count, "combination %v", c.Segments)
	}
	for i := range srcs {
		require.Equal(t, combos[1<<i], o.Exclusive[i])
	}
	require.Equal(t, 250, o.Pairs[0].Both)
	require.InDelta(t, 250.0/750, o.Pairs[0].Jaccard, 1e-12)
	for k := 1; k < len(o.Combinations); k++ {
		require.GreaterOrEqual(t, o.Combinations[k-1].Count, o.Combinations[k].Count)
	}

	// Small cells are withheld.
	o, err = New(eng).Overlap([]string{"a", "b"}, []*engine.Result{run(t, eng, `id < 100`), run(t, eng, `id >= 95 and id < 300`)}, Privacy{MinSize: 10})
	require.NoError(t, err)
	require.Equal(t, -1, o.Pairs[0].Both) // 5 in both
	require.Equal(t, 95, o.Exclusive[0])
	require.Positive(t, o.Suppressed)
	_, err = New(eng).Overlap([]string{"a"}, []*engine.Result{run(t, eng, `id < 100`)}, Privacy{})
	require.Error(t, err)
}

// blobs plants three well-separated 2-D clusters of 300 points (and 10
// rows with a null feature).
func blobs(t *testing.T) *columnar.Table {
	t.Helper()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "y", Type: arrow.PrimitiveTypes.Int64},
		{Name: "blob", Type: arrow.PrimitiveTypes.Int64},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	centers := [][2]float64{{0, 0}, {100, 0}, {0, 1000}}
	for i := 0; i < 910; i++ {
		c := centers[i%3]
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		if i >= 900 {
			b.Field(1).AppendNull()
		} else {
			b.Field(1).(*array.Float64Builder).Append(c[0] + float64(i%11) - 5)
		}
		b.Field(2).(*array.Int64Builder).Append(int64(c[1]) + int64(i%13) - 6)
		b.Field(3).(*array.Int64Builder).Append(int64(i % 3))
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	return columnar.NewTable("blobs", schema, []arrow.RecordBatch{rec.NewSlice(0, 500), rec.NewSlice(500, 910)})
}

func TestClusterRecoversBlobs(t *testing.T) {
	tbl := blobs(t)
	defer tbl.Release()
	eng := engine.Open(tbl)
	for _, k := range []int{3, 0} { // fixed, then chosen by silhouette
		c, err := New(eng).Cluster(context.Background(), ClusterOptions{K: k, KMax: 6, Features: []string{"x", "y"}, Seed: 42})
		require.NoError(t, err)
		require.Equal(t, 3, c.K)
		require.Equal(t, []int{300, 300, 300}, c.Sizes)
		require.Equal(t, 10, c.Skipped)
		// Every cluster is exactly one blob.
		label := map[int32]int64{}
		for row := 0; row < 910; row++ {
			a := c.Assign[row]
			if row >= 900 {
				require.Zero(t, a)
				continue
			}
			blob := int64(row % 3)
			if l, ok := label[a]; ok {
				require.Equal(t, l, blob, "row %d", row)
			}
			label[a] = blob
		}
		for _, ctr := range c.Centroids {
			found := false
			for _, want := range [][2]float64{{0, 0}, {100, 0}, {0, 1000}} {
				if math.Abs(ctr[0]-want[0]) < 1 && math.Abs(ctr[1]-want[1]) < 1 {
					found = true
				}
			}
			require.True(t, found, "centroid %v is not a planted center", ctr)
		}
		require.Greater(t, c.Silhouette, 0.8)
		if k == 0 {
			require.Len(t, c.Candidates, 5) // k = 2…6
		}
	}
	// Deterministic for a seed, and usable as a column.
	a, err := New(eng).Cluster(context.Background(), ClusterOptions{K: 4, Features: []string{"x", "y"}, Seed: 7})
	require.NoError(t, err)
	b, err := New(eng).Cluster(context.Background(), ClusterOptions{K: 4, Features: []string{"x", "y"}, Seed: 7})
	require.NoError(t, err)
	require.Equal(t, a.Assign, b.Assign)
	with, err := tbl.WithColumn(arrow.Field{Name: "cluster", Type: arrow.PrimitiveTypes.Int64, Nullable: true}, New(eng).ClusterColumn(a))
	require.NoError(t, err)
	defer with.Release()
	eng2 := engine.Open(with)
	require.Equal(t, a.Sizes[0], run(t, eng2, "cluster = 1").Count())
	require.Equal(t, 10, run(t, eng2, "cluster is null").Count())

	_, err = New(eng).Cluster(context.Background(), ClusterOptions{K: 3, Features: []string{"x", "z"}})
	require.ErrorContains(t, err, "no column")
}

func TestSplit(t *testing.T) {
	tbl := testtables.Planted(20000, 0)
	defer tbl.Release()
	eng := engine.Open(tbl)
	arms, err := ParseArms("control:45,treatment:45")
	require.NoError(t, err)
	seg := run(t, eng, "x > 5000")
	s, err := New(eng).Split(seg, SplitOptions{Arms: arms, Salt: "exp-7", IDColumn: "id"})
	require.NoError(t, err)
	require.Equal(t, 0, s.Arms[0].From)
	require.Equal(t, 4500, s.Arms[0].To)
	require.Equal(t, 9000, s.Arms[1].To)
	require.Equal(t, run(t, eng, `x > 5000 and bucket(id, "exp-7") < 4500`).Count(), s.Arms[0].Count)
	require.Equal(t, run(t, eng, `x > 5000 and bucket(id, "exp-7") between 4500 and 8999`).Count(), s.Arms[1].Count)
	require.Equal(t, seg.Count(), s.Arms[0].Count+s.Arms[1].Count+s.Held)
	asg, err := s.Assignments(nil)
	require.NoError(t, err)
	defer asg.Release()
	require.Equal(t, int64(s.Arms[0].Count+s.Arms[1].Count), asg.NumRows())
	ids := asg.Batches[0].Column(0).(*array.Int64)
	armCol := asg.Batches[0].Column(1).(*array.String)
	for i := 0; i < ids.Len(); i++ {
		b, _ := engine.Bucket("exp-7", ids.Value(i))
		want := map[bool]string{true: "control", false: "treatment"}[b < 4500]
		require.Equal(t, want, armCol.Value(i))
	}
	for _, bad := range []string{"a:60,b:50", "a", "a:0", "a:x", "a:10,a:10", "a:NaN"} {
		_, err := ParseArms(bad)
		require.Error(t, err, bad)
	}
}

func TestExport(t *testing.T) {
	tbl := analyticsTable(t)
	defer tbl.Release()
	eng := engine.Open(tbl)
	dir := t.TempDir()
	seg := run(t, eng, `country = "DE" and age = 61`)
	for _, ext := range []string{"parquet", "arrow", "arrows", "csv", "ndjson"} {
		path := filepath.Join(dir, "members."+ext)
		rep, err := New(eng).Export(context.Background(), seg, path, ExportOptions{})
		require.NoError(t, err)
		require.Equal(t, 40, rep.Rows)
		require.Equal(t, []string{"email"}, rep.Withheld)
		back, err := columnar.LoadFile(context.Background(), path, columnar.LoadOptions{})
		require.NoError(t, err)
		require.Equal(t, int64(40), back.NumRows(), ext)
		require.Equal(t, -1, back.ColumnIndex("email"), "personal data is left out")
		ids, err := run(t, engine.Open(back), "id >= 0").IDs("id", -1)
		require.NoError(t, err)
		for i, id := range ids {
			require.Equal(t, strconv.Itoa(1+5*i), id)
		}
		back.Release()
	}
	path := filepath.Join(dir, "pii.csv")
	_, err := New(eng).Export(context.Background(), seg, path, ExportOptions{Columns: []string{"id", "email"}})
	require.ErrorContains(t, err, "personal data")
	require.NoFileExists(t, path)
	rep, err := New(eng).Export(context.Background(), seg, path, ExportOptions{Columns: []string{"id", "email"}, Privacy: Privacy{AllowPII: true}})
	require.NoError(t, err)
	require.Equal(t, []string{"id", "email"}, rep.Columns)

	_, err = New(eng).Export(context.Background(), run(t, eng, "id < 3"), filepath.Join(dir, "small.csv"), ExportOptions{Privacy: Privacy{MinSize: 10}})
	require.ErrorAs(t, err, new(*ErrTooSmall))
	require.NoFileExists(t, filepath.Join(dir, "small.csv"))

	// A cancelled export leaves neither a partial file nor the old one damaged.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "keep.csv"), []byte("old\n"), 0o644))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = New(eng).Export(ctx, seg, filepath.Join(dir, "keep.csv"), ExportOptions{})
	require.True(t, errors.Is(err, context.Canceled), "%v", err)
	old, _ := os.ReadFile(filepath.Join(dir, "keep.csv"))
	require.Equal(t, "old\n", string(old))
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		require.NotContains(t, e.Name(), ".tmp")
	}
}

// TestProfileLeavesOutIdentifyingColumns: a text column with its own
// value on (nearly) every row is left out of the default columns and
// named; asked for by name it is profiled.
func TestProfileLeavesOutIdentifyingColumns(t *testing.T) {
	var csv strings.Builder
	csv.WriteString("id,code,country\n")
	for i := range 500 {
		fmt.Fprintf(&csv, "%d,c%05d,%s\n", i, i, []string{"DE", "FR"}[i%2])
	}
	path := filepath.Join(t.TempDir(), "users.csv")
	require.NoError(t, os.WriteFile(path, []byte(csv.String()), 0o644))
	tbl, err := columnar.Load(context.Background(), []string{path}, columnar.LoadOptions{})
	require.NoError(t, err)
	defer tbl.Release()
	eng := engine.Open(tbl)
	seg := run(t, eng, `country = "DE"`)
	p, err := New(eng).Profile(context.Background(), seg, ProfileOptions{})
	require.NoError(t, err)
	require.Nil(t, columnProfile(p, "code"))
	require.Equal(t, []string{"code"}, p.Identifying)
	require.NotNil(t, columnProfile(p, "country"), "a column of few values stays")
	p, err = New(eng).Profile(context.Background(), seg, ProfileOptions{Columns: []string{"code"}})
	require.NoError(t, err)
	require.NotNil(t, columnProfile(p, "code"))
	require.Empty(t, p.Identifying)
}
