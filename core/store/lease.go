package store

import (
	"context"
	"errors"
	"time"
)

// ErrLeaseLost is wrapped by a Commit error when the store refused the
// batch because another node took the partition's lease after the epoch
// the commit was fenced with (Leaser.FenceCommits). Nothing of the batch
// was written: the check runs in the batch's own transaction.
var ErrLeaseLost = errors.New("the partition's lease was taken over by another node: the batch was not written")

// Lease is a partition's lease as the store keeps it.
type Lease struct {
	Partition int32
	// NodeID names the node that holds (or last held) the lease.
	NodeID string
	// Epoch grows by one at every takeover: the fencing token.
	Epoch int64
	// Address is how other nodes reach the holder's API (a URL).
	Address string
	// Remaining is how long the lease has left by the store's clock, when
	// it was read; zero when it has expired or was released.
	Remaining time.Duration
}

// Live reports whether the lease was held when it was read.
func (l Lease) Live() bool { return l.Remaining > 0 }

// LeaseClaim is what a node asks for when it takes a lease.
type LeaseClaim struct {
	Partition int32
	NodeID    string
	Address   string
	TTL       time.Duration
}

// Leaser keeps partition leases for several engine nodes on one database
// (issue 21). Every decision about expiry uses the store's clock, never a
// node's. Implementations must make Acquire one atomic step: of two nodes
// racing for a free lease, one wins.
type Leaser interface {
	// AcquireLease takes the partition's lease for the claim's node when
	// nobody holds it or its holder's lease expired or was released, with
	// an epoch one above the last one, and reports whether it did.
	AcquireLease(ctx context.Context, c LeaseClaim) (Lease, bool, error)
	// RenewLease extends a held lease to ttl from now and reports false
	// when the lease is no longer l's (another node took it).
	RenewLease(ctx context.Context, l Lease, ttl time.Duration) (bool, error)
	// ReleaseLease gives a held lease up at once, so that another node can
	// take it without waiting for its expiry. Releasing a lease that is no
	// longer l's does nothing.
	ReleaseLease(ctx context.Context, l Lease) error
	// ReadLease returns the partition's lease; false when nobody ever held it.
	ReadLease(ctx context.Context, partition int32) (Lease, bool, error)
}

// Fencer is a store whose commits can be fenced by a lease epoch.
type Fencer interface {
	// FenceCommits makes every later commit check, in its own transaction,
	// that the partition's lease still has the epoch; a commit after a
	// takeover fails with ErrLeaseLost and writes nothing.
	FenceCommits(partition int32, epoch int64)
}

// Node is an engine node on a database shared by several.
type Node struct {
	NodeID  string
	Address string
}

// Nodes keeps which engine nodes are live, so that they spread the
// partition leases evenly (issue 21 item 2). Liveness is decided by the
// store's clock.
type Nodes interface {
	// Heartbeat records the node as live for ttl from now.
	Heartbeat(ctx context.Context, n Node, ttl time.Duration) error
	// Leave records the node as gone at once.
	Leave(ctx context.Context, nodeID string) error
	// LiveNodes returns the live nodes, by id.
	LiveNodes(ctx context.Context) ([]Node, error)
	// ReadLeases returns every partition's lease that was ever held, by
	// partition.
	ReadLeases(ctx context.Context) ([]Lease, error)
}
