// Package telemetry defines every Prometheus metric the server exports, in
// one place, with units in their names and bounded labels (route templates,
// status codes, job types from deployed models; never keys). It also wraps
// a store to time its commits. It must never read engine state on its own
// or change anything it observes.
package telemetry
