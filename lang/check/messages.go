package check

// Message texts of the checker, kept in one place: lower-case, names quoted.
const (
	msgUnknownColumn   = "unknown column %s"
	msgUnknownName     = "unknown name %s: neither a column nor a segment"
	msgUnknownField    = "struct column %s has no field %s"
	msgNotStruct       = "column %s is %s, not a struct: it has no field %s"
	msgUnsupportedType = "column %s has type %s, which segql cannot evaluate"
	msgUnknownFunc     = "unknown function %s"
	msgArgCount        = "%s takes %s, got %d"
	msgArgType         = "%s: argument %d must be %s, got %s"
	msgNotBool         = "%s needs a boolean operand, got %s"
	msgMismatch        = "mismatched types %s and %s in %s"
	msgNullCompare     = "comparison with null is always unknown"
	msgNullCompareHint = "use %s instead"
	msgNotInNull       = "not in with a null in the list can never be true"
	msgNotInNullHint   = "remove null from the list, or test \"is null\" separately"
	msgArith           = "operator %s is not defined for %s and %s"
	msgNeg             = "unary minus is not defined for %s"
	msgBadTime         = "cannot read %s as a %s (use ISO-8601, for example \"2024-01-31\" or \"2024-01-31T10:00:00Z\")"
	msgNeedString      = "%s needs a string, got %s"
	msgNeedConstString = "%s pattern must be a constant string"
	msgBadRegexp       = "invalid regular expression: %s"
	msgContainsType    = "contains needs a list or a string on the left, got %s"
	msgWithinTime      = "within needs a date or timestamp on the left, got %s"
	msgWithinDur       = "within needs a duration on the right (for example 30d), got %s"
	msgEmptyRange      = "between %s and %s is an empty range: the lower bound is above the upper"
	msgNotComparable   = "values of type %s cannot be compared"
	msgListCompareHint = "use \"contains\" to test list elements"
	msgNullType        = "expression is always null"
)

// Messages about definition sets.
const (
	msgDuplicate           = "segment %s is defined twice"
	msgSegmentIsColumn     = "segment %s has the name of a column"
	msgSegmentIsColumnHint = "a column takes precedence in expressions: rename the segment"
)
