package check

import (
	"fmt"
	"slices"
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
// Reads are safe for concurrent use; Define changes the set and must not
// run concurrently with anything else on it.
type Definitions struct {
	defs  map[string]*Definition
	order []*Definition // in file order
	index map[string]int
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

// Define adds the segments of f to the set, or replaces those of the same
// name where they stand, each checked against the set as it is with the
// ones before it: a definition costs what checking it and following its
// own references costs, not a re-check of the whole set (a shell that
// defines segments one by one stays linear). An error (a column's name, a
// name repeated in f, an unknown name, a type error, a reference cycle
// through a segment being replaced) leaves the set as it was.
func (d *Definitions) Define(f Source, schema Schema) *diag.List {
	errs := &diag.List{Src: f.Src}
	type undo struct {
		name string
		prev *Definition
	}
	var undos []undo
	added := map[string]bool{}
	for _, s := range f.File.Segments {
		switch _, isColumn := schema.Column(s.Name); {
		case added[s.Name]:
			errs.Add(diag.Diagnostic{Span: s.NameSpan, Msg: fmt.Sprintf(msgDuplicate, diag.Quote(s.Name))})
			continue
		case isColumn:
			errs.Add(diag.Diagnostic{Span: s.NameSpan, Msg: fmt.Sprintf(msgSegmentIsColumn, diag.Quote(s.Name)),
				Hint: msgSegmentIsColumnHint})
			continue
		}
		added[s.Name] = true
		def := &Definition{Name: s.Name, Segment: s, Src: f.Src}
		prev := d.defs[s.Name]
		undos = append(undos, undo{s.Name, prev})
		d.defs[s.Name] = def // so that a reference to itself is a cycle, not an unknown name
		d.checkOne(def, schema, errs)
		// A new name can close a cycle only through itself: no checked
		// definition references a name that did not exist. A replaced one
		// can through any of its dependents, so its references are followed.
		if def.Info != nil && (prev != nil || slices.Contains(def.Deps, s.Name)) {
			if path := d.pathTo(def.Deps, s.Name); path != nil {
				sp := s.Expr.Bounds()
				errs.Add(diag.Diagnostic{Span: diag.Span{Pos: sp.Pos, End: sp.Pos},
					Msg: "reference cycle: " + cycleText(append([]string{s.Name}, path...))})
			}
		}
	}
	if errs.HasErrors() {
		for i := len(undos) - 1; i >= 0; i-- {
			if u := undos[i]; u.prev != nil {
				d.defs[u.name] = u.prev
			} else {
				delete(d.defs, u.name)
			}
		}
		errs.Sort()
		return errs
	}
	if d.index == nil {
		d.index = make(map[string]int, len(d.order))
		for i, def := range d.order {
			d.index[def.Name] = i
		}
	}
	for _, u := range undos {
		def := d.defs[u.name]
		if i, ok := d.index[u.name]; ok && u.prev != nil {
			d.order[i] = def
		} else {
			d.index[u.name] = len(d.order)
			d.order = append(d.order, def)
		}
	}
	return errs
}

// pathTo finds a chain of references from one of starts to target (its
// names after the start, ending in target), or nil: an iterative search
// that visits each definition once.
func (d *Definitions) pathTo(starts []string, target string) []string {
	parent := map[string]string{}
	var queue []string
	for _, s := range starts {
		if _, seen := parent[s]; !seen {
			parent[s] = ""
			queue = append(queue, s)
		}
	}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		if n == target {
			var path []string
			for ; n != ""; n = parent[n] {
				path = append(path, n)
			}
			slices.Reverse(path)
			return path
		}
		def := d.defs[n]
		if def == nil {
			continue
		}
		for _, dep := range def.Deps {
			if _, seen := parent[dep]; !seen {
				parent[dep] = n
				queue = append(queue, dep)
			}
		}
	}
	return nil
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
		Msg: "reference cycle: " + cycleText(cycle)})
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

// cycleText renders a cycle a -> b -> … -> a, eliding the middle of a long
// one.
func cycleText(names []string) string {
	if len(names) > 12 {
		elided := fmt.Sprintf("… %d more …", len(names)-9)
		names = append(append(append([]string(nil), names[:6]...), elided), names[len(names)-3:]...)
	}
	return strings.Join(names, " -> ")
}
