package funcs

import (
	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/stats"
	"github.com/segql/segql/engine/internal/value"
)

// Functions of the whole table (ranks) and of experiments (buckets).

func init() {
	bucket := &Func{Name: "bucket", Result: value.KInt, Cost: 40,
		Scalar: func(a []value.Value, p *Param, _ *Env) (value.Value, error) {
			return value.Int(BucketOf(p.Salt, a[0])), nil
		},
		Vector: bucketVector}
	one(bucket)
	one(&Func{Name: "sample", Result: value.KBool, Special: true,
		Scalar: func(a []value.Value, p *Param, _ *Env) (value.Value, error) {
			return value.Bool(float64(BucketOf(p.Salt, a[0])) < a[1].AsFloat()*kernels.BucketCount), nil
		}})
	one(&Func{Name: "percent_rank", Result: value.KFloat, Cost: 1, Special: true,
		Scalar: func(a []value.Value, p *Param, _ *Env) (value.Value, error) {
			return value.Float(stats.PercentRank(p.Rank.RankOf(a[0]), p.Rank.N)), nil
		},
		Vector: rankVector})
	for _, name := range []string{"ntile", "r_score", "f_score", "m_score"} {
		one(&Func{Name: name, Result: value.KInt, Cost: 1, Special: true,
			Scalar: func(a []value.Value, p *Param, _ *Env) (value.Value, error) {
				return value.Int(p.TileOf(p.Rank.RankOf(a[0]))), nil
			},
			Vector: rankVector})
	}
	one(&Func{Name: "coalesce", Special: true, Cost: 1,
		Scalar: func(a []value.Value, _ *Param, _ *Env) (value.Value, error) {
			for _, v := range a {
				if !v.Null {
					return v, nil
				}
			}
			return value.Value{Null: true}, nil
		}})
}

// BucketOf is bucket() of one non-null id (an integer or a string); salt
// is the salt followed by ":".
func BucketOf(salt string, x value.Value) int64 {
	if x.K == value.KStr {
		b, _ := kernels.BucketHash(salt, x.S, nil)
		return b
	}
	b, _, _ := kernels.BucketInt(salt, x.I, nil, nil)
	return b
}

// bucketVector hashes every selected row's id into reused scratch.
func bucketVector(out *kernels.Vec, a []*kernels.Vec, p *Param, sel kernels.Sel, _ *Env) {
	x, res := a[0], out.OwnInts()
	buf, num := out.OwnB[:0], make([]byte, 0, 24)
	sel.Each(out.N, func(i int) {
		if !out.IsValid(i) {
			return
		}
		if x.K == value.KStr {
			res[i], buf = kernels.BucketHash(p.Salt, x.Str.At(i), buf)
		} else {
			res[i], num, buf = kernels.BucketInt(p.Salt, x.I64[i], num, buf)
		}
	})
	out.OwnB = buf
}

// TileOf is an integer rank function's result for a rank: ntile and the
// scores (r_score over a number counts from the top).
func (p *Param) TileOf(rank int64) int64 {
	t := stats.Ntile(rank, p.Rank.N, p.Tiles)
	if p.Invert {
		return p.Tiles + 1 - t
	}
	return t
}

// rankVector reads the precomputed ranks of the batch's rows (the
// argument's values are not needed): env.RowOffset is the batch's first
// row in the table the ranking was built over.
func rankVector(out *kernels.Vec, _ []*kernels.Vec, p *Param, _ kernels.Sel, env *Env) {
	ranks := p.Rank.Rows[env.RowOffset : env.RowOffset+int64(out.N)]
	valid := out.NewValid()
	nulls := false
	if out.K == value.KFloat {
		res := out.OwnFloats()
		for i, rk := range ranks {
			if rk < 0 {
				kernels.ClearBit(valid, i)
				res[i], nulls = 0, true
				continue
			}
			res[i] = stats.PercentRank(int64(rk), p.Rank.N)
		}
	} else {
		res := out.OwnInts()
		for i, rk := range ranks {
			if rk < 0 {
				kernels.ClearBit(valid, i)
				res[i], nulls = 0, true
				continue
			}
			res[i] = p.TileOf(int64(rk))
		}
	}
	if !nulls {
		out.Valid = nil
	}
}
