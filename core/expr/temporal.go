package expr

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Date is a FEEL date: a calendar day without time of day or zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateTime is a FEEL date and time. Local is true for a date-time written
// without an offset ("2025-01-31T10:00:00"); its wall clock is then kept in
// Time with the UTC location and it never equals or orders against a zoned
// date-time.
type DateTime struct {
	Time  time.Time
	Local bool
}

// Time is a FEEL time of day, optionally with a UTC offset.
type Time struct {
	Hour, Minute, Second, Nanosecond int
	// HasOffset reports whether Offset (seconds east of UTC) is meaningful.
	HasOffset bool
	Offset    int
}

// Duration is a FEEL days and time duration.
type Duration time.Duration

// YearsMonths is a FEEL years and months duration, counted in months.
type YearsMonths int

const nanosPerDay = int64(24 * time.Hour)

// String formats the date as ISO-8601, e.g. "2025-01-31".
func (d Date) String() string {
	var b strings.Builder
	writeYear(&b, d.Year)
	b.WriteByte('-')
	write2(&b, int(d.Month))
	b.WriteByte('-')
	write2(&b, d.Day)
	return b.String()
}

// MarshalText formats the date as ISO-8601.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// midnight returns the date at 00:00 UTC.
func (d Date) midnight() time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
}

func dateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// String formats the date-time as ISO-8601, e.g. "2025-01-31T10:00:00Z" or
// "2025-01-31T10:00:00+01:00"; a local date-time has no offset.
func (dt DateTime) String() string {
	var b strings.Builder
	b.WriteString(dateOf(dt.Time).String())
	b.WriteByte('T')
	writeClock(&b, dt.Time.Hour(), dt.Time.Minute(), dt.Time.Second(), dt.Time.Nanosecond())
	if !dt.Local {
		_, off := dt.Time.Zone()
		writeOffset(&b, off)
	}
	return b.String()
}

// MarshalText formats the date-time as ISO-8601.
func (dt DateTime) MarshalText() ([]byte, error) { return []byte(dt.String()), nil }

// String formats the time as ISO-8601, e.g. "10:00:00" or "10:00:00+01:00".
func (t Time) String() string {
	var b strings.Builder
	writeClock(&b, t.Hour, t.Minute, t.Second, t.Nanosecond)
	if t.HasOffset {
		writeOffset(&b, t.Offset)
	}
	return b.String()
}

// MarshalText formats the time as ISO-8601.
func (t Time) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

func (t Time) nanosOfDay() int64 {
	return int64(t.Hour)*int64(time.Hour) + int64(t.Minute)*int64(time.Minute) +
		int64(t.Second)*int64(time.Second) + int64(t.Nanosecond)
}

func timeFromNanos(n int64, like Time) Time {
	n %= nanosPerDay
	if n < 0 {
		n += nanosPerDay
	}
	return Time{
		Hour:       int(n / int64(time.Hour)),
		Minute:     int(n / int64(time.Minute) % 60),
		Second:     int(n / int64(time.Second) % 60),
		Nanosecond: int(n % int64(time.Second)),
		HasOffset:  like.HasOffset,
		Offset:     like.Offset,
	}
}

// String formats the duration as ISO-8601, e.g. "P2DT3H"; zero is "PT0S".
func (d Duration) String() string {
	n := int64(d)
	var b strings.Builder
	if n < 0 {
		b.WriteByte('-')
	}
	b.WriteByte('P')
	u := uint64(n)
	if n < 0 {
		u = uint64(-(n + 1)) + 1
	}
	days := u / uint64(nanosPerDay)
	rest := u % uint64(nanosPerDay)
	if days > 0 {
		b.WriteString(strconv.FormatUint(days, 10))
		b.WriteByte('D')
	}
	if rest == 0 {
		if days == 0 {
			b.WriteString("T0S")
		}
		return b.String()
	}
	b.WriteByte('T')
	h := rest / uint64(time.Hour)
	m := rest / uint64(time.Minute) % 60
	s := rest / uint64(time.Second) % 60
	ns := rest % uint64(time.Second)
	if h > 0 {
		b.WriteString(strconv.FormatUint(h, 10))
		b.WriteByte('H')
	}
	if m > 0 {
		b.WriteString(strconv.FormatUint(m, 10))
		b.WriteByte('M')
	}
	if s > 0 || ns > 0 {
		b.WriteString(strconv.FormatUint(s, 10))
		if ns > 0 {
			frac := strconv.FormatUint(ns+uint64(time.Second), 10)[1:]
			b.WriteByte('.')
			b.WriteString(strings.TrimRight(frac, "0"))
		}
		b.WriteByte('S')
	}
	return b.String()
}

