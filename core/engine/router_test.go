package engine

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/memstore"
	"github.com/example/wf-engine/elements/standard"
)

// partXML is W1: start, a service task, end.
const partXML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="p4" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task" />
    <bpmn:serviceTask id="task"><bpmn:extensionElements><zeebe:taskDefinition type="p4-work" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`

// partitionStores returns one memory store per partition: each partition
// has its own log and rows, as a partition's view of a shared store has
// its own log (the router needs no more than that).
func partitionStores(n int) []store.Store {
	out := make([]store.Store, n)
	for i := range out {
		out[i] = memstore.New(memstore.Options{})
	}
	return out
}

// startRouter starts one engine per store, stores[i] for partition i+1,
// behind a router that the test closes at its end.
func startRouter(t testing.TB, stores []store.Store) *Router {
	t.Helper()
	ctx := context.Background()
	var engines []*Engine
	crossing := crossingOf(stores)
	for i, s := range stores {
		e, err := Start(ctx, Config{Partition: int32(i + 1), Clock: clock.System{}, Store: s, Registry: standard.Registry(), Crossing: crossing}) // #nosec G115 -- a few partitions
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = e.Close() })
		engines = append(engines, e)
	}
	r, err := NewRouter(ctx, engines, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return r
}

func deployPart(t testing.TB, c Client) *Deployment {
	t.Helper()
	d, err := c.Deploy(context.Background(), DeployRequest{Resources: []record.Resource{{Name: "p4.bpmn", Content: []byte(partXML)}}})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// logOf returns a store's log.
func logOf(t *testing.T, s store.Store) []*record.Record {
	t.Helper()
	var out []*record.Record
	if err := s.ReadLog(context.Background(), 1, func(r *record.Record) error {
		out = append(out, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// W1 on four partitions: instances go round robin, one job activation
// collects the jobs of every partition, and every instance runs and ends
// on its own partition, whose log alone holds its records, at positions in
// the partition's range.
func TestRouterRunsW1OnFourPartitions(t *testing.T) {
	ctx := context.Background()
	stores := partitionStores(4)
	r := startRouter(t, stores)
	deployPart(t, r)
	perPartition := map[int32]int{}
	var instances []int64
	for range 8 {
		ci, err := r.CreateInstance(ctx, CreateInstanceRequest{BPMNProcessID: "p4"})
		if err != nil {
			t.Fatal(err)
		}
		perPartition[record.Partition(ci.ProcessInstanceKey)]++
		instances = append(instances, ci.ProcessInstanceKey)
	}
	for p := int32(1); p <= 4; p++ {
		if perPartition[p] != 2 {
			t.Fatalf("instances per partition %v, want 2 on each of 4", perPartition)
		}
	}
	jobs, err := r.ActivateJobs(ctx, ActivateJobsRequest{Type: "p4-work", Worker: "w", Timeout: time.Minute, MaxJobs: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 8 {
		t.Fatalf("activated %d jobs over 4 partitions, want 8", len(jobs))
	}
	for _, j := range jobs {
		if record.Partition(j.Key) != record.Partition(j.Value.ProcessInstanceKey) {
			t.Errorf("job %d is on partition %d, its instance %d on %d", j.Key, record.Partition(j.Key), j.Value.ProcessInstanceKey,
				record.Partition(j.Value.ProcessInstanceKey))
		}
		if err := r.CompleteJob(ctx, CompleteJobRequest{Key: j.Key}); err != nil {
			t.Fatal(err)
		}
	}
	for i, s := range stores {
		p := int32(i + 1) // #nosec G115 -- four partitions
		lo, _ := partitionFloor(p)
		ended := map[int64]bool{}
		for _, rec := range logOf(t, s) {
			if rec.Position <= lo || rec.Position >= record.Key(p, 0) {
				t.Errorf("partition %d's log holds position %d, outside (%d, %d)", p, rec.Position, lo, record.Key(p, 0))
			}
			if v, ok := rec.Value.(*record.ProcessInstanceValue); ok && rec.Kind == record.KindEvent {
				if record.Partition(v.ProcessInstanceKey) != p {
					t.Errorf("partition %d's log holds a record of instance %d", p, v.ProcessInstanceKey)
				}
				if rec.Intent == record.IntentElementCompleted && rec.Key == v.ProcessInstanceKey {
					ended[rec.Key] = true
				}
			}
		}
		for _, k := range instances {
			if record.Partition(k) == p && !ended[k] {
				t.Errorf("instance %d did not complete on partition %d", k, p)
			}
		}
	}
}

// A long poll across partitions waits with one waiter per partition and
// is woken by a job created on any of them.
func TestRouterLongPollWakesOnAnyPartition(t *testing.T) {
	ctx := context.Background()
	stores := partitionStores(4)
	r := startRouter(t, stores)
	deployPart(t, r)
	type answer struct {
		jobs []ActivatedJob
		err  error
	}
	got := make(chan answer, 1)
	go func() {
		jobs, err := r.ActivateJobs(ctx, ActivateJobsRequest{Type: "p4-work", Worker: "w", Timeout: time.Minute, MaxJobs: 5, RequestTimeout: time.Minute})
		got <- answer{jobs, err}
	}()
	waiting := func() bool {
		for _, e := range r.Partitions() {
			if e.WaitingPolls()["p4-work"] != 1 {
				return false
			}
		}
		return true
	}
	for deadline := time.Now().Add(10 * time.Second); !waiting(); {
		if time.Now().After(deadline) {
			t.Fatal("the long poll did not register a waiter on every partition")
		}
		time.Sleep(time.Millisecond)
	}
	if w := r.WaitingPolls(); len(w) != 1 || w["p4-work"] != 1 {
		t.Fatalf("the router counts %v waiting polls, want p4-work: 1 (one poll on four partitions)", w)
	}
	third := r.Partitions()[2]
	ci, err := third.CreateInstance(ctx, CreateInstanceRequest{BPMNProcessID: "p4"})
	if err != nil {
		t.Fatal(err)
	}
	var a answer
	select {
	case a = <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("the long poll was not woken by a job on partition 3")
	}
	if a.err != nil || len(a.jobs) != 1 || a.jobs[0].Value.ProcessInstanceKey != ci.ProcessInstanceKey || record.Partition(a.jobs[0].Key) != 3 {
		t.Fatalf("long poll: %v, %d jobs, want the job of instance %d on partition 3", a.err, len(a.jobs), ci.ProcessInstanceKey)
	}
	// No busy loop: one round before the wait and one after it.
	activations := 0
	for _, s := range stores {
		for _, rec := range logOf(t, s) {
			if rec.Kind == record.KindCommand && rec.Intent == record.IntentJobBatchActivate {
				activations++
			}
		}
	}
	if activations > 8 {
		t.Errorf("the long poll asked the partitions %d times, want at most 2 rounds of 4", activations)
	}
	for _, e := range r.Partitions() {
		if n := e.WaitingPolls()["p4-work"]; n != 0 {
			t.Errorf("partition %d keeps %d waiters after the poll answered", e.Partition(), n)
		}
	}
}

// A deployment and tenant commands reach every partition as commands in
// its own log, with the same definition keys, so that an instance can be
// created on any partition right after the deployment is answered.
func TestRouterDistributesDeploymentsAndTenants(t *testing.T) {
	ctx := context.Background()
	stores := partitionStores(3)
	r := startRouter(t, stores)
	d := deployPart(t, r)
	key := d.Processes[0].ProcessDefinitionKey
	if record.Partition(key) != 1 {
		t.Fatalf("definition key %d is not partition 1's", key)
	}
	for _, e := range r.Partitions() {
		ci, err := e.CreateInstance(ctx, CreateInstanceRequest{BPMNProcessID: "p4"})
		if err != nil {
			t.Fatalf("create on partition %d: %v", e.Partition(), err)
		}
		if ci.ProcessDefinitionKey != key || record.Partition(ci.ProcessInstanceKey) != e.Partition() {
			t.Errorf("partition %d created instance %d of definition %d, want one of its own of %d", e.Partition(), ci.ProcessInstanceKey, ci.ProcessDefinitionKey, key)
		}
	}
	for i, s := range stores[1:] {
		var distribute, created bool
		for _, rec := range logOf(t, s) {
			distribute = distribute || rec.Kind == record.KindCommand && rec.Intent == record.IntentProcessDistribute && rec.Key == key
			created = created || rec.Kind == record.KindEvent && rec.Intent == record.IntentProcessCreated && rec.Key == key
		}
		if !distribute || !created {
			t.Errorf("partition %d's log: PROCESS DISTRIBUTE %v, PROCESS CREATED %v; want both for definition %d", i+2, distribute, created, key)
		}
	}

	acme, err := r.CreateTenant(ctx, TenantRequest{TenantID: "acme", Name: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.AddTenantMember(ctx, TenantMemberRequest{TenantID: "acme", EntityType: record.TenantEntityUser, EntityID: "ada"}); err != nil {
		t.Fatal(err)
	}
	if err := r.UpdateTenant(ctx, TenantRequest{TenantID: "acme", Name: "Acme Corp"}); err != nil {
		t.Fatal(err)
	}
	tenantEverywhere := func(want string, member bool) {
		t.Helper()
		for _, e := range r.Partitions() {
			var name string
			var key, memberKey int64
			if err := e.Read(ctx, func(st *state.State) {
				if tn := st.Tenant("acme"); tn != nil {
					name, key = tn.Value.Name, tn.Key
				}
				if m := st.TenantMember("acme", record.TenantEntityUser, "ada"); m != nil {
					memberKey = m.Key
				}
			}); err != nil {
				t.Fatal(err)
			}
			if name != want || (memberKey != 0) != member {
				t.Errorf("partition %d: tenant acme named %q with member ada %v, want %q and %v", e.Partition(), name, memberKey != 0, want, member)
			}
			// The rows are partition 1's: every partition names them by its keys.
			if (name != "" && key != acme.Key) || (member && record.Partition(memberKey) != 1) {
				t.Errorf("partition %d: tenant key %d and membership key %d, want partition 1's (%d)", e.Partition(), key, memberKey, acme.Key)
			}
		}
	}
	tenantEverywhere("Acme Corp", true)
	if err := r.RemoveTenantMember(ctx, TenantMemberRequest{TenantID: "acme", EntityType: record.TenantEntityUser, EntityID: "ada"}); err != nil {
		t.Fatal(err)
	}
	tenantEverywhere("Acme Corp", false)
	if err := r.DeleteTenant(ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	tenantEverywhere("", false)
}

// A deployment that partition 1 committed but that never reached the other
// partitions (the process crashed in between) reaches them when the
// partitions start again.
func TestRouterRepairsAMissedDistributionAtStart(t *testing.T) {
	ctx := context.Background()
	stores := partitionStores(3)
	r := startRouter(t, stores)
	d := deployPart(t, r.Partitions()[0]) // partition 1 only: the crash
	key := d.Processes[0].ProcessDefinitionKey
	if _, err := r.Partitions()[2].CreateInstance(ctx, CreateInstanceRequest{BPMNProcessID: "p4"}); err == nil {
		t.Fatal("partition 3 created an instance of a definition it never got")
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}

	r = startRouter(t, stores)
	ci, err := r.Partitions()[2].CreateInstance(ctx, CreateInstanceRequest{BPMNProcessID: "p4"})
	if err != nil {
		t.Fatalf("create on partition 3 after the restart: %v", err)
	}
	if ci.ProcessDefinitionKey != key {
		t.Errorf("partition 3 created an instance of definition %d, want %d", ci.ProcessDefinitionKey, key)
	}
	var distributed int
	for _, rec := range logOf(t, stores[2]) {
		if rec.Kind == record.KindCommand && rec.Intent == record.IntentProcessDistribute {
			distributed++
		}
	}
	if distributed != 1 {
		t.Errorf("partition 3's log holds %d PROCESS DISTRIBUTE commands, want 1", distributed)
	}
	// A second start finds nothing to distribute.
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	startRouter(t, stores)
	distributed = 0
	for _, rec := range logOf(t, stores[2]) {
		if rec.Kind == record.KindCommand && rec.Intent == record.IntentProcessDistribute {
			distributed++
		}
	}
	if distributed != 1 {
		t.Errorf("after a second start partition 3's log holds %d PROCESS DISTRIBUTE commands, want still 1", distributed)
	}
}

// Each partition loads its own instances at a restart, and they go on.
func TestRouterRestartLoadsEveryPartition(t *testing.T) {
	ctx := context.Background()
	stores := partitionStores(4)
	r := startRouter(t, stores)
	deployPart(t, r)
	for range 8 {
		if _, err := r.CreateInstance(ctx, CreateInstanceRequest{BPMNProcessID: "p4"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	r = startRouter(t, stores)
	for _, e := range r.Partitions() {
		var active int
		if err := e.Read(ctx, func(st *state.State) { active = st.Gauges().ActiveInstances }); err != nil {
			t.Fatal(err)
		}
		if active != 2 {
			t.Errorf("partition %d loaded %d active instances, want 2", e.Partition(), active)
		}
	}
	jobs, err := r.ActivateJobs(ctx, ActivateJobsRequest{Type: "p4-work", Worker: "w", Timeout: time.Minute, MaxJobs: 100})
	if err != nil || len(jobs) != 8 {
		t.Fatalf("activate after the restart: %v, %d jobs, want 8", err, len(jobs))
	}
	for _, j := range jobs {
		if err := r.CompleteJob(ctx, CompleteJobRequest{Key: j.Key}); err != nil {
			t.Fatal(err)
		}
	}
	ci, err := r.CreateInstance(ctx, CreateInstanceRequest{BPMNProcessID: "p4"})
	if err != nil {
		t.Fatal(err)
	}
	if ci.ProcessInstanceKey <= record.Key(record.Partition(ci.ProcessInstanceKey), 8) {
		t.Errorf("instance key %d after the restart may repeat a key of before", ci.ProcessInstanceKey)
	}
}

// A create with an idempotency key goes to the partition the key hashes
// to: a retry gets the first answer, and only one instance exists.
func TestRouterIdempotentCreateLandsOnce(t *testing.T) {
	ctx := context.Background()
	stores := partitionStores(4)
	r := startRouter(t, stores)
	deployPart(t, r)
	used := map[int32]bool{}
	for i := range 16 {
		k := IdempotencyKey{Key: fmt.Sprintf("create-%d", i), Fingerprint: "POST /v2/process-instances p4"}
		first, err := r.CreateInstance(WithIdempotencyKey(ctx, k), CreateInstanceRequest{BPMNProcessID: "p4"})
		if err != nil {
			t.Fatal(err)
		}
		retryCtx := WithIdempotencyKey(ctx, k)
		again, err := r.CreateInstance(retryCtx, CreateInstanceRequest{BPMNProcessID: "p4"})
		if err != nil {
			t.Fatal(err)
		}
		if again.ProcessInstanceKey != first.ProcessInstanceKey || !IdempotentReplay(retryCtx) {
			t.Fatalf("retry of key %s: instance %d (replayed %v), want the first answer %d", k.Key, again.ProcessInstanceKey,
				IdempotentReplay(retryCtx), first.ProcessInstanceKey)
		}
		used[record.Partition(first.ProcessInstanceKey)] = true
	}
	created := 0
	for _, s := range stores {
		for _, rec := range logOf(t, s) {
			if rec.Kind == record.KindEvent && rec.Intent == record.IntentProcessInstanceCreated {
				created++
			}
		}
	}
	if created != 16 {
		t.Errorf("%d instances created for 16 keys sent twice each, want 16", created)
	}
	if len(used) < 2 {
		t.Errorf("16 keys hashed to partitions %v, want them spread", used)
	}
}

// Messages with several partitions go to their correlation key's
// partition: the instance that waits for one gets it wherever it runs,
// exactly once.
func TestRouterCorrelatesAMessageOnTheWaitingPartition(t *testing.T) {
	const msgXML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:message id="m" name="paid"><bpmn:extensionElements><zeebe:subscription correlationKey="=order" /></bpmn:extensionElements></bpmn:message>
  <bpmn:process id="wait" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="catch" />
    <bpmn:intermediateCatchEvent id="catch"><bpmn:messageEventDefinition messageRef="m" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="catch" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`
	ctx := context.Background()
	stores := partitionStores(4)
	r := startRouter(t, stores)
	if _, err := r.Deploy(ctx, DeployRequest{Resources: []record.Resource{{Name: "wait.bpmn", Content: []byte(msgXML)}}}); err != nil {
		t.Fatal(err)
	}
	var waiting []int64
	for i := range 4 {
		ci, err := r.CreateInstance(ctx, CreateInstanceRequest{BPMNProcessID: "wait", Variables: map[string]any{"order": fmt.Sprintf("o-%d", i)}})
		if err != nil {
			t.Fatal(err)
		}
		waiting = append(waiting, ci.ProcessInstanceKey)
	}
	for i, k := range waiting {
		if _, err := r.PublishMessage(ctx, PublishMessageRequest{Name: "paid", CorrelationKey: fmt.Sprintf("o-%d", i), TimeToLive: time.Minute}); err != nil {
			t.Fatal(err)
		}
		waitEnded(t, r, k)
	}
	if _, err := r.CorrelateMessage(ctx, PublishMessageRequest{Name: "paid", CorrelationKey: "o-0"}); err == nil {
		t.Error("a second correlation of o-0 found a subscription: the message was correlated twice or nothing closed")
	}
}

// waitEnded waits until a process instance ended (its partition has no
// element instance of it left), failing the test after a deadline.
func waitEnded(t testing.TB, r *Router, k int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var active bool
		if err := r.ReadFor(context.Background(), k, func(st *state.State) { active = st.Element(k) != nil }); err != nil {
			t.Fatal(err)
		}
		if !active {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("instance %d on partition %d still waits", k, record.Partition(k))
		}
		time.Sleep(2 * time.Millisecond)
	}
}
