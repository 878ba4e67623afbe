package check

import (
	"fmt"
	"sort"
	"strings"

	"github.com/segql/segql/lang/ast"
	"github.com/segql/segql/lang/diag"
)

// Definition is one named segment of a definition set.
type Definition struct {
	Name    string
	Segment *ast.Segment
	Src     diag.Source
	// Info is the checker's side table of the definition's expression;
	// nil when it failed to check.
	Info *Info
	// Deps lists the segments the definition references directly, sorted.
	Deps []string
}

// Position is file:line:col of the definition's name.
func (d *Definition) Position() string { return d.Src.Position(d.Segment.NameSpan.Pos) }

// Definitions is a checked set of named segments from one or more files:
// names resolve across files and in any order, duplicates and reference
// cycles are errors, and the dependencies between definitions are known.
// It is immutable and safe for concurrent use once CheckFiles returns.
type Definitions struct {
	defs  map[string]*Definition
	order []*Definition // in file order
}

// Source is one parsed file with its text.
type Source struct {
	File *ast.File
	Src  diag.Source
}

// CheckFiles checks the definitions of files together against schema. It
// returns the set (holding every definition, including those that failed)
// and, when anything failed, one *diag.List per file with errors, in file
// order: duplicate names, a segment named like a column, unknown names,
// type errors and reference cycles.
func CheckFiles(files []Source, schema Schema) (*Definitions, []*diag.List) {
	d := &Definitions{defs: map[string]*Definition{}}
	lists := map[string]*diag.List{}
	listFor := func(src diag.Source) *diag.List {
		if lists[src.Name] == nil {
			lists[src.Name] = &diag.List{Src: src}
		}
		return lists[src.Name]
	}
	for _, f := range files {
		d.add(f, schema, listFor(f.Src))
	}
	for _, def := range d.order {
		d.checkOne(def, schema, listFor(def.Src))
	}
	d.cycles(listFor)
	var out []*diag.List
	for _, f := range files {
		if l := lists[f.Src.Name]; l != nil && l.HasErrors() {
			l.Sort()
			l.Cap(20)
			out = append(out, l)
			delete(lists, f.Src.Name)
		}
	}
	return d, out
}

func (d *Definitions) add(f Source, schema Schema, errs *diag.List) {
	for _, s := range f.File.Segments {
		if prev, dup := d.defs[s.Name]; dup {
			errs.Add(diag.Diagnostic{Span: s.NameSpan, Msg: fmt.Sprintf(msgDuplicate, diag.Quote(s.Name)),
				Hint: "first defined at " + prev.Position()})
			continue
		}
		if _, isColumn := schema.Column(s.Name); isColumn {
			errs.Add(diag.Diagnostic{Span: s.NameSpan, Msg: fmt.Sprintf(msgSegmentIsColumn, diag.Quote(s.Name)),
				Hint: msgSegmentIsColumnHint})
			continue
		}
		def := &Definition{Name: s.Name, Segment: s, Src: f.Src}
		d.defs[s.Name] = def
		d.order = append(d.order, def)
	}
}

func (d *Definitions) checkOne(def *Definition, schema Schema, errs *diag.List) {
	info, err := Check(def.Segment.Expr, def.Src, Config{Schema: schema, Segments: d})
	if err != nil {
		errs.Items = append(errs.Items, err.(*diag.List).Items...)
		return
	}
	errs.Items = append(errs.Items, info.Warnings...)
	def.Info = info
	seen := map[string]bool{}
	for _, r := range info.Refs {
		if r.Kind == SegmentRef && !seen[r.Name] {
			seen[r.Name] = true
			def.Deps = append(def.Deps, r.Name)
		}
	}
	sort.Strings(def.Deps)
}

// cycles reports every reference cycle once, as a -> b -> c -> a, with an
// iterative depth-first search (so a chain of any length cannot overflow
// the stack).
func (d *Definitions) cycles(listFor func(diag.Source) *diag.List) {
	state := map[string]int{} // 0 new, 1 on the path, 2 done
	type frame struct {
		name string
		next int
	}
	for _, start := range d.order {
		if state[start.Name] != 0 || start.Info == nil {
			continue
		}
		stack := []frame{{name: start.Name}}
		state[start.Name] = 1
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			deps := d.defs[top.name].Deps
			if top.next == len(deps) {
				state[top.name] = 2
				stack = stack[:len(stack)-1]
				continue
			}
			dep := deps[top.next]
			top.next++
			if d.defs[dep].Info == nil {
				continue // it failed to check; reported already
			}
			switch state[dep] {
			case 0:
				state[dep] = 1
				stack = append(stack, frame{name: dep})
			case 1:
				path := make([]string, len(stack))
				for i, f := range stack {
					path[i] = f.name
				}
				d.reportCycle(path, dep, listFor)
			}
		}
	}
}

func (d *Definitions) reportCycle(path []string, back string, listFor func(diag.Source) *diag.List) {
	start := 0
	for i, n := range path {
		if n == back {
			start = i
		}
	}
	cycle := append(append([]string(nil), path[start:]...), back)
	def := d.defs[back]
	sp := def.Segment.Expr.Bounds()
	listFor(def.Src).Add(diag.Diagnostic{Span: diag.Span{Pos: sp.Pos, End: sp.Pos},
		Msg: "reference cycle: " + strings.Join(cycle, " -> ")})
}

// IsSegment implements Segments.
func (d *Definitions) IsSegment(name string) bool { _, ok := d.defs[name]; return ok }

// SegmentNames implements Segments: the names in file order.
func (d *Definitions) SegmentNames() []string {
	out := make([]string, len(d.order))
	for i, def := range d.order {
		out[i] = def.Name
	}
	return out
}

// Lookup returns a definition by name, or nil.
func (d *Definitions) Lookup(name string) *Definition {
	if d == nil {
		return nil
	}
	return d.defs[name]
}

// All lists the definitions in file order.
func (d *Definitions) All() []*Definition { return d.order }

// Warnings lists the definitions' warnings (such as empty ranges) with
// their sources.
func (d *Definitions) Warnings() []Warning {
	var out []Warning
	for _, def := range d.order {
		if def.Info == nil {
			continue
		}
		for _, w := range def.Info.Warnings {
			out = append(out, Warning{Src: def.Src, Diagnostic: w})
		}
	}
	return out
}

// Warning is a non-fatal finding with the source it belongs to.
type Warning struct {
	Src diag.Source
	diag.Diagnostic
}
