// Package warehouse runs segments where the data already is: in a
// PostgreSQL table. Open reads the table's schema from the server's
// catalog; expressions are checked against it by the engine exactly as for
// a local file, compiled by lang/sqlgen for PostgreSQL with now() bound as
// a literal, and sent to the server, which returns only ids, counts or the
// member rows asked for. Upload does the reverse: it writes a table (or a
// segment's members) into a new PostgreSQL table, atomically.
//
// Columns whose PostgreSQL type segql cannot read with the same semantics
// (numeric, character(n), json, …) are left out of the schema and listed
// by Source.Skipped; an expression naming one gets the usual unknown-column
// error.
package warehouse
