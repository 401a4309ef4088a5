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
//   - messages, until they cross partitions (issue 21 item 3), are offered
//     to the partitions in turn (message).
//
// With one partition every method is the Engine's own: nothing changes.
type Router struct {
	engines []*Engine // engines[i] runs partition i+1
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
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Router{engines: engines, log: log}
	if err := r.distribute(ctx); err != nil {
		return nil, fmt.Errorf("distribute definitions and tenants to the partitions: %w", err)
	}
	return r, nil
}

// Partitions returns the engines, the one of partition p at p-1.
func (r *Router) Partitions() []*Engine { return r.engines }

// of returns the engine of the partition that owns key. A key of no
// partition goes to partition 1, which rejects it as unknown.
func (r *Router) of(key int64) *Engine {
	if p := record.Partition(key); p >= 1 && int(p) <= len(r.engines) {
		return r.engines[p-1]
	}
	return r.engines[0]
}

// distribute sends every partition above 1 what it lacks of partition 1's
// definitions and tenants (distribution.go).
func (r *Router) distribute(ctx context.Context) error {
	if len(r.engines) == 1 {
		return nil
	}
	r.distributing.Lock()
	defer r.distributing.Unlock()
	var want clusterState
	if err := r.engines[0].Read(ctx, func(st *state.State) { want = readClusterState(st) }); err != nil {
		return fmt.Errorf("read partition 1: %w", err)
	}
	var errs []error
	for _, e := range r.engines[1:] {
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
	if err != nil || len(r.engines) == 1 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), distributeTimeout)
	defer cancel()
	if err := r.distribute(ctx); err != nil {
		r.log.Warn("partition 1 committed a change of definitions or tenants that did not reach every partition yet; "+
			"it is distributed with the next change or at the next start", "error", err)
	}
}

// Deploy implements Client: partition 1 deploys, then every other
// partition gets the new definitions before the answer, so that an
// instance created after it finds them on any partition.
func (r *Router) Deploy(ctx context.Context, req DeployRequest) (*Deployment, error) {
	d, err := r.engines[0].Deploy(ctx, req)
	r.distributeAfter(err)
	return d, err
}

// CreateInstance implements Client.
func (r *Router) CreateInstance(ctx context.Context, req CreateInstanceRequest) (*CreatedInstance, error) {
	e, keyed := r.createOn(ctx)
	ci, err := e.CreateInstance(ctx, req)
	if rj, ok := AsRejection(err); ok && rj.Type == record.RejectionNotFound && e.cfg.Partition != 1 && !keyed {
		// The definition may not have reached this partition yet (its
		// distribution failed): partition 1 has every definition from the
		// moment its deployment is answered.
		return r.engines[0].CreateInstance(ctx, req)
	}
	return ci, err
}

// createOn picks the partition of a new instance: the one its idempotency
// key hashes to (keyed), else the next in turn that is not saturated.
func (r *Router) createOn(ctx context.Context) (e *Engine, keyed bool) {
	n := uint32(len(r.engines)) // #nosec G115 -- at most 4,095 partitions
	if n == 1 {
		return r.engines[0], false
	}
	if k, _ := ctx.Value(idempotencyCtxKey{}).(*idempotencyKey); k != nil && !k.taken.Load() {
		h := fnv.New32a()
		_, _ = h.Write([]byte(k.keyHash))
		return r.engines[h.Sum32()%n], true
	}
	first := r.creates.Add(1) - 1
	for i := range n {
		if e := r.engines[(first+i)%n]; e.Saturated() == nil {
			return e, false
		}
	}
	return r.engines[first%n], false
}

// CancelInstance implements Client.
func (r *Router) CancelInstance(ctx context.Context, key int64) error {
	return r.of(key).CancelInstance(ctx, key)
}

// MigrateInstance implements Client.
func (r *Router) MigrateInstance(ctx context.Context, req MigrateInstanceRequest) error {
	return r.of(req.ProcessInstanceKey).MigrateInstance(ctx, req)
}

// ModifyInstance implements Client.
func (r *Router) ModifyInstance(ctx context.Context, req ModifyInstanceRequest) error {
	return r.of(req.ProcessInstanceKey).ModifyInstance(ctx, req)
}

// ActivateChildren implements Client.
func (r *Router) ActivateChildren(ctx context.Context, req ActivateChildrenRequest) error {
	return r.of(req.ContainerKey).ActivateChildren(ctx, req)
}

