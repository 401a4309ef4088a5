package schedule

import (
	"strings"
	"testing"
	"time"
)

func TestCron(t *testing.T) {
	tests := []struct {
		name string
		expr string
		from string
		want []string // successive firings strictly after from
	}{
		{"business hours on weekdays", "0 0 9-17 * * MON-FRI", "2025-10-03T16:30:00Z", []string{
			"2025-10-03T17:00:00Z", "2025-10-06T09:00:00Z", "2025-10-06T10:00:00Z"}},
		{"every ten seconds", "*/10 * * * * *", "2025-01-01T12:00:05Z", []string{
			"2025-01-01T12:00:10Z", "2025-01-01T12:00:20Z", "2025-01-01T12:00:30Z"}},
		{"strictly after an exact match", "*/10 * * * * *", "2025-01-01T12:00:10Z", []string{"2025-01-01T12:00:20Z"}},
		{"fraction before a match", "*/10 * * * * *", "2025-01-01T12:00:09.999Z", []string{"2025-01-01T12:00:10Z"}},
		{"fraction after a match", "*/10 * * * * *", "2025-01-01T12:00:10.001Z", []string{"2025-01-01T12:00:20Z"}},
		{"question mark and weekday name", "0 0 12 ? * WED", "2025-10-01T12:00:00Z", []string{
			"2025-10-08T12:00:00Z", "2025-10-15T12:00:00Z"}},
		{"every second", "* * * * * *", "2025-12-31T23:59:59Z", []string{"2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z"}},
		{"list of minutes", "0 15,45 8 * * *", "2025-01-01T08:20:00Z", []string{
			"2025-01-01T08:45:00Z", "2025-01-02T08:15:00Z"}},
		{"range with step", "0 0-30/10 6 * * *", "2025-01-01T06:05:00Z", []string{
			"2025-01-01T06:10:00Z", "2025-01-01T06:20:00Z", "2025-01-01T06:30:00Z", "2025-01-02T06:00:00Z"}},
		{"start with step", "5/15 * * * * *", "2025-01-01T00:00:00Z", []string{
			"2025-01-01T00:00:05Z", "2025-01-01T00:00:20Z", "2025-01-01T00:00:35Z", "2025-01-01T00:00:50Z", "2025-01-01T00:01:05Z"}},
		{"month names", "0 0 0 1 JAN,JUL *", "2025-01-01T00:00:00Z", []string{"2025-07-01T00:00:00Z", "2026-01-01T00:00:00Z"}},
		{"month range by name with step", "0 0 0 1 JAN-NOV/5 *", "2025-01-01T00:00:00Z", []string{"2025-06-01T00:00:00Z", "2025-11-01T00:00:00Z", "2026-01-01T00:00:00Z"}},
		{"lower-case names", "0 0 8 * jan mon-fri", "2025-01-03T09:00:00Z", []string{"2025-01-06T08:00:00Z"}},
		{"Sunday as 0", "0 0 0 * * 0", "2025-10-01T00:00:00Z", []string{"2025-10-05T00:00:00Z"}},
		{"Sunday as 7", "0 0 0 * * 7", "2025-10-01T00:00:00Z", []string{"2025-10-05T00:00:00Z"}},
		{"weekday range wrapping to Sunday", "0 0 0 * * FRI-SUN", "2025-10-01T00:00:00Z", []string{
			"2025-10-03T00:00:00Z", "2025-10-04T00:00:00Z", "2025-10-05T00:00:00Z", "2025-10-10T00:00:00Z"}},
		{"weekday range by number up to 7", "0 0 0 * * 6-7", "2025-10-01T00:00:00Z", []string{
			"2025-10-04T00:00:00Z", "2025-10-05T00:00:00Z"}},
		{"day of month and weekday must both match", "0 0 0 13 * FRI", "2025-01-01T00:00:00Z", []string{
			"2025-06-13T00:00:00Z", "2026-02-13T00:00:00Z"}},
		{"leap day", "0 0 0 29 2 *", "2025-03-01T00:00:00Z", []string{"2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"}},
		{"leap day on a Monday is decades away", "0 0 0 29 2 MON", "2025-01-01T00:00:00Z", []string{"2044-02-29T00:00:00Z", "2072-02-29T00:00:00Z"}},
		{"31st skips short months", "0 0 0 31 * *", "2025-04-01T00:00:00Z", []string{"2025-05-31T00:00:00Z", "2025-07-31T00:00:00Z"}},
		{"last day of month", "0 0 0 L * *", "2025-02-10T00:00:00Z", []string{"2025-02-28T00:00:00Z", "2025-03-31T00:00:00Z"}},
		{"last day of February in a leap year", "0 0 0 L 2 *", "2024-01-01T00:00:00Z", []string{"2024-02-29T00:00:00Z", "2025-02-28T00:00:00Z"}},
		{"third-to-last day", "0 0 0 L-2 * *", "2025-02-01T00:00:00Z", []string{"2025-02-26T00:00:00Z", "2025-03-29T00:00:00Z"}},
		{"last weekday of month", "0 0 0 LW * *", "2025-05-01T00:00:00Z", []string{"2025-05-30T00:00:00Z", "2025-06-30T00:00:00Z", "2025-07-31T00:00:00Z", "2025-08-29T00:00:00Z"}},
		{"weekday nearest the 15th", "0 0 0 15W * *", "2025-06-01T00:00:00Z", []string{"2025-06-16T00:00:00Z", "2025-07-15T00:00:00Z", "2025-08-15T00:00:00Z", "2025-09-15T00:00:00Z", "2025-10-15T00:00:00Z", "2025-11-14T00:00:00Z"}},
		{"weekday nearest the 1st stays in the month", "0 0 0 1W * *", "2025-10-15T00:00:00Z", []string{"2025-11-03T00:00:00Z", "2025-12-01T00:00:00Z"}},
		{"weekday nearest the 31st stays in the month", "0 0 0 31W * *", "2025-08-01T00:00:00Z", []string{"2025-08-29T00:00:00Z", "2025-10-31T00:00:00Z"}},
		{"last Friday of the month", "0 0 0 * * 5L", "2025-10-01T00:00:00Z", []string{"2025-10-31T00:00:00Z", "2025-11-28T00:00:00Z"}},
		{"last Sunday as 7L", "0 0 0 * * 7L", "2025-10-01T00:00:00Z", []string{"2025-10-26T00:00:00Z"}},
		{"first Monday of the month", "0 0 0 * * MON#1", "2025-10-01T00:00:00Z", []string{"2025-10-06T00:00:00Z", "2025-11-03T00:00:00Z"}},
		{"fifth Friday skips months without one", "0 0 0 * * FRI#5", "2025-09-01T00:00:00Z", []string{"2025-10-31T00:00:00Z", "2026-01-30T00:00:00Z"}},
		{"hourly macro", "@hourly", "2025-01-01T10:30:00Z", []string{"2025-01-01T11:00:00Z"}},
		{"daily macro", "@daily", "2025-01-01T10:30:00Z", []string{"2025-01-02T00:00:00Z"}},
		{"midnight macro", "@midnight", "2025-01-01T10:30:00Z", []string{"2025-01-02T00:00:00Z"}},
		{"weekly macro is Sunday midnight", "@weekly", "2025-10-01T10:30:00Z", []string{"2025-10-05T00:00:00Z"}},
		{"monthly macro", "@monthly", "2025-01-15T10:30:00Z", []string{"2025-02-01T00:00:00Z"}},
		{"yearly macro", "@yearly", "2025-01-15T10:30:00Z", []string{"2026-01-01T00:00:00Z"}},
		{"annually macro upper case", "@ANNUALLY", "2025-01-15T10:30:00Z", []string{"2026-01-01T00:00:00Z"}},
		{"extra white space between fields", "0  0\t12 * *  *", "2025-01-01T00:00:00Z", []string{"2025-01-01T12:00:00Z"}},
		// Zones: cron reads the wall clock of its zone.
		{"zone: 09:00 Berlin moves from 08:00Z to 07:00Z at spring-forward", "CRON_TZ=Europe/Berlin 0 0 9 * * *", "2025-03-28T12:00:00Z", []string{
			"2025-03-29T08:00:00Z", "2025-03-30T07:00:00Z", "2025-03-31T07:00:00Z"}},
		{"zone: 09:00 Berlin moves back to 08:00Z at fall-back", "CRON_TZ=Europe/Berlin 0 0 9 * * *", "2025-10-25T12:00:00Z", []string{
			"2025-10-26T08:00:00Z", "2025-10-27T08:00:00Z"}},
		{"zone: time in the spring-forward gap fires shifted by the gap", "CRON_TZ=Europe/Berlin 0 30 2 * * *", "2025-03-29T02:00:00Z", []string{
			"2025-03-30T01:30:00Z", "2025-03-31T00:30:00Z"}},
		{"zone: time in the repeated hour fires once, at its first occurrence", "CRON_TZ=Europe/Berlin 0 30 2 * * *", "2025-10-25T12:00:00Z", []string{
			"2025-10-26T00:30:00Z", "2025-10-27T01:30:00Z"}},
		{"zone: half-hourly through spring-forward", "CRON_TZ=Europe/Berlin 0 0/30 * * * *", "2025-03-30T00:15:00Z", []string{
			"2025-03-30T00:30:00Z", "2025-03-30T01:00:00Z", "2025-03-30T01:30:00Z", "2025-03-30T02:00:00Z"}},
		{"zone: half-hourly through fall-back skips the repeated hour", "CRON_TZ=Europe/Berlin 0 0/30 * * * *", "2025-10-25T23:45:00Z", []string{
			"2025-10-26T00:00:00Z", "2025-10-26T00:30:00Z", "2025-10-26T02:00:00Z", "2025-10-26T02:30:00Z"}},
		{"zone: from inside the repeated hour", "CRON_TZ=Europe/Berlin 0 0/30 * * * *", "2025-10-26T01:10:00Z", []string{"2025-10-26T02:00:00Z"}},
		{"zone: a real time beats an earlier time shifted by a half-hour gap", "CRON_TZ=Australia/Lord_Howe 0 20,40 2 * * *", "2025-10-04T12:00:00Z", []string{"2025-10-04T15:40:00Z"}},
		{"zone: TZ prefix, tab and macro", "TZ=America/New_York\t@daily", "2025-03-08T12:00:00Z", []string{"2025-03-09T05:00:00Z", "2025-03-10T04:00:00Z"}},
		{"zone: Sunday-midnight gap", "CRON_TZ=America/Sao_Paulo 0 0 0 * * *", "2018-11-03T12:00:00Z", []string{"2018-11-04T03:00:00Z", "2018-11-05T02:00:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseCycle(tt.expr)
			if err != nil {
				t.Fatalf("ParseCycle(%q): %v", tt.expr, err)
			}
			if c.Repetitions() != Infinite {
				t.Fatalf("Repetitions() = %d, want Infinite", c.Repetitions())
			}
			from := at(t, tt.from)
			var got []time.Time
			due, err := c.First(from)
			for err == nil && len(got) < len(tt.want) {
				got = append(got, due)
				var left int32
				due, left, err = c.Next(due, Infinite)
				if left != Infinite {
					t.Fatalf("Next left %d, want Infinite", left)
				}
			}
			if err != nil {
				t.Fatal(err)
			}
			checkTimes(t, got, tt.want...)
		})
	}
}

