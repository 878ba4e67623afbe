// Package engine compiles segql expressions and evaluates them over
// columnar tables, vectorized, or over one user's values at a time.
//
// Compile = parse (lang/syntax) → check against the table's schema
// (lang/check) → lower to a typed plan with constants folded (plan.go) →
// a program of typed kernels chosen at compile time (compile*.go). Run
// evaluates the program over the table's Arrow record batches in parallel,
// one worker per GOMAXPROCS, with per-worker scratch buffers reused from
// batch to batch, and SQL three-valued logic throughout: a row is a member
// only where the expression is TRUE.
//
// A *Query is immutable after Compile and safe for concurrent use: Run and
// Match may be called from many goroutines at once.
package engine
