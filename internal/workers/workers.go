// Package workers runs indexed work items in parallel on segql's one
// worker pool shape: a fixed number of goroutines (GOMAXPROCS by default)
// pull item indexes from a shared counter, the context is checked before
// every item, the first error stops the rest, and a panic in any item is
// recovered and returned as an error (or re-raised in the caller by Each),
// so no goroutine can crash the process.
package workers

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// PanicError is a panic recovered in a work item.
type PanicError struct {
	Value any
	Stack []byte
}

func (p *PanicError) Error() string { return fmt.Sprintf("internal error: %v", p.Value) }

// Run calls f(worker, item) for items 0…n-1 on up to workers goroutines
// (GOMAXPROCS when workers <= 0); worker is in [0, workers) and lets f use
// per-goroutine state. It returns the first error (ctx.Err() when the
// context ends first, a *PanicError for a panic), after every goroutine
// has stopped.
func Run(ctx context.Context, n, workers int, f func(worker, item int) error) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, n))
	var next atomic.Int64
	var once sync.Once
	var first error
	fail := func(err error) {
		once.Do(func() { first = err })
		next.Store(int64(n)) // no new items
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if r := recover(); r != nil {
					fail(&PanicError{Value: r, Stack: debug.Stack()})
				}
			}()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := ctx.Err(); err != nil {
					fail(err)
					return
				}
				if err := f(w, i); err != nil {
					fail(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

// Each calls f for items 0…n-1 on GOMAXPROCS goroutines and waits. A
// panic in f is re-raised in the caller's goroutine, where the API
// boundary's recover turns it into an error.
func Each(n int, f func(item int)) {
	err := Run(context.Background(), n, 0, func(_, i int) error { f(i); return nil })
	if p, ok := err.(*PanicError); ok {
		panic(p.Value)
	}
}

// Default is the number of goroutines Run uses by default: GOMAXPROCS.
func Default() int { return runtime.GOMAXPROCS(0) }
