// Package codesize holds no code, only tests: TestFunctionLength fails
// when a non-test function of the module is longer than maxLines lines,
// unless its body is a data literal (a function that only returns a
// composite literal) or it is on a short allow-list with a reason. Long
// functions with closures sharing locals read better as a type with one
// method per step; vocabularies and tables belong in data files.
// TestCommandSize keeps cmd/osler, the command layer, under 3,500 lines.
//
//	go test ./internal/codesize -v
//
// lists every function over the limit as "path:func lines".
package codesize
