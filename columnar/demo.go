package columnar

import (
	"math/rand/v2"
	"runtime"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// DemoOptions configure the demo users table.
type DemoOptions struct {
	Rows      int       // default 1,000,000
	Seed      uint64    // default 1
	BatchSize int       // rows per record batch; default 65,536
	Anchor    time.Time // "today" of the data; default: the current day, 00:00 UTC
	Mem       memory.Allocator
}

// DemoRows is the default size of the demo table.
const DemoRows = 1_000_000

// DemoAnchor is the built-in demo table's "today" in the command line and
// the shell: a fixed day, so the demo's sizes are the same every day.
var DemoAnchor = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// DefaultBatchSize is the rows per record batch segql uses when it builds
// or loads tables.
const DefaultBatchSize = 64 * 1024

type place struct{ country, region, city, climate string }

var places = []place{
	{"DE", "Europe", "Berlin", "temperate"}, {"DE", "Europe", "Munich", "temperate"}, {"DE", "Europe", "Hamburg", "temperate"},
	{"FR", "Europe", "Paris", "temperate"}, {"FR", "Europe", "Lyon", "temperate"}, {"FR", "Europe", "Marseille", "temperate"},
	{"GB", "Europe", "London", "temperate"}, {"GB", "Europe", "Manchester", "temperate"},
	{"ES", "Europe", "Madrid", "arid"}, {"ES", "Europe", "Seville", "arid"}, {"IT", "Europe", "Rome", "temperate"},
	{"NL", "Europe", "Amsterdam", "temperate"}, {"SE", "Europe", "Stockholm", "cold"}, {"FI", "Europe", "Helsinki", "cold"},
	{"NO", "Europe", "Oslo", "cold"}, {"PL", "Europe", "Warsaw", "temperate"},
	{"US", "North America", "New York", "temperate"}, {"US", "North America", "Los Angeles", "arid"},
	{"US", "North America", "Phoenix", "arid"}, {"US", "North America", "Miami", "tropical"}, {"US", "North America", "Chicago", "cold"},
	{"CA", "North America", "Toronto", "cold"}, {"CA", "North America", "Montreal", "cold"}, {"MX", "North America", "Mexico City", "temperate"},
	{"BR", "South America", "São Paulo", "tropical"}, {"BR", "South America", "Rio de Janeiro", "tropical"},
	{"AR", "South America", "Buenos Aires", "temperate"}, {"IN", "Asia", "Mumbai", "tropical"}, {"IN", "Asia", "Delhi", "arid"},
	{"JP", "Asia", "Tokyo", "temperate"}, {"TH", "Asia", "Bangkok", "tropical"}, {"ID", "Asia", "Jakarta", "tropical"},
	{"SG", "Asia", "Singapore", "tropical"}, {"AE", "Asia", "Dubai", "arid"}, {"EG", "Africa", "Cairo", "arid"},
	{"NG", "Africa", "Lagos", "tropical"}, {"ZA", "Africa", "Cape Town", "temperate"}, {"AU", "Oceania", "Sydney", "temperate"},
	{"AU", "Oceania", "Perth", "arid"}, {"NZ", "Oceania", "Auckland", "temperate"},
}

// placeWeights make some places more common, like a real user base.
var placeWeights = []float64{5, 3, 2, 5, 2, 1, 5, 2, 3, 1, 3, 2, 1.5, 1, 1, 2, 6, 4, 1.5, 2, 2.5, 2, 1, 2, 3, 2, 1.5, 3, 2, 3, 1.5, 1.5, 1, 1, 1.5, 1.5, 1, 2, 1, 1}

var (
	genders     = []string{"female", "male", "nonbinary"}
	educations  = []string{"high_school", "bachelor", "master", "phd", "other"}
	occupations = []string{"student", "nurse", "teacher", "engineer", "developer", "designer", "sales", "manager",
		"doctor", "artist", "consultant", "driver", "chef", "retired", "unemployed"}
	plans     = []string{"free", "basic", "premium", "business"}
	devices   = []string{"ios", "android", "web", "desktop"}
	interests = []string{"stress_relief", "personal_growth", "mindful_living", "fitness", "yoga", "running",
		"meditation", "travel", "gaming", "cooking", "deals", "fashion", "music", "reading", "parenting", "finance"}
)

// DemoSchema is the schema of the demo users table.
var DemoSchema = arrow.NewSchema([]arrow.Field{
	{Name: "user_id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "age", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	{Name: "gender", Type: dictString(), Nullable: true},
	{Name: "income", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "education", Type: dictString(), Nullable: true},
	{Name: "occupation", Type: dictString(), Nullable: true},
	{Name: "country", Type: dictString()},
	{Name: "region", Type: dictString()},
	{Name: "city", Type: dictString()},
	{Name: "climate", Type: dictString()},
	{Name: "signup_date", Type: arrow.FixedWidthTypes.Date32},
	{Name: "last_seen", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
	{Name: "last_purchase", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
	{Name: "sessions_30d", Type: arrow.PrimitiveTypes.Int32},
	{Name: "purchases_30d", Type: arrow.PrimitiveTypes.Int32},
	{Name: "purchases_90d", Type: arrow.PrimitiveTypes.Int32},
	{Name: "orders_total", Type: arrow.PrimitiveTypes.Int32},
	{Name: "revenue_total", Type: arrow.PrimitiveTypes.Float64},
	{Name: "avg_order_value", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "discount_share", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "is_premium", Type: arrow.FixedWidthTypes.Boolean},
	{Name: "plan", Type: dictString()},
	{Name: "churn_risk", Type: arrow.PrimitiveTypes.Float64},
	{Name: "nps", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	{Name: "email_opt_in", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "interests", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
	{Name: "device", Type: dictString()},
}, nil)

func dictString() *arrow.DictionaryType {
	return &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int16, ValueType: arrow.BinaryTypes.String}
}

// Demo builds the demo users table in memory: deterministic for a seed and
// anchor, whatever the number of CPUs. Batches are generated in parallel,
// each from its own random stream.
func Demo(opts DemoOptions) *Table {
	opts = demoDefaults(opts)
	batches := demoBatches(opts, func(g *demoGen, start, n int) arrow.RecordBatch { return g.batch(int64(start), n) })
	return NewTable("users", DemoSchema, batches)
}

// demoBatches generates the demo's batches in parallel, each from its own
// random stream (the same for the users and their events): batch makes
// the record of rows start … start+n-1.
func demoBatches(opts DemoOptions, batch func(g *demoGen, start, n int) arrow.RecordBatch) []arrow.RecordBatch {
	dicts := demoDictionaries(opts.Mem)
	defer func() {
		for _, d := range dicts {
			d.Release()
		}
	}()
	nb := (opts.Rows + opts.BatchSize - 1) / opts.BatchSize
	batches := make([]arrow.RecordBatch, nb)
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for b := range nb {
		wg.Add(1)
		sem <- struct{}{}
		go func(b int) {
			defer func() { <-sem; wg.Done() }()
			start := b * opts.BatchSize
			g := &demoGen{r: rand.New(rand.NewPCG(opts.Seed, uint64(b)+1)), seed: opts.Seed, anchor: opts.Anchor, mem: opts.Mem, dicts: dicts}
			batches[b] = batch(g, start, min(opts.BatchSize, opts.Rows-start))
		}(b)
	}
	wg.Wait()
	return batches
}

// demoDictionaries builds the shared dictionaries of the string columns.
func demoDictionaries(mem memory.Allocator) map[string]arrow.Array {
	uniq := func(get func(place) string) []string {
		seen := map[string]bool{}
		var out []string
		for _, p := range places {
			if v := get(p); !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
		return out
	}
	lists := map[string][]string{
		"event": DemoEventNames, "category": categories, "campaign": campaigns,
		"gender": genders, "education": educations, "occupation": occupations, "plan": plans, "device": devices,
		"country": uniq(func(p place) string { return p.country }), "region": uniq(func(p place) string { return p.region }),
		"city": uniq(func(p place) string { return p.city }), "climate": uniq(func(p place) string { return p.climate }),
	}
	out := map[string]arrow.Array{}
	for name, vals := range lists {
		b := array.NewStringBuilder(mem)
		b.AppendValues(vals, nil)
		out[name] = b.NewArray()
		b.Release()
	}
	return out
}
