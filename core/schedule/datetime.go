package schedule

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // zone ids must resolve without system tzdata
)

// ParseDateTime parses an ISO 8601 date-time as used by timeDate and as the
// start of a repeating interval:
//
//	2025-10-01T12:00:00Z                     UTC
//	2025-10-01T12:00:00.250+02:00            offset (also +0200, +02)
//	2025-10-01T12:00:00[Europe/Berlin]       wall-clock time in a zone
//	2025-10-01T12:00:00+02:00[Europe/Berlin] offset fixes the instant, zone the location
//	2025-10-01T12:00:00@Europe/Berlin        FEEL's notation for a zoned date-time
//	2025-10-01T12:00:00                      no offset or zone: UTC
//	2025-10-01                               midnight UTC
//
// Seconds and fractions (up to 9 digits) are optional. A wall-clock time
// that a DST change skips moves forward by the length of the gap; one that
// occurs twice takes the earlier instant, as java.time does. Surrounding
// white space is ignored. The result is in the given zone, in a fixed zone
// for an offset, or in UTC.
func ParseDateTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	t, err := parseDateTime(s, 0)
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid date-time %s: %w", quote(s), err)
	}
	return t, nil
}

// parseDateTime parses s; positions in errors are reported from base.
func parseDateTime(s string, base int) (time.Time, error) {
	if s == "" {
		return time.Time{}, errors.New("empty")
	}
	if len(s) > maxInput {
		return time.Time{}, fmt.Errorf("longer than %d bytes", maxInput)
	}
	p := dtScanner{s: s, base: base}
	year := p.digits(4, "year")
	p.expect('-')
	month := p.digits(2, "month")
	p.expect('-')
	day := p.digits(2, "day")
	if p.err != nil {
		return time.Time{}, p.err
	}
	if month < 1 || month > 12 {
		return time.Time{}, fmt.Errorf("month %02d out of range 01-12 at position %d", month, base+5)
	}
	if dim := daysIn(year, time.Month(month)); day < 1 || day > dim {
		return time.Time{}, fmt.Errorf("day %02d out of range 01-%d for %04d-%02d at position %d", day, dim, year, month, base+8)
	}
	if p.i == len(s) {
		return time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC), nil
	}
	if c := s[p.i]; c != 'T' && c != 't' {
		return time.Time{}, fmt.Errorf("expected 'T' or end of input at position %d, found %s", base+p.i, quoteAt(s, p.i))
	}
	p.i++
	hourAt := p.i
	hour := p.digits(2, "hour")
	p.expect(':')
	minute := p.digits(2, "minute")
	second, nanos := 0, 0
	if p.err == nil && p.i < len(s) && s[p.i] == ':' {
		p.i++
		second = p.digits(2, "second")
		if p.err == nil && p.i < len(s) && (s[p.i] == '.' || s[p.i] == ',') {
			p.i++
			nanos = p.fraction()
		}
	}
	if p.err != nil {
		return time.Time{}, p.err
	}
	switch {
	case hour > 23:
		return time.Time{}, fmt.Errorf("hour %02d out of range 00-23 at position %d", hour, base+hourAt)
	case minute > 59:
		return time.Time{}, fmt.Errorf("minute %02d out of range 00-59 at position %d", minute, base+hourAt+3)
	case second > 59:
		return time.Time{}, fmt.Errorf("second %02d out of range 00-59 at position %d", second, base+hourAt+6)
	}
	offset, hasOffset := p.offset()
	var loc *time.Location
	if p.err == nil && p.i < len(s) && (s[p.i] == '[' || s[p.i] == '@') {
		loc = p.zone()
	}
	if p.err != nil {
		return time.Time{}, p.err
	}
	if p.i != len(s) {
		return time.Time{}, fmt.Errorf("unexpected %s at position %d", quoteAt(s, p.i), base+p.i)
	}
	switch {
	case hasOffset && loc != nil:
		wall := time.Date(year, time.Month(month), day, hour, minute, second, nanos, time.UTC)
		return wall.Add(-time.Duration(offset) * time.Second).In(loc), nil
	case hasOffset && offset == 0:
		return time.Date(year, time.Month(month), day, hour, minute, second, nanos, time.UTC), nil
	case hasOffset:
		return time.Date(year, time.Month(month), day, hour, minute, second, nanos, time.FixedZone("", offset)), nil
	case loc != nil:
		t, _ := resolveLocal(year, time.Month(month), day, hour, minute, second, nanos, loc, nil)
		return t, nil
	default:
		return time.Date(year, time.Month(month), day, hour, minute, second, nanos, time.UTC), nil
	}
}

// dtScanner reads a date-time; the first error sticks and later reads are
// no-ops.
type dtScanner struct {
	s    string
	i    int
	base int
	err  error
}

func (p *dtScanner) fail(format string, args ...any) {
	if p.err == nil {
		p.err = fmt.Errorf(format, args...)
	}
}

// digits reads exactly n digits.
func (p *dtScanner) digits(n int, what string) int {
	if p.err != nil {
		return 0
	}
	v := 0
	for k := 0; k < n; k++ {
		if p.i >= len(p.s) || !isDigit(p.s[p.i]) {
			p.fail("expected %d-digit %s at position %d, found %s", n, what, p.base+p.i, quoteAt(p.s, p.i))
			return 0
		}
		v = v*10 + int(p.s[p.i]-'0')
		p.i++
	}
	return v
}

