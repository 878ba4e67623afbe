// Package check types segql expressions against a table schema.
//
// The checker never mutates the tree: it records a type for every
// expression, the resolution of every name and the compile-time conversion
// of ISO-8601 strings in an Info side table, as go/types does. Schemas are
// described by the Schema interface defined here, so this package needs no
// knowledge of Arrow.
package check

import "strings"

// Kind is the basic kind of a type.
type Kind uint8

// Type kinds. Integer and float kinds keep their width so schemas can be
// shown exactly; expression results use Int64 and Float64.
const (
	Invalid Kind = iota // the type of an expression that failed to check
	Null                // the type of the literal null
	Bool
	Int8
	Int16
	Int32
	Int64
	Uint8
	Uint16
	Uint32
	Uint64
	Float32
	Float64
	String
	Date      // calendar date (days since the epoch)
	Timestamp // instant, microsecond precision in expressions
	Duration
	List
	Struct
	Unsupported // a column type segql cannot evaluate; an error only when used
)

// Type describes a column or expression type. Types are immutable; compare
// them with Equal, not ==.
type Type struct {
	Kind   Kind
	Elem   *Type   // for List
	Fields []Field // for Struct
	Name   string  // for Unsupported: the source type's name
}

// Field is a struct field.
type Field struct {
	Name string
	Type *Type
}

// Predeclared types.
var (
	TInvalid   = &Type{Kind: Invalid}
	TNull      = &Type{Kind: Null}
	TBool      = &Type{Kind: Bool}
	TInt64     = &Type{Kind: Int64}
	TFloat64   = &Type{Kind: Float64}
	TString    = &Type{Kind: String}
	TDate      = &Type{Kind: Date}
	TTimestamp = &Type{Kind: Timestamp}
	TDuration  = &Type{Kind: Duration}
)

// Basic returns the predeclared type of a scalar kind.
func Basic(k Kind) *Type { return &Type{Kind: k} }

// ListOf returns list<elem>.
func ListOf(elem *Type) *Type { return &Type{Kind: List, Elem: elem} }

// IsInteger reports signed and unsigned integer kinds.
func (t *Type) IsInteger() bool { return t.Kind >= Int8 && t.Kind <= Uint64 }

// IsFloat reports float kinds.
func (t *Type) IsFloat() bool { return t.Kind == Float32 || t.Kind == Float64 }

// IsNumeric reports integer and float kinds.
func (t *Type) IsNumeric() bool { return t.IsInteger() || t.IsFloat() }

// IsTemporal reports date and timestamp.
func (t *Type) IsTemporal() bool { return t.Kind == Date || t.Kind == Timestamp }

// Equal reports structural equality.
func (t *Type) Equal(u *Type) bool {
	if t.Kind != u.Kind {
		return false
	}
	switch t.Kind {
	case List:
		return t.Elem.Equal(u.Elem)
	case Struct:
		if len(t.Fields) != len(u.Fields) {
			return false
		}
		for i := range t.Fields {
			if t.Fields[i].Name != u.Fields[i].Name || !t.Fields[i].Type.Equal(u.Fields[i].Type) {
				return false
			}
		}
	case Unsupported:
		return t.Name == u.Name
	}
	return true
}

var kindNames = [...]string{
	Invalid: "invalid", Null: "null", Bool: "bool", Int8: "int8", Int16: "int16", Int32: "int32", Int64: "int64",
	Uint8: "uint8", Uint16: "uint16", Uint32: "uint32", Uint64: "uint64", Float32: "float32", Float64: "float64",
	String: "string", Date: "date", Timestamp: "timestamp", Duration: "duration", List: "list", Struct: "struct",
	Unsupported: "unsupported",
}

// String renders the type as in messages and schemas: "int64",
// "list<string>", "struct<a: int64, b: string>".
func (t *Type) String() string {
	switch t.Kind {
	case List:
		return "list<" + t.Elem.String() + ">"
	case Struct:
		parts := make([]string, len(t.Fields))
		for i, f := range t.Fields {
			parts[i] = f.Name + ": " + f.Type.String()
		}
		return "struct<" + strings.Join(parts, ", ") + ">"
	case Unsupported:
		return t.Name
	}
	return kindNames[t.Kind]
}

// Column is one column of a schema.
type Column struct {
	Name     string
	Type     *Type
	Nullable bool
	// Note says why the column has its type where that may surprise
	// ("read as text because row 4 holds \"seven\""); type errors on the
	// column show it.
	Note string
}

// Schema is what the checker needs to know of a table. Implementations
// must be safe for concurrent use.
type Schema interface {
	// Column looks a top-level column up by its exact name.
	Column(name string) (Column, bool)
	// Columns lists all columns in table order.
	Columns() []Column
}

// Segments resolves names of saved segments. A name that is not a column
// is looked up here; a segment is a boolean. May be nil.
type Segments interface {
	IsSegment(name string) bool
	SegmentNames() []string
}

// MapSchema is a simple Schema over a slice of columns, for tests and tools.
type MapSchema []Column

// Column implements Schema.
func (s MapSchema) Column(name string) (Column, bool) {
	for _, c := range s {
		if c.Name == name {
			return c, true
		}
	}
	return Column{}, false
}

// Columns implements Schema.
func (s MapSchema) Columns() []Column { return s }
