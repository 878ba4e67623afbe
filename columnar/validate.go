package columnar

import (
	"encoding/binary"
	"fmt"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Arrow's full validation checks a string array's values for UTF-8 one
// string at a time: a fifth of scanning a column of short strings. segql
// validates string columns (top-level, list elements, dictionary values)
// as binary, which checks every offset and null count alike, and then
// checks their bytes for UTF-8 at once: a column whose bytes are all
// ASCII (most are) needs one pass over them; the others are checked
// string by string, as Arrow does.

// validateFull is array.ValidateFull, with string values checked for
// UTF-8 as above.
func validateFull(c arrow.Array) error {
	asBinary, strs, ok := binaryView(c.Data())
	if !ok {
		return array.ValidateFull(c)
	}
	defer asBinary.Release()
	view := array.MakeFromData(asBinary)
	defer view.Release()
	if err := array.ValidateFull(view); err != nil {
		return err
	}
	for _, s := range strs {
		if err := checkUTF8(s); err != nil {
			return err
		}
	}
	return nil
}

// binaryView returns d with its string types replaced by binary ones
// (sharing its buffers), and the string arrays' data within it (as
// binary); ok is false for a type without strings, or one nesting them
// other than as list elements or dictionary values.
func binaryView(d arrow.ArrayData) (view arrow.ArrayData, strs []arrow.ArrayData, ok bool) {
	switch t := d.DataType().(type) {
	case *arrow.StringType:
		v := array.NewData(arrow.BinaryTypes.Binary, d.Len(), d.Buffers(), nil, d.NullN(), d.Offset())
		return v, []arrow.ArrayData{v}, true
	case *arrow.ListType:
		if len(d.Children()) != 1 {
			return nil, nil, false
		}
		child, strs, ok := binaryView(d.Children()[0])
		if !ok {
			return nil, nil, false
		}
		defer child.Release()
		elem := t.ElemField()
		elem.Type = child.DataType()
		v := array.NewData(arrow.ListOfField(elem), d.Len(), d.Buffers(), []arrow.ArrayData{child}, d.NullN(), d.Offset())
		return v, strs, true
	case *arrow.DictionaryType:
		if d.Dictionary() == nil {
			return nil, nil, false
		}
		dict, strs, ok := binaryView(d.Dictionary())
		if !ok {
			return nil, nil, false
		}
		defer dict.Release()
		v := array.NewData(&arrow.DictionaryType{IndexType: t.IndexType, ValueType: dict.DataType(), Ordered: t.Ordered}, d.Len(), d.Buffers(), nil, d.NullN(), d.Offset())
		v.SetDictionary(dict)
		return v, strs, true
	}
	return nil, nil, false
}

// checkUTF8 checks the values of validated binary data for UTF-8.
func checkUTF8(d arrow.ArrayData) error {
	if d.Len() == 0 {
		return nil
	}
	b := array.NewBinaryData(d)
	defer b.Release()
	if asciiOnly(b.ValueBytes()) { // the bytes of its values, from the first to the last
		return nil
	}
	for i := 0; i < b.Len(); i++ {
		if v := b.Value(i); !utf8.Valid(v) {
			return fmt.Errorf("arrow/array: string at index %d is not valid utf8: %q", i, v)
		}
	}
	return nil
}

// asciiOnly reports whether every byte of b is below 0x80.
func asciiOnly(b []byte) bool {
	var acc uint64
	for len(b) >= 32 {
		acc |= binary.LittleEndian.Uint64(b) | binary.LittleEndian.Uint64(b[8:]) |
			binary.LittleEndian.Uint64(b[16:]) | binary.LittleEndian.Uint64(b[24:])
		b = b[32:]
	}
	for len(b) >= 8 {
		acc |= binary.LittleEndian.Uint64(b)
		b = b[8:]
	}
	for _, c := range b {
		acc |= uint64(c)
	}
	return acc&0x8080808080808080 == 0
}
