package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/segql/segql/analytics"
	"github.com/segql/segql/catalog"
	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
	"github.com/segql/segql/internal/output"
	"github.com/segql/segql/warehouse"
)

// defaultMinSize is the CLI's k-anonymity threshold (the library's is 0).
const defaultMinSize = 10

// analyticsFlags are the flags of profile, overlap, cluster, split and
// export: the data flags of eval plus the privacy guards.
type analyticsFlags struct {
	catalogFlags
	privacyFlags
}

// privacyFlags are the privacy guards of every command that shows members
// or statistics about them: eval and the analytics commands.
type privacyFlags struct {
	minSize  int
	redact   commaList
	allowPII bool
}

// register adds --min-size and --redact, and --allow-pii when the
// command can show personal-data columns (allowPII).
func (p *privacyFlags) register(fs *flag.FlagSet, allowPII bool) {
	fs.IntVar(&p.minSize, "min-size", defaultMinSize, "k-anonymity threshold: smaller segments and cells are not shown (0: off)")
	fs.Var(&p.redact, "redact", "personal-data columns (comma-separated), besides those marked segql.pii in the data's metadata")
	if allowPII {
		fs.BoolVar(&p.allowPII, "allow-pii", false, "show personal-data columns too")
	}
}

func (p *privacyFlags) privacy() analytics.Privacy {
	return analytics.Privacy{MinSize: p.minSize, PII: p.redact, AllowPII: p.allowPII}
}

// commaList is a repeatable flag of comma-separated names.
type commaList []string

func (c *commaList) String() string { return strings.Join(*c, ",") }
func (c *commaList) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*c = append(*c, s)
		}
	}
	return nil
}

func (a *analyticsFlags) register(fs *flag.FlagSet, c analyticsCommand) {
	a.catalogFlags.register(fs)
	a.privacyFlags.register(fs, c.export)
}

// workspace is a loaded table with its engine and, with --defs, catalog.
type workspace struct {
	eng     *engine.Engine
	an      *analytics.Analyzer
	cat     *catalog.Catalog
	opts    []engine.Option
	release func()
}

// open loads the data (and definitions) the flags name.
func (e *env) openWorkspace(ctx context.Context, cmd string, a *analyticsFlags) (*workspace, int) {
	now, err := a.runNow()
	if err != nil {
		fmt.Fprintf(e.stderr, "segql %s: %v\n", cmd, err)
		return nil, 2
	}
	w := &workspace{}
	if !now.IsZero() {
		w.opts = append(w.opts, engine.WithNow(now))
	}
	if len(a.defs) > 0 {
		cat, release, ok := e.openCatalog(ctx, &a.catalogFlags)
		if !ok {
			return nil, 1
		}
		w.cat, w.eng, w.release = cat, cat.Engine(), release
		w.an = analytics.New(w.eng)
		return w, 0
	}
	eng, release, err := a.openEngine(ctx, e)
	if err != nil {
		fmt.Fprintln(e.stderr, "segql:", err)
		return nil, 1
	}
	w.eng, w.release = eng, release
	w.an = analytics.New(w.eng)
	return w, 0
}

// run evaluates a segment name or expression.
func (w *workspace) run(ctx context.Context, src string) (*engine.Result, error) {
	var q *engine.Query
	var err error
	if w.cat != nil {
		q, err = w.cat.Compile(src, w.opts...)
	} else {
		q, err = w.eng.Compile(src, w.opts...)
	}
	if err != nil {
		return nil, err
	}
	return q.Run(ctx)
}

// withSegment opens the workspace, evaluates the segment src and calls f
// with them.
func (e *env) withSegment(cmd string, a *analyticsFlags, src string, f func(ctx context.Context, w *workspace, res *engine.Result) int) int {
	ctx, stop := e.signalContext()
	defer stop()
	w, code := e.openWorkspace(ctx, cmd, a)
	if w == nil {
		return code
	}
	defer w.release()
	res, err := w.run(ctx, src)
	if err != nil {
		return e.fail(cmd, err)
	}
	return f(ctx, w, res)
}

// analyticsCommand parses a command's flags and opens its workspace; the
// caller defers w.release when ok.
type analyticsCommand struct {
	name, usage string
	minArgs     int
	export      bool // has --allow-pii
}

func (e *env) startAnalytics(c analyticsCommand, args []string, extra func(fs *flag.FlagSet)) (*analyticsFlags, []string, int) {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	a := &analyticsFlags{}
	a.register(fs, c)
	if extra != nil {
		extra(fs)
	}
	fs.Usage = func() { fmt.Fprint(e.stderr, c.usage+"\nFlags:\n"); fs.PrintDefaults() }
	pos, err := parseArgs(fs, args)
	if err != nil {
		return nil, nil, exitUsage(err)
	}
	if len(pos) < c.minArgs {
		fs.Usage()
		return nil, nil, 2
	}
	return a, pos, -1
}

