package expr

import (
	"encoding/json"
	"math"
	"testing"
	"time"
)

type myString string

func TestNormalisesInputValues(t *testing.T) {
	s := "x"
	d := Date{2025, 1, 2}
	tests := []struct {
		name string
		in   any
		want any
	}{
		{"int", 3, 3.0},
		{"int8", int8(3), 3.0},
		{"int16", int16(3), 3.0},
		{"int32", int32(3), 3.0},
		{"int64", int64(3), 3.0},
		{"uint", uint(3), 3.0},
		{"uint8", uint8(3), 3.0},
		{"uint16", uint16(3), 3.0},
		{"uint32", uint32(3), 3.0},
		{"uint64", uint64(3), 3.0},
		{"float32", float32(1.5), 1.5},
		{"json number", json.Number("7"), 7.0},
		{"bad json number", json.Number("x"), nil},
		{"go time", time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), DateTime{Time: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}},
		{"go duration", time.Minute, Duration(time.Minute)},
		{"slice of maps", []map[string]any{{"a": 1.0}}, L(C("a", 1.0))},
		{"string slice", []string{"a"}, L("a")},
		{"float slice", []float64{1}, L(1.0)},
		{"int slice", []int{1}, L(1.0)},
		{"string map", map[string]string{"a": "b"}, C("a", "b")},
		{"date pointer", &d, d},
		{"nil date pointer", (*Date)(nil), nil},
		{"datetime pointer", &DateTime{Time: time.Unix(0, 0).UTC()}, DateTime{Time: time.Unix(0, 0).UTC()}},
		{"string pointer", &s, "x"},
		{"nil slice", []bool(nil), nil},
		{"bool slice", []bool{true}, L(true)},
		{"array", [2]int{1, 2}, L(1.0, 2.0)},
		{"map of ints", map[string]int{"a": 1}, C("a", 1.0)},
		{"map with int keys", map[int]int{1: 1}, nil},
		{"named string", myString("m"), "m"},
		{"named bool", struct{}{}, nil},
		{"uintptr", uintptr(2), 2.0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := norm(tc.in); !sameValue(got, tc.want) {
				t.Errorf("norm(%#v) = %#v, want %#v", tc.in, got, tc.want)
			}
		})
	}
}

