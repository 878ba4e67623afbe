// Package engine compiles segql expressions and evaluates them over
// columnar tables — a whole table vectorized, or one user at a time — with
// SQL's three-valued logic: a row is a member only where the expression
// is TRUE.
//
// # Using it
//
// Open an engine over a table (columnar.Load reads Parquet, Arrow, CSV and
// NDJSON files; columnar.Demo builds the demo users), compile an
// expression once, then run it as often as needed, from any number of
// goroutines:
//
//	eng := engine.Open(table)
//	q, err := eng.Compile(`age between 25 and 54 and purchases_30d > 3`)
//	if err != nil {
//		fmt.Println(err) // the source line with a caret under the problem
//	}
//	res, err := q.Run(ctx)                 // every batch, in parallel
//	fmt.Println(res.Count(), "members")
//	ok, err := q.Match(engine.MapRow{"age": 31, "purchases_30d": 5}) // one user
//
// Result gives the members as a bitmap, ids or Arrow rows, batch by batch
// (NumBatches, Batch) for code that reads them, and Explain for the plan
// with what each step observed. Query.Explain shows the plan before a run;
// Query.TraceAt shows one user's evaluation clause by clause. MatchRecord
// evaluates a user given as typed getters (a Record) without allocating.
// Named segments from .seg files come through the catalog package, which
// compiles them with WithDefinitions; Engine.CompileSet evaluates several
// queries in one pass.
//
// Errors callers can test for: ErrOverflow (an *EvalError with the
// position of the operation), ErrCost, ErrRunTime, ErrNeedsData; compile
// errors are *diag.List values.
//
// # Inside
//
// Compile = parse (lang/syntax) → check against the table's schema
// (lang/check) → lower to a plan (internal/plan), a DAG in which every
// named segment is one shared node → optimizer rules, one per file
// (internal/optimizer): constant folding, ranges over stored values,
// days_since and year() as ranges, dictionary tables, linear forms, shared
// subexpressions, term order → a program of vector operators
// (internal/exec) over the kernels (internal/kernels, AVX2 assembly with a
// portable fallback). Runs narrow rows through and/or, adapt the order of
// terms to what they observe, and raise an evaluation error only for rows
// that need the failing operand; the row evaluator (internal/rowexec)
// runs the same plan for one user with the same semantics.
//
// An Engine, a Query, a Set and a Result are safe for concurrent use.
package engine
