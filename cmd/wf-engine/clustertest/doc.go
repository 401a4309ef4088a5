// Package clustertest runs several wf-engine processes on one PostgreSQL
// database (issue 21 items 2 and 5): it builds the binary once, starts two
// or three nodes on loopback ports, sends load through every node (the
// standbys forward it to the lease holder), and kills (SIGKILL), pauses
// (SIGSTOP past the lease) and restarts (SIGTERM, one after the other)
// them. Afterwards every acknowledged instance and job completion is in the
// database, none twice, and the log's hash chain holds. It holds tests
// only; nothing may import it.
package clustertest
