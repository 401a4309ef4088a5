package schedule

import (
	"strings"
	"testing"
)

func TestParseDateTime(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // RFC 3339 of the instant
		zone string // location name of the result, "" for a fixed offset
	}{
		{"UTC", "2025-10-01T12:00:00Z", "2025-10-01T12:00:00Z", "UTC"},
		{"lower-case t and z", "2025-10-01t12:00:00z", "2025-10-01T12:00:00Z", "UTC"},
		{"offset with colon", "2025-10-01T12:00:00+02:00", "2025-10-01T10:00:00Z", ""},
		{"offset without colon", "2025-10-01T12:00:00+0200", "2025-10-01T10:00:00Z", ""},
		{"offset hours only", "2025-10-01T12:00:00+02", "2025-10-01T10:00:00Z", ""},
		{"negative offset", "2025-10-01T12:00:00-05:30", "2025-10-01T17:30:00Z", ""},
		{"offset with seconds", "2025-10-01T12:00:00+01:00:30", "2025-10-01T10:59:30Z", ""},
		{"zero offset is UTC", "2025-10-01T12:00:00+00:00", "2025-10-01T12:00:00Z", "UTC"},
		{"most offset", "2025-10-01T12:00:00-18:00", "2025-10-02T06:00:00Z", ""},
		{"fraction", "2025-10-01T12:00:00.5Z", "2025-10-01T12:00:00.5Z", "UTC"},
		{"nanosecond fraction with comma", "2025-10-01T12:00:00,123456789Z", "2025-10-01T12:00:00.123456789Z", "UTC"},
		{"no seconds", "2025-10-01T12:00Z", "2025-10-01T12:00:00Z", "UTC"},
		{"no offset is UTC", "2025-10-01T12:00:00", "2025-10-01T12:00:00Z", "UTC"},
		{"plain date is midnight UTC", "2025-10-01", "2025-10-01T00:00:00Z", "UTC"},
		{"white space", "\n  2025-10-01T12:00:00Z  \n", "2025-10-01T12:00:00Z", "UTC"},
		{"zone id in summer", "2025-10-01T12:00:00[Europe/Berlin]", "2025-10-01T10:00:00Z", "Europe/Berlin"},
		{"zone id in winter", "2025-01-15T12:00:00[Europe/Berlin]", "2025-01-15T11:00:00Z", "Europe/Berlin"},
		{"offset and zone id", "2025-10-01T12:00:00+02:00[Europe/Berlin]", "2025-10-01T10:00:00Z", "Europe/Berlin"},
		{"offset decides the instant over the zone", "2025-10-01T12:00:00+05:00[Europe/Berlin]", "2025-10-01T07:00:00Z", "Europe/Berlin"},
		{"FEEL zone notation", "2025-10-01T12:00:00@Europe/Berlin", "2025-10-01T10:00:00Z", "Europe/Berlin"},
		{"UTC zone id", "2025-10-01T12:00:00[UTC]", "2025-10-01T12:00:00Z", "UTC"},
		{"zone id with underscore", "2025-07-01T12:00:00[America/New_York]", "2025-07-01T16:00:00Z", "America/New_York"},
		{"wall time in the spring-forward gap moves forward", "2025-03-30T02:30:00[Europe/Berlin]", "2025-03-30T01:30:00Z", "Europe/Berlin"},
		{"wall time in the fall-back overlap takes the earlier instant", "2025-10-26T02:30:00[Europe/Berlin]", "2025-10-26T00:30:00Z", "Europe/Berlin"},
		{"New York spring-forward gap", "2025-03-09T02:30:00[America/New_York]", "2025-03-09T07:30:00Z", "America/New_York"},
		{"New York fall-back overlap", "2025-11-02T01:30:00[America/New_York]", "2025-11-02T05:30:00Z", "America/New_York"},
		{"leap day", "2024-02-29T00:00:00Z", "2024-02-29T00:00:00Z", "UTC"},
		{"leap day in a 400-year", "2000-02-29", "2000-02-29T00:00:00Z", "UTC"},
		{"southern hemisphere zone", "2025-01-15T12:00:00[Australia/Sydney]", "2025-01-15T01:00:00Z", "Australia/Sydney"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDateTime(tt.in)
			if err != nil {
				t.Fatalf("ParseDateTime(%q): %v", tt.in, err)
			}
			if want := at(t, tt.want); !got.Equal(want) {
				t.Fatalf("ParseDateTime(%q) = %s, want %s", tt.in, got.UTC(), want)
			}
			if tt.zone != "" && got.Location().String() != tt.zone {
				t.Fatalf("location = %s, want %s", got.Location(), tt.zone)
			}
		})
	}
}