// MarshalText formats the duration as ISO-8601.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// String formats the duration as ISO-8601, e.g. "P1Y2M"; zero is "P0M".
func (ym YearsMonths) String() string {
	m := int64(ym)
	var b strings.Builder
	if m < 0 {
		b.WriteByte('-')
		m = -m
	}
	b.WriteByte('P')
	y := m / 12
	m %= 12
	if y > 0 {
		b.WriteString(strconv.FormatInt(y, 10))
		b.WriteByte('Y')
	}
	if m > 0 || y == 0 {
		b.WriteString(strconv.FormatInt(m, 10))
		b.WriteByte('M')
	}
	return b.String()
}

// MarshalText formats the duration as ISO-8601.
func (ym YearsMonths) MarshalText() ([]byte, error) { return []byte(ym.String()), nil }

func writeYear(b *strings.Builder, y int) {
	if y < 0 {
		b.WriteByte('-')
		y = -y
	}
	s := strconv.Itoa(y)
	for i := len(s); i < 4; i++ {
		b.WriteByte('0')
	}
	b.WriteString(s)
}

func write2(b *strings.Builder, n int) {
	b.WriteByte(byte('0' + n/10%10))
	b.WriteByte(byte('0' + n%10))
}

func writeClock(b *strings.Builder, h, m, s, ns int) {
	write2(b, h)
	b.WriteByte(':')
	write2(b, m)
	b.WriteByte(':')
	write2(b, s)
	if ns > 0 {
		frac := strconv.Itoa(ns + int(time.Second))[1:]
		b.WriteByte('.')
		b.WriteString(strings.TrimRight(frac, "0"))
	}
}

func writeOffset(b *strings.Builder, off int) {
	if off == 0 {
		b.WriteByte('Z')
		return
	}
	if off < 0 {
		b.WriteByte('-')
		off = -off
	} else {
		b.WriteByte('+')
	}
	write2(b, off/3600)
	b.WriteByte(':')
	write2(b, off/60%60)
	if off%60 != 0 {
		b.WriteByte(':')
		write2(b, off%60)
	}
}

// ---- parsing ----

