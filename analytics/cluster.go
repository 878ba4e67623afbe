package analytics

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/segql/segql/columnar"
	"github.com/segql/segql/internal/workers"
)

// ClusterOptions configure Cluster.
type ClusterOptions struct {
	Features []string // numeric or time columns (at least one)
	// K is the number of clusters; 0 picks it from KMin…KMax (default
	// 2…8) by the silhouette of a sample.
	K, KMin, KMax int
	Seed          uint64 // the same seed gives the same clusters
	MaxIter       int    // default 100
	// SampleSize is the number of rows the silhouette is computed on
	// (default 2,000); choosing K clusters a sample of 100 times as many.
	SampleSize int
	// Privacy: a clustering with a cluster under Privacy.MinSize is not
	// returned (its centroid would describe its few members).
	Privacy Privacy
}

// Clustering is the result of k-means on standardized features. Clusters
// are numbered 1…K from the largest to the smallest.
type Clustering struct {
	K          int         `json:"k"`
	Features   []string    `json:"features"`
	Sizes      []int       `json:"sizes"`
	Centroids  [][]float64 `json:"centroids"` // per cluster, per feature, in the columns' units
	Iterations int         `json:"iterations"`
	Skipped    int         `json:"skipped"`    // rows with a null or non-finite feature: in no cluster
	Silhouette float64     `json:"silhouette"` // of a sample, in [-1, 1]
	// Candidates holds the silhouette of each K tried when K was chosen.
	Candidates []KScore `json:"candidates,omitempty"`
	// Assign holds every table row's cluster (1…K), 0 for skipped rows.
	Assign []int32 `json:"-"`
}

// KScore is one candidate K and its silhouette.
type KScore struct {
	K          int     `json:"k"`
	Silhouette float64 `json:"silhouette"`
}

// points is the standardized feature matrix of the clusterable rows.
type points struct {
	d     int
	x     []float64 // row-major, n × d
	rows  []int32   // table row of each point
	mean  []float64
	scale []float64
}

func (p *points) n() int             { return len(p.rows) }
func (p *points) at(i int) []float64 { return p.x[i*p.d : (i+1)*p.d] }
func (p *points) unscale(c []float64) []float64 {
	out := make([]float64, p.d)
	for j := range c {
		out[j] = c[j]*p.scale[j] + p.mean[j]
	}
	return out
}

// Cluster runs k-means (k-means++ initialization, Lloyd iterations in
// parallel, deterministic for a seed) over the rows whose features are all
// present.
func (e *Analyzer) Cluster(ctx context.Context, opts ClusterOptions) (*Clustering, error) {
	if len(opts.Features) == 0 {
		return nil, fmt.Errorf("cluster: name at least one feature column")
	}
	if err := e.guard(opts.Privacy); err != nil {
		return nil, fmt.Errorf("cluster: %w", err)
	}
	if opts.MaxIter <= 0 {
		opts.MaxIter = 100
	}
	if opts.SampleSize <= 0 {
		opts.SampleSize = 2000
	}
	pts, err := e.clusterPoints(opts.Features)
	if err != nil {
		return nil, err
	}
	c := &Clustering{Features: opts.Features, Skipped: int(e.table.NumRows()) - pts.n()}
	k := opts.K
	if k < 0 || k > 1000 {
		return nil, fmt.Errorf("cluster: k must be between 1 and 1000, got %d", k)
	}
	if k == 0 {
		if k, c.Candidates, err = chooseK(ctx, pts, opts); err != nil {
			return nil, err
		}
	}
	if pts.n() < k {
		return nil, fmt.Errorf("cluster: %d rows have every feature, fewer than k = %d", pts.n(), k)
	}
	centers, err := initCenters(ctx, pts, k, opts)
	if err != nil {
		return nil, err
	}
	assign := make([]int32, pts.n())
	iters, err := lloyd(ctx, pts, centers, assign, opts.MaxIter)
	if err != nil {
		return nil, err
	}
	c.K, c.Iterations = k, iters
	c.relabel(pts, centers, assign, int(e.table.NumRows()))
	c.Silhouette = silhouette(pts, assign, k, opts.SampleSize, rand.New(rand.NewPCG(opts.Seed, 0x511)))
	if err := e.guard(opts.Privacy, c.Sizes...); err != nil {
		return nil, fmt.Errorf("cluster: a cluster is too small to show: %w", err)
	}
	return c, nil
}

