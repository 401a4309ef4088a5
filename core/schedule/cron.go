package schedule

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// searchYears bounds the search for the next cron match. The Gregorian
// calendar repeats every 400 years, so a day pattern without a match in
// that span never matches.
const searchYears = 401

// cronExpr is a parsed Spring-style cron expression. Day of month and day of
// week must both match (Spring semantics, unlike Unix cron's "either").
type cronExpr struct {
	second, minute, hour uint64 // bit n set: value n matches
	dom                  uint64 // days 1-31, when domKind is domList
	month                uint64 // months 1-12
	dow                  uint64 // weekdays 0 (Sunday) - 6, when dowKind is dowList
	domKind              int
	domN                 int // domLast: days before the last; domNearest: the day
	dowKind              int
	dowDay               time.Weekday // dowLast, dowNth: the weekday
	dowN                 int          // dowNth: 1-5
	loc                  *time.Location
}

const (
	domList           = iota // "1,15", "*", "1-10/2"
	domLast                  // "L", "L-3"
	domLastWeekday           // "LW"
	domNearestWeekday        // "15W"
)

const (
	dowList = iota // "MON-FRI", "*"
	dowLast        // "5L": last Friday of the month
	dowNth         // "5#3": third Friday of the month
)

type cronField struct {
	name     string
	min, max int
	names    []string // names[k] stands for min+k
}

var cronFields = [6]cronField{
	{name: "second", max: 59},
	{name: "minute", max: 59},
	{name: "hour", max: 23},
	{name: "day-of-month", min: 1, max: 31},
	{name: "month", min: 1, max: 12, names: []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}},
	{name: "day-of-week", max: 7, names: []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}},
}

var cronMacros = map[string]string{
	"@yearly":   "0 0 0 1 1 *",
	"@annually": "0 0 0 1 1 *",
	"@monthly":  "0 0 0 1 * *",
	"@weekly":   "0 0 0 * * SUN",
	"@daily":    "0 0 0 * * *",
	"@midnight": "0 0 0 * * *",
	"@hourly":   "0 0 * * * *",
}

// parseCron parses "[CRON_TZ=zone ]fields-or-macro".
func parseCron(s string) (*cronExpr, error) {
	loc := time.UTC
	for _, prefix := range []string{"CRON_TZ=", "TZ="} {
		if rest, ok := strings.CutPrefix(s, prefix); ok {
			id, expr := rest, ""
			if k := strings.IndexAny(rest, " \t\r\n"); k >= 0 {
				id, expr = rest[:k], rest[k:]
			}
			l, err := loadZone(id)
			if err != nil {
				return nil, err
			}
			loc, s = l, strings.TrimSpace(expr)
			break
		}
	}
	if strings.HasPrefix(s, "@") {
		m, ok := cronMacros[strings.ToLower(s)]
		if !ok {
			return nil, fmt.Errorf("unknown macro %s (known: @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly)", quote(s))
		}
		s = m
	}
	tokens := strings.Fields(s)
	if len(tokens) != len(cronFields) {
		return nil, fmt.Errorf("expected 6 fields (second minute hour day-of-month month day-of-week), found %d", len(tokens))
	}
	c := &cronExpr{loc: loc}
	bits := []*uint64{&c.second, &c.minute, &c.hour, &c.dom, &c.month, &c.dow}
	for k, tok := range tokens {
		f := cronFields[k]
		up := strings.ToUpper(tok)
		var err error
		switch {
		case k == 3 && strings.ContainsAny(up, "LW"):
			err = c.parseDomSpecial(up)
		case k == 5 && strings.ContainsAny(up, "L#"):
			err = c.parseDowSpecial(up)
		default:
			*bits[k], err = f.parse(tok)
		}
		if err != nil {
			return nil, fmt.Errorf("%s field %s: %w", f.name, quote(tokens[k]), err)
		}
	}
	if c.dow&(1<<7) != 0 { // 7 is Sunday too
		c.dow = c.dow&^(1<<7) | 1
	}
	if !c.canMatch() {
		return nil, errors.New("no date matches its day-of-month, month and day-of-week fields")
	}
	return c, nil
}

