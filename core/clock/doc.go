// Package clock gives the engine its notion of time: the system clock in
// production and a manual clock in tests. It must never be read inside the
// kernel's command processing, which uses the command's timestamp instead.
package clock