// fail reports an error of command cmd; an expression error renders with
// its caret as is.
func (e *env) fail(cmd string, err error) int {
	if isTerminal(e.stderr) {
		fmt.Fprint(e.stderr, "\r\x1b[K") // over a progress line, if one is shown
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") { // a rendered expression error
		fmt.Fprintln(e.stderr, msg)
		return 1
	}
	fmt.Fprintf(e.stderr, "segql %s: %s%s\n", cmd, strings.TrimPrefix(msg, cmd+": "), privacyHint(err))
	if errors.Is(err, analytics.ErrInvalidPrivacy) {
		return 2
	}
	return 1
}

// privacyHint names the flag behind a privacy refusal, or is empty.
func privacyHint(err error) string {
	var small *analytics.ErrTooSmall
	switch {
	case errors.As(err, &small):
		return "; --min-size N changes the threshold"
	case errors.Is(err, analytics.ErrPersonalData) && strings.HasPrefix(err.Error(), "export"):
		return " (--allow-pii)"
	case errors.Is(err, analytics.ErrInvalidPrivacy):
		return " (--min-size, --redact)"
	}
	return ""
}

// writeJSON writes v as indented JSON (with <, > and & as themselves: the
// output is read by people and programs, not embedded in HTML). A value
// JSON cannot hold is an error said here; a failed write fails the
// command and is said once, by the checked standard output.
func (e *env) writeJSON(v any) int {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		fmt.Fprintln(e.stderr, "segql:", err)
		return 1
	}
	if _, err := e.stdout.Write(b.Bytes()); err != nil {
		return 1
	}
	return 0
}

const profileUsage = `Usage: segql profile [flags] EXPR|NAME

Compares a segment with the base (every user, or --base), column by column:
numeric columns with mean, median, p10 and p90; categorical and list columns
with their top values, shares and lifts. Columns come most distinguishing
first. Cells smaller than --min-size are not shown.
`

func (e *env) profile(args []string) int {
	var format, base string
	var cols commaList
	var top int
	a, pos, code := e.startAnalytics(analyticsCommand{name: "profile", usage: profileUsage, minArgs: 1}, args, func(fs *flag.FlagSet) {
		choiceVar(fs, &format, "o", "table", "output: table or json", "table", "json")
		fs.StringVar(&base, "base", "", "the base segment to compare with (default: every user)")
		fs.Var(&cols, "columns", "columns to profile (comma-separated; default: all but ids and personal data)")
		fs.IntVar(&top, "top", 5, "values shown per categorical or list column")
	})
	if code >= 0 {
		return code
	}
	return e.withSegment("profile", a, strings.Join(pos, " "), func(ctx context.Context, w *workspace, res *engine.Result) int {
		opts := analytics.ProfileOptions{Columns: cols, Top: top, Privacy: a.privacy()}
		if a.id != "" { // --id names the id column: not a trait to profile
			opts.IDColumn = a.id
		}
		if base != "" {
			var err error
			if opts.Base, err = w.run(ctx, base); err != nil {
				return e.fail("profile", err)
			}
		}
		p, err := w.an.Profile(ctx, res, opts)
		if err != nil {
			return e.fail("profile", err)
		}
		if format == "json" {
			return e.writeJSON(p)
		}
		output.Profile(e.stdout, p)
		return 0
	})
}

const overlapUsage = `Usage: segql overlap [flags] A B [C ...]

Intersects segments (names or quoted expressions): sizes, members in no
other segment, pairwise intersections with the Jaccard index, and the users
in every combination (an UpSet list). Cells smaller than --min-size are
shown as <min.
`

func (e *env) overlap(args []string) int {
	var format string
	a, pos, code := e.startAnalytics(analyticsCommand{name: "overlap", usage: overlapUsage, minArgs: 2}, args, func(fs *flag.FlagSet) {
		choiceVar(fs, &format, "o", "table", "output: table or json", "table", "json")
	})
	if code >= 0 {
		return code
	}
	ctx, stop := e.signalContext()
	defer stop()
	if a.streamed() {
		return e.overlapStreamed(ctx, a, pos, format)
	}
	w, code := e.openWorkspace(ctx, "overlap", a)
	if w == nil {
		return code
	}
	defer w.release()
	var results []*engine.Result
	for _, src := range pos {
		res, err := w.run(ctx, src)
		if err != nil {
			return e.fail("overlap", err)
		}
		results = append(results, res)
	}
	o, err := w.an.Overlap(pos, results, a.privacy())
	if err != nil {
		return e.fail("overlap", err)
	}
	if format == "json" {
		return e.writeJSON(o)
	}
	output.Overlap(e.stdout, o)
	return 0
}

