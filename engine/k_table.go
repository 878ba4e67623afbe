package engine

import (
	"crypto/md5"
	"encoding/binary"
	"strconv"
)

// Kernels of the distribution and experiment functions.

// bucketCount is the number of experiment buckets: bucket() is in
// [0, bucketCount).
const bucketCount = 10000

// bucketHash is bucket(id, salt) for the id's text: the first 8 hex digits
// of md5(salt || ':' || id) read as an integer, mod 10000. prefix is
// salt+":"; buf is scratch and is returned grown, so callers reuse it.
func bucketHash[B string | []byte](prefix string, id B, buf []byte) (int64, []byte) {
	buf = append(append(buf[:0], prefix...), id...)
	sum := md5.Sum(buf)
	return int64(binary.BigEndian.Uint32(sum[:4]) % bucketCount), buf
}

// bucketValue is bucket() for one value (an integer or a string id).
func bucketValue(salt string, x Value) int64 {
	var id []byte
	if x.K == kStr {
		id = []byte(x.S)
	} else {
		id = strconv.AppendInt(nil, x.I, 10)
	}
	b, _ := bucketHash(salt+":", id, nil)
	return b
}

// bucketFunc hashes every row's id; integer ids are formatted in decimal
// into reused scratch, so the loop does not allocate.
func bucketFunc(n *node, arg evalFn, s int) evalFn {
	prefix := n.salt + ":"
	return func(c *ectx) *vec {
		a := arg(c)
		v := c.out(s, kInt)
		if a.c {
			v.c, v.cv = true, null(kInt)
			if !a.cv.Null {
				v.cv = intVal(bucketValue(n.salt, a.cv))
			}
			return v
		}
		v.valid = a.valid
		out := v.ownInts()
		buf, num := v.ownB[:0], make([]byte, 0, 24)
		for i := range out {
			if !a.isValid(i) {
				out[i] = 0
				continue
			}
			var id []byte
			if a.k == kStr {
				id = a.str.at(i)
			} else {
				num = strconv.AppendInt(num[:0], a.i64[i], 10)
				id = num
			}
			out[i], buf = bucketHash(prefix, id, buf)
		}
		v.ownB = buf
		return v
	}
}

// rankFunc reads the precomputed ranks of the argument column's rows in
// this batch; the argument's values are not needed.
func rankFunc(n *node, tbl interface{ BatchOffset(int) int64 }, s int) evalFn {
	r := n.rank
	tile, pct := n.tileOf, func(rank int64) float64 { return percentRank(rank, r.n) }
	return func(c *ectx) *vec {
		v := c.out(s, n.k)
		base := tbl.BatchOffset(c.batch)
		ranks := r.rows[base : base+int64(c.n)]
		valid := v.ownValid()
		var nulls bool
		if n.k == kFloat {
			nulls = fillRanks(v.ownFloats(), valid, ranks, pct)
		} else {
			nulls = fillRanks(v.ownInts(), valid, ranks, tile)
		}
		if !nulls {
			v.valid = nil
		}
		return v
	}
}

// fillRanks writes f(rank) for every row, clearing the validity of rows
// whose rank is -1 (null); it reports whether there were any.
func fillRanks[T int64 | float64](out []T, valid []uint64, ranks []int32, f func(int64) T) (nulls bool) {
	for i, rk := range ranks {
		if rk < 0 {
			clearBit(valid, i)
			out[i], nulls = 0, true
			continue
		}
		out[i] = f(int64(rk))
	}
	return nulls
}
