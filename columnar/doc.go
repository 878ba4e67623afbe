// Package columnar holds segql's data layer: tables of Arrow record batches,
// loaders and writers for Parquet, Arrow IPC, CSV and NDJSON, selection
// bitmaps, and the deterministic demo users table.
//
// It knows nothing of the segment language: the engine joins the two.
//
// Ownership: a *Table owns its record batches and releases them in
// Release. Functions that return a *Table hand that ownership to the
// caller. Tables are read-only after construction and safe to share
// between goroutines.
package columnar
