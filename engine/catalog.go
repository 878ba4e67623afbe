package engine

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/segql/segql/lang/ast"
	"github.com/segql/segql/lang/check"
	"github.com/segql/segql/lang/diag"
	"github.com/segql/segql/lang/printer"
	"github.com/segql/segql/lang/syntax"
)

// SourceFile is the text of one .seg file.
type SourceFile struct {
	Name string
	Text string
}

// Definition is one saved segment.
type Definition struct {
	Name        string
	Description string   // the doc comment above the definition
	File        string   // the file it came from
	Position    string   // file:line:col of its name
	Expr        string   // its expression in canonical form
	Deps        []string // the segments it references directly, sorted

	tree ast.Expr
	info *check.Info
	src  diag.Source
	plan *node
}

// Catalog is a set of segment definitions loaded from .seg files and
// checked against the engine's table. It is immutable after loading and
// safe for concurrent use.
type Catalog struct {
	eng   *Engine
	defs  map[string]*Definition
	order []*Definition // in file order
}

// Errors collects the diagnostics of several files.
type Errors []*diag.List

func (e Errors) Error() string {
	parts := make([]string, len(e))
	for i, l := range e {
		parts[i] = l.Error()
	}
	return strings.Join(parts, "\n")
}

// Diagnostics lists every diagnostic with the source it belongs to.
func (e Errors) Diagnostics() []struct {
	Src diag.Source
	diag.Diagnostic
} {
	var out []struct {
		Src diag.Source
		diag.Diagnostic
	}
	for _, l := range e {
		for _, d := range l.Items {
			out = append(out, struct {
				Src diag.Source
				diag.Diagnostic
			}{l.Src, d})
		}
	}
	return out
}

