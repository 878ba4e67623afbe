package engine

// keepErrors makes a run record each row's evaluation error (in the
// result's errs) instead of failing, so tests compare failed rows one by
// one with the row evaluator.
func keepErrors() RunOption { return func(o *runOptions) { o.keepErrors = true } }

// failed reports whether row i (of the whole table) failed in a keepErrors run.
func (r *Result) failed(row int64) bool {
	b, i := r.table.Locate(row)
	return r.errs[b] != nil && r.errs[b][i>>6]&(1<<uint(i&63)) != 0
}
