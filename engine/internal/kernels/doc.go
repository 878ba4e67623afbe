// Package kernels holds segql's vector kernels: typed loops over batches of
// values (Arrow buffers viewed without copying, or the engine's own
// vectors) that write their results into bitmaps or value vectors, and the
// per-element semantics they share with the row evaluator.
//
// Kernels own their operator enums (CmpOp, ArithOp); the plan maps the
// syntax tree's operators onto them. On x86-64 with AVX2, comparisons and
// ranges over integer, timestamp, float and dictionary-code columns run as
// vector kernels written in Go assembly (simd_amd64.s), chosen at run time;
// with the purego build tag or on other architectures the portable loops
// run. Both give identical results (simd_test.go compares them value for
// value).
//
// Conventions: a bitmap holds one bit per row, 64 rows per word, and its
// bits past the last row are zero (tail-masked). Kernels never write into
// Arrow buffers; they write only into slices the caller owns. None of the
// functions here keeps state: all are safe for concurrent use on distinct
// outputs.
package kernels