// digitsAt reads exactly n decimal digits at s[i:].
func digitsAt(s string, i, n int) (int, bool) {
	if i < 0 || i+n > len(s) {
		return 0, false
	}
	v := 0
	for k := i; k < i+n; k++ {
		c := s[k]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// parseDate reads "YYYY-MM-DD" (the year may have more than four digits and a sign).
func parseDate(s string) (Date, bool) {
	neg := false
	if strings.HasPrefix(s, "-") {
		neg = true
		s = s[1:]
	}
	dash := strings.IndexByte(s, '-')
	if dash < 4 || dash > 9 || len(s) != dash+6 || s[dash+3] != '-' {
		return Date{}, false
	}
	y, ok := digitsAt(s, 0, dash)
	if !ok {
		return Date{}, false
	}
	m, ok1 := digitsAt(s, dash+1, 2)
	d, ok2 := digitsAt(s, dash+4, 2)
	if !ok1 || !ok2 || m < 1 || m > 12 {
		return Date{}, false
	}
	if neg {
		y = -y
	}
	if d < 1 || d > daysIn(y, time.Month(m)) {
		return Date{}, false
	}
	return Date{Year: y, Month: time.Month(m), Day: d}, true
}

// parseOffset reads "Z", "+HH:MM" or "-HH:MM" (optionally ":SS") and returns seconds.
func parseOffset(s string) (int, bool) {
	if s == "Z" || s == "z" {
		return 0, true
	}
	if len(s) != 6 && len(s) != 9 {
		return 0, false
	}
	sign := 1
	switch s[0] {
	case '+':
	case '-':
		sign = -1
	default:
		return 0, false
	}
	h, ok1 := digitsAt(s, 1, 2)
	m, ok2 := digitsAt(s, 4, 2)
	if !ok1 || !ok2 || s[3] != ':' || h > 18 || m > 59 {
		return 0, false
	}
	sec := 0
	if len(s) == 9 {
		var ok bool
		if s[6] != ':' {
			return 0, false
		}
		sec, ok = digitsAt(s, 7, 2)
		if !ok || sec > 59 {
			return 0, false
		}
	}
	return sign * (h*3600 + m*60 + sec), true
}

// parseClock reads "HH:MM:SS[.fffffffff]" followed by an optional offset.
func parseClock(s string) (Time, bool) {
	if len(s) < 8 || s[2] != ':' || s[5] != ':' {
		return Time{}, false
	}
	h, ok1 := digitsAt(s, 0, 2)
	m, ok2 := digitsAt(s, 3, 2)
	sec, ok3 := digitsAt(s, 6, 2)
	if !ok1 || !ok2 || !ok3 || h > 23 || m > 59 || sec > 59 {
		return Time{}, false
	}
	t := Time{Hour: h, Minute: m, Second: sec}
	i := 8
	if i < len(s) && s[i] == '.' {
		i++
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == start {
			return Time{}, false
		}
		frac := s[start:i]
		if len(frac) > 9 {
			frac = frac[:9]
		}
		ns, _ := strconv.Atoi(frac)
		for k := len(frac); k < 9; k++ {
			ns *= 10
		}
		t.Nanosecond = ns
	}
	if i < len(s) {
		off, ok := parseOffset(s[i:])
		if !ok {
			return Time{}, false
		}
		t.HasOffset = true
		t.Offset = off
	}
	return t, true
}

func parseDateTime(s string) (DateTime, bool) {
	i := strings.IndexAny(s, "Tt")
	if i < 0 {
		return DateTime{}, false
	}
	d, ok := parseDate(s[:i])
	if !ok {
		return DateTime{}, false
	}
	t, ok := parseClock(s[i+1:])
	if !ok {
		return DateTime{}, false
	}
	return combine(d, t), true
}

func combine(d Date, t Time) DateTime {
	loc := time.UTC
	if t.HasOffset && t.Offset != 0 {
		loc = time.FixedZone("", t.Offset)
	}
	return DateTime{
		Time:  time.Date(d.Year, d.Month, d.Day, t.Hour, t.Minute, t.Second, t.Nanosecond, loc),
		Local: !t.HasOffset,
	}
}

// parseDuration reads an ISO-8601 duration. It returns a YearsMonths when only
// years and months are given, a Duration when only days and time are given.
func parseDuration(s string) (any, bool) {
	neg := false
	if strings.HasPrefix(s, "-") {
		neg = true
		s = s[1:]
	}
	if len(s) < 2 || s[0] != 'P' {
		return nil, false
	}
	s = s[1:]
	var months int64
	var nanos float64
	hasYM, hasDT, inTime := false, false, false
	for len(s) > 0 {
		if s[0] == 'T' {
			if inTime || len(s) == 1 {
				return nil, false
			}
			inTime = true
			s = s[1:]
			continue
		}
		i := 0
		for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
			i++
		}
		if i == 0 || i == len(s) {
			return nil, false
		}
		num, err := strconv.ParseFloat(s[:i], 64)
		if err != nil || num > 1e12 {
			return nil, false
		}
		frac := strings.IndexByte(s[:i], '.') >= 0
		unit := s[i]
		s = s[i+1:]
		switch {
		case !inTime && unit == 'Y' && !frac:
			months += int64(num) * 12
			hasYM = true
		case !inTime && unit == 'M' && !frac:
			months += int64(num)
			hasYM = true
		case !inTime && unit == 'W' && !frac:
			nanos += num * 7 * float64(nanosPerDay)
			hasDT = true
		case !inTime && unit == 'D' && !frac:
			nanos += num * float64(nanosPerDay)
			hasDT = true
		case inTime && unit == 'H' && !frac:
			nanos += num * float64(time.Hour)
			hasDT = true
		case inTime && unit == 'M' && !frac:
			nanos += num * float64(time.Minute)
			hasDT = true
		case inTime && unit == 'S':
			nanos += num * float64(time.Second)
			hasDT = true
		default:
			return nil, false
		}
	}
	if hasYM == hasDT {
		return nil, false
	}
	if hasYM {
		if months > math.MaxInt32 {
			return nil, false
		}
		if neg {
			months = -months
		}
		return YearsMonths(months), true
	}
	if nanos >= math.MaxInt64 {
		return nil, false
	}
	n := int64(math.Round(nanos))
	if neg {
		n = -n
	}
	return Duration(n), true
}

// parseTemporal reads the text of a @"..." literal.
func parseTemporal(s string) (any, bool) {
	if strings.HasPrefix(s, "P") || strings.HasPrefix(s, "-P") {
		return parseDuration(s)
	}
	if dt, ok := parseDateTime(s); ok {
		return dt, true
	}
	if d, ok := parseDate(s); ok {
		return d, true
	}
	if t, ok := parseClock(s); ok {
		return t, true
	}
	return nil, false
}

// ---- arithmetic ----

func addMonthsDate(d Date, months int) Date {
	total := d.Year*12 + int(d.Month) - 1 + months
	y := floorDiv(total, 12)
	m := time.Month(total - y*12 + 1)
	day := d.Day
	if n := daysIn(y, m); day > n {
		day = n
	}
	return Date{Year: y, Month: m, Day: day}
}

func addMonthsDateTime(dt DateTime, months int) DateTime {
	d := addMonthsDate(dateOf(dt.Time), months)
	t := dt.Time
	return DateTime{
		Time:  time.Date(d.Year, d.Month, d.Day, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location()),
		Local: dt.Local,
	}
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// monthsBetween counts whole months from a to b (negative when b is earlier).
func monthsBetween(a, b time.Time) int {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	months := (by-ay)*12 + int(bm) - int(am)
	ac := a.Sub(time.Date(ay, am, ad, 0, 0, 0, 0, a.Location()))
	bc := b.Sub(time.Date(by, bm, bd, 0, 0, 0, 0, b.Location()))
	if months > 0 && (bd < ad || bd == ad && bc < ac) {
		months--
	} else if months < 0 && (bd > ad || bd == ad && bc > ac) {
		months++
	}
	return months
}

// asInstant gives the moment a date-like value stands for, and whether it is local.
func asInstant(v any) (time.Time, bool, bool) {
	switch x := v.(type) {
	case DateTime:
		return x.Time, x.Local, true
	case Date:
		return x.midnight(), true, true
	}
	return time.Time{}, false, false
}

func temporalAdd(a, b any, sign int) (any, bool) {
	switch x := a.(type) {
	case Date:
		switch y := b.(type) {
		case Duration:
			d, ok := mulDuration(y, float64(sign))
			if !ok {
				return nil, true
			}
			return dateOf(x.midnight().Add(time.Duration(d))), true
		case YearsMonths:
			return addMonthsDate(x, sign*int(y)), true
		case Date:
			if sign < 0 {
				return Duration(x.midnight().Sub(y.midnight())), true
			}
		case DateTime:
			if sign < 0 {
				return subInstants(x.midnight(), true, y.Time, y.Local)
			}
		}
	case DateTime:
		switch y := b.(type) {
		case Duration:
			d, ok := mulDuration(y, float64(sign))
			if !ok {
				return nil, true
			}
			return DateTime{Time: x.Time.Add(time.Duration(d)), Local: x.Local}, true
		case YearsMonths:
			return addMonthsDateTime(x, sign*int(y)), true
		case DateTime:
			if sign < 0 {
				return subInstants(x.Time, x.Local, y.Time, y.Local)
			}
		case Date:
			if sign < 0 {
				return subInstants(x.Time, x.Local, y.midnight(), true)
			}
		}
	case Time:
		switch y := b.(type) {
		case Duration:
			return timeFromNanos(x.nanosOfDay()+int64(sign)*(int64(y)%nanosPerDay), x), true
		case Time:
			if sign < 0 {
				d := x.nanosOfDay() - y.nanosOfDay()
				if x.HasOffset && y.HasOffset {
					d -= int64(x.Offset-y.Offset) * int64(time.Second)
				}
				return Duration(d), true
			}
		}
	case Duration:
		switch y := b.(type) {
		case Duration:
			yy := int64(y)
			if sign < 0 {
				if yy == math.MinInt64 {
					return nil, true
				}
				yy = -yy
			}
			r := int64(x) + yy
			if (int64(x) >= 0) == (yy >= 0) && (r >= 0) != (int64(x) >= 0) {
				return nil, true
			}
			return Duration(r), true
		case Date, DateTime, Time:
			if sign > 0 {
				return temporalAdd(b, a, 1)
			}
		}
	case YearsMonths:
		switch y := b.(type) {
		case YearsMonths:
			return YearsMonths(int(x) + sign*int(y)), true
		case Date, DateTime:
			if sign > 0 {
				return temporalAdd(b, a, 1)
			}
		}
	}
	return nil, false
}

func subInstants(a time.Time, aLocal bool, b time.Time, bLocal bool) (any, bool) {
	if aLocal != bLocal {
		return nil, true
	}
	return Duration(a.Sub(b)), true
}

func mulDuration(d Duration, f float64) (Duration, bool) {
	r := float64(d) * f
	if math.IsNaN(r) || r >= math.MaxInt64 || r <= math.MinInt64 {
		return 0, false
	}
	return Duration(int64(math.Round(r))), true
}

// temporalCompare orders two temporal values of compatible kinds.
func temporalCompare(a, b any) (int, bool) {
	switch x := a.(type) {
	case Date:
		if y, ok := b.(Date); ok {
			return cmpInt(int64(x.Year*10000+int(x.Month)*100+x.Day), int64(y.Year*10000+int(y.Month)*100+y.Day)), true
		}
	case DateTime:
		if y, ok := b.(DateTime); ok && x.Local == y.Local {
			return x.Time.Compare(y.Time), true
		}
	case Time:
		if y, ok := b.(Time); ok {
			xa, ya := x.nanosOfDay(), y.nanosOfDay()
			if x.HasOffset && y.HasOffset {
				xa -= int64(x.Offset) * int64(time.Second)
				ya -= int64(y.Offset) * int64(time.Second)
			}
			return cmpInt(xa, ya), true
		}
	case Duration:
		if y, ok := b.(Duration); ok {
			return cmpInt(int64(x), int64(y)), true
		}
	case YearsMonths:
		if y, ok := b.(YearsMonths); ok {
			return cmpInt(int64(x), int64(y)), true
		}
	}
	return 0, false
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// isoWeekday is 1 for Monday through 7 for Sunday.
func isoWeekday(t time.Time) int {
	wd := int(t.Weekday())
	if wd == 0 {
		return 7
	}
	return wd
}

// temporalProperty reads a property such as year or hours of a temporal value.
func temporalProperty(v any, name string) (any, bool) {
	var t time.Time
	switch x := v.(type) {
	case Date:
		t = x.midnight()
		switch name {
		case "year", "month", "day", "weekday":
		default:
			return nil, false
		}
	case DateTime:
		t = x.Time
		switch name {
		case "time offset":
			if x.Local {
				return nil, true
			}
			_, off := t.Zone()
			return Duration(time.Duration(off) * time.Second), true
		case "timezone":
			if x.Local {
				return nil, true
			}
			_, off := t.Zone()
			var b strings.Builder
			writeOffset(&b, off)
			return b.String(), true
		}
	case Time:
		switch name {
		case "hour":
			return float64(x.Hour), true
		case "minute":
			return float64(x.Minute), true
		case "second":
			return float64(x.Second) + float64(x.Nanosecond)/1e9, true
		case "time offset":
			if !x.HasOffset {
				return nil, true
			}
			return Duration(time.Duration(x.Offset) * time.Second), true
		}
		return nil, false
	case Duration:
		d := int64(x)
		switch name {
		case "days":
			return float64(d / nanosPerDay), true
		case "hours":
			return float64(d / int64(time.Hour) % 24), true
		case "minutes":
			return float64(d / int64(time.Minute) % 60), true
		case "seconds":
			return float64(d/int64(time.Second)%60) + float64(d%int64(time.Second))/1e9, true
		}
		return nil, false
	case YearsMonths:
		switch name {
		case "years":
			return float64(int(x) / 12), true
		case "months":
			return float64(int(x) % 12), true
		}
		return nil, false
	default:
		return nil, false
	}
	switch name {
	case "year":
		return float64(t.Year()), true
	case "month":
		return float64(t.Month()), true
	case "day":
		return float64(t.Day()), true
	case "weekday":
		return float64(isoWeekday(t)), true
	case "hour":
		return float64(t.Hour()), true
	case "minute":
		return float64(t.Minute()), true
	case "second":
		return float64(t.Second()) + float64(t.Nanosecond())/1e9, true
	}
	return nil, false
}