// ActivateJobs implements Client: it asks the partitions in turn for what
// is still missing of MaxJobs, starting at a partition that rotates from
// call to call so that none is starved. With a RequestTimeout and no job
// anywhere, it waits until any partition has a job for it (one waiter per
// partition, all waking one channel), then asks again.
func (r *Router) ActivateJobs(ctx context.Context, req ActivateJobsRequest) ([]ActivatedJob, error) {
	if len(r.engines) == 1 {
		return r.engines[0].ActivateJobs(ctx, req)
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
			for _, e := range r.engines {
				cancels = append(cancels, e.addJobWaiter(req.Type, req.TenantIDs, woken))
			}
		}
		cancel := func() {
			for _, c := range cancels {
				c()
			}
		}
		jobs, err := r.activateOnce(ctx, req)
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

// activateOnce asks each partition once, without waiting. A partition that
// fails (it is unavailable) is passed over when another answered; a
// rejection (the request is invalid) ends the round, as every partition
// would reject it alike.
func (r *Router) activateOnce(ctx context.Context, req ActivateJobsRequest) ([]ActivatedJob, error) {
	n := len(r.engines)
	first := int(r.polls.Add(1)-1) % n // #nosec G115 -- a counter taken modulo n
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
		jobs, err := r.engines[(first+i)%n].ActivateJobs(ctx, ask)
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
	return r.of(req.Key).CompleteJob(ctx, req)
}

// FailJob implements Client.
func (r *Router) FailJob(ctx context.Context, req FailJobRequest) error {
	return r.of(req.Key).FailJob(ctx, req)
}

// ThrowError implements Client.
func (r *Router) ThrowError(ctx context.Context, req ThrowErrorRequest) error {
	return r.of(req.Key).ThrowError(ctx, req)
}

// UpdateJobRetries implements Client.
func (r *Router) UpdateJobRetries(ctx context.Context, jobKey int64, retries int32) error {
	return r.of(jobKey).UpdateJobRetries(ctx, jobKey, retries)
}

// UpdateJobTimeout implements Client.
func (r *Router) UpdateJobTimeout(ctx context.Context, jobKey int64, timeout time.Duration) error {
	return r.of(jobKey).UpdateJobTimeout(ctx, jobKey, timeout)
}

// ResolveIncident implements Client.
func (r *Router) ResolveIncident(ctx context.Context, incidentKey int64) error {
	return r.of(incidentKey).ResolveIncident(ctx, incidentKey)
}

// SetVariables implements Client.
func (r *Router) SetVariables(ctx context.Context, req SetVariablesRequest) error {
	return r.of(req.ScopeKey).SetVariables(ctx, req)
}

// PublishMessage implements Client (see message).
func (r *Router) PublishMessage(ctx context.Context, req PublishMessageRequest) (*PublishedMessage, error) {
	if len(r.engines) == 1 {
		return r.engines[0].PublishMessage(ctx, req)
	}
	return r.message(ctx, req, false)
}

// CorrelateMessage implements Client (see message).
func (r *Router) CorrelateMessage(ctx context.Context, req PublishMessageRequest) (*PublishedMessage, error) {
	if len(r.engines) == 1 {
		return r.engines[0].CorrelateMessage(ctx, req)
	}
	return r.message(ctx, req, true)
}

// message publishes or correlates a message over several partitions while
// subscriptions do not cross partitions (issue 21 item 3 builds that): an
// instance's subscription lives on the instance's partition, and message
// start events on partition 1. The message is offered to the partitions in
// turn as a correlation, starting at its correlation key's partition
// (record.MessagePartition): the first partition where something waits for
// it takes it, and no other partition sees it, so it is never correlated
// twice. A published message that no partition takes is published on its
// correlation key's partition, buffered there for its time to live.
//
// What differs from Camunda until item 3: a message reaches the first
// waiting process found, not one instance of every waiting process; a
// buffered message reaches later subscriptions of its own partition only;
// and the request's idempotency key is not recorded (its answer would be
// a partition's, and a retry could take another path), so a retried
// publish may correlate again: give messages a message id.
func (r *Router) message(ctx context.Context, req PublishMessageRequest, correlate bool) (*PublishedMessage, error) {
	ctx = context.WithValue(ctx, idempotencyCtxKey{}, (*idempotencyKey)(nil))
	n := len(r.engines)
	home := int(record.MessagePartition(req.CorrelationKey, int32(n))) // #nosec G115 -- at most 4,095 partitions
	offer := req
	offer.TimeToLive = 0
	var notFound error
	for i := range n {
		m, err := r.engines[(home-1+i)%n].CorrelateMessage(ctx, offer)
		if rj, ok := AsRejection(err); ok && rj.Type == record.RejectionNotFound {
			notFound = err
			continue
		}
		return m, err
	}
	if correlate {
		return nil, notFound
	}
	return r.engines[home-1].PublishMessage(ctx, req)
}

// BroadcastSignal implements Client: every partition broadcasts the signal
// to its own subscriptions (partition 1 also to the signal start events);
// the answer is partition 1's. A partition that fails makes the broadcast
// fail after every partition was asked: the others had it.
func (r *Router) BroadcastSignal(ctx context.Context, req BroadcastSignalRequest) (*BroadcastedSignal, error) {
	out, err := r.engines[0].BroadcastSignal(ctx, req)
	if err != nil || len(r.engines) == 1 {
		return out, err
	}
	var errs []error
	for _, e := range r.engines[1:] {
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
	return r.of(req.Key).AssignUserTask(ctx, req)
}

// UpdateUserTask implements Client.
func (r *Router) UpdateUserTask(ctx context.Context, req UpdateUserTaskRequest) error {
	return r.of(req.Key).UpdateUserTask(ctx, req)
}

// CompleteUserTask implements Client.
func (r *Router) CompleteUserTask(ctx context.Context, req CompleteUserTaskRequest) error {
	return r.of(req.Key).CompleteUserTask(ctx, req)
}

// DeleteResource implements Client. With several partitions it is refused
// for now: a definition may be deleted only while no instance of it runs,
// which every partition would have to agree on at once.
func (r *Router) DeleteResource(ctx context.Context, req DeleteResourceRequest) error {
	if len(r.engines) == 1 {
		return r.engines[0].DeleteResource(ctx, req)
	}
	return reject(record.RejectionInvalidState, "expected to delete resource with key '%d', but deleting resources is not supported yet with %d partitions (cluster.partitions)",
		req.Key, len(r.engines))
}

// CreateTenant implements TenantClient.
func (r *Router) CreateTenant(ctx context.Context, req TenantRequest) (*CreatedTenant, error) {
	t, err := r.engines[0].CreateTenant(ctx, req)
	r.distributeAfter(err)
	return t, err
}

// UpdateTenant implements TenantClient.
func (r *Router) UpdateTenant(ctx context.Context, req TenantRequest) error {
	err := r.engines[0].UpdateTenant(ctx, req)
	r.distributeAfter(err)
	return err
}

// DeleteTenant implements TenantClient.
func (r *Router) DeleteTenant(ctx context.Context, tenantID string) error {
	err := r.engines[0].DeleteTenant(ctx, tenantID)
	r.distributeAfter(err)
	return err
}

// AddTenantMember implements TenantClient.
func (r *Router) AddTenantMember(ctx context.Context, req TenantMemberRequest) error {
	err := r.engines[0].AddTenantMember(ctx, req)
	r.distributeAfter(err)
	return err
}

// RemoveTenantMember implements TenantClient.
func (r *Router) RemoveTenantMember(ctx context.Context, req TenantMemberRequest) error {
	err := r.engines[0].RemoveTenantMember(ctx, req)
	r.distributeAfter(err)
	return err
}

// Read runs fn on partition 1's state, which holds every definition,
// form and tenant; ReadFor reads the partition of a key.
func (r *Router) Read(ctx context.Context, fn func(*state.State)) error {
	return r.engines[0].Read(ctx, fn)
}

// ReadFor runs fn on the state of the partition that owns key.
func (r *Router) ReadFor(ctx context.Context, key int64, fn func(*state.State)) error {
	return r.of(key).Read(ctx, fn)
}

// AwaitInstance is Engine.AwaitInstance on the instance's partition.
func (r *Router) AwaitInstance(processInstanceKey int64) (<-chan InstanceEnd, func()) {
	return r.of(processInstanceKey).AwaitInstance(processInstanceKey)
}

// Ready reports whether every partition processes commands.
func (r *Router) Ready() bool {
	for _, e := range r.engines {
		if !e.Ready() {
			return false
		}
	}
	return true
}

// Saturated returns ErrOverloaded while every partition would refuse new
// work (a new instance goes to one that is not saturated), else nil.
func (r *Router) Saturated() error {
	var err error
	for _, e := range r.engines {
		if err = e.Saturated(); err == nil {
			return nil
		}
	}
	return err
}

// Degraded returns why a partition cannot process commands (the first
// such), or nil.
func (r *Router) Degraded() error {
	for _, e := range r.engines {
		if err := e.Degraded(); err != nil {
			if len(r.engines) == 1 {
				return err
			}
			return fmt.Errorf("partition %d: %w", e.cfg.Partition, err)
		}
	}
	return nil
}

// Err returns why a partition stopped by itself, if one did.
func (r *Router) Err() error {
	for _, e := range r.engines {
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

// Health returns every partition's health, in partition order.
func (r *Router) Health() []PartitionHealth {
	out := make([]PartitionHealth, len(r.engines))
	for i, e := range r.engines {
		out[i] = PartitionHealth{Partition: e.cfg.Partition, Healthy: e.Ready()}
	}
	return out
}

// QueueDepth returns how many commands wait in every partition's queue.
func (r *Router) QueueDepth() int {
	n := 0
	for _, e := range r.engines {
		n += e.QueueDepth()
	}
	return n
}

// Backpressure returns the partitions' limiters summed up.
func (r *Router) Backpressure() BackpressureStats {
	var out BackpressureStats
	for _, e := range r.engines {
		b := e.Backpressure()
		out.Limit += b.Limit
		out.InFlight += b.InFlight
		out.Rejected += b.Rejected
		out.HeapHigh = out.HeapHigh || b.HeapHigh
	}
	return out
}

// Close stops every partition, the last first.
func (r *Router) Close() error {
	var errs []error
	for i := len(r.engines) - 1; i >= 0; i-- {
		errs = append(errs, r.engines[i].Close())
	}
	return errors.Join(errs...)
}

// Interface guards
var (
	_ Client       = (*Router)(nil)
	_ TenantClient = (*Router)(nil)
)
