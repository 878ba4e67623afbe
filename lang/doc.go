// Package lang is the front end of segql: it turns segment source text into a
// typed, checked syntax tree and prints trees back in one canonical form.
//
// The stages are separate packages, each callable and testable on its own:
//
//	diag     byte-offset spans, diagnostics, caret rendering, "did you mean"
//	ast      the sealed syntax tree (expressions and .seg files)
//	syntax   the lexer and the participle grammar, lowered into ast
//	printer  the canonical formatter (idempotent, comment-preserving for files)
//	check    types, the Schema interface and the type checker
//
// lang imports only the standard library and participle: it never sees Arrow
// or the engine. The engine adapts its table schemas to check.Schema.
package lang