// LoadCatalog parses and checks the files together: definitions may
// reference each other in any order and across files. Duplicate names,
// reference cycles, unknown names and type errors are reported as Errors,
// with positions in their files.
func (e *Engine) LoadCatalog(files []SourceFile) (*Catalog, error) {
	c := &Catalog{eng: e, defs: map[string]*Definition{}}
	lists := map[string]*diag.List{}
	listFor := func(f SourceFile) *diag.List {
		if lists[f.Name] == nil {
			lists[f.Name] = &diag.List{Src: diag.Source{Name: f.Name, Text: f.Text}}
		}
		return lists[f.Name]
	}
	for _, f := range files {
		parsed, err := syntax.ParseFile(f.Name, f.Text, syntax.Limits{})
		if err != nil {
			l := listFor(f)
			l.Items = append(l.Items, err.(*diag.List).Items...)
			continue
		}
		c.addFile(f, parsed, listFor(f))
	}
	c.checkAll(listFor)
	c.cycles(listFor) // over the definitions that checked

	if anyErrors(lists) {
		return nil, collect(lists, files)
	}
	for _, d := range c.order {
		if err := c.plan(d, nil); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func anyErrors(lists map[string]*diag.List) bool {
	for _, l := range lists {
		if l.HasErrors() {
			return true
		}
	}
	return false
}

// collect orders the error lists as the files were given.
func collect(lists map[string]*diag.List, files []SourceFile) Errors {
	var out Errors
	for _, f := range files {
		if l := lists[f.Name]; l != nil && l.HasErrors() {
			l.Sort()
			l.Cap(20)
			out = append(out, l)
			delete(lists, f.Name)
		}
	}
	return out
}

func (c *Catalog) addFile(f SourceFile, parsed *ast.File, errs *diag.List) {
	src := diag.Source{Name: f.Name, Text: f.Text}
	for _, s := range parsed.Segments {
		pos := src.Position(s.NameSpan.Pos)
		if prev, dup := c.defs[s.Name]; dup {
			errs.Add(diag.Diagnostic{Span: s.NameSpan, Msg: fmt.Sprintf("segment %s is defined twice", diag.Quote(s.Name)),
				Hint: "first defined at " + prev.Position})
			continue
		}
		if _, isColumn := c.eng.schema.Column(s.Name); isColumn {
			errs.Add(diag.Diagnostic{Span: s.NameSpan, Msg: fmt.Sprintf("segment %s has the name of a column", diag.Quote(s.Name)),
				Hint: "a column takes precedence in expressions: rename the segment"})
			continue
		}
		d := &Definition{Name: s.Name, Description: s.Description(), File: f.Name, Position: pos,
			Expr: printer.Expr(s.Expr), tree: s.Expr, src: src}
		c.defs[s.Name] = d
		c.order = append(c.order, d)
	}
}

// IsSegment implements check.Segments.
func (c *Catalog) IsSegment(name string) bool { _, ok := c.defs[name]; return ok }

// SegmentNames implements check.Segments.
func (c *Catalog) SegmentNames() []string {
	out := make([]string, len(c.order))
	for i, d := range c.order {
		out[i] = d.Name
	}
	return out
}

func (c *Catalog) checkAll(listFor func(SourceFile) *diag.List) {
	for _, d := range c.order {
		info, err := check.Check(d.tree, d.src, check.Config{Schema: c.eng.schema, Segments: c})
		l := listFor(SourceFile{Name: d.File, Text: d.src.Text})
		if err != nil {
			l.Items = append(l.Items, err.(*diag.List).Items...)
			continue
		}
		l.Items = append(l.Items, info.Warnings...)
		d.info = info
		for _, r := range info.Refs {
			if r.Kind == check.SegmentRef && !contains(d.Deps, r.Name) {
				d.Deps = append(d.Deps, r.Name)
			}
		}
		sort.Strings(d.Deps)
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// cycles reports every reference cycle once, as a -> b -> c -> a.
func (c *Catalog) cycles(listFor func(SourceFile) *diag.List) {
	state := map[string]int{} // 0 new, 1 on the path, 2 done
	var path []string
	var visit func(string)
	visit = func(name string) {
		state[name] = 1
		path = append(path, name)
		for _, dep := range c.defs[name].Deps {
			if c.defs[dep].info == nil {
				continue // it failed to check; reported already
			}
			switch state[dep] {
			case 0:
				visit(dep)
			case 1:
				c.reportCycle(path, dep, listFor)
			}
		}
		path = path[:len(path)-1]
		state[name] = 2
	}
	for _, d := range c.order {
		if state[d.Name] == 0 && d.info != nil {
			visit(d.Name)
		}
	}
}

func (c *Catalog) reportCycle(path []string, back string, listFor func(SourceFile) *diag.List) {
	start := 0
	for i, n := range path {
		if n == back {
			start = i
		}
	}
	cycle := append(append([]string(nil), path[start:]...), back)
	d := c.defs[back]
	l := listFor(SourceFile{Name: d.File, Text: d.src.Text})
	sp := d.tree.Bounds()
	l.Add(diag.Diagnostic{Span: diag.Span{Pos: sp.Pos, End: sp.Pos}, Msg: "reference cycle: " + strings.Join(cycle, " -> ")})
}

// plan lowers d, inlining the segments it references. bound, when set,
// maps segment names to results already evaluated in this pass.
func (c *Catalog) plan(d *Definition, bound map[string]*Result) error {
	if d.plan != nil && bound == nil {
		return nil
	}
	p := &planner{info: d.info, schema: c.eng.table.Schema, eng: c.eng, segment: c.resolver(bound)}
	n, err := p.lower(d.tree)
	if err != nil {
		l := &diag.List{Src: d.src}
		l.Errorf(d.tree.Bounds(), "%s", err.Error())
		return Errors{l}
	}
	if bound == nil {
		d.plan = n
	}
	return nil
}

func (c *Catalog) resolver(bound map[string]*Result) func(string) (*node, error) {
	return func(name string) (*node, error) {
		if r, ok := bound[name]; ok {
			return &node{op: opSegResult, k: kBool, result: r}, nil
		}
		d := c.defs[name]
		if err := c.plan(d, nil); err != nil {
			return nil, err
		}
		return d.plan, nil
	}
}

// Warning is a non-fatal finding in a definition.
type Warning struct {
	Src diag.Source
	diag.Diagnostic
}

// Warnings lists the catalog's warnings (such as empty ranges).
func (c *Catalog) Warnings() []Warning {
	var out []Warning
	for _, d := range c.order {
		for _, w := range d.info.Warnings {
			out = append(out, Warning{Src: d.src, Diagnostic: w})
		}
	}
	return out
}

// Rows returns the number of rows of the catalog's table.
func (c *Catalog) Rows() int { return int(c.eng.table.NumRows()) }

// Definitions lists the segments in file order.
func (c *Catalog) Definitions() []*Definition { return c.order }

// Definition returns a segment by name.
func (c *Catalog) Definition(name string) (*Definition, bool) { d, ok := c.defs[name]; return d, ok }

// Compile compiles a segment's name, or an expression that may use the
// catalog's segment names.
func (c *Catalog) Compile(nameOrExpr string, opts ...Option) (*Query, error) {
	if d, ok := c.defs[strings.TrimSpace(nameOrExpr)]; ok {
		return c.eng.compilePlan(d.Expr, d.plan, d.info.Warnings, opts), nil
	}
	return c.eng.compile(nameOrExpr, c, opts)
}

// Size is one segment's membership in Sizes.
type Size struct {
	*Definition
	Result *Result
}

// Sizes evaluates every segment in one pass over dependency order: each
// segment is evaluated once, and segments that reference it read its
// stored result instead of evaluating it again.
func (c *Catalog) Sizes(ctx context.Context, opts ...RunOption) ([]Size, error) {
	done := map[string]*Result{}
	var visit func(d *Definition) error
	visit = func(d *Definition) error {
		if _, ok := done[d.Name]; ok {
			return nil
		}
		for _, dep := range d.Deps {
			if err := visit(c.defs[dep]); err != nil {
				return err
			}
		}
		p := &planner{info: d.info, schema: c.eng.table.Schema, eng: c.eng, segment: c.resolver(done)}
		n, err := p.lower(d.tree)
		if err != nil {
			return err
		}
		res, err := c.eng.compilePlan(d.Expr, n, nil, nil).Run(ctx, opts...)
		if err != nil {
			return fmt.Errorf("segment %q: %w", d.Name, err)
		}
		done[d.Name] = res
		return nil
	}
	out := make([]Size, 0, len(c.order))
	for _, d := range c.order {
		if err := visit(d); err != nil {
			return nil, err
		}
		out = append(out, Size{Definition: d, Result: done[d.Name]})
	}
	return out, nil
}

// Engine returns the engine the catalog's segments are compiled for.
func (c *Catalog) Engine() *Engine { return c.eng }