// parse reads a comma-separated list of "*", "?", n, a-b, each with an
// optional "/step".
func (f cronField) parse(tok string) (uint64, error) {
	var bits uint64
	for _, item := range strings.Split(tok, ",") {
		rng, stepText, hasStep := strings.Cut(item, "/")
		var lo, hi int
		switch rng {
		case "*", "?":
			if rng == "?" && f.name != "day-of-month" && f.name != "day-of-week" {
				return 0, errors.New(`"?" is only allowed for day-of-month and day-of-week`)
			}
			lo, hi = f.min, f.max
		default:
			a, b, isRange := strings.Cut(rng, "-")
			var err error
			if lo, err = f.value(a); err != nil {
				return 0, err
			}
			hi = lo
			switch {
			case isRange:
				if hi, err = f.value(b); err != nil {
					return 0, err
				}
				if f.name == "day-of-week" && hi == 0 && lo > 0 {
					hi = 7 // "FRI-SUN"
				}
				if lo > hi {
					return 0, fmt.Errorf("range %s starts after it ends", quote(rng))
				}
			case hasStep:
				hi = f.max // "5/15": from 5 to the end
			}
		}
		step := 1
		if hasStep {
			n, next, err := readNumber(stepText, 0, 9999)
			if err != nil || next != len(stepText) || n == 0 {
				return 0, fmt.Errorf("step %s is not a positive number", quote(stepText))
			}
			step = int(n)
		}
		for v := lo; v <= hi; v += step {
			bits |= 1 << uint(v)
		}
	}
	return bits, nil
}

// value reads a number or name within the field's range.
func (f cronField) value(s string) (int, error) {
	for k, name := range f.names {
		if strings.EqualFold(s, name) {
			return f.min + k, nil
		}
	}
	n, next, err := readNumber(s, 0, 9999)
	if err != nil || next != len(s) {
		if len(f.names) > 0 {
			return 0, fmt.Errorf("%s is not a number or name (%s-%s)", quote(s), f.names[0], f.names[len(f.names)-1])
		}
		return 0, fmt.Errorf("%s is not a number", quote(s))
	}
	if int(n) < f.min || int(n) > f.max {
		return 0, fmt.Errorf("value %d out of range %d-%d", n, f.min, f.max)
	}
	return int(n), nil
}

// parseDomSpecial reads "L", "L-n", "LW" or "nW".
func (c *cronExpr) parseDomSpecial(tok string) error {
	switch {
	case tok == "L":
		c.domKind = domLast
	case tok == "LW":
		c.domKind = domLastWeekday
	case strings.HasPrefix(tok, "L-"):
		n, next, err := readNumber(tok, 2, 30)
		if err != nil || next != len(tok) {
			return fmt.Errorf(`"L-n" needs n between 0 and 30`)
		}
		c.domKind, c.domN = domLast, int(n)
	case strings.HasSuffix(tok, "W"):
		n, err := cronFields[3].value(tok[:len(tok)-1])
		if err != nil {
			return fmt.Errorf(`"nW": %w`, err)
		}
		c.domKind, c.domN = domNearestWeekday, n
	default:
		return errors.New(`"L" and "W" are only allowed as "L", "L-n", "LW" or "nW"`)
	}
	return nil
}

// parseDowSpecial reads "dL" (last d of the month) or "d#n" (n-th d).
func (c *cronExpr) parseDowSpecial(tok string) error {
	f := cronFields[5]
	if day, ok := strings.CutSuffix(tok, "L"); ok {
		d, err := f.value(day)
		if err != nil {
			return fmt.Errorf(`"dL": %w`, err)
		}
		c.dowKind, c.dowDay = dowLast, time.Weekday(d%7)
		return nil
	}
	day, nth, ok := strings.Cut(tok, "#")
	if !ok {
		return errors.New(`"L" and "#" are only allowed as "dL" or "d#n"`)
	}
	d, err := f.value(day)
	if err != nil {
		return fmt.Errorf(`"d#n": %w`, err)
	}
	n, next, err := readNumber(nth, 0, 5)
	if err != nil || next != len(nth) || n == 0 {
		return fmt.Errorf(`"d#n" needs n between 1 and 5`)
	}
	c.dowKind, c.dowDay, c.dowN = dowNth, time.Weekday(d%7), int(n)
	return nil
}

