// Package timerevent runs timer events: the intermediate catch event waits
// for its timer, boundary timers interrupt or fork from their activity, and
// timer start events pass their token on (the kernel schedules them at
// deployment). It never touches the store or reads the clock.
package timerevent
