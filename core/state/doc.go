// Package state holds a partition's state: process definitions, element
// instances, variables, jobs and incidents, with the indexes the kernel reads.
// Its appliers (appliers.go) apply events to it and are the only code that
// changes it; everything else reads. It never does I/O and never reads the clock.
package state