func TestParseDateTimeKeepsFixedOffset(t *testing.T) {
	got, err := ParseDateTime("2025-10-01T12:00:00+02:00")
	if err != nil {
		t.Fatal(err)
	}
	if _, off := got.Zone(); off != 2*3600 || got.Hour() != 12 {
		t.Fatalf("got %s, want 12:00 at +02:00", got)
	}
}

func TestParseDateTimeErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", `invalid date-time "": empty`},
		{"short year", "25-10-01", `expected 4-digit year at position 2, found '-'`},
		{"month 13", "2025-13-01", `month 13 out of range 01-12 at position 5`},
		{"month 0", "2025-00-10", `month 00 out of range 01-12 at position 5`},
		{"day 0", "2025-10-00", `day 00 out of range 01-31 for 2025-10 at position 8`},
		{"April 31", "2025-04-31", `day 31 out of range 01-30 for 2025-04`},
		{"Feb 29 in a common year", "2025-02-29", `day 29 out of range 01-28 for 2025-02`},
		{"Feb 29 in a century year", "2100-02-29T00:00:00Z", `day 29 out of range 01-28 for 2100-02`},
		{"missing dash", "2025/10/01", `expected '-' at position 4, found '/'`},
		{"space instead of T", "2025-10-01 12:00:00Z", `expected 'T' or end of input at position 10, found ' '`},
		{"offset on a date", "2025-10-01Z", `expected 'T' or end of input at position 10, found 'Z'`},
		{"hour only", "2025-10-01T12Z", `expected ':' at position 13, found 'Z'`},
		{"hour 24", "2025-10-01T24:00:00Z", `hour 24 out of range 00-23 at position 11`},
		{"minute 60", "2025-10-01T12:60:00Z", `minute 60 out of range 00-59 at position 14`},
		{"leap second", "2025-10-01T12:00:60Z", `second 60 out of range 00-59 at position 17`},
		{"short seconds", "2025-10-01T12:00:0Z", `expected 2-digit second at position 18, found 'Z'`},
		{"empty fraction", "2025-10-01T12:00:00.Z", `expected a digit after the decimal mark at position 20`},
		{"ten fractional digits", "2025-10-01T12:00:00.1234567890Z", `more than 9 fractional digits at position 20`},
		{"offset too large", "2025-10-01T12:00:00+19:00", `offset +19:00 out of range (at most ±18:00) at position 19`},
		{"offset minutes too large", "2025-10-01T12:00:00+02:60", `offset +02:60 out of range`},
		{"truncated offset", "2025-10-01T12:00:00+2", `expected 2-digit offset hour at position 21, found end of input`},
		{"unknown zone", "2025-10-01T12:00:00[Mars/Olympus_Mons]", `unknown time zone "Mars/Olympus_Mons" at position 20`},
		{"unclosed zone", "2025-10-01T12:00:00[Europe/Berlin", `missing ']' after zone id at position 19`},
		{"empty zone", "2025-10-01T12:00:00[]", `empty zone id at position 20`},
		{"Local zone", "2025-10-01T12:00:00[Local]", `zone id "Local" is not allowed`},
		{"path in zone", "2025-10-01T12:00:00[../../etc/passwd]", `invalid character '.' in zone id`},
		{"long zone", "2025-10-01T12:00:00[" + strings.Repeat("A", 70) + "]", `too long`},
		{"trailing text after zone", "2025-10-01T12:00:00[Europe/Berlin]x", `unexpected 'x' at position 34`},
		{"trailing text", "2025-10-01T12:00:00Zx", `unexpected 'x' at position 20`},
		{"a duration", "PT15S", `expected 4-digit year at position 0, found 'P'`},
		{"truncated", "2025-10", `expected '-' at position 7, found end of input`},
		{"too long", "2025-10-01T12:00:00." + strings.Repeat("1", 600), `longer than 512 bytes`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDateTime(tt.in)
			if err == nil {
				t.Fatalf("ParseDateTime(%q) = %s, want error containing %q", tt.in, got, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ParseDateTime(%q) error = %q, want it to contain %q", tt.in, err, tt.want)
			}
		})
	}
}

func TestLoadZoneCaches(t *testing.T) {
	a, err := loadZone("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	b, err := loadZone("Asia/Tokyo")
	if err != nil || a != b {
		t.Fatalf("second load = %p, %v; want cached %p", b, err, a)
	}
}