func TestRound15(t *testing.T) {
	tests := []struct {
		name string
		in   float64
		want float64
	}{
		{"binary noise removed", 0.1 + 0.2, 0.3},
		{"whole numbers unchanged", 12345678901234567890, 12345678901234567890},
		{"negative", -(0.1 + 0.2), -0.3},
		{"very small", 1.23456789012345678e-30, 1.23456789012346e-30},
		{"large non-integer", 1234567890123456.7, 1234567890123460},
		{"infinity unchanged", math.Inf(1), math.Inf(1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := round15(tc.in); got != tc.want {
				t.Errorf("round15(%v) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestTemporalParsing(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want any // nil: invalid
	}{
		{"date", "2025-01-31", Date{2025, 1, 31}},
		{"leap day", "2024-02-29", Date{2024, 2, 29}},
		{"not a leap day", "2025-02-29", nil},
		{"long year", "12025-01-01", Date{12025, 1, 1}},
		{"negative year", "-0044-03-15", Date{-44, 3, 15}},
		{"short year", "25-01-01", nil},
		{"month 13", "2025-13-01", nil},
		{"date with letters", "2025-0a-01", nil},
		{"date-time UTC", "2025-01-31T10:00:00Z", DateTime{Time: time.Date(2025, 1, 31, 10, 0, 0, 0, time.UTC)}},
		{"date-time lower-case", "2025-01-31t10:00:00z", DateTime{Time: time.Date(2025, 1, 31, 10, 0, 0, 0, time.UTC)}},
		{"date-time offset seconds", "2025-01-31T10:00:00+01:00:30", DateTime{Time: time.Date(2025, 1, 31, 10, 0, 0, 0, time.FixedZone("", 3630))}},
		{"date-time local", "2025-01-31T10:00:00", DateTime{Time: time.Date(2025, 1, 31, 10, 0, 0, 0, time.UTC), Local: true}},
		{"date-time fraction", "2025-01-31T10:00:00.1234567891Z", DateTime{Time: time.Date(2025, 1, 31, 10, 0, 0, 123456789, time.UTC)}},
		{"date-time bad offset", "2025-01-31T10:00:00+1:00", nil},
		{"date-time big offset", "2025-01-31T10:00:00+19:00", nil},
		{"date-time zone id", "2025-01-31T10:00:00@Europe/Paris", nil},
		{"date-time empty fraction", "2025-01-31T10:00:00.Z", nil},
		{"date-time bad date", "2025-02-31T10:00:00", nil},
		{"time", "23:59:59", Time{Hour: 23, Minute: 59, Second: 59}},
		{"time with offset", "10:00:00-02:00", Time{Hour: 10, HasOffset: true, Offset: -7200}},
		{"time hour 24", "24:00:00", nil},
		{"time without seconds", "10:00", nil},
		{"time bad offset separator", "10:00:00+01-00", nil},
		{"time bad offset seconds separator", "10:00:00+01:00-00", nil},
		{"time offset seconds too big", "10:00:00+01:00:60", nil},
		{"duration full", "P1DT2H3M4.5S", Duration(26*time.Hour + 3*time.Minute + 4500*time.Millisecond)},
		{"duration years months", "-P2Y3M", YearsMonths(-27)},
		{"duration T without parts", "P1DT", nil},
		{"duration empty", "P", nil},
		{"duration double T", "PT1HT1M", nil},
		{"duration unit without number", "PT H", nil},
		{"duration fraction in hours", "PT1.5H", nil},
		{"duration mixed", "P1M1D", nil},
		{"duration unknown unit", "P1X", nil},
		{"duration too many days", "P999999999D", nil},
		{"duration too many years", "P999999999Y", nil},
		{"not temporal", "hello", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := parseTemporal(tc.in)
			if tc.want == nil {
				if ok {
					t.Errorf("parseTemporal(%q) = %#v, want invalid", tc.in, got)
				}
				return
			}
			if !ok || !sameValue(got, tc.want) {
				t.Errorf("parseTemporal(%q) = %#v, %v, want %#v", tc.in, got, ok, tc.want)
			}
		})
	}
}

func TestTemporalEdgeCases(t *testing.T) {
	runEvalCases(t, []evalCase{
		{"duration overflow on addition is null", `duration("P100000D") + duration("P100000D")`, nil},
		{"duration times huge number is null", `@"P1D" * 1e300`, nil},
		{"years months divided by zero is null", `@"P1Y" / 0`, nil},
		{"duration divided by zero duration is null", `@"P1D" / @"PT0S"`, nil},
		{"years months divided by number", `@"P1Y" / 2`, YearsMonths(6)},
		{"years months times huge is null", `@"P1Y" * 1e20`, nil},
		{"date minus date-time at midnight", `@"2025-01-02" - @"2025-01-01T00:00:00"`, Duration(24 * time.Hour)},
		{"date-time minus date", `@"2025-01-02T06:00:00" - @"2025-01-01"`, Duration(30 * time.Hour)},
		{"time minus time with offsets", `@"10:00:00+01:00" - @"10:00:00Z"`, Duration(-time.Hour)},
		{"time comparison with offsets", `@"10:00:00+01:00" < @"09:30:00Z"`, true},
		{"times with and without offset differ", `@"10:00:00" = @"10:00:00Z"`, false},
		{"time offset of local date-time is null", "@\"2025-01-01T10:00:00\".`time offset`", nil},
		{"timezone of date-time", `@"2025-01-01T10:00:00+01:00".timezone`, "+01:00"},
		{"timezone of local date-time is null", `@"2025-01-01T10:00:00".timezone`, nil},
		{"time offset of local time is null", "@\"10:00:00\".`time offset`", nil},
		{"time second with fraction", `@"10:00:01.5".second`, 1.5},
		{"time unknown property", `@"10:00:01".year`, nil},
		{"date unknown property", `@"2025-01-01".hour`, nil},
		{"duration unknown property", `@"P1D".years`, nil},
		{"date-time weekday", `@"2025-02-02T10:00:00Z".weekday`, 7.0},
		{"date from date-time string", `date("2025-01-31T23:00:00Z")`, Date{2025, 1, 31}},
		{"date of date", `date(@"2025-01-31")`, Date{2025, 1, 31}},
		{"date of number", `date(1)`, nil},
		{"time of string date-time", `time("2025-01-31T10:00:00")`, Time{Hour: 10}},
		{"time of time", `time(@"10:00:00")`, Time{Hour: 10}},
		{"time of date", `time(@"2025-01-01")`, Time{HasOffset: true}},
		{"time of number", `time(1)`, nil},
		{"time with fractional seconds", `time(10, 0, 1.25)`, Time{Hour: 10, Second: 1, Nanosecond: 250000000}},
		{"time out of range", `time(25, 0, 0)`, nil},
		{"time with bad offset", `time(10, 0, 0, "x")`, nil},
		{"time with huge offset", `time(10, 0, 0, duration("PT19H"))`, nil},
		{"date and time of date", `date and time(@"2025-01-01")`, DateTime{Time: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), Local: true}},
		{"date and time of date string", `date and time("2025-01-01")`, DateTime{Time: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), Local: true}},
		{"date and time of date-time", `date and time(@"2025-01-01T01:00:00Z")`, DateTime{Time: time.Date(2025, 1, 1, 1, 0, 0, 0, time.UTC)}},
		{"date and time from date-time and time", `date and time(@"2025-01-01T01:00:00Z", @"05:00:00")`, DateTime{Time: time.Date(2025, 1, 1, 5, 0, 0, 0, time.UTC), Local: true}},
		{"date and time with bad parts", `date and time(1, @"05:00:00")`, nil},
		{"date and time with bad time", `date and time(@"2025-01-01", 1)`, nil},
		{"date and time of number", `date and time(1)`, nil},
		{"duration of duration", `duration(@"P1D")`, Duration(24 * time.Hour)},
		{"duration of number", `duration(1)`, nil},
		{"years and months duration of date-times", `years and months duration(@"2025-01-31T10:00:00Z", @"2025-02-28T09:00:00Z")`, YearsMonths(0)},
		{"years and months duration of numbers", `years and months duration(1, 2)`, nil},
		{"years and months duration backwards partial", `years and months duration(@"2025-03-10", @"2025-01-20")`, YearsMonths(-1)},
		{"abs years months", `abs(@"-P1Y")`, YearsMonths(12)},
		{"abs positive duration", `abs(@"P1D")`, Duration(24 * time.Hour)},
		{"abs positive years months", `abs(@"P1Y")`, YearsMonths(12)},
		{"negated years months", `-@"P1Y"`, YearsMonths(-12)},
		{"date-time minus years months", `@"2025-03-31T10:00:00Z" - @"P1M"`, DateTime{Time: time.Date(2025, 2, 28, 10, 0, 0, 0, time.UTC)}},
		{"years months plus date", `@"P1M" + @"2025-01-31"`, Date{2025, 2, 28}},
		{"duration plus time", `@"PT1H" + @"10:00:00"`, Time{Hour: 11}},
		{"time minus duration", `@"00:30:00" - @"PT1H"`, Time{Hour: 23, Minute: 30}},
		{"day of week of date-time", `day of week(@"2025-02-02T10:00:00Z")`, "Sunday"},
		{"date before 1000 formats with four digits", `string(@"0900-01-01")`, "0900-01-01"},
		{"negative year formats with sign", `string(@"-0044-03-15")`, "-0044-03-15"},
		{"string of time", `string(@"10:00:00.5+01:00")`, "10:00:00.5+01:00"},
		{"string of years months", `string(@"P14M")`, "P1Y2M"},
		{"string of range", `string([1..2])`, "[1..2]"},
		{"string of nested string", `string(["a\"b"])`, `["a\"b"]`},
		{"string of open range", `string((1..2))`, "(1..2)"},
		{"string of duration", `string(@"-PT1.5S")`, "-PT1.5S"},
	})
}

func TestDescribe(t *testing.T) {
	long := ""
	for i := 0; i < 100; i++ {
		long += "x"
	}
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"null", nil, "null"},
		{"number", 3.0, "number 3"},
		{"long string is shortened", long, "string " + long[:60] + "..."},
		{"long list is shortened", []any{long}, "list [\"" + long[:58] + "..."},
		{"context", C("a", 1.0), "context {a:1}"},
		{"date", Date{2025, 1, 1}, "date 2025-01-01"},
		{"unknown", struct{ A int }{1}, "null"},
		{"function of value", Range{}, "range (null..null)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := describe(tc.in); got != tc.want {
				t.Errorf("describe(%#v) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
