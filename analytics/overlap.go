package analytics

import (
	"fmt"
	"math/bits"
	"sort"
	"sync"

	"github.com/segql/segql/engine"
)

// MaxOverlapSegments bounds Overlap's inputs (2^n combinations).
const MaxOverlapSegments = 16

// Overlap is how segments intersect.
type Overlap struct {
	Names []string `json:"names"`
	Sizes []int    `json:"sizes"`
	// Pairs holds every pair i < j.
	Pairs []OverlapPair `json:"pairs"`
	// Exclusive[i] counts the members of segment i in no other segment.
	Exclusive []int `json:"exclusive"`
	// Combinations lists every non-empty combination of memberships (an
	// UpSet plot's bars), largest first. A combination's users are in
	// exactly its segments.
	Combinations []Combination `json:"combinations"`
	// Union counts users in at least one segment.
	Union int `json:"union"`
	// Suppressed counts cells withheld as smaller than Privacy.MinSize
	// (shown as -1).
	Suppressed int `json:"suppressed,omitempty"`
}

// OverlapPair is the intersection of two segments.
type OverlapPair struct {
	A       int     `json:"-"`
	B       int     `json:"-"`
	NameA   string  `json:"a"`
	NameB   string  `json:"b"`
	Both    int     `json:"both"`
	Jaccard float64 `json:"jaccard"` // |A ∩ B| / |A ∪ B|
}

// Combination is a set of segments and the users in exactly those.
type Combination struct {
	Segments []string `json:"segments"`
	Mask     uint32   `json:"-"`
	Count    int      `json:"count"`
}

// Overlap intersects the results (of this engine), named by names. Cells
// smaller than privacy.MinSize are reported as -1.
func (e *Analyzer) Overlap(names []string, results []*engine.Result, privacy Privacy) (*Overlap, error) {
	sizes := make([]int, len(results))
	for i, r := range results {
		if i < len(names) {
			if err := e.sameTable("overlap "+names[i], r); err != nil {
				return nil, err
			}
		}
		sizes[i] = r.Count()
	}
	if err := e.checkOverlap(names, sizes, privacy); err != nil {
		return nil, err
	}
	combos := map[uint32]int{}
	for b := range results[0].NumBatches() {
		countCombinations(results, b, combos)
	}
	return buildOverlap(names, sizes, combos, privacy), nil
}

// checkOverlap applies Overlap's rules to the segments' sizes: 2 to
// MaxOverlapSegments segments, each over the privacy threshold.
func (e *Analyzer) checkOverlap(names []string, sizes []int, privacy Privacy) error {
	n := len(sizes)
	if n < 2 || n > MaxOverlapSegments || len(names) != n {
		return fmt.Errorf("overlap: give between 2 and %d segments", MaxOverlapSegments)
	}
	if err := e.guard(privacy); err != nil {
		return fmt.Errorf("overlap: %w", err)
	}
	for i, size := range sizes {
		if err := privacy.Check(size); err != nil {
			return fmt.Errorf("overlap: %s: %w", names[i], err)
		}
	}
	return nil
}

// OverlapCounter counts the membership combinations of several segments
// over parts of a table evaluated apart (a streamed scan's row groups).
// Add is safe for concurrent use.
type OverlapCounter struct {
	mu     sync.Mutex
	combos map[uint32]int
}

// NewOverlapCounter returns an empty counter.
func NewOverlapCounter() *OverlapCounter { return &OverlapCounter{combos: map[uint32]int{}} }

// Add counts the rows of results, the segments' results over one part of
// the table, in the order of the names Overlap will be given.
func (c *OverlapCounter) Add(results []*engine.Result) {
	local := map[uint32]int{}
	for b := range results[0].NumBatches() {
		countCombinations(results, b, local)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for m, n := range local {
		c.combos[m] += n
	}
}

// OverlapOf is Overlap from counted combinations and the segments' sizes,
// with the same validation and privacy rules.
func (e *Analyzer) OverlapOf(names []string, sizes []int, c *OverlapCounter, privacy Privacy) (*Overlap, error) {
	if err := e.checkOverlap(names, sizes, privacy); err != nil {
		return nil, err
	}
	return buildOverlap(names, sizes, c.combos, privacy), nil
}

// buildOverlap turns membership combinations into an Overlap.
func buildOverlap(names []string, sizes []int, combos map[uint32]int, privacy Privacy) *Overlap {
	n := len(sizes)
	o := &Overlap{Names: names, Sizes: sizes, Exclusive: make([]int, n)}
	for mask, c := range combos {
		o.Union += c
		if bits.OnesCount32(mask) == 1 {
			o.Exclusive[bits.TrailingZeros32(mask)] = c
		}
		var segs []string
		for i := 0; i < n; i++ {
			if mask&(1<<i) != 0 {
				segs = append(segs, names[i])
			}
		}
		o.Combinations = append(o.Combinations, Combination{Segments: segs, Mask: mask, Count: c})
	}
	sort.Slice(o.Combinations, func(i, j int) bool {
		a, b := o.Combinations[i], o.Combinations[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.Mask < b.Mask
	})
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			both := 0
			for mask, c := range combos {
				if mask&(1<<i) != 0 && mask&(1<<j) != 0 {
					both += c
				}
			}
			p := OverlapPair{A: i, B: j, NameA: names[i], NameB: names[j], Both: both}
			if union := o.Sizes[i] + o.Sizes[j] - both; union > 0 {
				p.Jaccard = float64(both) / float64(union)
			}
			o.Pairs = append(o.Pairs, p)
		}
	}
	o.suppress(privacy)
	return o
}

// countCombinations adds batch b's rows to combos by membership mask.
func countCombinations(results []*engine.Result, b int, combos map[uint32]int) {
	members := make([][]uint64, len(results))
	for i, r := range results {
		members[i] = r.Batch(b).Members
	}
	nw := len(members[0])
	var local [1 << 8]int // small masks counted without the map
	for w := 0; w < nw; w++ {
		var inSome uint64 // rows in at least one segment
		for _, m := range members {
			inSome |= m[w]
		}
		for inSome != 0 {
			t := bits.TrailingZeros64(inSome)
			inSome &= inSome - 1
			var mask uint32
			for i, m := range members {
				mask |= uint32(m[w]>>uint(t)&1) << i
			}
			if mask < uint32(len(local)) {
				local[mask]++
			} else {
				combos[mask]++
			}
		}
	}
	for m, c := range local {
		if c > 0 {
			combos[uint32(m)] += c
		}
	}
}

// suppress replaces cells below the privacy threshold by -1.
func (o *Overlap) suppress(p Privacy) {
	hide := func(n *int) {
		if v := p.suppress(*n); v < 0 {
			*n = -1
			o.Suppressed++
		}
	}
	for i := range o.Exclusive {
		hide(&o.Exclusive[i])
	}
	for i := range o.Pairs {
		if p.suppress(o.Pairs[i].Both) < 0 {
			o.Pairs[i].Both, o.Pairs[i].Jaccard = -1, -1
			o.Suppressed++
		}
	}
	for i := range o.Combinations {
		hide(&o.Combinations[i].Count)
	}
}
