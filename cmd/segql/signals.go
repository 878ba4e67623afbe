package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// errInterrupted is the cause of a context cancelled by SIGINT or SIGTERM.
var errInterrupted = errors.New("interrupted")

// signalGrace is how long work may take to stop after a signal before the
// process exits anyway.
const signalGrace = time.Second

// signalContext returns a context cancelled (cause errInterrupted) when the
// process receives SIGINT or SIGTERM, and stop, which releases it. Work
// that honours the context stops by itself; if it has not returned within
// signalGrace of the signal, the process exits with 128 + the signal's
// number (130, 143), so a signal always ends a command within a second
// whatever it is blocked in (a FIFO with no writer, a slow disk). e.exit
// is nil in tests, which never send signals.
func (e *env) signalContext() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(e.context())
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-ch:
			cancel(fmt.Errorf("%w (%v)", errInterrupted, sig))
			if e.exit != nil {
				num := 0
				if s, ok := sig.(syscall.Signal); ok {
					num = int(s)
				}
				time.AfterFunc(signalGrace, func() {
					fmt.Fprintf(os.Stderr, "segql: %v: stopped\n", sig)
					e.exit(128 + num)
				})
			}
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(done)
		cancel(nil)
	}
}

// context is the process's base context (Background unless a test set one).
func (e *env) context() context.Context {
	if e.ctx != nil {
		return e.ctx
	}
	return context.Background()
}
