package schedule

import (
	"strings"
	"testing"
	"time"
)

// firings returns up to n due times of c starting at now, following the
// engine's protocol of First, then Next with the remaining count.
func firings(t *testing.T, c *Cycle, now time.Time, n int) []time.Time {
	t.Helper()
	due, err := c.First(now)
	if err != nil {
		t.Fatalf("First(%s): %v", now, err)
	}
	remaining := c.Repetitions()
	var out []time.Time
	for len(out) < n {
		out = append(out, due)
		var left int32
		next, left, err := c.Next(due, remaining)
		if err != nil {
			t.Fatalf("Next(%s, %d): %v", due, remaining, err)
		}
		if left == 0 {
			if !next.IsZero() {
				t.Fatalf("Next(%s, %d) = %s with 0 left, want zero time", due, remaining, next)
			}
			break
		}
		if !next.After(due) {
			t.Fatalf("Next(%s, %d) = %s, not after the previous firing", due, remaining, next)
		}
		if remaining != Infinite && left != remaining-1 {
			t.Fatalf("Next(_, %d) left %d, want %d", remaining, left, remaining-1)
		}
		due, remaining = next, left
	}
	return out
}

func checkTimes(t *testing.T, got []time.Time, want ...string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d firings %v, want %d %v", len(got), got, len(want), want)
	}
	for i := range got {
		if w := at(t, want[i]); !got[i].Equal(w) {
			t.Fatalf("firing %d = %s, want %s (all: %v)", i, got[i].UTC().Format(time.RFC3339Nano), w.UTC().Format(time.RFC3339Nano), got)
		}
	}
}

func TestCycleIntervals(t *testing.T) {
	now := at(t, "2025-04-01T08:00:00Z")
	tests := []struct {
		name        string
		in          string
		now         time.Time
		n           int
		repetitions int32
		want        []string
	}{
		{"bounded repetitions fire n times", "R5/PT10S", now, 10, 5, []string{
			"2025-04-01T08:00:10Z", "2025-04-01T08:00:20Z", "2025-04-01T08:00:30Z", "2025-04-01T08:00:40Z", "2025-04-01T08:00:50Z"}},
		{"R1 fires once", "R1/PT1H", now, 5, 1, []string{"2025-04-01T09:00:00Z"}},
		{"R0 fires once", "R0/PT1H", now, 5, 1, []string{"2025-04-01T09:00:00Z"}},
		{"no count repeats forever", "R/P1D", now, 4, Infinite, []string{
			"2025-04-02T08:00:00Z", "2025-04-03T08:00:00Z", "2025-04-04T08:00:00Z", "2025-04-05T08:00:00Z"}},
		{"fractional interval", "R3/PT0.5S", now, 5, 3, []string{
			"2025-04-01T08:00:00.5Z", "2025-04-01T08:00:01Z", "2025-04-01T08:00:01.5Z"}},
		{"future start fires at the start", "R3/2025-04-27T17:20:00Z/P1D", now, 5, 3, []string{
			"2025-04-27T17:20:00Z", "2025-04-28T17:20:00Z", "2025-04-29T17:20:00Z"}},
		{"start equal to now fires now", "R2/2025-04-01T08:00:00Z/PT1H", now, 5, 2, []string{
			"2025-04-01T08:00:00Z", "2025-04-01T09:00:00Z"}},
		{"past start fires one interval after now", "R3/2025-01-01T00:00:00Z/P1D", now, 5, 3, []string{
			"2025-04-02T08:00:00Z", "2025-04-03T08:00:00Z", "2025-04-04T08:00:00Z"}},
		{"infinite with start", "R/2025-05-01T06:00:00+02:00/PT12H", now, 3, Infinite, []string{
			"2025-05-01T04:00:00Z", "2025-05-01T16:00:00Z", "2025-05-02T04:00:00Z"}},
		{"daily in a zone keeps the wall clock across spring-forward", "R4/2025-03-29T09:00:00[Europe/Berlin]/P1D", at(t, "2025-03-01T00:00:00Z"), 5, 4, []string{
			"2025-03-29T08:00:00Z", "2025-03-30T07:00:00Z", "2025-03-31T07:00:00Z", "2025-04-01T07:00:00Z"}},
		{"daily in a zone keeps the wall clock across fall-back", "R3/2025-10-25T09:00:00[Europe/Berlin]/P1D", at(t, "2025-10-01T00:00:00Z"), 5, 3, []string{
			"2025-10-25T07:00:00Z", "2025-10-26T08:00:00Z", "2025-10-27T08:00:00Z"}},
		{"exact hours across spring-forward", "R3/2025-03-29T09:00:00[Europe/Berlin]/PT24H", at(t, "2025-03-01T00:00:00Z"), 5, 3, []string{
			"2025-03-29T08:00:00Z", "2025-03-30T08:00:00Z", "2025-03-31T08:00:00Z"}},
		{"monthly from Jan 31 clamps and continues from the clamped date", "R4/2025-01-31T00:00:00Z/P1M", now.AddDate(-1, 0, 0), 5, 4, []string{
			"2025-01-31T00:00:00Z", "2025-02-28T00:00:00Z", "2025-03-28T00:00:00Z", "2025-04-28T00:00:00Z"}},
		{"yearly from a leap day", "R3/2024-02-29T12:00:00Z/P1Y", at(t, "2024-01-01T00:00:00Z"), 5, 3, []string{
			"2024-02-29T12:00:00Z", "2025-02-28T12:00:00Z", "2026-02-28T12:00:00Z"}},
		{"largest count", "R2147483647/PT1S", now, 2, 2147483647, []string{"2025-04-01T08:00:01Z", "2025-04-01T08:00:02Z"}},
		{"white space", "\n R2/PT1M \n", now, 5, 2, []string{"2025-04-01T08:01:00Z", "2025-04-01T08:02:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseCycle(tt.in)
			if err != nil {
				t.Fatalf("ParseCycle(%q): %v", tt.in, err)
			}
			if got := c.Repetitions(); got != tt.repetitions {
				t.Fatalf("Repetitions() = %d, want %d", got, tt.repetitions)
			}
			if c.String() != strings.TrimSpace(tt.in) {
				t.Fatalf("String() = %q", c.String())
			}
			checkTimes(t, firings(t, c, tt.now, tt.n), tt.want...)
		})
	}
}

