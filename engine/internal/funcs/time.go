package funcs

import (
	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/value"
)

func init() {
	one(&Func{Name: "now", Result: value.KTime, Special: true,
		Scalar: func(_ []value.Value, _ *Param, env *Env) (value.Value, error) { return value.Time(env.Now), nil }})
	one(&Func{Name: "days_since", Result: value.KInt, Cost: 1,
		Scalar: func(a []value.Value, _ *Param, env *Env) (value.Value, error) {
			d, ok := kernels.DaysSince(env.Now, a[0].I)
			if !ok {
				return value.Value{}, value.ErrOverflow
			}
			return value.Int(d), nil
		},
		Vector: func(out *kernels.Vec, a []*kernels.Vec, _ *Param, sel kernels.Sel, env *Env) {
			res, x, now := out.OwnInts(), a[0].I64, env.Now
			overflow := false
			for i, t := range x {
				d, ok := kernels.DaysSince(now, t)
				res[i] = d
				overflow = overflow || !ok
			}
			if overflow {
				failWhere(out, sel, func(i int) bool { _, ok := kernels.DaysSince(now, x[i]); return !ok }, value.ErrOverflow)
			}
		}})
	one(datePart("year", kernels.Year, kernels.YearsOf))
	one(datePart("month", kernels.Month, kernels.MonthsOf))
	one(datePart("day_of_week", kernels.ISODOW, kernels.WeekdaysOf))
}

// datePart is a calendar field of a time, in UTC: from a table of days
// for the usual centuries, by civil arithmetic beyond (no time.Time per
// row).
func datePart(name string, scalar func(us int64) int64, vector func(out, times []int64, sel kernels.Sel)) *Func {
	return &Func{Name: name, Result: value.KInt, Cost: 1.5,
		Scalar: func(a []value.Value, _ *Param, _ *Env) (value.Value, error) { return value.Int(scalar(a[0].I)), nil },
		Vector: func(out *kernels.Vec, a []*kernels.Vec, _ *Param, sel kernels.Sel, _ *Env) {
			vector(out.OwnInts(), a[0].I64[:out.N], sel)
		}}
}
