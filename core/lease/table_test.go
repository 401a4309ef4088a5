package lease

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/example/wf-engine/core/store"
)

// table is a simulated lease table with fenced commits: the semantics of
// pgstore's statements (migration 32) on the store's clock now. Every
// method is one atomic step, as each of those statements is.
type table struct {
	mu     sync.Mutex
	now    func() time.Time
	rows   map[int32]*row
	broken bool // every call fails, as an unreachable store does
	// commits are the commits the table took, in order.
	commits []commit
}

type row struct {
	node    string
	epoch   int64
	expires time.Time
	address string
}

type commit struct {
	node  string
	epoch int64
}

var errBroken = errors.New("the store cannot be reached")

func newTable(now func() time.Time) *table {
	return &table{now: now, rows: map[int32]*row{}}
}

func (t *table) setBroken(b bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.broken = b
}

func (t *table) AcquireLease(_ context.Context, c store.LeaseClaim) (store.Lease, bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.broken {
		return store.Lease{}, false, errBroken
	}
	now := t.now()
	r := t.rows[c.Partition]
	switch {
	case r == nil:
		r = &row{epoch: 1}
		t.rows[c.Partition] = r
	case r.expires.After(now):
		return store.Lease{}, false, nil
	default:
		r.epoch++
	}
	r.node, r.expires, r.address = c.NodeID, now.Add(c.TTL), c.Address
	return store.Lease{Partition: c.Partition, NodeID: c.NodeID, Epoch: r.epoch, Address: c.Address, Remaining: c.TTL}, true, nil
}

func (t *table) RenewLease(_ context.Context, l store.Lease, ttl time.Duration) (bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.broken {
		return false, errBroken
	}
	r := t.rows[l.Partition]
	if r == nil || r.node != l.NodeID || r.epoch != l.Epoch {
		return false, nil
	}
	r.expires = t.now().Add(ttl)
	return true, nil
}

func (t *table) ReleaseLease(_ context.Context, l store.Lease) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.broken {
		return errBroken
	}
	if r := t.rows[l.Partition]; r != nil && r.node == l.NodeID && r.epoch == l.Epoch {
		r.expires = time.Time{}
	}
	return nil
}

func (t *table) ReadLease(_ context.Context, partition int32) (store.Lease, bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.broken {
		return store.Lease{}, false, errBroken
	}
	r := t.rows[partition]
	if r == nil {
		return store.Lease{}, false, nil
	}
	return store.Lease{Partition: partition, NodeID: r.node, Epoch: r.epoch, Address: r.address,
		Remaining: max(0, r.expires.Sub(t.now()))}, true, nil
}

// commit is a fenced commit of node under epoch: taken only while the
// partition's lease still has that epoch (wf_fence).
func (t *table) commit(partition int32, node string, epoch int64) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if r := t.rows[partition]; r == nil || r.epoch != epoch {
		return false
	}
	t.commits = append(t.commits, commit{node: node, epoch: epoch})
	return true
}

// Interface guards
var _ store.Leaser = (*table)(nil)
