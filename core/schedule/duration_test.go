package schedule

import (
	"strings"
	"testing"
	"time"
)

// at parses an RFC 3339 time for test expectations.
func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("bad test time %q: %v", s, err)
	}
	return v
}

// zone loads a zone for tests.
func zone(t *testing.T, id string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(id)
	if err != nil {
		t.Fatalf("load %s: %v", id, err)
	}
	return loc
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Duration
	}{
		{"seconds", "PT15S", Duration{Time: 15 * time.Second}},
		{"days hours minutes", "P14DT1H30M", Duration{Days: 14, Time: 90 * time.Minute}},
		{"years and months", "P1Y2M", Duration{Years: 1, Months: 2}},
		{"weeks are seven days", "P2W", Duration{Days: 14}},
		{"weeks and days", "P1W3D", Duration{Days: 10}},
		{"every component", "P1Y2M3W4DT5H6M7.5S", Duration{Years: 1, Months: 2, Days: 25, Time: 5*time.Hour + 6*time.Minute + 7500*time.Millisecond}},
		{"fractional second", "PT0.5S", Duration{Time: 500 * time.Millisecond}},
		{"fraction with comma", "PT1,25S", Duration{Time: 1250 * time.Millisecond}},
		{"nanosecond fraction", "PT0.000000001S", Duration{Time: 1}},
		{"negative", "-PT5S", Duration{Time: -5 * time.Second}},
		{"negative applies to every component", "-P1DT2H", Duration{Days: -1, Time: -2 * time.Hour}},
		{"explicit plus", "+PT5S", Duration{Time: 5 * time.Second}},
		{"lower case", "p1dt2h", Duration{Days: 1, Time: 2 * time.Hour}},
		{"surrounding white space", " \n\tPT1M \n", Duration{Time: time.Minute}},
		{"zero seconds", "PT0S", Duration{}},
		{"zero days", "P0D", Duration{}},
		{"minutes only after T", "PT90M", Duration{Time: 90 * time.Minute}},
		{"large hour count", "PT48H", Duration{Time: 48 * time.Hour}},
		{"most years", "P10000Y", Duration{Years: MaxYears}},
		{"most months", "P120000M", Duration{Months: 120000}},
		{"most days", "P3660000D", Duration{Days: 3660000}},
		{"most hours", "PT2562047H", Duration{Time: 2562047 * time.Hour}},
		{"FEEL days-time rendering", "P2DT3H", Duration{Days: 2, Time: 3 * time.Hour}},
		{"FEEL years-months zero", "P0M", Duration{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDuration(tt.in)
			if err != nil {
				t.Fatalf("ParseDuration(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Fatalf("ParseDuration(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseDurationErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"unknown designator", "PT1X", `invalid duration "PT1X": unknown designator 'X' at position 3`},
		{"empty", "", `invalid duration "": empty`},
		{"blank", "  ", `invalid duration "": empty`},
		{"missing P", "1D", `expected 'P' at position 0`},
		{"double sign", "--PT1S", `expected 'P' at position 1`},
		{"sign only", "-", `expected 'P' at position 1`},
		{"no components", "P", `no component after 'P' at position 0`},
		{"no components negative", "-P", `no component after 'P' at position 1`},
		{"nothing after T", "PT", `no time component after 'T' at position 1`},
		{"nothing after T with days", "P1DT", `no time component after 'T' at position 3`},
		{"second T", "PT1HT1M", `second 'T' at position 4`},
		{"hours without T", "P1H", `designator 'H' needs a preceding 'T' at position 2`},
		{"days after T", "PT1D", `designator 'D' not allowed after 'T' at position 3`},
		{"out of order", "P1D1Y", `designator 'Y' repeated or out of order at position 4`},
		{"repeated", "P1Y1Y", `designator 'Y' repeated or out of order at position 4`},
		{"repeated time", "PT1S1S", `designator 'S' repeated or out of order at position 5`},
		{"fraction on minutes", "PT1.5M", `only seconds may have a fraction, at position 2`},
		{"fraction on days", "P1.5D", `only seconds may have a fraction, at position 1`},
		{"empty fraction", "PT1.S", `expected a digit after the decimal mark at position 4`},
		{"ten fractional digits", "PT0.1234567891S", `more than 9 fractional digits at position 4`},
		{"missing designator", "PT1", `missing designator after number at position 3`},
		{"inner sign", "P-1D", `expected a number, found '-' at position 1`},
		{"letters", "Pabc", `expected a number, found 'a' at position 1`},
		{"too many years", "P10001Y", `10001 years out of range (at most 10000)`},
		{"too many months", "P120001M", `120001 months out of range (at most 120000)`},
		{"too many days", "P3660001D", `3660001 days out of range (at most 3660000)`},
		{"too many weeks", "P522858W", `3660006 days out of range`},
		{"time part too long", "PT2562048H", `time part of 9223372800 seconds out of range`},
		{"huge number", "P99999999999999999999D", `too large at position 1`},
		{"non-ASCII designator", "PT1ä", `unknown designator 'ä' at position 3`},
		{"too long", "P" + strings.Repeat("1", 600) + "D", `longer than 512 bytes`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ParseDuration(tt.in)
			if err == nil {
				t.Fatalf("ParseDuration(%q) = %+v, want error containing %q", tt.in, d, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ParseDuration(%q) error = %q, want it to contain %q", tt.in, err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "invalid duration ") {
				t.Fatalf("error %q does not name the input", err)
			}
		})
	}
}

func TestDurationString(t *testing.T) {
	tests := []struct {
		name string
		in   Duration
		want string
	}{
		{"zero", Duration{}, "PT0S"},
		{"every component", Duration{Years: 1, Months: 2, Days: 3, Time: 4*time.Hour + 5*time.Minute + 6500*time.Millisecond}, "P1Y2M3DT4H5M6.5S"},
		{"negative seconds", Duration{Time: -5 * time.Second}, "-PT5S"},
		{"negative years", Duration{Years: -1}, "-P1Y"},
		{"days only", Duration{Days: 14}, "P14D"},
		{"months only", Duration{Months: 1}, "P1M"},
		{"hours only", Duration{Time: 3 * time.Hour}, "PT3H"},
		{"minutes only", Duration{Time: 3 * time.Minute}, "PT3M"},
		{"nanosecond", Duration{Time: 1}, "PT0.000000001S"},
		{"whole and fraction", Duration{Days: 1, Time: 1500 * time.Millisecond}, "P1DT1.5S"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.String(); got != tt.want {
				t.Fatalf("String() = %q, want %q", got, tt.want)
			}
			back, err := ParseDuration(tt.want)
			if err != nil || back != tt.in {
				t.Fatalf("ParseDuration(%q) = %+v, %v; want %+v", tt.want, back, err, tt.in)
			}
		})
	}
}

func TestDurationAddTo(t *testing.T) {
	berlin := zone(t, "Europe/Berlin")
	tests := []struct {
		name     string
		duration string
		from     time.Time
		want     time.Time
	}{
		{"seconds", "PT15S", at(t, "2025-01-01T00:00:00Z"), at(t, "2025-01-01T00:00:15Z")},
		{"fractional seconds", "PT0.5S", at(t, "2025-01-01T00:00:00Z"), at(t, "2025-01-01T00:00:00.5Z")},
		{"days then hours", "P1DT1H", at(t, "2025-01-01T23:30:00Z"), at(t, "2025-01-03T00:30:00Z")},
		{"P1M from Jan 31 clamps to Feb 28", "P1M", at(t, "2025-01-31T10:00:00Z"), at(t, "2025-02-28T10:00:00Z")},
		{"P1M from Jan 31 in a leap year clamps to Feb 29", "P1M", at(t, "2024-01-31T10:00:00Z"), at(t, "2024-02-29T10:00:00Z")},
		{"P1M from Mar 31 clamps to Apr 30", "P1M", at(t, "2025-03-31T00:00:00Z"), at(t, "2025-04-30T00:00:00Z")},
		{"P1Y from Feb 29 clamps to Feb 28", "P1Y", at(t, "2024-02-29T00:00:00Z"), at(t, "2025-02-28T00:00:00Z")},
		{"P4Y from Feb 29 keeps Feb 29", "P4Y", at(t, "2024-02-29T00:00:00Z"), at(t, "2028-02-29T00:00:00Z")},
		{"P1Y2M is fourteen months, clamped once", "P1Y2M", at(t, "2025-01-31T00:00:00Z"), at(t, "2026-03-31T00:00:00Z")},
		{"months wrap into next year", "P1M", at(t, "2025-12-15T00:00:00Z"), at(t, "2026-01-15T00:00:00Z")},
		{"negative months wrap into previous year", "-P1M", at(t, "2025-01-15T00:00:00Z"), at(t, "2024-12-15T00:00:00Z")},
		{"negative month from Mar 31 clamps", "-P1M", at(t, "2025-03-31T00:00:00Z"), at(t, "2025-02-28T00:00:00Z")},
		{"negative days and time", "-P1DT1H", at(t, "2025-03-01T00:30:00Z"), at(t, "2025-02-27T23:30:00Z")},
		{"P1D in UTC is 24h", "P1D", at(t, "2025-03-29T12:00:00Z"), at(t, "2025-03-30T12:00:00Z")},
		{"days across Feb 29", "P2D", at(t, "2024-02-28T12:00:00Z"), at(t, "2024-03-01T12:00:00Z")},
		{"P1D across spring-forward is 23h", "P1D", time.Date(2025, 3, 29, 12, 0, 0, 0, berlin), at(t, "2025-03-30T12:00:00+02:00")},
		{"PT24H across spring-forward is exact", "PT24H", time.Date(2025, 3, 29, 12, 0, 0, 0, berlin), at(t, "2025-03-30T13:00:00+02:00")},
		{"P1D across fall-back is 25h", "P1D", time.Date(2025, 10, 25, 12, 0, 0, 0, berlin), at(t, "2025-10-26T12:00:00+01:00")},
		{"P1D into a DST gap moves forward", "P1D", time.Date(2025, 3, 29, 2, 30, 0, 0, berlin), at(t, "2025-03-30T03:30:00+02:00")},
		{"P1D into a repeated hour keeps summer offset", "P1D", time.Date(2025, 10, 25, 2, 30, 0, 0, berlin), at(t, "2025-10-26T02:30:00+02:00")},
		{"-P1D into a repeated hour keeps winter offset", "-P1D", time.Date(2025, 10, 27, 2, 30, 0, 0, berlin), at(t, "2025-10-26T02:30:00+01:00")},
		{"P1M keeps the wall clock across DST", "P1M", time.Date(2025, 3, 15, 9, 0, 0, 0, berlin), at(t, "2025-04-15T09:00:00+02:00")},
		{"fixed offset zone", "P1D", at(t, "2025-03-29T12:00:00+05:30"), at(t, "2025-03-30T12:00:00+05:30")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ParseDuration(tt.duration)
			if err != nil {
				t.Fatal(err)
			}
			got := d.AddTo(tt.from)
			if !got.Equal(tt.want) {
				t.Fatalf("%s.AddTo(%s) = %s, want %s", tt.duration, tt.from, got, tt.want)
			}
			if got.Location() != tt.from.Location() {
				t.Fatalf("location changed from %s to %s", tt.from.Location(), got.Location())
			}
		})
	}
}