// clusterPoints gathers and standardizes the features.
func (e *Analyzer) clusterPoints(features []string) (*points, error) {
	d := len(features)
	cols := make([][]float64, d)
	var valid []bool
	for j, name := range features {
		ci := e.table.ColumnIndex(name)
		if ci < 0 {
			return nil, fmt.Errorf("cluster: %s", unknownColumn(e.table, name))
		}
		if k := profileKind(e.table.Schema.Field(ci).Type); k != "numeric" && k != "time" {
			return nil, fmt.Errorf("cluster: feature %s is %s; features must be numbers, dates or timestamps", name, e.table.Schema.Field(ci).Type)
		}
		cols[j], valid = e.denseColumn(ci, valid)
	}
	p := &points{d: d, mean: make([]float64, d), scale: make([]float64, d)}
	for r, ok := range valid {
		if ok {
			p.rows = append(p.rows, int32(r))
		}
	}
	p.x = make([]float64, len(p.rows)*d)
	for j := range d {
		sum, sq := 0.0, 0.0
		for _, r := range p.rows {
			sum += cols[j][r]
		}
		mean := sum / float64(max(1, len(p.rows)))
		for _, r := range p.rows {
			sq += (cols[j][r] - mean) * (cols[j][r] - mean)
		}
		sd := math.Sqrt(sq / float64(max(1, len(p.rows))))
		if sd == 0 {
			sd = 1
		}
		p.mean[j], p.scale[j] = mean, sd
		for i, r := range p.rows {
			p.x[i*d+j] = (cols[j][r] - mean) / sd
		}
	}
	return p, nil
}

// denseColumn reads a numeric column as float64 per table row, and ANDs
// "present and finite" into valid (allocated on the first call).
func (e *Analyzer) denseColumn(col int, valid []bool) ([]float64, []bool) {
	n := int(e.table.NumRows())
	out := make([]float64, n)
	if valid == nil {
		valid = make([]bool, n)
		for i := range valid {
			valid[i] = true
		}
	}
	for b, rec := range e.table.Batches {
		base, n := int(e.table.BatchOffset(b)), int(rec.NumRows())
		columnar.ReadFloat64s(rec.Column(col), out[base:base+n], valid[base:base+n])
	}
	return out, valid
}

func sqDist(a, b []float64) float64 {
	s := 0.0
	for j := range a {
		d := a[j] - b[j]
		s += d * d
	}
	return s
}

// kmeansPP picks k initial centers: the first uniformly, each next one
// with probability proportional to its squared distance to the nearest
// center chosen so far.
func kmeansPP(p *points, k int, rng *rand.Rand) [][]float64 {
	centers := [][]float64{slices.Clone(p.at(rng.IntN(p.n())))}
	dist := make([]float64, p.n())
	for i := range dist {
		dist[i] = sqDist(p.at(i), centers[0])
	}
	for len(centers) < k {
		total := 0.0
		for _, d := range dist {
			total += d
		}
		pick := 0
		if total > 0 {
			target := rng.Float64() * total
			for i, d := range dist {
				target -= d
				if target <= 0 {
					pick = i
					break
				}
			}
		} else {
			pick = rng.IntN(p.n())
		}
		c := slices.Clone(p.at(pick))
		centers = append(centers, c)
		for i := range dist {
			dist[i] = min(dist[i], sqDist(p.at(i), c))
		}
	}
	return centers
}

const clusterChunk = 1 << 16

// warmSample is the number of points k-means is first run on, when there
// are more: its centers start the full run, which then needs few passes.
const warmSample = 100_000

// initCenters seeds k-means: k-means++ on the points, or on a sample of
// them refined by Lloyd iterations when there are many.
func initCenters(ctx context.Context, p *points, k int, opts ClusterOptions) ([][]float64, error) {
	rng := rand.New(rand.NewPCG(opts.Seed, 0x5e9))
	if p.n() <= 2*warmSample {
		return kmeansPP(p, k, rng), nil
	}
	sub := p.sample(warmSample, rng)
	centers := kmeansPP(sub, k, rng)
	if _, err := lloyd(ctx, sub, centers, make([]int32, sub.n()), opts.MaxIter); err != nil {
		return nil, err
	}
	return centers, nil
}

