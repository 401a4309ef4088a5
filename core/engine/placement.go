package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
)

// Placement of partitions over nodes (docs/ha.md, "Several engine nodes"):
// a node runs the partitions whose leases it holds; the router knows its
// own engines and asks the node for the others' owners.

// Owner is the node that holds a partition's lease.
type Owner struct {
	NodeID string
	// Address is the node's advertised URL (cluster.advertise_address).
	Address string
}

// Placement is where a partition runs: here (Local), on another node, or
// nowhere at the moment.
type Placement struct {
	Partition int32
	// Local is the partition's engine when it runs on this node.
	Local *Engine
	// Remote is the node that holds the partition's lease when it runs
	// elsewhere; zero when no node does.
	Remote Owner
}

// Owner returns the node that runs the partition when another node does.
func (p Placement) Owner() (Owner, bool) { return p.Remote, p.Local == nil && p.Remote.NodeID != "" }

// Where answers where partition p runs: the one question every component
// that sends work to a partition asks (commands, forwarders of messages
// between partitions). A partition outside the store's count runs nowhere.
func (r *Router) Where(p int32) Placement {
	out := Placement{Partition: p}
	if p < 1 || int(p) > r.count {
		return out
	}
	if e := r.engines()[p-1]; e != nil {
		out.Local = e
		return out
	}
	if f := r.owners.Load(); f != nil {
		if o, ok := (*f)(p); ok {
			out.Remote = o
		}
	}
	return out
}

// SetOwners tells the router which node holds each partition's lease
// (the node's view of the lease table).
func (r *Router) SetOwners(f func(p int32) (Owner, bool)) { r.owners.Store(&f) }

// SetDistributed sets what runs after a change of definitions or tenants
// on partition 1 reached the partitions that run here: bringing it to
// the partitions other nodes run (ExportClusterState there,
// ApplyClusterState on them).
func (r *Router) SetDistributed(f func(ctx context.Context)) { r.distributed.Store(&f) }

// Attach makes e serve its partition here: the node took its lease and
// started its engine. Partition 1 running here brings every local
// partition up to date; another partition gets partition 1's definitions
// from the shared rows its engine loaded.
func (r *Router) Attach(ctx context.Context, e *Engine) error {
	p := int(e.cfg.Partition)
	if p < 1 || p > r.count {
		return fmt.Errorf("attach partition %d: the store has %d partitions", p, r.count)
	}
	r.attachMu.Lock()
	next := append([]*Engine(nil), r.engines()...)
	if next[p-1] != nil {
		r.attachMu.Unlock()
		return fmt.Errorf("attach partition %d: it runs here already", p)
	}
	next[p-1] = e
	r.local.Store(&next)
	r.attachMu.Unlock()
	if err := r.distribute(ctx); err != nil {
		r.log.Warn("bring the partitions that run here up to date with partition 1", "partition", p, "error", err)
	}
	return nil
}

// Detach stops routing to partition p here and returns its engine, nil
// when it did not run here; the caller closes it (after its batch in
// flight) before it gives the lease up.
func (r *Router) Detach(p int32) *Engine {
	if p < 1 || int(p) > r.count {
		return nil
	}
	r.attachMu.Lock()
	defer r.attachMu.Unlock()
	next := append([]*Engine(nil), r.engines()...)
	e := next[p-1]
	next[p-1] = nil
	r.local.Store(&next)
	return e
}

// partitionCtxKey pins the partition of a new instance.
type partitionCtxKey struct{}

// WithPartition returns ctx pinning the partition CreateInstance puts a new
// instance on: the node's HTTP front chose it (an Idempotency-Key's
// partition, the same on every node) and sent the request to its owner.
func WithPartition(ctx context.Context, p int32) context.Context {
	return context.WithValue(ctx, partitionCtxKey{}, p)
}

func pinnedPartition(ctx context.Context) (int32, bool) {
	p, ok := ctx.Value(partitionCtxKey{}).(int32)
	return p, ok && p >= 1
}

// wireClusterState is clusterState as it travels between nodes.
type wireClusterState struct {
	Processes []record.ProcessValue `json:"processes"`
	Forms     []record.FormValue    `json:"forms"`
	Tenants   []record.TenantValue  `json:"tenants"`
	Members   []state.TenantMember  `json:"members"`
}

// ExportClusterState returns partition 1's definitions, forms, tenants and
// members, for ApplyClusterState on the nodes that run other partitions.
func (r *Router) ExportClusterState(ctx context.Context) ([]byte, error) {
	e, err := r.on(1)
	if err != nil {
		return nil, err
	}
	var c clusterState
	if err := e.Read(ctx, func(st *state.State) { c = readClusterState(st) }); err != nil {
		return nil, fmt.Errorf("read partition 1: %w", err)
	}
	b, err := json.Marshal(wireClusterState{Processes: c.processes, Forms: c.forms, Tenants: c.tenants, Members: c.members})
	if err != nil {
		return nil, fmt.Errorf("encode partition 1's definitions and tenants: %w", err)
	}
	return b, nil
}

// ApplyClusterState gives every partition that runs here (but partition
// 1) what it lacks of partition 1's state, as ExportClusterState wrote it
// on the node that runs partition 1.
func (r *Router) ApplyClusterState(ctx context.Context, b []byte) error {
	var w wireClusterState
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("decode partition 1's definitions and tenants: %w", err)
	}
	want := clusterState{processes: w.Processes, forms: w.Forms, tenants: w.Tenants, members: w.Members}
	r.distributing.Lock()
	defer r.distributing.Unlock()
	var errs []error
	for _, e := range r.engines()[1:] {
		if e == nil {
			continue
		}
		if err := distributeTo(ctx, e, want); err != nil {
			errs = append(errs, fmt.Errorf("partition %d: %w", e.cfg.Partition, err))
		}
	}
	return errors.Join(errs...)
}

// Broker is an engine node as the topology lists it: the partitions it
// leads (holds the leases of).
type Broker struct {
	NodeID string
	// Address is the node's advertised URL.
	Address string
	// Partitions are the partitions it runs, in order.
	Partitions []PartitionHealth
}

// SetBrokers sets where the topology's nodes come from (the node's view
// of the live nodes and leases).
func (r *Router) SetBrokers(f func() []Broker) { r.brokers.Store(&f) }

// Brokers returns every node on the store with the partitions it runs,
// by node id; false on a single node.
func (r *Router) Brokers() ([]Broker, bool) {
	f := r.brokers.Load()
	if f == nil {
		return nil, false
	}
	return (*f)(), true
}
