package check

import (
	"strings"
	"time"
)

// ParseTime reads an ISO-8601 date or timestamp and returns microseconds
// since the Unix epoch. It accepts
//
//	date      YYYY-MM-DD or YYYYMMDD
//	time      hh:mm[:ss[.f]] after a date in extended form, hhmm[ss[.f]] or
//	          hh:mm[:ss[.f]] after one in basic form; after "T" or one space;
//	          the fraction has 1–9 digits after "." or "," (beyond
//	          microseconds it is rounded down)
//	offset    Z, ±hh, ±hhmm or ±hh:mm, right after the time (or one space
//	          before it); without one the time is UTC
//
// Every field is range-checked (2024-02-30 and 25:00 are refused).
func ParseTime(s string) (int64, bool) {
	p := isoParser{s: strings.TrimSpace(s)}
	t, ok := p.parse()
	if !ok {
		return 0, false
	}
	return t, true
}

// isoParser reads an ISO-8601 text left to right.
type isoParser struct {
	s string
	i int
}

// digits reads exactly n digits.
func (p *isoParser) digits(n int) (int, bool) {
	if p.i+n > len(p.s) {
		return 0, false
	}
	v := 0
	for _, c := range []byte(p.s[p.i : p.i+n]) {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	p.i += n
	return v, true
}

// byte consumes c if it is next.
func (p *isoParser) byte(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *isoParser) done() bool { return p.i == len(p.s) }

func (p *isoParser) parse() (int64, bool) {
	y, ok := p.digits(4)
	if !ok {
		return 0, false
	}
	extended := p.byte('-')
	mo, ok1 := p.digits(2)
	if extended && !p.byte('-') {
		return 0, false
	}
	d, ok2 := p.digits(2)
	if !ok1 || !ok2 || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) {
		return 0, false
	}
	date := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
	if p.done() {
		return date.UnixMicro(), true
	}
	if !p.byte('T') && !p.byte(' ') {
		return 0, false
	}
	clock, ok := p.clock()
	if !ok {
		return 0, false
	}
	offset, ok := p.offset()
	if !ok || !p.done() {
		return 0, false
	}
	return date.UnixMicro() + clock - offset, true
}

// clock reads hh:mm[:ss[.f]] or hhmm[ss[.f]] and returns microseconds
// since midnight.
func (p *isoParser) clock() (int64, bool) {
	h, ok := p.digits(2)
	if !ok || h > 23 {
		return 0, false
	}
	colon := p.byte(':')
	m, ok := p.digits(2)
	if !ok || m > 59 {
		return 0, false
	}
	sec := 0
	if (colon && p.byte(':')) || (!colon && p.i < len(p.s) && isDigit(p.s[p.i])) {
		if sec, ok = p.digits(2); !ok || sec > 59 {
			return 0, false
		}
		if p.byte('.') || p.byte(',') {
			start := p.i
			for p.i < len(p.s) && isDigit(p.s[p.i]) {
				p.i++
			}
			frac := p.s[start:p.i]
			if len(frac) == 0 || len(frac) > 9 {
				return 0, false
			}
			us := 0
			for k := 0; k < 6; k++ {
				us *= 10
				if k < len(frac) {
					us += int(frac[k] - '0')
				}
			}
			return int64(h*3600+m*60+sec)*1e6 + int64(us), true
		}
	}
	return int64(h*3600+m*60+sec) * 1e6, true
}

// offset reads Z, ±hh, ±hhmm or ±hh:mm (optionally after one space) and
// returns it in microseconds east of UTC; none is 0.
func (p *isoParser) offset() (int64, bool) {
	if p.done() {
		return 0, true
	}
	if p.s[p.i] == ' ' && p.i+1 < len(p.s) && strings.IndexByte("Z+-", p.s[p.i+1]) >= 0 {
		p.i++
	}
	if p.byte('Z') {
		return 0, true
	}
	sign := int64(1)
	switch {
	case p.byte('+'):
	case p.byte('-'):
		sign = -1
	default:
		return 0, false
	}
	h, ok := p.digits(2)
	if !ok || h > 23 {
		return 0, false
	}
	m := 0
	if p.byte(':') || (p.i < len(p.s) && isDigit(p.s[p.i])) {
		if m, ok = p.digits(2); !ok || m > 59 {
			return 0, false
		}
	}
	return sign * int64(h*3600+m*60) * 1e6, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// daysIn is the number of days of month m of year y.
func daysIn(y, m int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
