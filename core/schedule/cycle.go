package schedule

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// Infinite is the repetition count of a cycle that never ends: "R/…" and
// every cron expression.
const Infinite int32 = -1

// Cycle is a parsed timeCycle: an ISO 8601 repeating interval
// "R[n]/[start/]duration" or a cron expression. It is immutable and safe for
// concurrent use.
//
// A Cycle holds no firing state. The engine keeps, with each scheduled
// timer, its due time and the number of firings remaining, starting at
// [Cycle.Repetitions], and calls [Cycle.Next] after each firing:
//
//	due, err := c.First(now)
//	remaining := c.Repetitions()
//	// ... the timer fires at due ...
//	due, remaining, err = c.Next(due, remaining) // remaining == 0: done
type Cycle struct {
	src         string
	repetitions int32 // ≥ 1, or Infinite
	start       time.Time
	hasStart    bool
	interval    Duration
	cron        *cronExpr
	loc         *time.Location // where calendar arithmetic happens
}

// ParseCycle parses a timeCycle definition, ignoring surrounding white
// space. It accepts:
//
//   - "R[n]/duration" and "R[n]/start/duration": n firings (at most
//     2147483647; no n means infinitely many; R0 fires once, like R1), the
//     optional start as in [ParseDateTime], and a duration as in
//     [ParseDuration] of at least one millisecond. Forms with an end date
//     ("R/start/end", "R/duration/end") are not supported.
//   - A Spring-style cron expression of six fields "second minute hour
//     day-of-month month day-of-week", each "*", a value, a range "a-b", a
//     step "*/n", "a/n" or "a-b/n", or a comma-separated list of those.
//     Months take JAN-DEC, days of week SUN-SAT (0 or 7 is Sunday); "?"
//     means "*" in the day fields. Day of month also takes "L", "L-n", "LW"
//     and "nW", day of week "dL" and "d#n". Day of month and day of week
//     must both match. The macros @yearly, @annually, @monthly, @weekly,
//     @daily, @midnight and @hourly stand for their usual expressions.
//     Cron runs in UTC unless prefixed with "CRON_TZ=<zone id> ". An
//     expression that matches no date at all is an error.
func ParseCycle(s string) (*Cycle, error) {
	s = strings.TrimSpace(s)
	c, err := parseCycle(s)
	if err != nil {
		if strings.HasPrefix(s, "R") {
			return nil, fmt.Errorf("invalid time cycle %s: %w", quote(s), err)
		}
		return nil, fmt.Errorf("invalid cron expression %s: %w", quote(s), err)
	}
	return c, nil
}

func parseCycle(s string) (*Cycle, error) {
	switch {
	case s == "":
		return nil, errors.New("empty")
	case len(s) > maxInput:
		return nil, fmt.Errorf("longer than %d bytes", maxInput)
	case !strings.HasPrefix(s, "R"):
		cron, err := parseCron(s)
		if err != nil {
			return nil, err
		}
		return &Cycle{src: s, repetitions: Infinite, cron: cron, loc: cron.loc}, nil
	}
	c := &Cycle{src: s, repetitions: Infinite, loc: time.UTC}
	slash := strings.IndexByte(s, '/')
	if slash < 0 {
		return nil, errors.New("expected '/' after the repetitions")
	}
	if slash > 1 {
		n, next, err := readNumber(s, 1, math.MaxInt32)
		switch {
		case err != nil && isDigit(s[1]):
			return nil, fmt.Errorf("repetitions %s out of range (at most %d)", s[1:slash], math.MaxInt32)
		case err != nil:
			return nil, fmt.Errorf("repetitions: %w at position 1", err)
		case next != slash:
			return nil, fmt.Errorf("repetitions: unexpected %s at position %d", quoteAt(s, next), next)
		}
		c.repetitions = int32(max(n, 1))
	}
	// The interval follows the last '/'; a start, which may contain '/' in
	// its zone id, lies between the first and the last.
	last := strings.LastIndexByte(s, '/')
	interval, pos := s[last+1:], last+1
	if last > slash {
		middle := s[slash+1 : last]
		switch {
		case looksLikeDuration(middle):
			return nil, errors.New(`the form "R/duration/end" is not supported; use "R/start/duration"`)
		case !looksLikeDuration(interval):
			return nil, errors.New(`the form "R/start/end" is not supported; use "R/start/duration"`)
		}
		start, err := parseDateTime(middle, slash+1)
		if err != nil {
			return nil, fmt.Errorf("start: %w", err)
		}
		c.start, c.hasStart, c.loc = start, true, start.Location()
	}
	d, err := parseDuration(interval, pos)
	if err != nil {
		return nil, fmt.Errorf("interval: %w", err)
	}
	if !d.positive() {
		return nil, fmt.Errorf("interval %s must be positive (at least 1ms)", d)
	}
	c.interval = d
	return c, nil
}

