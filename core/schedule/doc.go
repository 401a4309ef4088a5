// Package schedule parses timer definitions — ISO 8601 durations, date-times
// and repeating intervals, and cron expressions — and computes their due
// times. It never reads the clock: callers pass the time.
//
// The three BPMN timer kinds map to:
//
//   - timeDuration: [ParseDuration], e.g. "PT15S", "P14DT1H30M", "P1Y2M",
//     "P2W", "PT0.5S", "-PT5S". A duration of zero or less fires immediately.
//   - timeDate: [ParseDateTime], e.g. "2025-10-01T12:00:00Z",
//     "2025-10-01T12:00:00+02:00", "2025-10-01T12:00:00[Europe/Berlin]",
//     "2025-10-01" (midnight UTC). Without offset or zone the time is UTC.
//   - timeCycle: [ParseCycle], either an ISO 8601 repeating interval
//     "R[n]/[start/]duration" ("R5/PT10S", "R/P1D",
//     "R3/2025-04-27T17:20:00Z/P1D") or a Spring-style six-field cron
//     expression "second minute hour day-of-month month day-of-week"
//     ("0 0 9-17 * * MON-FRI"), optionally prefixed with "CRON_TZ=<zone> ".
//
// [Due] combines them: given a timer kind, its evaluated value and the
// current time it returns the first due time.
//
// All functions are pure and safe for concurrent use; every parser bounds
// its input and never panics. Zone ids are resolved with the tz database
// embedded through time/tzdata, so they work without system tzdata.
package schedule