func TestCronResultIsInItsZone(t *testing.T) {
	c, err := ParseCycle("CRON_TZ=Europe/Berlin 0 0 9 * * *")
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.First(at(t, "2025-06-01T00:00:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Location().String() != "Europe/Berlin" || got.Hour() != 9 {
		t.Fatalf("First = %s, want 09:00 in Europe/Berlin", got)
	}
	u, err := ParseCycle("0 0 9 * * *")
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := u.First(at(t, "2025-06-01T00:00:00+05:00")); got.Location() != time.UTC || got.Hour() != 9 {
		t.Fatalf("cron without zone: First = %s, want 09:00 UTC", got)
	}
}

func TestCronErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"five fields", "* * * * *", `expected 6 fields (second minute hour day-of-month month day-of-week), found 5`},
		{"seven fields", "0 0 0 * * * 2025", `found 7`},
		{"second out of range", "60 * * * * *", `second field "60": value 60 out of range 0-59`},
		{"minute out of range", "0 60 * * * *", `minute field "60": value 60 out of range 0-59`},
		{"hour out of range", "0 0 24 * * *", `hour field "24": value 24 out of range 0-23`},
		{"day of month zero", "0 0 0 0 * *", `day-of-month field "0": value 0 out of range 1-31`},
		{"day of month 32", "0 0 0 32 * *", `value 32 out of range 1-31`},
		{"month 13", "0 0 0 * 13 *", `month field "13": value 13 out of range 1-12`},
		{"weekday 8", "0 0 0 * * 8", `day-of-week field "8": value 8 out of range 0-7`},
		{"unknown month name", "0 0 0 * FOO *", `month field "FOO": "FOO" is not a number or name (JAN-DEC)`},
		{"unknown weekday name", "0 0 0 * * MONDAY", `"MONDAY" is not a number or name (SUN-SAT)`},
		{"name in a numeric field", "0 0 MON * * *", `hour field "MON": "MON" is not a number`},
		{"step zero", "*/0 * * * * *", `step "0" is not a positive number`},
		{"step missing", "*/ * * * * *", `step "" is not a positive number`},
		{"step not a number", "*/x * * * * *", `step "x" is not a positive number`},
		{"reversed range", "0 0 5-1 * * *", `range "5-1" starts after it ends`},
		{"reversed weekday range", "0 0 0 * * FRI-MON", `range "FRI-MON" starts after it ends`},
		{"bad range end", "0 0 1-x * * *", `"x" is not a number`},
		{"question mark in seconds", "? * * * * *", `"?" is only allowed for day-of-month and day-of-week`},
		{"empty list item", "1,,2 * * * * *", `second field "1,,2": "" is not a number`},
		{"huge value", "99999999 * * * * *", `is not a number`},
		{"30 February never matches", "0 0 0 30 2 *", `no date matches its day-of-month, month and day-of-week fields`},
		{"31st of short months never matches", "0 0 0 31 4,6,9,11 *", `no date matches`},
		{"unknown macro", "@every 5m", `unknown macro "@every 5m"`},
		{"unknown zone", "CRON_TZ=Mars/Base 0 0 * * * *", `unknown time zone "Mars/Base"`},
		{"zone without expression", "CRON_TZ=UTC", `found 0`},
		{"L too far back", "0 0 0 L-31 * *", `"L-n" needs n between 0 and 30`},
		{"W on day 32", "0 0 0 32W * *", `"nW": value 32 out of range 1-31`},
		{"L with junk", "0 0 0 LX * *", `"L" and "W" are only allowed as`},
		{"W in a list", "0 0 0 1W,15W * *", `"nW"`},
		{"bad last weekday", "0 0 0 * * 8L", `"dL": value 8 out of range 0-7`},
		{"sixth weekday", "0 0 0 * * MON#6", `"d#n" needs n between 1 and 5`},
		{"missing nth", "0 0 0 * * MON#", `"d#n" needs n between 1 and 5`},
		{"bad weekday before #", "0 0 0 * * X#1", `"d#n": "X" is not a number or name`},
		{"L alone in weekday", "0 0 0 * * L", `"dL": "" is not a number or name`},
		{"too long", "0 0 0 * * " + strings.Repeat("1,", 300) + "1", `longer than 512 bytes`},
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
			if !strings.HasPrefix(err.Error(), "invalid cron expression ") {
				t.Fatalf("error %q does not name the expression", err)
			}
		})
	}
}

// TestCronSearchIsBounded checks the bounded search itself with an
// expression ParseCycle would reject: it must give up, not loop.
func TestCronSearchIsBounded(t *testing.T) {
	never := &cronExpr{second: 1, minute: 1, hour: 1, dom: 1 << 30, month: 1 << 2, dow: 0x7f, loc: time.UTC}
	c := &Cycle{src: "0 0 0 30 2 *", repetitions: Infinite, cron: never, loc: time.UTC}
	start := time.Now()
	_, err := c.First(at(t, "2025-01-01T00:00:00Z"))
	if err == nil || !strings.Contains(err.Error(), `cron expression "0 0 0 30 2 *" has no match within 400 years`) {
		t.Fatalf("First error = %v", err)
	}
	if _, _, err := c.Next(at(t, "2025-01-01T00:00:00Z"), Infinite); err == nil {
		t.Fatal("Next: no error")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("bounded search took %s", d)
	}
}