func looksLikeDuration(s string) bool {
	s = strings.TrimLeft(s, "+-")
	return strings.HasPrefix(s, "P") || strings.HasPrefix(s, "p")
}

// Repetitions returns how many times the cycle fires in total: n for
// "Rn/…" (1 for R0), or [Infinite] for "R/…" and cron expressions.
func (c *Cycle) Repetitions() int32 {
	if c == nil {
		return 0
	}
	return c.repetitions
}

// First returns the first due time of the cycle evaluated at now. For an
// interval: the start when given and not before now, otherwise now plus the
// interval. For cron: the first match strictly after now. The error reports
// a cron expression with no match within 400 years.
func (c *Cycle) First(now time.Time) (time.Time, error) {
	if c == nil {
		return time.Time{}, errors.New("nil time cycle")
	}
	if c.hasStart && !c.start.Before(now) {
		return c.start, nil
	}
	return c.after(now)
}

// Next returns the due time following a firing due at prev, and the number
// of firings remaining after it. remaining is the count kept with the timer
// that fired (Repetitions() for the first firing). When that firing was the
// last, Next returns the zero time and 0. Otherwise left is remaining-1, or
// Infinite for an endless cycle.
//
// Pass the due time of the firing, not when it was processed, so that the
// schedule does not drift: intervals are added to prev in the start's zone
// (UTC without a start) and cron matches strictly after prev. Firings missed
// while the engine was down are not skipped.
func (c *Cycle) Next(prev time.Time, remaining int32) (next time.Time, left int32, err error) {
	if c == nil {
		return time.Time{}, 0, errors.New("nil time cycle")
	}
	if remaining != Infinite && remaining <= 1 {
		return time.Time{}, 0, nil
	}
	left = Infinite
	if remaining != Infinite {
		left = remaining - 1
	}
	next, err = c.after(prev)
	if err != nil {
		return time.Time{}, 0, err
	}
	return next, left, nil
}

// after returns the due time one step after t.
func (c *Cycle) after(t time.Time) (time.Time, error) {
	if c.cron != nil {
		next, ok := c.cron.next(t)
		if !ok {
			return time.Time{}, fmt.Errorf("cron expression %s has no match within %d years after %s",
				quote(c.src), searchYears-1, t.Format(time.RFC3339))
		}
		return next, nil
	}
	return c.interval.AddTo(t.In(c.loc)), nil
}

// String returns the definition the cycle was parsed from, without
// surrounding white space.
func (c *Cycle) String() string {
	if c == nil {
		return ""
	}
	return c.src
}

// Timer definition kinds accepted by Due; they match the BPMN element names.
const (
	KindDate     = "timeDate"
	KindDuration = "timeDuration"
	KindCycle    = "timeCycle"
)

// Due returns the first due time of a timer definition of the given kind
// (KindDate, KindDuration or KindCycle) whose value evaluated to value, at
// now:
//
//   - timeDate: the date-time itself, even if it is before now (the timer
//     is then due immediately);
//   - timeDuration: now plus the duration, or now if the duration is zero
//     or negative;
//   - timeCycle: the cycle's [Cycle.First].
func Due(kind, value string, now time.Time) (time.Time, error) {
	switch kind {
	case KindDate:
		return ParseDateTime(value)
	case KindDuration:
		d, err := ParseDuration(value)
		if err != nil {
			return time.Time{}, err
		}
		if t := d.AddTo(now); t.After(now) {
			return t, nil
		}
		return now, nil
	case KindCycle:
		c, err := ParseCycle(value)
		if err != nil {
			return time.Time{}, err
		}
		return c.First(now)
	default:
		return time.Time{}, fmt.Errorf("unknown timer kind %s (want %s, %s or %s)", quote(kind), KindDate, KindDuration, KindCycle)
	}
}
