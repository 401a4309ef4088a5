package schedule

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Bounds of a parsed duration. They keep every computation far from
// overflow while allowing any timer a model could sensibly hold.
const (
	// MaxYears is the largest number of years a duration may hold.
	MaxYears = 10000
	// maxMonths and maxDays are MaxYears expressed in months and days.
	maxMonths = 12 * MaxYears
	maxDays   = 366 * MaxYears
	// maxSeconds keeps Duration.Time within time.Duration (about 292 years).
	maxSeconds = math.MaxInt64/int64(time.Second) - 1
	// maxNumber caps a single number while it is read.
	maxNumber = 1_000_000_000_000_000
	// maxInput is the longest definition any parser accepts.
	maxInput = 512
)

// Duration is an ISO 8601 duration such as "P1Y2M3DT4H5M6.5S", split as
// java.time does into a calendar part (years, months, days) and an exact
// part (hours, minutes, seconds). Weeks are stored as seven days.
//
// All components carry the same sign: a negative duration ("-P1DT2H") has
// every component zero or negative.
type Duration struct {
	// Years and Months are added to the calendar date; the day of month is
	// clamped to the end of a shorter month (Jan 31 + P1M = Feb 28 or 29).
	Years, Months int
	// Days are calendar days: adding one keeps the wall-clock time in the
	// zone of the time it is added to, so across a DST change it adds 23
	// or 25 hours.
	Days int
	// Time is the exact part: hours, minutes and (fractional) seconds.
	Time time.Duration
}

// IsCalendar reports whether d has a calendar part (years, months or days).
func (d Duration) IsCalendar() bool { return d.Years != 0 || d.Months != 0 || d.Days != 0 }

// ParseDuration parses an ISO 8601 duration: an optional sign, "P", then
// date components nY nM nW nD and, after "T", time components nH nM nS, each
// optional but in this order and at least one present. Only seconds may have
// a fraction (up to 9 digits, "." or ","). Designators are case-insensitive.
// Surrounding white space is ignored. Years are bounded by [MaxYears],
// months and days by the same span, and the time part by the range of
// time.Duration (about 292 years).
func ParseDuration(s string) (Duration, error) {
	s = strings.TrimSpace(s)
	d, err := parseDuration(s, 0)
	if err != nil {
		return Duration{}, fmt.Errorf("invalid duration %s: %w", quote(s), err)
	}
	return d, nil
}

// parseDuration parses s; positions in errors are reported from base.
func parseDuration(s string, base int) (Duration, error) {
	if s == "" {
		return Duration{}, errors.New("empty")
	}
	if len(s) > maxInput {
		return Duration{}, fmt.Errorf("longer than %d bytes", maxInput)
	}
	i := 0
	neg := false
	if s[0] == '-' || s[0] == '+' {
		neg = s[0] == '-'
		i++
	}
	if i >= len(s) || (s[i] != 'P' && s[i] != 'p') {
		return Duration{}, fmt.Errorf("expected 'P' at position %d", base+i)
	}
	i++
	const dateDesignators, timeDesignators = "YMWD", "HMS"
	var date [4]int64 // Y M W D
	var clock [3]int64
	var frac int64 // nanoseconds of the seconds component
	last := -1
	inTime, any := false, false
	for i < len(s) {
		c := s[i]
		if c == 'T' || c == 't' {
			if inTime {
				return Duration{}, fmt.Errorf("second 'T' at position %d", base+i)
			}
			inTime, last = true, -1
			i++
			if i == len(s) {
				return Duration{}, fmt.Errorf("no time component after 'T' at position %d", base+i-1)
			}
			continue
		}
		start := i
		n, next, err := readNumber(s, i, maxNumber)
		if err != nil {
			return Duration{}, fmt.Errorf("%w at position %d", err, base+i)
		}
		i = next
		hasFrac := false
		var fracNanos int64
		if i < len(s) && (s[i] == '.' || s[i] == ',') {
			fs := i + 1
			j := fs
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			switch {
			case j == fs:
				return Duration{}, fmt.Errorf("expected a digit after the decimal mark at position %d", base+fs)
			case j-fs > 9:
				return Duration{}, fmt.Errorf("more than 9 fractional digits at position %d", base+fs)
			}
			digits := s[fs:j] + strings.Repeat("0", 9-(j-fs))
			fracNanos, _ = strconv.ParseInt(digits, 10, 64)
			hasFrac = true
			i = j
		}
		if i == len(s) {
			return Duration{}, fmt.Errorf("missing designator after number at position %d", base+i)
		}
		c = upper(s[i])
		designators := dateDesignators
		if inTime {
			designators = timeDesignators
		}
		k := strings.IndexByte(designators, c)
		switch {
		case k < 0 && !inTime && strings.IndexByte(timeDesignators, c) >= 0:
			return Duration{}, fmt.Errorf("designator %s needs a preceding 'T' at position %d", quoteAt(s, i), base+i)
		case k < 0 && inTime && strings.IndexByte(dateDesignators, c) >= 0:
			return Duration{}, fmt.Errorf("designator %s not allowed after 'T' at position %d", quoteAt(s, i), base+i)
		case k < 0:
			return Duration{}, fmt.Errorf("unknown designator %s at position %d", quoteAt(s, i), base+i)
		case k <= last:
			return Duration{}, fmt.Errorf("designator %s repeated or out of order at position %d", quoteAt(s, i), base+i)
		case hasFrac && (!inTime || c != 'S'):
			return Duration{}, fmt.Errorf("only seconds may have a fraction, at position %d", base+start)
		}
		last = k
		if inTime {
			clock[k] = n
			frac = fracNanos
		} else {
			date[k] = n
		}
		any = true
		i++
	}
	if !any {
		return Duration{}, fmt.Errorf("no component after 'P' at position %d", base+i-1)
	}
	years, months, days := date[0], date[1], date[2]*7+date[3]
	switch {
	case years > MaxYears:
		return Duration{}, fmt.Errorf("%d years out of range (at most %d)", years, MaxYears)
	case months > maxMonths:
		return Duration{}, fmt.Errorf("%d months out of range (at most %d)", months, maxMonths)
	case days > maxDays:
		return Duration{}, fmt.Errorf("%d days out of range (at most %d)", days, maxDays)
	}
	secs := clock[0]*3600 + clock[1]*60 + clock[2] // each ≤ 1e15: no overflow
	if secs > maxSeconds {
		return Duration{}, fmt.Errorf("time part of %d seconds out of range (at most %d)", secs, maxSeconds)
	}
	d := Duration{
		Years:  int(years),
		Months: int(months),
		Days:   int(days),
		Time:   time.Duration(secs)*time.Second + time.Duration(frac),
	}
	if neg {
		d = Duration{Years: -d.Years, Months: -d.Months, Days: -d.Days, Time: -d.Time}
	}
	return d, nil
}

