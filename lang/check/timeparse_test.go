package check

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseTimeForms(t *testing.T) {
	at := func(s string) int64 {
		tm, err := time.Parse(time.RFC3339Nano, s)
		require.NoError(t, err)
		return tm.UnixMicro()
	}
	for _, c := range []struct {
		in   string
		want string
	}{
		{"2019-01-01", "2019-01-01T00:00:00Z"},
		{"20190101", "2019-01-01T00:00:00Z"},
		{"2019-01-01T10:20", "2019-01-01T10:20:00Z"},
		{"2019-01-01 10:20:30", "2019-01-01T10:20:30Z"},
		{"2019-01-01T10:20:30Z", "2019-01-01T10:20:30Z"},
		{"2019-01-01T10:20:30+00", "2019-01-01T10:20:30Z"},
		{"2019-01-01T10:20:30+0000", "2019-01-01T10:20:30Z"},
		{"2019-01-01T10:20:30+02:00", "2019-01-01T08:20:30Z"},
		{"2019-01-01T10:20:30-0530", "2019-01-01T15:50:30Z"},
		{"2019-01-01 10:20:30 +02", "2019-01-01T08:20:30Z"},
		{"20190101T102030Z", "2019-01-01T10:20:30Z"},
		{"20190101T1020", "2019-01-01T10:20:00Z"},
		{"2019-01-01T10:20:30.5", "2019-01-01T10:20:30.5Z"},
		{"2019-01-01T10:20:30,123456789Z", "2019-01-01T10:20:30.123456Z"},
		{"2024-02-29", "2024-02-29T00:00:00Z"},
		{" 2019-01-01 ", "2019-01-01T00:00:00Z"},
	} {
		got, ok := ParseTime(c.in)
		require.True(t, ok, c.in)
		require.Equal(t, at(c.want), got, c.in)
	}
	for _, bad := range []string{"", "2019", "2019-1-1", "2019-13-01", "2023-02-29", "2019-01-32", "2019-01-01T24:00",
		"2019-01-01T10:60", "2019-01-01T10:20:61", "2019-01-01T10:20:30+24", "2019-01-01T10:20:30+02:60",
		"2019-01-01T10:20:30.", "2019-01-01T10:20:30.1234567890", "2019-01-01X10:20", "2019-0101", "201901-01",
		"2019-01-01T10:20:30Zjunk", "2019-01-01T", "2019-01-01T10", "2019-01-01  10:20", "x2019-01-01", "2019-01-01T10:20:30+2"} {
		_, ok := ParseTime(bad)
		require.False(t, ok, "%q", bad)
	}
}

// TestParseTimeGenerated formats random instants in every accepted form
// (extended or basic, T or space, Z or numeric offsets of each shape,
// fractions of 0–9 digits) and reads them back.
func TestParseTimeGenerated(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	for range 5000 {
		utc := time.Unix(r.Int64N(253402300799-(-62135596800))+(-62135596800), r.Int64N(1e9)).UTC()
		offMin := (r.IntN(24*60*2-1) - (24*60 - 1))
		zone := time.FixedZone("", offMin*60)
		local := utc.In(zone)
		dateLayout := []string{"2006-01-02", "20060102"}[r.IntN(2)]
		sep := []string{"T", " "}[r.IntN(2)]
		clock := []string{"15:04:05", "150405"}[r.IntN(2)]
		digits := r.IntN(10)
		frac := ""
		if digits > 0 {
			frac = "." + fmt.Sprintf("%09d", local.Nanosecond())[:digits]
		}
		var off string
		sign, a := '+', offMin
		if a < 0 {
			sign, a = '-', -a
		}
		switch r.IntN(4) {
		case 0:
			if offMin != 0 {
				off = fmt.Sprintf("%c%02d:%02d", sign, a/60, a%60)
			} else {
				off = "Z"
			}
		case 1:
			off = fmt.Sprintf("%c%02d%02d", sign, a/60, a%60)
		case 2:
			off = fmt.Sprintf("%c%02d:%02d", sign, a/60, a%60)
		default:
			if a%60 == 0 {
				off = fmt.Sprintf("%c%02d", sign, a/60)
			} else {
				off = fmt.Sprintf("%c%02d%02d", sign, a/60, a%60)
			}
		}
		s := local.Format(dateLayout) + sep + local.Format(clock) + frac + off
		got, ok := ParseTime(s)
		require.True(t, ok, s)
		want := local.Truncate(time.Second).Add(time.Duration(fracMicros(frac)) * time.Microsecond).UnixMicro()
		require.Equal(t, want, got, s)
	}
}

func fracMicros(frac string) int64 {
	if frac == "" {
		return 0
	}
	d := (frac[1:] + "000000")[:6]
	var v int64
	for _, c := range d {
		v = v*10 + int64(c-'0')
	}
	return v
}
