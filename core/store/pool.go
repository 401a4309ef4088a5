package store

import "time"

// PoolStats describes one connection pool of a store, for metrics.
type PoolStats struct {
	// Name says what the pool is for: "read" or "write".
	Name string
	// Acquired and Idle are the connections in use and waiting; Max is the
	// pool's bound.
	Acquired, Idle, Max int
	// Waits counts the requests for a connection that had to wait for a
	// free one, and WaitTime the time spent getting connections.
	Waits    int64
	WaitTime time.Duration
}

// Pooler is a store that keeps connection pools.
type Pooler interface {
	PoolStats() []PoolStats
}
