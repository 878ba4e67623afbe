package engine

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/lang/check"
)

// arrowSchema adapts an Arrow schema to check.Schema.
type arrowSchema struct {
	cols  []check.Column
	index map[string]int
}

func newArrowSchema(s *arrow.Schema) *arrowSchema {
	a := &arrowSchema{index: make(map[string]int, s.NumFields())}
	for i, f := range s.Fields() {
		note, _ := f.Metadata.GetValue(columnar.NoteKey)
		a.cols = append(a.cols, check.Column{Name: f.Name, Type: TypeOf(f.Type), Nullable: f.Nullable, Note: note})
		if _, dup := a.index[f.Name]; !dup {
			a.index[f.Name] = i
		}
	}
	return a
}

func (a *arrowSchema) Column(name string) (check.Column, bool) {
	i, ok := a.index[name]
	if !ok {
		return check.Column{}, false
	}
	return a.cols[i], true
}

func (a *arrowSchema) Columns() []check.Column { return a.cols }

// TypeOf maps an Arrow type to a segql type; types segql cannot evaluate
// map to check.Unsupported (an error only when an expression uses them).
func TypeOf(t arrow.DataType) *check.Type {
	switch t.ID() {
	case arrow.BOOL:
		return check.TBool
	case arrow.INT8:
		return check.Basic(check.Int8)
	case arrow.INT16:
		return check.Basic(check.Int16)
	case arrow.INT32:
		return check.Basic(check.Int32)
	case arrow.INT64:
		return check.TInt64
	case arrow.UINT8:
		return check.Basic(check.Uint8)
	case arrow.UINT16:
		return check.Basic(check.Uint16)
	case arrow.UINT32:
		return check.Basic(check.Uint32)
	case arrow.UINT64:
		return check.Basic(check.Uint64)
	case arrow.FLOAT32:
		return check.Basic(check.Float32)
	case arrow.FLOAT64:
		return check.TFloat64
	case arrow.STRING, arrow.LARGE_STRING:
		return check.TString
	case arrow.DICTIONARY:
		if v := t.(*arrow.DictionaryType).ValueType.ID(); v == arrow.STRING || v == arrow.LARGE_STRING {
			return check.TString
		}
	case arrow.DATE32, arrow.DATE64:
		return check.TDate
	case arrow.TIMESTAMP:
		return check.TTimestamp
	case arrow.LIST, arrow.LARGE_LIST:
		return check.ListOf(TypeOf(t.(arrow.ListLikeType).Elem()))
	case arrow.STRUCT:
		st := t.(*arrow.StructType)
		fields := make([]check.Field, st.NumFields())
		for i, f := range st.Fields() {
			fields[i] = check.Field{Name: f.Name, Type: TypeOf(f.Type)}
		}
		return &check.Type{Kind: check.Struct, Fields: fields}
	}
	return &check.Type{Kind: check.Unsupported, Name: t.String()}
}
