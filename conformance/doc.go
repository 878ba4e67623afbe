// Package conformance checks that segql selects exactly the users DuckDB
// selects for the equivalent SQL, on the same data. It is a separate module
// so that segql itself does not depend on cgo.
package conformance