func (p *dtScanner) expect(c byte) {
	if p.err != nil {
		return
	}
	if p.i >= len(p.s) || p.s[p.i] != c {
		p.fail("expected %q at position %d, found %s", c, p.base+p.i, quoteAt(p.s, p.i))
		return
	}
	p.i++
}

// fraction reads 1 to 9 digits of a second and returns them as nanoseconds.
func (p *dtScanner) fraction() int {
	start := p.i
	v := 0
	for p.i < len(p.s) && isDigit(p.s[p.i]) {
		if p.i-start == 9 {
			p.fail("more than 9 fractional digits at position %d", p.base+start)
			return 0
		}
		v = v*10 + int(p.s[p.i]-'0')
		p.i++
	}
	if p.i == start {
		p.fail("expected a digit after the decimal mark at position %d", p.base+start)
		return 0
	}
	for k := p.i - start; k < 9; k++ {
		v *= 10
	}
	return v
}

// offset reads an optional "Z" or ±HH[[:]MM[[:]SS]] and returns it in
// seconds east of UTC.
func (p *dtScanner) offset() (int, bool) {
	if p.err != nil || p.i >= len(p.s) {
		return 0, false
	}
	switch p.s[p.i] {
	case 'Z', 'z':
		p.i++
		return 0, true
	case '+', '-':
	default:
		return 0, false
	}
	start := p.i
	sign := 1
	if p.s[p.i] == '-' {
		sign = -1
	}
	p.i++
	h := p.digits(2, "offset hour")
	m, sec := 0, 0
	more := func() bool {
		if p.err != nil || p.i >= len(p.s) {
			return false
		}
		if p.s[p.i] == ':' {
			p.i++
			return true
		}
		return isDigit(p.s[p.i])
	}
	if more() {
		m = p.digits(2, "offset minute")
		if more() {
			sec = p.digits(2, "offset second")
		}
	}
	if p.err == nil && (m > 59 || sec > 59 || h*3600+m*60+sec > 18*3600) {
		p.fail("offset %s out of range (at most ±18:00) at position %d", p.s[start:p.i], p.base+start)
	}
	return sign * (h*3600 + m*60 + sec), true
}

// zone reads "[id]" (which must end the input) or "@id".
func (p *dtScanner) zone() *time.Location {
	start := p.i
	var id string
	if p.s[p.i] == '[' {
		end := strings.IndexByte(p.s[p.i:], ']')
		if end < 0 {
			p.fail("missing ']' after zone id at position %d", p.base+start)
			return nil
		}
		id = p.s[p.i+1 : p.i+end]
		p.i += end + 1
	} else {
		id = p.s[p.i+1:]
		p.i = len(p.s)
	}
	loc, err := loadZone(id)
	if err != nil {
		p.fail("%w at position %d", err, p.base+start+1)
	}
	return loc
}

var zones sync.Map // zone id → *time.Location; only ids that loaded

// loadZone resolves an IANA zone id such as "Europe/Berlin" or "UTC".
func loadZone(id string) (*time.Location, error) {
	if id == "" {
		return nil, errors.New("empty zone id")
	}
	if len(id) > 64 {
		return nil, fmt.Errorf("zone id %s too long", quote(id))
	}
	for k := 0; k < len(id); k++ {
		if c := upper(id[k]); !isDigit(c) && (c < 'A' || c > 'Z') && strings.IndexByte("/_-+", c) < 0 {
			return nil, fmt.Errorf("invalid character %s in zone id %s", quoteAt(id, k), quote(id))
		}
	}
	if id == "Local" {
		return nil, errors.New(`zone id "Local" is not allowed: it depends on the host`)
	}
	if v, ok := zones.Load(id); ok {
		return v.(*time.Location), nil
	}
	loc, err := time.LoadLocation(id)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %s", quote(id))
	}
	zones.Store(id, loc)
	return loc, nil
}

// resolveLocal returns the instant at which the wall clock in loc shows the
// given date and time (out-of-range fields are normalized as by time.Date).
// A wall-clock time that occurs twice because the clock was set back takes
// the offset *prefer when that is one of the two, else the earlier instant.
// A wall-clock time skipped because the clock was set forward moves forward
// by the length of the gap (02:30 becomes 03:30), and shifted is true.
func resolveLocal(y int, mo time.Month, d, h, mi, s, ns int, loc *time.Location, prefer *int) (t time.Time, shifted bool) {
	wall := time.Date(y, mo, d, h, mi, s, ns, time.UTC)
	if loc == time.UTC {
		return wall, false
	}
	// Transitions are months apart, so the offsets a day either side cover
	// any transition near the wall-clock time.
	var offs [3]int
	_, offs[0] = wall.Add(-24 * time.Hour).In(loc).Zone()
	_, offs[1] = wall.In(loc).Zone()
	_, offs[2] = wall.Add(24 * time.Hour).In(loc).Zone()
	var best time.Time
	found := false
	for _, off := range offs {
		c := wall.Add(-time.Duration(off) * time.Second).In(loc)
		if _, o := c.Zone(); o != off {
			continue // that offset is not in force at that instant
		}
		if prefer != nil && off == *prefer {
			return c, false
		}
		if !found || c.Before(best) {
			best, found = c, true
		}
	}
	if found {
		return best, false
	}
	// In a gap: read the wall clock with the offset in force before it.
	return wall.Add(-time.Duration(offs[0]) * time.Second).In(loc), true
}

// daysIn returns the number of days in month mo of year y.
func daysIn(y int, mo time.Month) int {
	switch mo {
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	default:
		return 31
	}
}
