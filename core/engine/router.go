package engine

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
)

// Router is the engine of a process that runs several partitions, one
// Engine each (docs/scaling.md, "N loops and the router"). It implements
// Client and TenantClient, and what the API reads, over them:
//
//   - a command on a key (a job, an instance, an incident, a user task, a
//     scope) goes to the key's partition (record.Partition);
//   - CreateInstance goes round robin, skipping saturated partitions; one
//     with an idempotency key goes to the partition the key hashes to, so
//     that a retry finds the recorded answer;
//   - Deploy and the tenant commands go to partition 1, which then
//     distributes them to every other partition (distribution.go);
//   - BroadcastSignal goes to every partition;
//   - ActivateJobs asks every partition, from a rotating one, and a long
//     poll waits on all of them at once;
//   - messages go to their correlation key's partition, where the
//     subscriptions of every partition's instances meet (message).
//
// With one partition every method is the Engine's own: nothing changes.
//
// With several nodes on one database (docs/ha.md) a node runs only the
// partitions whose leases it holds: the router then has an engine for
// those (Attach, Detach) and answers "where does partition p run" (Where)
// for every partition; a command for a partition that runs elsewhere fails
// with ErrUnavailable here (the node's HTTP front forwards it to the owner
// before it reaches the router, api/forward).
type Router struct {
	count int // partitions in the store
	// local holds the engines that run here: (*local)[p-1] runs partition
	// p, nil when another node runs it. Replaced whole under attachMu.
	local    atomic.Pointer[[]*Engine]
	attachMu sync.Mutex
	// owners, when set, names the node that holds partition p's lease.
	owners atomic.Pointer[func(p int32) (Owner, bool)]
	// distributed, when set, runs after partition 1 here changed
	// definitions or tenants and its local partitions got them: it
	// brings the change to the partitions other nodes run.
	distributed atomic.Pointer[func(ctx context.Context)]
	// brokers, when set, lists the nodes for the topology.
	brokers atomic.Pointer[func() []Broker]
	log     *slog.Logger
	creates atomic.Uint32 // round robin of instance creations
	polls   atomic.Uint32 // the partition job activation asks first
	// distributing makes one distribution at a time, so that each
	// partition gets partition 1's definitions in key order.
	distributing sync.Mutex
}

// distributeTimeout bounds one distribution to every partition.
const distributeTimeout = 30 * time.Second

// NewRouter returns the router over engines, engines[i] running partition
// i+1. With more than one, it first gives every partition what it lacks of
// partition 1's definitions and tenants: a distribution that a crash cut
// off is made up here.
func NewRouter(ctx context.Context, engines []*Engine, log *slog.Logger) (*Router, error) {
	if len(engines) == 0 {
		return nil, errors.New("route partitions: no partition")
	}
	for i, e := range engines {
		if int(e.cfg.Partition) != i+1 {
			return nil, fmt.Errorf("route partitions: engine %d runs partition %d, want %d", i, e.cfg.Partition, i+1)
		}
	}
	return NewClusterRouter(ctx, len(engines), engines, log)
}

