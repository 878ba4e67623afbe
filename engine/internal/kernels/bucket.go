package kernels

import (
	"crypto/md5"
	"encoding/binary"
	"strconv"
)

// BucketCount is the number of experiment buckets: bucket() is in
// [0, BucketCount).
const BucketCount = 10000

// BucketHash is bucket(id, salt) for the id's text: the first 8 hex
// digits of md5(salt || ':' || id) read as an integer, mod 10000. prefix
// is salt+":"; buf is scratch, returned grown so callers reuse it.
func BucketHash[B string | []byte](prefix string, id B, buf []byte) (int64, []byte) {
	buf = append(append(buf[:0], prefix...), id...)
	sum := md5.Sum(buf)
	return int64(binary.BigEndian.Uint32(sum[:4]) % BucketCount), buf
}

// BucketInt is bucket() of an integer id (written in decimal).
func BucketInt(prefix string, id int64, num, buf []byte) (int64, []byte, []byte) {
	num = strconv.AppendInt(num[:0], id, 10)
	b, buf := BucketHash(prefix, num, buf)
	return b, num, buf
}