// AddTo returns t plus d with java.time semantics. Years and months are
// added together to the date, clamping the day to the end of the resulting
// month; then days are added to the date keeping the wall-clock time in t's
// location; then the exact time part is added. A wall-clock time that falls
// into a DST gap moves forward by the length of the gap; one that occurs
// twice keeps t's offset when possible, else takes the earlier instant.
func (d Duration) AddTo(t time.Time) time.Time {
	if d.IsCalendar() {
		y, mo, day := t.Date()
		h, mi, s := t.Clock()
		months := int(mo) - 1 + d.Months + 12*d.Years
		y += floorDiv(months, 12)
		mo = time.Month(months-12*floorDiv(months, 12)) + 1
		day = min(day, daysIn(y, mo))
		_, off := t.Zone()
		t, _ = resolveLocal(y, mo, day+d.Days, h, mi, s, t.Nanosecond(), t.Location(), &off)
	}
	return t.Add(d.Time)
}

// String formats d as ISO 8601, e.g. "P1Y2M3DT4H5M6.5S" or "-PT5S"; zero is
// "PT0S". Weeks appear as days. ParseDuration reads it back unchanged.
func (d Duration) String() string {
	var b strings.Builder
	neg := d.Years < 0 || d.Months < 0 || d.Days < 0 || d.Time < 0
	if neg {
		b.WriteByte('-')
	}
	b.WriteByte('P')
	part := func(n int64, designator byte) {
		if n != 0 {
			b.WriteString(strconv.FormatUint(abs64(n), 10))
			b.WriteByte(designator)
		}
	}
	part(int64(d.Years), 'Y')
	part(int64(d.Months), 'M')
	part(int64(d.Days), 'D')
	if d.Time == 0 {
		if !d.IsCalendar() {
			b.WriteString("T0S")
		}
		return b.String()
	}
	b.WriteByte('T')
	u := abs64(int64(d.Time))
	secs, nanos := u/uint64(time.Second), u%uint64(time.Second)
	part(int64(secs/3600), 'H')
	part(int64(secs/60%60), 'M')
	if secs%60 != 0 || nanos != 0 {
		b.WriteString(strconv.FormatUint(secs%60, 10))
		if nanos != 0 {
			f := strconv.FormatUint(nanos+uint64(time.Second), 10)[1:]
			b.WriteByte('.')
			b.WriteString(strings.TrimRight(f, "0"))
		}
		b.WriteByte('S')
	}
	return b.String()
}

// positive reports whether d moves time forward by at least a millisecond.
func (d Duration) positive() bool {
	if d.IsCalendar() {
		return d.Years > 0 || d.Months > 0 || d.Days > 0
	}
	return d.Time >= time.Millisecond
}

// readNumber reads the decimal digits at s[i:] up to limit.
func readNumber(s string, i int, limit int64) (n int64, next int, err error) {
	j := i
	for j < len(s) && isDigit(s[j]) {
		n = n*10 + int64(s[j]-'0')
		if n > limit {
			return 0, j, fmt.Errorf("number %s… too large", s[i:j+1])
		}
		j++
	}
	if j == i {
		return 0, i, fmt.Errorf("expected a number, found %s", quoteAt(s, i))
	}
	return n, j, nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func upper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

func abs64(n int64) uint64 {
	if n < 0 {
		return uint64(-(n + 1)) + 1
	}
	return uint64(n)
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// quote quotes s for an error message, shortening very long input.
func quote(s string) string {
	const limit = 80
	if len(s) > limit {
		return strconv.Quote(s[:limit]) + "…"
	}
	return strconv.Quote(s)
}

// quoteAt quotes the character at s[i], or names the end of input.
func quoteAt(s string, i int) string {
	if i >= len(s) {
		return "end of input"
	}
	r := []rune(s[i:min(len(s), i+4)])
	return strconv.QuoteRune(r[0])
}
