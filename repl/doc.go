// Package repl is segql's interactive shell for analysts.
//
// All behaviour lives in Session, a pure state machine: Execute takes one
// statement (an expression, `segment NAME = EXPR` or a dot command) and
// returns the text to show, so it is unit-tested without a terminal. The
// terminal loop (terminal.go, the only file that imports liner) and the
// script loop for pipes (script.go) are thin drivers around it.
package repl
