// Package history reads one process instance's records from the command
// log, oldest first, a bounded stretch per call: the events whose value
// names the instance, from the position of the command that created it
// (state.ElementInstance.StartPosition) up to the instance's end. It reads
// the log only, never a second copy of it nor the state rows, and never
// writes.
package history