const clusterUsage = `Usage: segql cluster --k K|auto --features A,B,C [--start-seed S] [--save FILE] [flags]

Groups users by k-means (k-means++ start, standardized features, the same
clusters for the same --start-seed), prints each cluster's size and centroid in the
features' units, and with --save writes every user's cluster (id, cluster).
Users with a missing feature are in no cluster.
--k auto picks k from 2 to 8 by the silhouette of a sample.
`

func (e *env) cluster(args []string) int {
	var format, k, save string
	var features commaList
	var seed uint64
	a, _, code := e.startAnalytics(analyticsCommand{name: "cluster", usage: clusterUsage}, args, func(fs *flag.FlagSet) {
		choiceVar(fs, &format, "o", "table", "output: table or json", "table", "json")
		fs.StringVar(&k, "k", "auto", "the number of clusters, or auto")
		fs.Var(&features, "features", "numeric, date or timestamp columns (comma-separated)")
		fs.Uint64Var(&seed, "start-seed", 1, "seed of the k-means++ start (--seed, as in every command, is the demo table's)")
		fs.StringVar(&save, "save", "", "write id and cluster of every user to this file (.parquet, .arrow, .csv, .ndjson)")
	})
	if code >= 0 {
		return code
	}
	opts := analytics.ClusterOptions{Features: features, Seed: seed}
	if k != "auto" {
		if _, err := fmt.Sscan(k, &opts.K); err != nil || opts.K < 1 {
			fmt.Fprintf(e.stderr, "segql cluster: --k must be a positive integer or auto, got %q\n", k)
			return 2
		}
	}
	if len(features) == 0 {
		fmt.Fprintln(e.stderr, "segql cluster: name the features, for example --features sessions_30d,orders_total,revenue_total")
		return 2
	}
	ctx, stop := e.signalContext()
	defer stop()
	w, code := e.openWorkspace(ctx, "cluster", a)
	if w == nil {
		return code
	}
	defer w.release()
	opts.Privacy = a.privacy()
	c, err := w.an.Cluster(ctx, opts)
	if err != nil {
		return e.fail("cluster", err)
	}
	if save != "" {
		if err := e.saveClusters(w.eng, c, &a.dataFlags, save); err != nil {
			return e.fail("cluster", err)
		}
	}
	if format == "json" {
		return e.writeJSON(c)
	}
	output.Clustering(e.stdout, c)
	if save != "" {
		fmt.Fprintf(e.stderr, "wrote the clusters of %s users to %s\n", output.Thousands(int(w.eng.Table().NumRows())), save)
	}
	return 0
}

// saveClusters writes id and cluster for every row.
func (e *env) saveClusters(eng *engine.Engine, c *analytics.Clustering, d *dataFlags, path string) error {
	id, err := d.idColumn(eng.Table())
	if err != nil {
		return err
	}
	with, err := eng.Table().WithColumn(clusterField, analytics.New(eng).ClusterColumn(c))
	if err != nil {
		return err
	}
	defer with.Release()
	q, err := engine.Open(with).Compile("true")
	if err != nil {
		return err
	}
	res, err := q.Run(context.Background())
	if err != nil {
		return err
	}
	_, err = analytics.New(q.Engine()).Export(context.Background(), res, path, analytics.ExportOptions{Columns: []string{id, "cluster"}})
	return err
}

// clusterField is the column cluster assignments are added as.
var clusterField = arrow.Field{Name: "cluster", Type: arrow.PrimitiveTypes.Int64, Nullable: true}

const splitUsage = `Usage: segql split EXPR|NAME --arms control:50,treatment:50 --salt S [--save FILE]

Assigns a segment's members to experiment arms by bucket(id, S): each arm
takes a consecutive range of the 10,000 buckets in proportion to its
percentage (percentages under 100 hold the rest out). The assignment is
stable and reproducible in SQL (see SPEC.md). Prints arm sizes; --save
writes id and arm of every assigned member.
`