func TestCycleNextUsesStartZoneWhateverTheLocationOfPrev(t *testing.T) {
	c, err := ParseCycle("R/2025-03-29T09:00:00[Europe/Berlin]/P1D")
	if err != nil {
		t.Fatal(err)
	}
	// The engine stores due times in UTC; the zone must come from the start.
	next, left, err := c.Next(at(t, "2025-03-29T08:00:00Z"), Infinite)
	if err != nil || left != Infinite {
		t.Fatalf("Next = %s, %d, %v", next, left, err)
	}
	if want := at(t, "2025-03-30T07:00:00Z"); !next.Equal(want) {
		t.Fatalf("Next = %s, want %s", next.UTC(), want)
	}
}

func TestCycleNextCountsDown(t *testing.T) {
	c, err := ParseCycle("R3/PT1M")
	if err != nil {
		t.Fatal(err)
	}
	prev := at(t, "2025-01-01T00:00:00Z")
	tests := []struct {
		name      string
		remaining int32
		wantLeft  int32
		wantDone  bool
	}{
		{"three left", 3, 2, false},
		{"two left", 2, 1, false},
		{"last firing", 1, 0, true},
		{"nothing left", 0, 0, true},
		{"corrupt negative count", -7, 0, true},
		{"infinite stays infinite", Infinite, Infinite, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next, left, err := c.Next(prev, tt.remaining)
			if err != nil {
				t.Fatal(err)
			}
			if left != tt.wantLeft || next.IsZero() != tt.wantDone {
				t.Fatalf("Next(_, %d) = %s, %d; want left %d, done %v", tt.remaining, next, left, tt.wantLeft, tt.wantDone)
			}
		})
	}
}

func TestParseCycleErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", `invalid cron expression "": empty`},
		{"R alone", "R", `invalid time cycle "R": expected '/' after the repetitions`},
		{"count without interval", "R5", `expected '/' after the repetitions`},
		{"empty interval", "R5/", `interval: empty`},
		{"letters in count", "Rx/PT1S", `repetitions: expected a number, found 'x' at position 1`},
		{"negative count", "R-1/PT1S", `repetitions: expected a number, found '-' at position 1`},
		{"count with junk", "R5x/PT1S", `repetitions: unexpected 'x' at position 2`},
		{"count beyond int32", "R2147483648/PT1S", `repetitions 2147483648 out of range (at most 2147483647)`},
		{"huge count", "R99999999999999999999999/PT1S", `out of range (at most 2147483647)`},
		{"zero interval", "R5/PT0S", `interval PT0S must be positive (at least 1ms)`},
		{"negative interval", "R/-PT5S", `interval -PT5S must be positive`},
		{"sub-millisecond interval", "R/PT0.0001S", `interval PT0.0001S must be positive (at least 1ms)`},
		{"bad interval with position", "R5/PT1X", `interval: unknown designator 'X' at position 6`},
		{"date instead of interval", "R/2025-01-01T00:00:00Z", `interval: expected 'P' at position 2`},
		{"duration and end", "R/PT1H/2025-01-01T00:00:00Z", `"R/duration/end" is not supported`},
		{"start and end", "R/2025-01-01T00:00:00Z/2025-02-01T00:00:00Z", `"R/start/end" is not supported`},
		{"too many parts", "R/2025-01-01T00:00:00Z/PT1H/PT1H", `start: unexpected '/' at position 22`},
		{"duration and zoned end", "R/PT1H/2025-01-01T00:00:00[Europe/Berlin]", `"R/duration/end" is not supported`},
		{"zoned start and zoned end", "R/2025-01-01T00:00:00[Europe/Berlin]/2025-02-01T00:00:00[Europe/Berlin]", `"R/start/end" is not supported`},
		{"bad start with position", "R3/2025-13-01T00:00:00Z/P1D", `start: month 13 out of range 01-12 at position 8`},
		{"unknown start zone", "R3/2025-01-01T00:00:00[Nowhere/City]/P1D", `start: unknown time zone "Nowhere/City" at position 23`},
		{"too long", "R/" + strings.Repeat("P", 600), `longer than 512 bytes`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseCycle(tt.in)
			if err == nil {
				t.Fatalf("ParseCycle(%q) = %v, want error containing %q", tt.in, c, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ParseCycle(%q) error = %q, want it to contain %q", tt.in, err, tt.want)
			}
		})
	}
}