// sample returns m of the points, chosen uniformly.
func (p *points) sample(m int, rng *rand.Rand) *points {
	sub := &points{d: p.d}
	for _, i := range samplePoints(p.n(), m, rng) {
		sub.rows = append(sub.rows, int32(i))
		sub.x = append(sub.x, p.at(i)...)
	}
	return sub
}

// converged is the squared distance, in standardized units, under which
// the centers' total movement between iterations ends them: scikit-learn's
// default tolerance (1e-4 of the features' mean variance, which is 1 after
// standardization).
const converged = 1e-4

// lloyd iterates assignment and update until no point changes cluster or
// maxIter is reached. Chunks are summed in a fixed order, so the result
// does not depend on scheduling.
func lloyd(ctx context.Context, p *points, centers [][]float64, assign []int32, maxIter int) (int, error) {
	k, d := len(centers), p.d
	nchunks := (p.n() + clusterChunk - 1) / clusterChunk
	sums := make([][]float64, nchunks) // per chunk: k×d sums then k counts
	changed := make([]int, nchunks)
	flat := make([]float64, k*d)
	for i := range assign {
		assign[i] = -1
	}
	for iter := 1; iter <= maxIter; iter++ {
		if err := ctx.Err(); err != nil {
			return iter, err
		}
		for j, c := range centers {
			copy(flat[j*d:], c)
		}
		workers.Each(nchunks, func(c int) {
			s := grow(sums[c], k*d+k)
			clear(s)
			sums[c] = s
			lo, hi := c*clusterChunk, min((c+1)*clusterChunk, p.n())
			changed[c] = assignChunk(p.x[lo*d:hi*d], d, flat, assign[lo:hi], s)
		})
		total := make([]float64, k*d+k)
		moved := 0
		for c := range nchunks {
			for i, v := range sums[c] {
				total[i] += v
			}
			moved += changed[c]
		}
		shift := 0.0
		for j := range centers {
			if cnt := total[k*d+j]; cnt > 0 {
				for f := range d {
					nv := total[j*d+f] / cnt
					shift += (nv - centers[j][f]) * (nv - centers[j][f])
					centers[j][f] = nv
				}
			}
		}
		if moved == 0 || shift < converged {
			return iter, nil
		}
	}
	return maxIter, nil
}

// assignChunk assigns each point of x (n × d) to its nearest center (flat
// is k × d), adds it to sums (k × d sums, then k counts) and returns how
// many points changed cluster.
func assignChunk(x []float64, d int, flat []float64, assign []int32, sums []float64) int {
	k := len(flat) / d
	changed := 0
	for i := range assign {
		pt := x[i*d : i*d+d : i*d+d]
		best, bd := 0, math.Inf(1)
		for j := 0; j < k; j++ {
			ctr := flat[j*d : j*d+d : j*d+d]
			dd := 0.0
			for f, v := range pt {
				t := v - ctr[f]
				dd += t * t
			}
			if dd < bd {
				best, bd = j, dd
			}
		}
		if assign[i] != int32(best) {
			assign[i] = int32(best)
			changed++
		}
		row := sums[best*d : best*d+d : best*d+d]
		for f, v := range pt {
			row[f] += v
		}
		sums[k*d+best]++
	}
	return changed
}

// relabel numbers clusters by decreasing size (ties: by centroid) and
// fills sizes, centroids in original units and per-row assignments.
func (c *Clustering) relabel(p *points, centers [][]float64, assign []int32, rows int) {
	k := len(centers)
	sizes := make([]int, k)
	for _, a := range assign {
		sizes[a]++
	}
	order := make([]int, k)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := order[i], order[j]
		if sizes[a] != sizes[b] {
			return sizes[a] > sizes[b]
		}
		return slices.Compare(centers[a], centers[b]) < 0
	})
	label := make([]int32, k)
	for rank, old := range order {
		label[old] = int32(rank)
		c.Sizes = append(c.Sizes, sizes[old])
		c.Centroids = append(c.Centroids, p.unscale(centers[old]))
	}
	c.Assign = make([]int32, rows)
	for i, a := range assign {
		assign[i] = label[a]
		c.Assign[p.rows[i]] = label[a] + 1
	}
}