func (e *env) split(args []string) int {
	var format, arms, salt, save string
	a, pos, code := e.startAnalytics(analyticsCommand{name: "split", usage: splitUsage, minArgs: 1}, args, func(fs *flag.FlagSet) {
		choiceVar(fs, &format, "o", "table", "output: table or json", "table", "json")
		fs.StringVar(&arms, "arms", "control:50,treatment:50", "arms as NAME:PERCENT,…")
		fs.StringVar(&salt, "salt", "", "the experiment's salt (required: one per experiment)")
		fs.StringVar(&save, "save", "", "write id and arm of every assigned member to this file")
	})
	if code >= 0 {
		return code
	}
	parsed, err := analytics.ParseArms(arms)
	if err != nil {
		fmt.Fprintln(e.stderr, "segql split:", err)
		return 2
	}
	if salt == "" {
		fmt.Fprintln(e.stderr, "segql split: give the experiment a --salt (reusing one salt correlates experiments)")
		return 2
	}
	if a.streamed() {
		ctx, stop := e.signalContext()
		defer stop()
		return e.splitStreamed(ctx, a, strings.Join(pos, " "), analytics.SplitOptions{Arms: parsed, Salt: salt, Privacy: a.privacy()}, save, format)
	}
	return e.withSegment("split", a, strings.Join(pos, " "), func(ctx context.Context, w *workspace, res *engine.Result) int {
		id, err := a.idColumn(w.eng.Table())
		if err != nil {
			return e.fail("split", err)
		}
		s, err := w.an.Split(res, analytics.SplitOptions{Arms: parsed, Salt: salt, IDColumn: id, Privacy: a.privacy()})
		if err != nil {
			return e.fail("split", err)
		}
		if save != "" {
			t, err := s.Assignments(nil)
			if err != nil {
				return e.fail("split", err)
			}
			err = columnar.WriteFile(save, t, nil)
			t.Release()
			if err != nil {
				return e.fail("split", err)
			}
		}
		if format == "json" {
			return e.writeJSON(s)
		}
		output.Split(e.stdout, s)
		return 0
	})
}

const exportUsage = `Usage: segql export EXPR|NAME --out FILE [--columns A,B] [flags]

Writes a segment's members to FILE (.parquet, .arrow, .arrows, .csv or
.ndjson), batch by batch and atomically: the file appears complete or not at
all. Segments smaller than --min-size are refused. Personal-data columns
(--redact, or marked segql.pii in the data) are left out, and refused when
named, unless --allow-pii is given.
`

func (e *env) export(args []string) int {
	var out string
	var cols commaList
	a, pos, code := e.startAnalytics(analyticsCommand{name: "export", usage: exportUsage, minArgs: 1, export: true}, args, func(fs *flag.FlagSet) {
		fs.StringVar(&out, "out", "", "the file to write, or postgres://…?table=NEW (required)")
		outNotO(fs, "export")
		fs.Var(&cols, "columns", "columns to write (comma-separated; default: all but personal data)")
	})
	if code >= 0 {
		return code
	}
	if out == "" {
		fmt.Fprintln(e.stderr, "segql export: name the file to write with --out (for example --out members.parquet)")
		return 2
	}
	src := strings.Join(pos, " ")
	if url, ok, err := a.remoteURL(); err != nil {
		fmt.Fprintln(e.stderr, "segql export:", err)
		return 2
	} else if ok {
		return e.exportRemote(url, a, src, out, cols)
	}
	if a.streamed() {
		ctx, stop := e.signalContext()
		defer stop()
		return e.exportStreamed(ctx, a, src, out, cols)
	}
	return e.withSegment("export", a, src, func(ctx context.Context, w *workspace, res *engine.Result) int {
		rep, err := w.an.Export(ctx, res, out, e.exportOptions(ctx, a, cols, out))
		return e.reportExport(rep, err, out)
	})
}

// exportOptions are the options of an export to out: a file, or a new
// PostgreSQL table when out is a postgres:// URL.
func (e *env) exportOptions(ctx context.Context, a *analyticsFlags, cols []string, out string) analytics.ExportOptions {
	opts := analytics.ExportOptions{Columns: cols, Privacy: a.privacy()}
	if warehouse.IsURL(out) {
		opts.Sink = func(schema *arrow.Schema, src columnar.BatchSource) error {
			_, err := warehouse.Upload(ctx, out, schema, src)
			return err
		}
	}
	return opts
}

func (e *env) reportExport(rep *analytics.ExportReport, err error, out string) int {
	if err != nil {
		return e.fail("export", err)
	}
	if warehouse.IsURL(out) {
		out = warehouse.Redact(out)
	}
	fmt.Fprintf(e.stderr, "wrote %s members (%d columns) to %s\n", output.Thousands(rep.Rows), len(rep.Columns), out)
	if len(rep.Withheld) > 0 {
		fmt.Fprintf(e.stderr, "left out personal data: %s (--allow-pii to include)\n", strings.Join(rep.Withheld, ", "))
	}
	return 0
}