// NewClusterRouter returns the router of a node that runs some of count
// partitions: engines are those it runs (any order, none twice); the
// others run on other nodes (Where). With partition 1 among them, every
// local partition first gets what it lacks of partition 1's definitions
// and tenants.
func NewClusterRouter(ctx context.Context, count int, engines []*Engine, log *slog.Logger) (*Router, error) {
	if count < 1 {
		return nil, errors.New("route partitions: no partition")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	local := make([]*Engine, count)
	for _, e := range engines {
		p := int(e.cfg.Partition)
		if p < 1 || p > count || local[p-1] != nil {
			return nil, fmt.Errorf("route partitions: engine of partition %d does not fit %d partitions", p, count)
		}
		local[p-1] = e
	}
	r := &Router{count: count, log: log}
	r.local.Store(&local)
	if err := r.distribute(ctx); err != nil {
		return nil, fmt.Errorf("distribute definitions and tenants to the partitions: %w", err)
	}
	return r, nil
}

// engines returns the engines that run here, nil where another node runs
// the partition: (engines)[p-1] runs partition p.
func (r *Router) engines() []*Engine { return *r.local.Load() }

// Partitions returns the engines that run here, in partition order.
func (r *Router) Partitions() []*Engine {
	var out []*Engine
	for _, e := range r.engines() {
		if e != nil {
			out = append(out, e)
		}
	}
	return out
}

// Count returns how many partitions the store has, here or elsewhere.
func (r *Router) Count() int { return r.count }

// of returns the engine of the partition that owns key. A key of no
// partition goes to partition 1, which rejects it as unknown. A partition
// that another node runs is ErrUnavailable here.
func (r *Router) of(key int64) (*Engine, error) {
	p := record.Partition(key)
	if p < 1 || int(p) > r.count {
		p = 1
	}
	return r.on(p)
}

// on returns partition p's engine, or ErrUnavailable when it runs on
// another node or nowhere.
func (r *Router) on(p int32) (*Engine, error) {
	if e := r.engines()[p-1]; e != nil {
		return e, nil
	}
	if o, ok := r.Where(p).Owner(); ok {
		return nil, fmt.Errorf("%w: partition %d runs on node %s", ErrUnavailable, p, o.NodeID)
	}
	return nil, fmt.Errorf("%w: no node runs partition %d at the moment", ErrUnavailable, p)
}

// any returns partition 1's engine when it runs here, else the first
// partition that runs here: every partition holds every definition and
// tenant.
func (r *Router) any() (*Engine, error) {
	for _, e := range r.engines() {
		if e != nil {
			return e, nil
		}
	}
	return nil, fmt.Errorf("%w: this node runs no partition at the moment", ErrUnavailable)
}

// distribute sends every partition above 1 what it lacks of partition 1's
// definitions and tenants (distribution.go).
func (r *Router) distribute(ctx context.Context) error {
	engines := r.engines()
	if len(engines) == 1 || engines[0] == nil {
		return nil // partition 1 runs elsewhere: its node distributes
	}
	r.distributing.Lock()
	defer r.distributing.Unlock()
	var want clusterState
	if err := engines[0].Read(ctx, func(st *state.State) { want = readClusterState(st) }); err != nil {
		return fmt.Errorf("read partition 1: %w", err)
	}
	var errs []error
	for _, e := range engines[1:] {
		if e == nil {
			continue
		}
		if err := distributeTo(ctx, e, want); err != nil {
			errs = append(errs, fmt.Errorf("partition %d: %w", e.cfg.Partition, err))
		}
	}
	return errors.Join(errs...)
}

// distributeAfter distributes what a command on partition 1 changed, once
// it succeeded. Its caller's answer does not depend on it: partition 1
// committed the change, and a distribution that fails now is made up at the
// next one or at the next start.
func (r *Router) distributeAfter(err error) {
	if err != nil || r.count == 1 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), distributeTimeout)
	defer cancel()
	if err := r.distribute(ctx); err != nil {
		r.log.Warn("partition 1 committed a change of definitions or tenants that did not reach every partition yet; "+
			"it is distributed with the next change or at the next start", "error", err)
	}
	if f := r.distributed.Load(); f != nil {
		(*f)(ctx)
	}
}

// Deploy implements Client: partition 1 deploys, then every other
// partition gets the new definitions before the answer, so that an
// instance created after it finds them on any partition.
func (r *Router) Deploy(ctx context.Context, req DeployRequest) (*Deployment, error) {
	e, err := r.on(1)
	if err != nil {
		return nil, err
	}
	d, err := e.Deploy(ctx, req)
	r.distributeAfter(err)
	return d, err
}

// CreateInstance implements Client.
func (r *Router) CreateInstance(ctx context.Context, req CreateInstanceRequest) (*CreatedInstance, error) {
	e, keyed, err := r.createOn(ctx)
	if err != nil {
		return nil, err
	}
	ci, err := e.CreateInstance(ctx, req)
	if rj, ok := AsRejection(err); ok && rj.Type == record.RejectionNotFound && e.cfg.Partition != 1 && !keyed {
		// The definition may not have reached this partition yet (its
		// distribution failed): partition 1 has every definition from the
		// moment its deployment is answered.
		if first := r.engines()[0]; first != nil {
			return first.CreateInstance(ctx, req)
		}
	}
	return ci, err
}

