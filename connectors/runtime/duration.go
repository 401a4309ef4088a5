package runtime

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// parseISODuration reads an ISO 8601 duration of days and time, as Java's
// Duration.parse does (Camunda's retryBackoff header): PnDTnHnMn.nS, each
// part optional but at least one present, for example PT10S, PT1M30S, P1D,
// PT0.5S. Years, months and weeks are refused (their length varies), and so
// are negative durations.
func parseISODuration(s string) (time.Duration, error) {
	bad := func(reason string) error {
		return fmt.Errorf("expected an ISO 8601 duration such as PT10S, got %q: %s", s, reason)
	}
	rest, ok := strings.CutPrefix(strings.ToUpper(strings.TrimSpace(s)), "P")
	if !ok {
		return 0, bad("it does not start with P")
	}
	datePart, timePart, hasT := strings.Cut(rest, "T")
	if hasT && timePart == "" {
		return 0, bad("nothing follows T")
	}
	var total float64
	parts := 0
	read := func(part string, units map[byte]float64, order string) error {
		last := -1
		for part != "" {
			i := strings.IndexAny(part, order)
			if i <= 0 {
				return bad("expected a number followed by one of " + order)
			}
			unit := part[i]
			pos := strings.IndexByte(order, unit)
			if pos <= last {
				return bad("units out of order or repeated")
			}
			last = pos
			n, err := strconv.ParseFloat(part[:i], 64)
			if err != nil || n < 0 || math.IsInf(n, 0) || math.IsNaN(n) || strings.ContainsAny(part[:i], "+-eE") {
				return bad("invalid number " + strconv.Quote(part[:i]))
			}
			if unit != 'S' && n != math.Trunc(n) {
				return bad("only seconds may have a fraction")
			}
			total += n * units[unit]
			parts++
			part = part[i+1:]
		}
		return nil
	}
	if err := read(datePart, map[byte]float64{'D': float64(24 * time.Hour)}, "D"); err != nil {
		return 0, err
	}
	if err := read(timePart, map[byte]float64{'H': float64(time.Hour), 'M': float64(time.Minute), 'S': float64(time.Second)}, "HMS"); err != nil {
		return 0, err
	}
	if parts == 0 {
		return 0, bad("it has no parts")
	}
	if total > float64(math.MaxInt64) {
		return 0, bad("it is too long")
	}
	return time.Duration(total), nil
}