// silhouette is the mean silhouette of up to m sampled points.
func silhouette(p *points, assign []int32, k, m int, rng *rand.Rand) float64 {
	if k < 2 || p.n() < 2 {
		return 0
	}
	idx := samplePoints(p.n(), m, rng)
	total := 0.0
	sum := make([]float64, k)
	cnt := make([]int, k)
	for _, i := range idx {
		clear(sum)
		clear(cnt)
		for _, j := range idx {
			if i != j {
				sum[assign[j]] += math.Sqrt(sqDist(p.at(i), p.at(j)))
				cnt[assign[j]]++
			}
		}
		own := assign[i]
		if cnt[own] == 0 {
			continue // a singleton's silhouette is 0
		}
		a := sum[own] / float64(cnt[own])
		b := math.Inf(1)
		for c := range k {
			if int32(c) != own && cnt[c] > 0 {
				b = min(b, sum[c]/float64(cnt[c]))
			}
		}
		if math.IsInf(b, 1) {
			continue
		}
		total += (b - a) / max(a, b)
	}
	return total / float64(len(idx))
}

// samplePoints picks min(n, m) distinct indices, sorted.
func samplePoints(n, m int, rng *rand.Rand) []int {
	if n <= m {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	// Floyd's algorithm: m distinct indices without an n-sized permutation.
	chosen := make(map[int]struct{}, m)
	out := make([]int, 0, m)
	for j := n - m; j < n; j++ {
		t := rng.IntN(j + 1)
		if _, dup := chosen[t]; dup {
			t = j
		}
		chosen[t] = struct{}{}
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// chooseK clusters a sample for each K in range and keeps the K with the
// best silhouette.
func chooseK(ctx context.Context, p *points, opts ClusterOptions) (int, []KScore, error) {
	lo, hi := opts.KMin, opts.KMax
	if lo <= 0 {
		lo = 2
	}
	if hi <= 0 {
		hi = 8
	}
	if lo < 2 || hi < lo {
		return 0, nil, fmt.Errorf("cluster: the range of k to try must be 2 ≤ min ≤ max, got %d…%d", lo, hi)
	}
	sub := p.sample(opts.SampleSize*100, rand.New(rand.NewPCG(opts.Seed, 0xa07)))
	best, bestS := 0, math.Inf(-1)
	var scores []KScore
	for k := lo; k <= min(hi, sub.n()); k++ {
		centers := kmeansPP(sub, k, rand.New(rand.NewPCG(opts.Seed, uint64(k))))
		assign := make([]int32, sub.n())
		if _, err := lloyd(ctx, sub, centers, assign, opts.MaxIter); err != nil {
			return 0, nil, err
		}
		s := silhouette(sub, assign, k, opts.SampleSize, rand.New(rand.NewPCG(opts.Seed, 0x511)))
		scores = append(scores, KScore{K: k, Silhouette: s})
		if s > bestS {
			best, bestS = k, s
		}
	}
	if best == 0 {
		return 0, nil, fmt.Errorf("cluster: too few rows to choose k")
	}
	return best, scores, nil
}

// ClusterColumn builds the clustering's assignments as an int64 column
// (null for skipped rows), one array per batch of the engine's table, for
// columnar.Table.WithColumn.
func (e *Analyzer) ClusterColumn(c *Clustering) []arrow.Array {
	out := make([]arrow.Array, len(e.table.Batches))
	b := array.NewInt64Builder(memory.DefaultAllocator)
	defer b.Release()
	for i, rec := range e.table.Batches {
		base := int(e.table.BatchOffset(i))
		b.Reserve(int(rec.NumRows()))
		for _, a := range c.Assign[base : base+int(rec.NumRows())] {
			if a == 0 {
				b.AppendNull()
			} else {
				b.UnsafeAppend(int64(a))
			}
		}
		out[i] = b.NewArray()
	}
	return out
}
