// Package memo computes values once per key, for caches shared by
// concurrent readers.
package memo

import "sync"

// Cache computes a value per key once. It is safe for concurrent use:
// concurrent first callers of a key wait for one build, and a failed build
// is remembered like a successful one.
type Cache[K comparable, T any] struct {
	mu      sync.Mutex
	entries map[K]*cacheEntry[T]
}

type cacheEntry[T any] struct {
	once sync.Once
	v    T
	err  error
}

// Get returns the value for key, building it with build on first use.
func (c *Cache[K, T]) Get(key K, build func() (T, error)) (T, error) {
	c.mu.Lock()
	if c.entries == nil {
		c.entries = map[K]*cacheEntry[T]{}
	}
	ent := c.entries[key]
	if ent == nil {
		ent = &cacheEntry[T]{}
		c.entries[key] = ent
	}
	c.mu.Unlock()
	ent.once.Do(func() { ent.v, ent.err = build() })
	return ent.v, ent.err
}