// createOn picks the partition of a new instance: the one pinned by the
// node's HTTP front (WithPartition), else the one its idempotency key
// hashes to (keyed), else the next in turn of those that run here that is
// not saturated.
func (r *Router) createOn(ctx context.Context) (e *Engine, keyed bool, err error) {
	engines := r.engines()
	n := uint32(len(engines)) // #nosec G115 -- at most 4,095 partitions
	if n == 1 && engines[0] != nil {
		return engines[0], false, nil
	}
	if p, ok := pinnedPartition(ctx); ok && int(p) <= r.count {
		e, err := r.on(p)
		return e, true, err
	}
	if k, _ := ctx.Value(idempotencyCtxKey{}).(*idempotencyKey); k != nil && !k.taken.Load() {
		h := fnv.New32a()
		_, _ = h.Write([]byte(k.keyHash))
		e, err := r.on(int32(h.Sum32()%n) + 1) // #nosec G115 -- below n
		return e, true, err
	}
	first := r.creates.Add(1) - 1
	var fallback *Engine
	for i := range n {
		e := engines[(first+i)%n]
		if e == nil {
			continue
		}
		if e.Saturated() == nil {
			return e, false, nil
		}
		if fallback == nil {
			fallback = e
		}
	}
	if fallback == nil {
		_, err := r.any()
		return nil, false, err
	}
	return fallback, false, nil
}

// CancelInstance implements Client.
func (r *Router) CancelInstance(ctx context.Context, key int64) error {
	e, err := r.of(key)
	if err != nil {
		return err
	}
	return e.CancelInstance(ctx, key)
}

// MigrateInstance implements Client.
func (r *Router) MigrateInstance(ctx context.Context, req MigrateInstanceRequest) error {
	e, err := r.of(req.ProcessInstanceKey)
	if err != nil {
		return err
	}
	return e.MigrateInstance(ctx, req)
}

// ModifyInstance implements Client.
func (r *Router) ModifyInstance(ctx context.Context, req ModifyInstanceRequest) error {
	e, err := r.of(req.ProcessInstanceKey)
	if err != nil {
		return err
	}
	return e.ModifyInstance(ctx, req)
}

// ActivateChildren implements Client.
func (r *Router) ActivateChildren(ctx context.Context, req ActivateChildrenRequest) error {
	e, err := r.of(req.ContainerKey)
	if err != nil {
		return err
	}
	return e.ActivateChildren(ctx, req)
}

// ActivateJobs implements Client: it asks the partitions in turn for what
// is still missing of MaxJobs, starting at a partition that rotates from
// call to call so that none is starved. With a RequestTimeout and no job
// anywhere, it waits until any partition has a job for it (one waiter per
// partition, all waking one channel), then asks again.
func (r *Router) ActivateJobs(ctx context.Context, req ActivateJobsRequest) ([]ActivatedJob, error) {
	engines := r.engines()
	if len(engines) == 1 && engines[0] != nil {
		return engines[0].ActivateJobs(ctx, req)
	}
	local := r.Partitions()
	if len(local) == 0 {
		_, err := r.any()
		return nil, err
	}
	var deadline <-chan time.Time
	if req.RequestTimeout > 0 {
		t := time.NewTimer(req.RequestTimeout)
		defer t.Stop()
		deadline = t.C
	}
	for {
		// Register before asking, so that jobs created in between wake us.
		var wake chan struct{}
		var cancels []func()
		if deadline != nil {
			wake = make(chan struct{})
			var once sync.Once
			woken := func() { once.Do(func() { close(wake) }) }
			for _, e := range local {
				cancels = append(cancels, e.addJobWaiter(req.Type, req.TenantIDs, woken))
			}
		}
		cancel := func() {
			for _, c := range cancels {
				c()
			}
		}
		jobs, err := activateOnce(ctx, local, r.polls.Add(1)-1, req)
		if err != nil || len(jobs) > 0 || deadline == nil {
			cancel()
			return jobs, err
		}
		select {
		case <-wake:
			cancel()
		case <-deadline:
			cancel()
			return nil, nil
		case <-ctx.Done():
			cancel()
			return nil, ctx.Err()
		}
	}
}

