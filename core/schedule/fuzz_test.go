package schedule

import (
	"strings"
	"testing"
	"time"
)

var fuzzSeeds = []string{
	"PT15S", "P14DT1H30M", "P1Y2M", "P2W", "PT0.5S", "-PT5S", "P1Y2M3W4DT5H6M7.123456789S", "PT", "P",
	"P10000Y", "PT2562047H", "P99999999999999999999D", "PT1X", "p1dt2h",
	"2025-10-01T12:00:00Z", "2025-10-01T12:00:00+02:00", "2025-10-01T12:00:00[Europe/Berlin]",
	"2025-10-01T12:00:00+02:00[Europe/Berlin]", "2025-10-01T12:00:00@Europe/Berlin", "2025-10-01",
	"2025-03-30T02:30:00[Europe/Berlin]", "2025-02-29", "2025-10-01T12:00:00[", "2025-10-01T12:00:00[Local]",
	"R5/PT10S", "R/P1D", "R3/2025-04-27T17:20:00Z/P1D", "R/2025-03-29T09:00:00[Europe/Berlin]/P1D",
	"R2147483648/PT1S", "R/PT0S", "R/PT1H/2025-01-01T00:00:00Z", "R//", "R/",
	"0 0 9-17 * * MON-FRI", "*/10 * * * * *", "0 0 12 ? * WED", "0 0 0 L * *", "0 0 0 15W * *", "0 0 0 LW * *",
	"0 0 0 * * 5L", "0 0 0 * * MON#2", "0 0 0 29 2 MON", "0 0 0 30 2 *", "@hourly", "@weekly", "@every 1h",
	"CRON_TZ=Europe/Berlin 0 30 2 * * *", "CRON_TZ=Australia/Lord_Howe 0 */10 2 * * *", "TZ=", "* * * * *",
	"*/0 * * * * *", "1-2-3/4/5 * * * * *", "", " ", "\xff", strings.Repeat("9", 600),
}

// FuzzParse checks that the parsers never panic, that a parsed duration
// formats and parses back to itself, and that cycles only move forward.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	now := time.Date(2025, 10, 26, 0, 45, 0, 0, time.UTC) // inside Berlin's repeated hour
	f.Fuzz(func(t *testing.T, s string) {
		if d, err := ParseDuration(s); err == nil {
			back, err := ParseDuration(d.String())
			if err != nil || back != d {
				t.Fatalf("ParseDuration(%q) = %+v; String %q parses to %+v, %v", s, d, d.String(), back, err)
			}
			_ = d.AddTo(now)
		}
		if tm, err := ParseDateTime(s); err == nil && tm.IsZero() {
			t.Fatalf("ParseDateTime(%q) returned the zero time", s)
		}
		c, err := ParseCycle(s)
		if err != nil {
			return
		}
		due, err := c.First(now)
		if err != nil {
			t.Fatalf("First for parsed cycle %q: %v", s, err)
		}
		if due.Before(now) || (c.cron != nil && !due.After(now)) {
			t.Fatalf("First(%s) for %q = %s, before now", now, s, due)
		}
		remaining := c.Repetitions()
		for range 3 {
			next, left, err := c.Next(due, remaining)
			if err != nil {
				t.Fatalf("Next for %q: %v", s, err)
			}
			if left == 0 {
				break
			}
			if !next.After(due) {
				t.Fatalf("Next(%s) for %q = %s, not after", due, s, next)
			}
			due, remaining = next, left
		}
		for _, kind := range []string{KindDate, KindDuration, KindCycle} {
			_, _ = Due(kind, s, now)
		}
	})
}
