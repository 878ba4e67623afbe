package syntax

// Limits bound what the parser accepts, so hostile input is rejected in
// bounded time and memory instead of exhausting the stack or the heap.
// The zero value of a field means "use the default".
type Limits struct {
	// MaxSource is the longest source text in bytes. Default 1 MiB.
	MaxSource int
	// MaxDepth is the deepest nesting of parentheses and prefix operators
	// (`not`, unary minus). Default 256. It is checked on the token stream
	// before the recursive parser runs.
	MaxDepth int
	// MaxNodes is the most syntax nodes one expression may have, list items
	// of `in` and `contains` excluded. Default 10,000.
	MaxNodes int
	// MaxList is the most items an `in (…)` or `contains any/all (…)` list
	// may have. Default 100,000.
	MaxList int
}

// Default limits.
const (
	DefaultMaxSource = 1 << 20
	DefaultMaxDepth  = 256
	DefaultMaxNodes  = 10_000
	DefaultMaxList   = 100_000
)

// withDefaults fills zero fields with the defaults.
func (l Limits) withDefaults() Limits {
	if l.MaxSource <= 0 {
		l.MaxSource = DefaultMaxSource
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	if l.MaxNodes <= 0 {
		l.MaxNodes = DefaultMaxNodes
	}
	if l.MaxList <= 0 {
		l.MaxList = DefaultMaxList
	}
	return l
}

// maxTokens bounds the token stream before parsing: generous enough for any
// expression within the node and list limits.
func (l Limits) maxTokens() int { return 4*l.MaxNodes + 2*l.MaxList + 16 }