// matchDay reports whether day d of a month of dim days, falling on weekday
// wd, matches the day-of-month and day-of-week fields.
func (c *cronExpr) matchDay(d, dim int, wd time.Weekday) bool {
	weekdayOf := func(day int) time.Weekday { return time.Weekday((int(wd) + day - d + 35) % 7) }
	switch c.domKind {
	case domList:
		if c.dom&(1<<uint(d)) == 0 {
			return false
		}
	case domLast:
		if d != dim-c.domN {
			return false
		}
	case domLastWeekday:
		target := dim
		switch weekdayOf(dim) {
		case time.Saturday:
			target = dim - 1
		case time.Sunday:
			target = dim - 2
		}
		if d != target {
			return false
		}
	case domNearestWeekday:
		n := c.domN
		if n > dim {
			return false
		}
		target := n
		switch weekdayOf(n) {
		case time.Saturday:
			if target = n - 1; n == 1 {
				target = 3 // stay within the month: Monday the 3rd
			}
		case time.Sunday:
			if target = n + 1; n == dim {
				target = n - 2 // stay within the month: Friday
			}
		}
		if d != target {
			return false
		}
	}
	switch c.dowKind {
	case dowLast:
		return wd == c.dowDay && d+7 > dim
	case dowNth:
		return wd == c.dowDay && (d-1)/7+1 == c.dowN
	default:
		return c.dow&(1<<uint(wd)) != 0
	}
}

// canMatch reports whether any day of any year matches. Every month length
// occurs starting on every weekday within a 400-year Gregorian cycle, so
// checking those combinations is exact.
func (c *cronExpr) canMatch() bool {
	for mo := time.January; mo <= time.December; mo++ {
		if c.month&(1<<uint(mo)) == 0 {
			continue
		}
		lengths := []int{daysIn(2001, mo)}
		if mo == time.February {
			lengths = append(lengths, 29)
		}
		for _, dim := range lengths {
			for first := time.Sunday; first <= time.Saturday; first++ {
				for d := 1; d <= dim; d++ {
					if c.matchDay(d, dim, (first+time.Weekday(d-1))%7) {
						return true
					}
				}
			}
		}
	}
	return false
}

// next returns the earliest instant strictly after `after` whose wall clock
// in c.loc matches, at whole seconds. A wall-clock time that occurs twice
// (clocks set back) matches only its first occurrence; one that is skipped
// (clocks set forward) fires when the gap ends, shifted by its length.
func (c *cronExpr) next(after time.Time) (time.Time, bool) {
	lt := after.In(c.loc)
	y, mo, d := lt.Date()
	h, mi, s := lt.Clock()
	wd := lt.Weekday()
	from := h*3600 + mi*60 + s + 1 // whole seconds strictly after `after`
	for end := y + searchYears; y <= end; {
		dim := daysIn(y, mo)
		if c.month&(1<<uint(mo)) == 0 {
			wd = (wd + time.Weekday(dim-d+1)) % 7
			d, from = dim+1, 0
		} else {
			if c.matchDay(d, dim, wd) {
				if t, ok := c.firstInDay(y, mo, d, from, after); ok {
					return t, true
				}
			}
			d, wd, from = d+1, (wd+1)%7, 0
		}
		if d > dim {
			d = 1
			if mo++; mo > time.December {
				mo, y = time.January, y+1
			}
		}
	}
	return time.Time{}, false
}

// firstInDay returns the earliest matching instant after `after` on the
// given day at or after second-of-day from.
func (c *cronExpr) firstInDay(y int, mo time.Month, d, from int, after time.Time) (time.Time, bool) {
	var best time.Time
	bestSOD := 1 << 30 // second of day of best's wall clock; later candidates can't be earlier
	fh, fm := from/3600, from/60%60
	for h := fh; h < 24; h++ {
		if c.hour&(1<<uint(h)) == 0 {
			continue
		}
		m0 := 0
		if h == fh {
			m0 = fm
		}
		for m := m0; m < 60; m++ {
			if c.minute&(1<<uint(m)) == 0 {
				continue
			}
			s0 := 0
			if h == fh && m == fm {
				s0 = from % 60
			}
			for sec := s0; sec < 60; sec++ {
				if c.second&(1<<uint(sec)) == 0 {
					continue
				}
				sod := h*3600 + m*60 + sec
				if sod >= bestSOD {
					return best, true
				}
				t, shifted := resolveLocal(y, mo, d, h, m, sec, 0, c.loc, nil)
				if !t.After(after) {
					continue // the repeated hour after clocks went back
				}
				if best.IsZero() || t.Before(best) {
					best = t
				}
				if !shifted {
					return best, true
				}
				// Skipped by a DST gap: a later wall-clock time before the
				// shifted one may still come first.
				bestSOD = 24 * 3600
				if by, bm, bd := best.Date(); by == y && bm == mo && bd == d {
					bh, bmi, bs := best.Clock()
					bestSOD = bh*3600 + bmi*60 + bs
				}
			}
		}
	}
	return best, !best.IsZero()
}
