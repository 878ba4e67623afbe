package columnar

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// SchemaFileSuffix names a schema file: a table's columns as JSON, written
// by `segql schema` so that CI can check definitions without data.
const SchemaFileSuffix = ".schema.json"

// schemaFile is the JSON form of a schema.
type schemaFile struct {
	Columns []schemaColumn `json:"columns"`
}

type schemaColumn struct {
	Name     string         `json:"name"`
	Type     string         `json:"type"`
	Nullable bool           `json:"nullable"`
	Fields   []schemaColumn `json:"fields,omitempty"` // of a struct
}

// ErrSchemaType is the error of a schema file type segql does not know.
var ErrSchemaType = errors.New("unknown column type")

// SchemaJSON renders a schema as a schema file: types are int8 … uint64,
// float32, float64, string, bool, date, timestamp (microseconds, UTC),
// list<T>, struct (with fields); other Arrow types are written as
// "unsupported:<arrow type>" and read back as binary (a type expressions
// cannot use, as in the data).
func SchemaJSON(s *arrow.Schema) ([]byte, error) {
	f := schemaFile{Columns: schemaColumns(s.Fields())}
	b, err := json.MarshalIndent(f, "", "  ")
	return append(b, '\n'), err
}

func schemaColumns(fields []arrow.Field) []schemaColumn {
	out := make([]schemaColumn, 0, len(fields))
	for _, f := range fields {
		c := schemaColumn{Name: f.Name, Type: typeName(f.Type), Nullable: f.Nullable}
		if st, ok := f.Type.(*arrow.StructType); ok {
			c.Fields = schemaColumns(st.Fields())
		}
		out = append(out, c)
	}
	return out
}

func typeName(t arrow.DataType) string {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT32, arrow.FLOAT64:
		return t.Name()
	case arrow.STRING, arrow.LARGE_STRING:
		return "string"
	case arrow.BOOL:
		return "bool"
	case arrow.DATE32, arrow.DATE64:
		return "date"
	case arrow.TIMESTAMP:
		return "timestamp"
	case arrow.DICTIONARY:
		return typeName(t.(*arrow.DictionaryType).ValueType)
	case arrow.LIST, arrow.LARGE_LIST:
		return "list<" + typeName(t.(arrow.ListLikeType).Elem()) + ">"
	case arrow.STRUCT:
		return "struct"
	}
	return "unsupported:" + t.String()
}

// ParseSchemaJSON reads a schema file.
func ParseSchemaJSON(b []byte) (*arrow.Schema, error) {
	var f schemaFile
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("not a schema file: %w", err)
	}
	if len(f.Columns) == 0 {
		return nil, errors.New("the schema file has no columns")
	}
	fields, err := schemaFields(f.Columns)
	if err != nil {
		return nil, err
	}
	s := arrow.NewSchema(fields, nil)
	return s, uniqueNames(s)
}

func schemaFields(cols []schemaColumn) ([]arrow.Field, error) {
	out := make([]arrow.Field, 0, len(cols))
	for _, c := range cols {
		t, err := parseTypeName(c)
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", c.Name, err)
		}
		out = append(out, arrow.Field{Name: c.Name, Type: t, Nullable: c.Nullable})
	}
	return out, nil
}

func parseTypeName(c schemaColumn) (arrow.DataType, error) {
	name := c.Type
	if strings.HasPrefix(name, "list<") && strings.HasSuffix(name, ">") {
		elem, err := parseTypeName(schemaColumn{Type: name[5 : len(name)-1]})
		if err != nil {
			return nil, err
		}
		return arrow.ListOf(elem), nil
	}
	if strings.HasPrefix(name, "unsupported:") {
		return arrow.BinaryTypes.Binary, nil
	}
	switch name {
	case "int8":
		return arrow.PrimitiveTypes.Int8, nil
	case "int16":
		return arrow.PrimitiveTypes.Int16, nil
	case "int32":
		return arrow.PrimitiveTypes.Int32, nil
	case "int64":
		return arrow.PrimitiveTypes.Int64, nil
	case "uint8":
		return arrow.PrimitiveTypes.Uint8, nil
	case "uint16":
		return arrow.PrimitiveTypes.Uint16, nil
	case "uint32":
		return arrow.PrimitiveTypes.Uint32, nil
	case "uint64":
		return arrow.PrimitiveTypes.Uint64, nil
	case "float32":
		return arrow.PrimitiveTypes.Float32, nil
	case "float64":
		return arrow.PrimitiveTypes.Float64, nil
	case "string":
		return arrow.BinaryTypes.String, nil
	case "bool":
		return arrow.FixedWidthTypes.Boolean, nil
	case "date":
		return arrow.FixedWidthTypes.Date32, nil
	case "timestamp":
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, nil
	case "struct":
		fields, err := schemaFields(c.Fields)
		if err != nil {
			return nil, err
		}
		return arrow.StructOf(fields...), nil
	}
	return nil, fmt.Errorf("%w %q (int8…uint64, float32, float64, string, bool, date, timestamp, list<T>, struct)", ErrSchemaType, name)
}