// activateOnce asks each of engines once, without waiting, from the one at
// turn (modulo their number). A partition that fails (it is unavailable)
// is passed over when another answered; a rejection (the request is
// invalid) ends the round, as every partition would reject it alike.
func activateOnce(ctx context.Context, engines []*Engine, turn uint32, req ActivateJobsRequest) ([]ActivatedJob, error) {
	n := len(engines)
	first := int(turn % uint32(n)) // #nosec G115 -- n is at most 4,095
	req.RequestTimeout = 0
	var out []ActivatedJob
	var failed error
	answered := false
	for i := range n {
		remaining := req.MaxJobs - int32(len(out)) // #nosec G115 -- at most MaxJobs
		if i > 0 && remaining <= 0 {
			break
		}
		ask := req
		ask.MaxJobs = remaining
		jobs, err := engines[(first+i)%n].ActivateJobs(ctx, ask)
		if _, ok := AsRejection(err); ok {
			if len(out) > 0 {
				return out, nil
			}
			return nil, err
		}
		if err != nil {
			if failed == nil {
				failed = err
			}
			continue
		}
		answered = true
		out = append(out, jobs...)
	}
	if !answered && len(out) == 0 {
		return nil, failed
	}
	return out, nil
}

// CompleteJob implements Client.
func (r *Router) CompleteJob(ctx context.Context, req CompleteJobRequest) error {
	e, err := r.of(req.Key)
	if err != nil {
		return err
	}
	return e.CompleteJob(ctx, req)
}

// FailJob implements Client.
func (r *Router) FailJob(ctx context.Context, req FailJobRequest) error {
	e, err := r.of(req.Key)
	if err != nil {
		return err
	}
	return e.FailJob(ctx, req)
}

// ThrowError implements Client.
func (r *Router) ThrowError(ctx context.Context, req ThrowErrorRequest) error {
	e, err := r.of(req.Key)
	if err != nil {
		return err
	}
	return e.ThrowError(ctx, req)
}

// UpdateJobRetries implements Client.
func (r *Router) UpdateJobRetries(ctx context.Context, jobKey int64, retries int32) error {
	e, err := r.of(jobKey)
	if err != nil {
		return err
	}
	return e.UpdateJobRetries(ctx, jobKey, retries)
}

// UpdateJobTimeout implements Client.
func (r *Router) UpdateJobTimeout(ctx context.Context, jobKey int64, timeout time.Duration) error {
	e, err := r.of(jobKey)
	if err != nil {
		return err
	}
	return e.UpdateJobTimeout(ctx, jobKey, timeout)
}

// ResolveIncident implements Client.
func (r *Router) ResolveIncident(ctx context.Context, incidentKey int64) error {
	e, err := r.of(incidentKey)
	if err != nil {
		return err
	}
	return e.ResolveIncident(ctx, incidentKey)
}

// SetVariables implements Client.
func (r *Router) SetVariables(ctx context.Context, req SetVariablesRequest) error {
	e, err := r.of(req.ScopeKey)
	if err != nil {
		return err
	}
	return e.SetVariables(ctx, req)
}

// PublishMessage implements Client (see message).
func (r *Router) PublishMessage(ctx context.Context, req PublishMessageRequest) (*PublishedMessage, error) {
	if e := r.single(); e != nil {
		return e.PublishMessage(ctx, req)
	}
	return r.message(ctx, req, false)
}

// CorrelateMessage implements Client (see message).
func (r *Router) CorrelateMessage(ctx context.Context, req PublishMessageRequest) (*PublishedMessage, error) {
	if e := r.single(); e != nil {
		return e.CorrelateMessage(ctx, req)
	}
	return r.message(ctx, req, true)
}

