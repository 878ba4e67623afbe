// Package catalog holds sets of named segment definitions, loaded from
// .seg files and checked together against an engine's table: definitions
// reference each other in any order and across files, and every name and
// expression compiles through the engine's one compile path (with the
// same limits), a named segment being one shared node however often it is
// referenced.
package catalog

import (
	"context"
	"fmt"
	"strings"

	"github.com/segql/segql/engine"
	"github.com/segql/segql/lang/check"
	"github.com/segql/segql/lang/diag"
	"github.com/segql/segql/lang/printer"
	"github.com/segql/segql/lang/syntax"
)

// File is the text of one .seg file.
type File struct {
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
}

// Catalog is a set of segment definitions checked against an engine's
// table. Reads (Compile, Sizes, Definitions, …) are safe for concurrent
// use; Define changes it and must not run concurrently with anything else.
type Catalog struct {
	eng    *engine.Engine
	defs   *check.Definitions
	order  []*Definition
	byName map[string]*Definition
	at     map[*Definition]int // position in order; built by the first replacement
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

// Load parses and checks the files together. Duplicate names, reference
// cycles, unknown names and type errors are reported as Errors, with
// positions in their files.
func Load(eng *engine.Engine, files []File) (*Catalog, error) {
	var sources []check.Source
	var parseErrs Errors
	for _, f := range files {
		parsed, err := syntax.ParseFile(f.Name, f.Text, syntax.Limits{})
		if err != nil {
			l, ok := err.(*diag.List)
			if !ok {
				return nil, err
			}
			parseErrs = append(parseErrs, l)
			continue
		}
		sources = append(sources, check.Source{File: parsed, Src: diag.Source{Name: f.Name, Text: f.Text}})
	}
	defs, errs := check.CheckFiles(sources, eng.Schema())
	if len(parseErrs) > 0 || len(errs) > 0 {
		return nil, append(parseErrs, errs...)
	}
	c := &Catalog{eng: eng, defs: defs, byName: map[string]*Definition{}}
	for _, d := range defs.All() {
		c.put(d)
	}
	return c, nil
}

// put adds a checked definition, or replaces the one of its name where it
// stands.
func (c *Catalog) put(d *check.Definition) {
	def := &Definition{Name: d.Name, Description: d.Segment.Description(), File: d.Src.Name,
		Position: d.Position(), Expr: printer.Expr(d.Segment.Expr), Deps: d.Deps}
	if old, ok := c.byName[d.Name]; ok {
		if c.at == nil {
			c.at = make(map[*Definition]int, len(c.order))
			for i, x := range c.order {
				c.at[x] = i
			}
		}
		i := c.at[old]
		c.order[i] = def
		delete(c.at, old)
		c.at[def] = i
	} else {
		if c.at != nil {
			c.at[def] = len(c.order)
		}
		c.order = append(c.order, def)
	}
	c.byName[d.Name] = def
}

// Define adds the definitions of one file's text (the shell's `segment`
// statements), or replaces those of the same names where they stand,
// checked against the catalog as it is: its cost is that of the new
// definitions, not of the catalog. On an error the catalog is unchanged.
// It returns the new definitions' warnings.
func (c *Catalog) Define(f File) ([]Warning, error) {
	parsed, err := syntax.ParseFile(f.Name, f.Text, syntax.Limits{})
	if err != nil {
		return nil, err
	}
	src := diag.Source{Name: f.Name, Text: f.Text}
	l := c.defs.Define(check.Source{File: parsed, Src: src}, c.eng.Schema())
	if l.HasErrors() {
		return nil, Errors{l}
	}
	var warnings []Warning
	for _, w := range l.Items {
		warnings = append(warnings, Warning{Src: src, Diagnostic: w})
	}
	for _, s := range parsed.Segments {
		c.put(c.defs.Lookup(s.Name))
	}
	return warnings, nil
}

// Definitions lists the segments in file order.
func (c *Catalog) Definitions() []*Definition { return c.order }

// Definition returns a segment by name.
func (c *Catalog) Definition(name string) (*Definition, bool) { d, ok := c.byName[name]; return d, ok }

// Checked returns the checked definition set (for engine.WithDefinitions).
func (c *Catalog) Checked() *check.Definitions { return c.defs }

// Engine returns the engine the catalog is checked against.
func (c *Catalog) Engine() *engine.Engine { return c.eng }

// Rows returns the number of rows of the catalog's table.
func (c *Catalog) Rows() int { return int(c.eng.Table().NumRows()) }

// Warning is a non-fatal finding in a definition.
type Warning = check.Warning

// Warnings lists the catalog's warnings (such as empty ranges).
func (c *Catalog) Warnings() []Warning { return c.defs.Warnings() }

// Compile compiles a segment's name, or an expression that may use the
// catalog's segment names, through the engine's compile path.
func (c *Catalog) Compile(nameOrExpr string, opts ...engine.Option) (*engine.Query, error) {
	return c.CompileContext(context.Background(), nameOrExpr, opts...)
}

// CompileContext is Compile with a context.
func (c *Catalog) CompileContext(ctx context.Context, nameOrExpr string, opts ...engine.Option) (*engine.Query, error) {
	return c.eng.CompileContext(ctx, strings.TrimSpace(nameOrExpr), append(opts, engine.WithDefinitions(c.defs))...)
}

// Size is one segment's membership in Sizes.
type Size struct {
	*Definition
	Result *engine.Result
}

// Sizes evaluates every segment in one pass over the table: a segment
// referenced by others is evaluated once per batch.
func (c *Catalog) Sizes(ctx context.Context, opts ...engine.RunOption) ([]Size, error) {
	if len(c.order) == 0 {
		return nil, nil
	}
	names := make([]string, len(c.order))
	for i, d := range c.order {
		names[i] = d.Name
	}
	set, err := c.eng.CompileSet(ctx, names, engine.WithDefinitions(c.defs))
	if err != nil {
		return nil, fmt.Errorf("sizing the segments: %w", err)
	}
	results, err := set.Run(ctx, opts...)
	if err != nil {
		return nil, err
	}
	out := make([]Size, len(c.order))
	for i, d := range c.order {
		out[i] = Size{Definition: d, Result: results[i]}
	}
	return out, nil
}

// Diagnostics lists every diagnostic with the source it belongs to.
func (e Errors) Diagnostics() []Warning {
	var out []Warning
	for _, l := range e {
		for _, d := range l.Items {
			out = append(out, Warning{Src: l.Src, Diagnostic: d})
		}
	}
	return out
}
