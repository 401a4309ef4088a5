// Package state holds a partition's state: process definitions, element
// instances, variables, jobs and incidents, with the indexes the kernel reads.
// Its appliers (appliers.go) apply events to it and are the only code that
// changes it; everything else reads. It never does I/O and never reads the clock.
//
// The appliers also keep live counts for metrics (gauges.go): the process
// instances that have not ended and the open incidents by error type, so
// that nothing counts the tables to report them; Check verifies them.
//
// The indexes the kernel looks things up by are per tenant (tenancy.go):
// definitions by process id and version, message subscriptions, buffered
// messages and their ids, message start events, message-started instances by
// correlation key, and activatable jobs. A record without a tenant belongs to
// the default tenant.
//
// With several partitions a partition also keeps what it knows of the
// others (partitions.go): its inbox, the highest position of each other
// partition's log whose inter-partition command it applied, and, for the
// messages it keeps, the subscriptions of instances on other partitions.
package state