func TestNilCycle(t *testing.T) {
	var c *Cycle
	if _, err := c.First(time.Now()); err == nil {
		t.Fatal("First on nil cycle: no error")
	}
	if _, _, err := c.Next(time.Now(), 3); err == nil {
		t.Fatal("Next on nil cycle: no error")
	}
	if c.Repetitions() != 0 || c.String() != "" {
		t.Fatal("nil cycle has repetitions or text")
	}
}

func TestDue(t *testing.T) {
	now := at(t, "2025-06-15T10:00:00Z")
	tests := []struct {
		name, kind, value, want string
	}{
		{"date in the future", KindDate, "2025-10-01T12:00:00+02:00", "2025-10-01T10:00:00Z"},
		{"date in the past is due at once", KindDate, "2020-01-01", "2020-01-01T00:00:00Z"},
		{"date in a zone", KindDate, "2025-10-01T12:00:00[Europe/Berlin]", "2025-10-01T10:00:00Z"},
		{"duration", KindDuration, "PT15S", "2025-06-15T10:00:15Z"},
		{"calendar duration", KindDuration, "P1M", "2025-07-15T10:00:00Z"},
		{"zero duration fires now", KindDuration, "PT0S", "2025-06-15T10:00:00Z"},
		{"negative duration fires now", KindDuration, "-PT5S", "2025-06-15T10:00:00Z"},
		{"negative calendar duration fires now", KindDuration, "-P1Y", "2025-06-15T10:00:00Z"},
		{"cycle", KindCycle, "R5/PT10S", "2025-06-15T10:00:10Z"},
		{"cycle with start", KindCycle, "R3/2025-07-01T00:00:00Z/P1D", "2025-07-01T00:00:00Z"},
		{"cron cycle", KindCycle, "0 0 9-17 * * MON-FRI", "2025-06-16T09:00:00Z"},
		{"cron cycle in a zone", KindCycle, "CRON_TZ=Europe/Berlin 0 0 9 * * *", "2025-06-16T07:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Due(tt.kind, tt.value, now)
			if err != nil {
				t.Fatalf("Due(%s, %q): %v", tt.kind, tt.value, err)
			}
			if want := at(t, tt.want); !got.Equal(want) {
				t.Fatalf("Due(%s, %q) = %s, want %s", tt.kind, tt.value, got.UTC(), want)
			}
		})
	}
}

func TestDueErrors(t *testing.T) {
	now := at(t, "2025-06-15T10:00:00Z")
	tests := []struct {
		name, kind, value, want string
	}{
		{"unknown kind", "timeSpan", "PT1S", `unknown timer kind "timeSpan" (want timeDate, timeDuration or timeCycle)`},
		{"bad date", KindDate, "2025-02-30", `invalid date-time "2025-02-30": day 30 out of range`},
		{"duration given as date", KindDate, "PT1S", `invalid date-time`},
		{"bad duration", KindDuration, "PT1X", `invalid duration "PT1X": unknown designator 'X' at position 3`},
		{"date given as duration", KindDuration, "2025-01-01", `invalid duration`},
		{"bad cycle", KindCycle, "R5/PT0S", `invalid time cycle`},
		{"cron never matching", KindCycle, "0 0 0 30 2 *", `invalid cron expression "0 0 0 30 2 *": no date matches`},
		{"empty value", KindDuration, "", `invalid duration "": empty`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Due(tt.kind, tt.value, now)
			if err == nil {
				t.Fatalf("Due(%s, %q) = %s, want error", tt.kind, tt.value, got)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Due(%s, %q) error = %q, want it to contain %q", tt.kind, tt.value, err, tt.want)
			}
		})
	}
}