// message publishes or correlates a message on its correlation key's
// partition (record.MessagePartition, Zeebe's choice), which keeps the
// message and the subscriptions of the instances of every partition that
// wait for it (crossmessages.go): it reaches one waiting instance of each
// process, and, buffered, later subscriptions on any partition. Its
// idempotency key is recorded there, as for any command.
func (r *Router) message(ctx context.Context, req PublishMessageRequest, correlate bool) (*PublishedMessage, error) {
	e, err := r.on(record.MessagePartition(req.CorrelationKey, int32(r.count))) // #nosec G115 -- at most 4,095 partitions
	if err != nil {
		return nil, err
	}
	if correlate {
		return e.CorrelateMessage(ctx, req)
	}
	return e.PublishMessage(ctx, req)
}

// BroadcastSignal implements Client: every partition broadcasts the signal
// to its own subscriptions (partition 1 also to the signal start events);
// the answer is partition 1's. A partition that fails makes the broadcast
// fail after every partition was asked: the others had it.
func (r *Router) BroadcastSignal(ctx context.Context, req BroadcastSignalRequest) (*BroadcastedSignal, error) {
	local := r.Partitions()
	if len(local) == 0 {
		_, err := r.any()
		return nil, err
	}
	out, err := local[0].BroadcastSignal(ctx, req)
	if err != nil || len(local) == 1 {
		return out, err
	}
	var errs []error
	for _, e := range local[1:] {
		if _, err := e.BroadcastSignal(ctx, req); err != nil {
			errs = append(errs, fmt.Errorf("broadcast on partition %d: %w", e.cfg.Partition, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// AssignUserTask implements Client.
func (r *Router) AssignUserTask(ctx context.Context, req AssignUserTaskRequest) error {
	e, err := r.of(req.Key)
	if err != nil {
		return err
	}
	return e.AssignUserTask(ctx, req)
}

// UpdateUserTask implements Client.
func (r *Router) UpdateUserTask(ctx context.Context, req UpdateUserTaskRequest) error {
	e, err := r.of(req.Key)
	if err != nil {
		return err
	}
	return e.UpdateUserTask(ctx, req)
}

// CompleteUserTask implements Client.
func (r *Router) CompleteUserTask(ctx context.Context, req CompleteUserTaskRequest) error {
	e, err := r.of(req.Key)
	if err != nil {
		return err
	}
	return e.CompleteUserTask(ctx, req)
}

// DeleteResource implements Client. With several partitions it is refused
// for now: a definition may be deleted only while no instance of it runs,
// which every partition would have to agree on at once.
func (r *Router) DeleteResource(ctx context.Context, req DeleteResourceRequest) error {
	if e := r.single(); e != nil {
		return e.DeleteResource(ctx, req)
	}
	return reject(record.RejectionInvalidState, "expected to delete resource with key '%d', but deleting resources is not supported yet with %d partitions (cluster.partitions)",
		req.Key, r.count)
}

// CreateTenant implements TenantClient.
func (r *Router) CreateTenant(ctx context.Context, req TenantRequest) (*CreatedTenant, error) {
	e, err := r.on(1)
	if err != nil {
		return nil, err
	}
	t, err := e.CreateTenant(ctx, req)
	r.distributeAfter(err)
	return t, err
}

// UpdateTenant implements TenantClient.
func (r *Router) UpdateTenant(ctx context.Context, req TenantRequest) error {
	e, err := r.on(1)
	if err != nil {
		return err
	}
	err = e.UpdateTenant(ctx, req)
	r.distributeAfter(err)
	return err
}

// DeleteTenant implements TenantClient.
func (r *Router) DeleteTenant(ctx context.Context, tenantID string) error {
	e, err := r.on(1)
	if err != nil {
		return err
	}
	err = e.DeleteTenant(ctx, tenantID)
	r.distributeAfter(err)
	return err
}

// AddTenantMember implements TenantClient.
func (r *Router) AddTenantMember(ctx context.Context, req TenantMemberRequest) error {
	e, err := r.on(1)
	if err != nil {
		return err
	}
	err = e.AddTenantMember(ctx, req)
	r.distributeAfter(err)
	return err
}

// RemoveTenantMember implements TenantClient.
func (r *Router) RemoveTenantMember(ctx context.Context, req TenantMemberRequest) error {
	e, err := r.on(1)
	if err != nil {
		return err
	}
	err = e.RemoveTenantMember(ctx, req)
	r.distributeAfter(err)
	return err
}

// Read runs fn on partition 1's state, which holds every definition,
// form and tenant; ReadFor reads the partition of a key.
func (r *Router) Read(ctx context.Context, fn func(*state.State)) error {
	e, err := r.any()
	if err != nil {
		return err
	}
	return e.Read(ctx, fn)
}

// single returns the engine of a store of one partition that runs here.
func (r *Router) single() *Engine {
	if engines := r.engines(); len(engines) == 1 {
		return engines[0]
	}
	return nil
}

// ReadFor runs fn on the state of the partition that owns key.
func (r *Router) ReadFor(ctx context.Context, key int64, fn func(*state.State)) error {
	e, err := r.of(key)
	if err != nil {
		return err
	}
	return e.Read(ctx, fn)
}

// AwaitInstance is Engine.AwaitInstance on the instance's partition.
func (r *Router) AwaitInstance(processInstanceKey int64) (<-chan InstanceEnd, func()) {
	e, err := r.of(processInstanceKey)
	if err != nil {
		// Another node runs it: nothing ends here, and the caller's
		// await runs out and reads the store.
		return nil, func() {}
	}
	return e.AwaitInstance(processInstanceKey)
}

// Ready reports whether every partition that runs here processes
// commands, and one does.
func (r *Router) Ready() bool {
	local := r.Partitions()
	for _, e := range local {
		if !e.Ready() {
			return false
		}
	}
	return len(local) > 0
}

// Saturated returns ErrOverloaded while every partition would refuse new
// work (a new instance goes to one that is not saturated), else nil.
func (r *Router) Saturated() error {
	err := ErrOverloaded
	for _, e := range r.Partitions() {
		if err = e.Saturated(); err == nil {
			return nil
		}
	}
	return err
}

// Degraded returns why a partition cannot process commands (the first
// such), or nil.
func (r *Router) Degraded() error {
	for _, e := range r.Partitions() {
		if err := e.Degraded(); err != nil {
			if r.count == 1 {
				return err
			}
			return fmt.Errorf("partition %d: %w", e.cfg.Partition, err)
		}
	}
	return nil
}

// Err returns why a partition stopped by itself, if one did.
func (r *Router) Err() error {
	for _, e := range r.Partitions() {
		if err := e.Err(); err != nil {
			return err
		}
	}
	return nil
}

// PartitionHealth is one partition's state, for the topology.
type PartitionHealth struct {
	Partition int32
	// Healthy is false while the partition cannot process commands.
	Healthy bool
}

// Health returns the health of every partition that runs here, in
// partition order.
func (r *Router) Health() []PartitionHealth {
	local := r.Partitions()
	out := make([]PartitionHealth, len(local))
	for i, e := range local {
		out[i] = PartitionHealth{Partition: e.cfg.Partition, Healthy: e.Ready()}
	}
	return out
}

// WaitingPolls returns how many job activation long polls wait for a job,
// by job type. A poll waits on every local partition at once, so it
// counts once: the most that wait on any one partition.
func (r *Router) WaitingPolls() map[string]int {
	out := map[string]int{}
	for _, e := range r.Partitions() {
		for t, n := range e.WaitingPolls() {
			out[t] = max(out[t], n)
		}
	}
	return out
}

// QueueDepth returns how many commands wait in every partition's queue.
func (r *Router) QueueDepth() int {
	n := 0
	for _, e := range r.Partitions() {
		n += e.QueueDepth()
	}
	return n
}

// Backpressure returns the partitions' limiters summed up.
func (r *Router) Backpressure() BackpressureStats {
	var out BackpressureStats
	for _, e := range r.Partitions() {
		b := e.Backpressure()
		out.Limit += b.Limit
		out.InFlight += b.InFlight
		out.Rejected += b.Rejected
		out.HeapHigh = out.HeapHigh || b.HeapHigh
	}
	return out
}

// Close stops every partition that runs here, the last first.
func (r *Router) Close() error {
	var errs []error
	local := r.Partitions()
	for i := len(local) - 1; i >= 0; i-- {
		errs = append(errs, local[i].Close())
	}
	return errors.Join(errs...)
}

// Interface guards
var (
	_ Client       = (*Router)(nil)
	_ TenantClient = (*Router)(nil)
)
