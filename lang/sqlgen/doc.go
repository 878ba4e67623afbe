// Package sqlgen compiles checked segql expressions to SQL for warehouse
// engines: DuckDB, PostgreSQL, ClickHouse, BigQuery, Snowflake, Trino and
// Spark.
//
// The SQL keeps segql's semantics explicitly rather than relying on session
// settings: three-valued logic, division and remainder by zero as NULL,
// 64-bit integer arithmetic, floats ordered with NaN above every number,
// regular expressions translated from RE2's parse tree into each engine's
// syntax, timestamps compared as UTC instants, now() bound to a literal,
// and segql's value-based ranks and md5 buckets. A construct a dialect
// cannot express is an *Error naming the construct, the dialect and the
// source position; the compiler never emits SQL with different meaning.
//
// The package works on the syntax tree and the checker's side table only:
// it imports neither Arrow nor the engine. All functions are safe for
// concurrent use.
package sqlgen
