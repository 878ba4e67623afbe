package kernels

import "sync"

// Calendar fields of the days most data holds come from a table instead
// of civil arithmetic: days from 1900-01-01 to 2199-12-31 (about 110,000
// entries, 330 KB), built once on first use. Days outside it are computed.
const (
	calendarFirst = -25567 // 1900-01-01, in days since 1970-01-01
	calendarDays  = 109572 // through 2199-12-31
)

var (
	calendarOnce   sync.Once
	calendarYears  []int16
	calendarMonths []uint8
)

func calendar() {
	calendarOnce.Do(func() {
		calendarYears = make([]int16, calendarDays)
		calendarMonths = make([]uint8, calendarDays)
		for i := range calendarDays {
			y, m, _ := CivilFromDays(int64(calendarFirst + i))
			calendarYears[i], calendarMonths[i] = int16(y), uint8(m)
		}
	})
}

// DayOf is the day (since 1970-01-01, UTC) of a time in microseconds.
func DayOf(us int64) int64 { return FloorDiv(us, DayMicros) }

// YearsOf writes the calendar year of each selected time.
func YearsOf(out, times []int64, sel Sel) {
	calendar()
	each := func(i int) {
		d := DayOf(times[i])
		if j := d - calendarFirst; uint64(j) < calendarDays {
			out[i] = int64(calendarYears[j])
			return
		}
		out[i], _, _ = CivilFromDays(d)
	}
	if !sel.Dense(len(times), 4) {
		sel.Each(len(times), each)
		return
	}
	years := calendarYears[:calendarDays]
	for i, t := range times {
		d := DayOf(t)
		if j := d - calendarFirst; uint64(j) < calendarDays {
			out[i] = int64(years[j])
			continue
		}
		out[i], _, _ = CivilFromDays(d)
	}
}

// MonthsOf writes the month (1–12) of each selected time.
func MonthsOf(out, times []int64, sel Sel) {
	calendar()
	each := func(i int) {
		d := DayOf(times[i])
		if j := d - calendarFirst; uint64(j) < calendarDays {
			out[i] = int64(calendarMonths[j])
			return
		}
		_, out[i], _ = CivilFromDays(d)
	}
	if !sel.Dense(len(times), 4) {
		sel.Each(len(times), each)
		return
	}
	months := calendarMonths[:calendarDays]
	for i, t := range times {
		d := DayOf(t)
		if j := d - calendarFirst; uint64(j) < calendarDays {
			out[i] = int64(months[j])
			continue
		}
		_, out[i], _ = CivilFromDays(d)
	}
}

// WeekdaysOf writes the ISO day of week (1 = Monday) of each selected time.
func WeekdaysOf(out, times []int64, sel Sel) {
	if !sel.Dense(len(times), 4) {
		sel.Each(len(times), func(i int) { out[i] = DayOfWeek(DayOf(times[i])) })
		return
	}
	for i, t := range times {
		out[i] = DayOfWeek(DayOf(t))
	}
}
