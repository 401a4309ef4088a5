package engine_test

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/replaycheck"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store/memstore"
)

const (
	acme = "acme"
	beta = "beta"
)

// tenancyXML holds the processes the tenancy tests deploy: "order" waits for
// the message "paid" (correlation key =orderId) and then for a job of type
// jobType; "intake" starts on the message "placed"; "parent" calls "child";
// "ticker" starts on a timer; "approve" has a user task and a job that fails.
const tenancyXML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:message id="paid" name="paid"><bpmn:extensionElements><zeebe:subscription correlationKey="=orderId" /></bpmn:extensionElements></bpmn:message>
  <bpmn:message id="placed" name="placed" />
  <bpmn:process id="order" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:intermediateCatchEvent id="wait"><bpmn:messageEventDefinition messageRef="paid" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="ship" />
    <bpmn:serviceTask id="ship"><bpmn:extensionElements><zeebe:taskDefinition type="JOBTYPE" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f3" sourceRef="ship" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
  <bpmn:process id="intake" isExecutable="true">
    <bpmn:startEvent id="placed-start"><bpmn:messageEventDefinition messageRef="placed" /></bpmn:startEvent>
    <bpmn:sequenceFlow id="i1" sourceRef="placed-start" targetRef="check" />
    <bpmn:serviceTask id="check"><bpmn:extensionElements><zeebe:taskDefinition type="check" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="i2" sourceRef="check" targetRef="intake-end" />
    <bpmn:endEvent id="intake-end" />
  </bpmn:process>
</bpmn:definitions>`

const callXML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="parent" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="call" />
    <bpmn:callActivity id="call"><bpmn:extensionElements><zeebe:calledElement processId="child" /></bpmn:extensionElements></bpmn:callActivity>
    <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`

const childXML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="child" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:serviceTask id="work"><bpmn:extensionElements><zeebe:taskDefinition type="JOBTYPE" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`

const tickerXML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="ticker" isExecutable="true">
    <bpmn:startEvent id="tick"><bpmn:timerEventDefinition><bpmn:timeCycle>R1/PT1H</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="tick" targetRef="work" />
    <bpmn:serviceTask id="work"><bpmn:extensionElements><zeebe:taskDefinition type="tick-work" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`

const approveXML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="approve" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fork" />
    <bpmn:parallelGateway id="fork" />
    <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="review" />
    <bpmn:sequenceFlow id="f3" sourceRef="fork" targetRef="notify" />
    <bpmn:userTask id="review"><bpmn:extensionElements><zeebe:userTask /></bpmn:extensionElements></bpmn:userTask>
    <bpmn:serviceTask id="notify"><bpmn:extensionElements><zeebe:taskDefinition type="notify" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f4" sourceRef="review" targetRef="end1" />
    <bpmn:sequenceFlow id="f5" sourceRef="notify" targetRef="end2" />
    <bpmn:endEvent id="end1" />
    <bpmn:endEvent id="end2" />
  </bpmn:process>
</bpmn:definitions>`

// withJobType fills the JOBTYPE placeholder of a model.
func withJobType(xml, jobType string) []byte {
	return []byte(strings.ReplaceAll(xml, "JOBTYPE", jobType))
}

func deployTo(t *testing.T, e *engine.Engine, tenant string, resources ...record.Resource) *engine.Deployment {
	t.Helper()
	d, err := e.Deploy(context.Background(), engine.DeployRequest{Resources: resources, TenantID: tenant})
	if err != nil {
		t.Fatalf("deploy to tenant %q: %v", tenant, err)
	}
	return d
}

func res(name string, content []byte) record.Resource {
	return record.Resource{Name: name, Content: content}
}

// wantRejection fails unless err is a rejection of type typ whose reason
// contains every part of want.
func wantRejection(t *testing.T, what string, err error, typ record.RejectionType, want ...string) {
	t.Helper()
	rj, ok := engine.AsRejection(err)
	if !ok || rj.Type != typ {
		t.Fatalf("%s: want a %s rejection, got %v", what, typ, err)
	}
	for _, w := range want {
		if !strings.Contains(rj.Reason, w) {
			t.Fatalf("%s: the rejection does not say %q: %s", what, w, rj.Reason)
		}
	}
}

// recordTenant returns the tenant a record's value carries, and whether it
// carries one.
func recordTenant(r *record.Record) (string, bool) {
	switch v := r.Value.(type) {
	case *record.ProcessValue:
		return v.TenantID, true
	case *record.ProcessInstanceValue:
		return v.TenantID, true
	case *record.ProcessInstanceCreationValue:
		return v.TenantID, true
	case *record.JobValue:
		return v.TenantID, true
	case *record.VariableValue:
		return v.TenantID, true
	case *record.TimerValue:
		return v.TenantID, true
	case *record.MessageValue:
		return v.TenantID, true
	case *record.MessageSubscriptionValue:
		return v.TenantID, true
	case *record.MessageStartSubscriptionValue:
		return v.TenantID, true
	case *record.UserTaskValue:
		return v.TenantID, true
	case *record.IncidentValue:
		return v.TenantID, true
	case *record.DeploymentValue:
		return v.TenantID, true
	}
	return "", false
}

func readLog(t *testing.T, st *memstore.Store) []*record.Record {
	t.Helper()
	var out []*record.Record
	if err := st.ReadLog(context.Background(), 1, func(r *record.Record) error { out = append(out, r); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkReplay stops the engine and checks that its log replays to the state
// its rows restore.
func checkReplay(t *testing.T, e *engine.Engine, st *memstore.Store) {
	t.Helper()
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := replaycheck.Check(context.Background(), st); err != nil {
		t.Fatal(err)
	}
}

func checkState(t *testing.T, e *engine.Engine) {
	t.Helper()
	var err error
	if rerr := e.Read(context.Background(), func(s *state.State) { err = s.Check() }); rerr != nil {
		t.Fatal(rerr)
	}
	if err != nil {
		t.Fatalf("inconsistent state: %v", err)
	}
}

func TestDeploymentsCountVersionsPerTenant(t *testing.T) {
	st := memstore.New(memstore.Options{})
	e := start(t, st, clock.NewManual(time.Unix(0, 0)))
	v1 := res("order.bpmn", withJobType(tenancyXML, "ship"))
	v2 := res("order.bpmn", withJobType(tenancyXML, "ship-v2"))

	a1 := deployTo(t, e, acme, v1)
	b1 := deployTo(t, e, beta, v1)
	d1 := deployTo(t, e, "", v1)
	for _, d := range []*engine.Deployment{a1, b1, d1} {
		for _, p := range d.Processes {
			if p.Version != 1 || p.Duplicate {
				t.Fatalf("first deployment of %s in tenant %s: version %d duplicate %v, want a new version 1", p.BPMNProcessID, p.TenantID, p.Version, p.Duplicate)
			}
		}
	}
	if got := []string{a1.Processes[0].TenantID, b1.Processes[0].TenantID, d1.Processes[0].TenantID}; got[0] != acme || got[1] != beta || got[2] != record.DefaultTenant {
		t.Fatalf("deployments name tenants %v", got)
	}
	if a1.Processes[0].ProcessDefinitionKey == b1.Processes[0].ProcessDefinitionKey {
		t.Fatal("two tenants share one definition")
	}

	// The same resource again is a duplicate in its own tenant only.
	again := deployTo(t, e, acme, v1)
	if p := again.Processes[0]; !p.Duplicate || p.ProcessDefinitionKey != a1.Processes[0].ProcessDefinitionKey {
		t.Fatalf("redeploying to acme: %+v, want the duplicate of %d", p, a1.Processes[0].ProcessDefinitionKey)
	}
	// A change makes version 2 in acme; beta stays at version 1.
	a2 := deployTo(t, e, acme, v2)
	if p := a2.Processes[0]; p.Version != 2 || p.Duplicate {
		t.Fatalf("changed process in acme: %+v, want version 2", p)
	}
	b2 := deployTo(t, e, beta, v2)
	if p := b2.Processes[0]; p.Version != 2 {
		t.Fatalf("changed process in beta: %+v, want its own version 2", p)
	}
	// Each tenant's latest "order" is its own.
	ci, err := e.CreateInstance(context.Background(), engine.CreateInstanceRequest{BPMNProcessID: "order", TenantID: beta})
	if err != nil || ci.ProcessDefinitionKey != b2.Processes[0].ProcessDefinitionKey || ci.Version != 2 || ci.TenantID != beta {
		t.Fatalf("latest order in beta: %+v, %v", ci, err)
	}
	ci, err = e.CreateInstance(context.Background(), engine.CreateInstanceRequest{BPMNProcessID: "order"})
	if err != nil || ci.ProcessDefinitionKey != d1.Processes[0].ProcessDefinitionKey || ci.Version != 1 || ci.TenantID != record.DefaultTenant {
		t.Fatalf("latest order in the default tenant: %+v, %v", ci, err)
	}
	checkState(t, e)
	checkReplay(t, e, st)
}

// A new version replaces the message start event of its own tenant only.
func TestNewVersionReplacesStartEventsOfItsTenantOnly(t *testing.T) {
	e := start(t, memstore.New(memstore.Options{}), clock.NewManual(time.Unix(0, 0)))
	ctx := context.Background()
	deployTo(t, e, acme, res("o.bpmn", withJobType(tenancyXML, "a")))
	deployTo(t, e, beta, res("o.bpmn", withJobType(tenancyXML, "a")))
	deployTo(t, e, acme, res("o.bpmn", withJobType(tenancyXML, "b")))
	var acmeStarts, betaStarts []*state.StartSubscription
	if err := e.Read(ctx, func(s *state.State) {
		acmeStarts, betaStarts = s.StartSubscriptionsFor(acme, "placed"), s.StartSubscriptionsFor(beta, "placed")
	}); err != nil {
		t.Fatal(err)
	}
	if len(acmeStarts) != 1 || len(betaStarts) != 1 {
		t.Fatalf("acme has %d and beta %d start subscriptions for 'placed', want 1 each", len(acmeStarts), len(betaStarts))
	}
	pm, err := e.PublishMessage(ctx, engine.PublishMessageRequest{Name: "placed", TenantID: beta})
	if err != nil || pm.ProcessInstanceKey == 0 {
		t.Fatalf("message to beta started nothing: %+v %v", pm, err)
	}
}

func TestCreateInstanceLooksOnlyInTheRequestTenant(t *testing.T) {
	e := start(t, memstore.New(memstore.Options{}), clock.NewManual(time.Unix(0, 0)))
	ctx := context.Background()
	d := deployTo(t, e, acme, res("order.bpmn", withJobType(tenancyXML, "ship")))
	key := d.Processes[0].ProcessDefinitionKey

	_, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "order"})
	wantRejection(t, "order in the default tenant", err, record.RejectionNotFound, "process id 'order'", "but none found")
	_, err = e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "order", TenantID: beta})
	wantRejection(t, "order in beta", err, record.RejectionNotFound, "process id 'order' in tenant 'beta', but none found")
	_, err = e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "order", Version: 1, TenantID: beta})
	wantRejection(t, "order v1 in beta", err, record.RejectionNotFound, "version '1' in tenant 'beta', but none found")

	ci, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "order", Version: 1, TenantID: acme})
	if err != nil || ci.TenantID != acme || ci.ProcessDefinitionKey != key {
		t.Fatalf("order v1 in acme: %+v %v", ci, err)
	}

	// By key: a request that names another tenant does not find it, and
	// hears the same as for a key that does not exist at all.
	_, err = e.CreateInstance(ctx, engine.CreateInstanceRequest{ProcessDefinitionKey: key, TenantID: beta})
	wantRejection(t, "acme's key in beta", err, record.RejectionNotFound, "key '", "in tenant 'beta', but none found")
	other, _ := engine.AsRejection(err)
	_, err = e.CreateInstance(ctx, engine.CreateInstanceRequest{ProcessDefinitionKey: key + 1000, TenantID: beta})
	if unknown, _ := engine.AsRejection(err); unknown == nil ||
		strings.ReplaceAll(unknown.Reason, strconv.FormatInt(key+1000, 10), strconv.FormatInt(key, 10)) != other.Reason {
		t.Fatalf("another tenant's key is answered differently from an unknown one:\n%v\n%v", other, err)
	}
	_, err = e.CreateInstance(ctx, engine.CreateInstanceRequest{ProcessDefinitionKey: key, TenantID: record.DefaultTenant})
	wantRejection(t, "acme's key in the default tenant", err, record.RejectionNotFound, "but none found")
	for _, tenant := range []string{acme, ""} {
		ci, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{ProcessDefinitionKey: key, TenantID: tenant})
		if err != nil || ci.TenantID != acme {
			t.Fatalf("acme's key with tenant %q: %+v %v", tenant, ci, err)
		}
	}
}

func TestTenantIDsAreChecked(t *testing.T) {
	e := start(t, memstore.New(memstore.Options{}), clock.NewManual(time.Unix(0, 0)))
	ctx := context.Background()
	for _, bad := range []string{"a b", "a\x00b", "ä", strings.Repeat("x", 257), "<other>"} {
		_, err := e.Deploy(ctx, engine.DeployRequest{Resources: []record.Resource{res("w1.bpmn", []byte(w1XML))}, TenantID: bad})
		wantRejection(t, "deploy to "+bad, err, record.RejectionInvalidArgument, "expected a tenant id")
		_, err = e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "w1", TenantID: bad})
		wantRejection(t, "create in "+bad, err, record.RejectionInvalidArgument, "expected a tenant id")
		_, err = e.PublishMessage(ctx, engine.PublishMessageRequest{Name: "m", TenantID: bad})
		wantRejection(t, "publish in "+bad, err, record.RejectionInvalidArgument, "expected a tenant id")
		_, err = e.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: "work", MaxJobs: 1, Timeout: time.Second, TenantIDs: []string{acme, bad}})
		wantRejection(t, "activate in "+bad, err, record.RejectionInvalidArgument, "expected a tenant id")
	}
	if _, err := e.Deploy(ctx, engine.DeployRequest{Resources: []record.Resource{res("w1.bpmn", []byte(w1XML))}, TenantID: "Tenant_1@x.y+z-" + strings.Repeat("x", 241)}); err != nil {
		t.Fatalf("a valid tenant id of 256 characters was refused: %v", err)
	}
}

// The called process starts in the caller's tenant, even when another
// tenant deployed a process with the same id.
func TestCallActivityCallsInTheCallerTenant(t *testing.T) {
	st := memstore.New(memstore.Options{})
	e := start(t, st, clock.NewManual(time.Unix(0, 0)))
	ctx := context.Background()
	deployTo(t, e, "", res("child.bpmn", withJobType(childXML, "default-work")))
	deployTo(t, e, acme, res("parent.bpmn", []byte(callXML)))

	// acme has no "child": an incident names the tenant it looked in.
	ci, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "parent", TenantID: acme})
	if err != nil {
		t.Fatal(err)
	}
	var inc *state.Incident
	if err := e.Read(ctx, func(s *state.State) {
		for _, k := range s.IncidentKeys() {
			inc = s.Incident(k)
		}
	}); err != nil {
		t.Fatal(err)
	}
	if inc == nil || inc.Value.ErrorType != record.ErrorCalledElement || inc.Value.TenantID != acme ||
		!strings.Contains(inc.Value.ErrorMessage, "'child' to be deployed in tenant 'acme'") {
		t.Fatalf("want a CALLED_ELEMENT_ERROR incident in acme naming the tenant, got %+v", inc)
	}

	deployTo(t, e, acme, res("child.bpmn", withJobType(childXML, "acme-work")))
	if err := e.ResolveIncident(ctx, inc.Key); err != nil {
		t.Fatal(err)
	}
	jobs, err := e.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: "acme-work", Worker: "w", Timeout: time.Minute, MaxJobs: 5, TenantIDs: []string{acme}})
	if err != nil || len(jobs) != 1 || jobs[0].Value.TenantID != acme || jobs[0].Value.BPMNProcessID != "child" {
		t.Fatalf("the called child's job in acme: %+v %v", jobs, err)
	}
	if jobs, _ := e.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: "default-work", Worker: "w", Timeout: time.Minute, MaxJobs: 5}); len(jobs) != 0 {
		t.Fatalf("the default tenant's child was called: %+v", jobs)
	}
	for _, r := range readLog(t, st) {
		if v, ok := r.Value.(*record.ProcessInstanceValue); ok && r.Kind == record.KindEvent && v.BPMNProcessID == "child" {
			if v.TenantID != acme || (v.ElementID == "child" && v.ParentElementInstanceKey <= 0) {
				t.Fatalf("child element %s runs in tenant %q (parent %d), want acme", v.ElementID, v.TenantID, v.ParentElementInstanceKey)
			}
		}
	}
	if err := e.Read(ctx, func(s *state.State) {
		if s.CalledInstance(inc.Value.ElementInstanceKey) == 0 || s.Element(ci.ProcessInstanceKey) == nil {
			t.Error("the call activity of the acme parent started no child")
		}
	}); err != nil {
		t.Fatal(err)
	}
	checkReplay(t, e, st)
}

func TestMessagesCorrelateWithinTheirTenant(t *testing.T) {
	st := memstore.New(memstore.Options{})
	e := start(t, st, clock.NewManual(time.Unix(0, 0)))
	ctx := context.Background()
	for _, tenant := range []string{acme, beta} {
		deployTo(t, e, tenant, res("order.bpmn", withJobType(tenancyXML, "ship")))
	}
	create := func(tenant string) int64 {
		t.Helper()
		ci, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "order", TenantID: tenant, Variables: map[string]any{"orderId": "o-1"}})
		if err != nil {
			t.Fatal(err)
		}
		return ci.ProcessInstanceKey
	}
	a, b := create(acme), create(beta)

	// Correlating in a tenant without a subscription finds nothing, even
	// though another tenant waits for the same name and key.
	_, err := e.CorrelateMessage(ctx, engine.PublishMessageRequest{Name: "paid", CorrelationKey: "o-1"})
	wantRejection(t, "correlate in the default tenant", err, record.RejectionNotFound, "message 'paid' with correlation key 'o-1', but none was found")
	pm, err := e.CorrelateMessage(ctx, engine.PublishMessageRequest{Name: "paid", CorrelationKey: "o-1", TenantID: beta})
	if err != nil || pm.ProcessInstanceKey != b {
		t.Fatalf("correlate in beta reached %+v (%v), want instance %d", pm, err, b)
	}
	_, err = e.CorrelateMessage(ctx, engine.PublishMessageRequest{Name: "paid", CorrelationKey: "o-1", TenantID: beta})
	wantRejection(t, "correlate in beta again", err, record.RejectionNotFound, "in tenant 'beta', but none was found")

	// A buffered message waits for its own tenant's instances only.
	if _, err := e.PublishMessage(ctx, engine.PublishMessageRequest{Name: "paid", CorrelationKey: "o-2", TimeToLive: time.Hour, TenantID: beta}); err != nil {
		t.Fatal(err)
	}
	ci, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "order", TenantID: acme, Variables: map[string]any{"orderId": "o-2"}})
	if err != nil {
		t.Fatal(err)
	}
	a2 := ci.ProcessInstanceKey
	ci, err = e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "order", TenantID: beta, Variables: map[string]any{"orderId": "o-2"}})
	if err != nil {
		t.Fatal(err)
	}
	b2 := ci.ProcessInstanceKey

	// Message ids are unique per tenant.
	for _, tenant := range []string{acme, beta, ""} {
		if _, err := e.PublishMessage(ctx, engine.PublishMessageRequest{Name: "other", CorrelationKey: "k", MessageID: "m-1", TimeToLive: time.Hour, TenantID: tenant}); err != nil {
			t.Fatalf("message id m-1 in tenant %q: %v", tenant, err)
		}
	}
	_, err = e.PublishMessage(ctx, engine.PublishMessageRequest{Name: "other", CorrelationKey: "k", MessageID: "m-1", TimeToLive: time.Hour, TenantID: acme})
	wantRejection(t, "message id m-1 again in acme", err, record.RejectionAlreadyExists, "id 'm-1' is still buffered in tenant 'acme'")

	// The log: every correlation stays within one tenant.
	msgTenant := map[int64]string{}
	correlated := map[int64]bool{}
	for _, r := range readLog(t, st) {
		if r.Kind != record.KindEvent {
			continue
		}
		switch v := r.Value.(type) {
		case *record.MessageValue:
			msgTenant[r.Key] = v.TenantID
		case *record.MessageSubscriptionValue:
			if r.Intent == record.IntentMessageSubscriptionCorrelated {
				if msgTenant[v.MessageKey] != v.TenantID {
					t.Fatalf("message %d of tenant %q reached a subscription of tenant %q", v.MessageKey, msgTenant[v.MessageKey], v.TenantID)
				}
				correlated[v.ProcessInstanceKey] = true
			}
		}
	}
	if want := map[int64]bool{b: true, b2: true}; len(correlated) != 2 || !correlated[b] || !correlated[b2] {
		t.Fatalf("correlated instances %v, want %v (acme's %d and %d waited for acme's messages)", correlated, want, a, a2)
	}
	checkState(t, e)
	checkReplay(t, e, st)
}

func TestMessageStartEventsStartInTheirTenant(t *testing.T) {
	st := memstore.New(memstore.Options{})
	e := start(t, st, clock.NewManual(time.Unix(0, 0)))
	ctx := context.Background()
	deployTo(t, e, acme, res("order.bpmn", withJobType(tenancyXML, "ship")))
	deployTo(t, e, beta, res("order.bpmn", withJobType(tenancyXML, "ship")))

	pm, err := e.PublishMessage(ctx, engine.PublishMessageRequest{Name: "placed", CorrelationKey: "c-1", TenantID: beta})
	if err != nil || pm.ProcessInstanceKey == 0 {
		t.Fatalf("publish to beta: %+v %v", pm, err)
	}
	// One active instance per correlation key counts per tenant: acme may
	// start one for c-1 while beta's is active, beta may not.
	pa, err := e.PublishMessage(ctx, engine.PublishMessageRequest{Name: "placed", CorrelationKey: "c-1", TenantID: acme})
	if err != nil || pa.ProcessInstanceKey == 0 {
		t.Fatalf("publish c-1 to acme while beta's c-1 is active: %+v %v", pa, err)
	}
	pb, err := e.PublishMessage(ctx, engine.PublishMessageRequest{Name: "placed", CorrelationKey: "c-1", TenantID: beta})
	if err != nil || pb.ProcessInstanceKey != 0 {
		t.Fatalf("second c-1 in beta started %+v (%v), want nothing", pb, err)
	}
	// The default tenant deployed nothing: correlating there finds nothing.
	_, err = e.CorrelateMessage(ctx, engine.PublishMessageRequest{Name: "placed"})
	wantRejection(t, "correlate 'placed' in the default tenant", err, record.RejectionNotFound)

	var tenants []string
	if err := e.Read(ctx, func(s *state.State) {
		for _, k := range []int64{pm.ProcessInstanceKey, pa.ProcessInstanceKey} {
			tenants = append(tenants, s.Element(k).Value.TenantID)
		}
	}); err != nil {
		t.Fatal(err)
	}
	if tenants[0] != beta || tenants[1] != acme {
		t.Fatalf("message-started instances run in %v, want [beta acme]", tenants)
	}
	checkState(t, e)
	checkReplay(t, e, st)
}

func TestTimerStartEventsStartInTheirDefinitionTenant(t *testing.T) {
	st := memstore.New(memstore.Options{})
	mc := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	e := start(t, st, mc)
	ctx := context.Background()
	deployTo(t, e, acme, res("ticker.bpmn", []byte(tickerXML)))
	mc.Advance(time.Hour)
	var roots []record.ProcessInstanceValue
	deadline := time.Now().Add(10 * time.Second)
	for len(roots) == 0 && time.Now().Before(deadline) {
		if err := e.Read(ctx, func(s *state.State) {
			roots = roots[:0]
			for _, k := range s.JobKeys() {
				roots = append(roots, s.Element(s.Job(k).Value.ProcessInstanceKey).Value)
			}
		}); err != nil {
			t.Fatal(err)
		}
	}
	if len(roots) != 1 || roots[0].TenantID != acme || roots[0].BPMNProcessID != "ticker" {
		t.Fatalf("the timer started %+v, want one ticker instance in acme", roots)
	}
	jobs, err := e.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: "tick-work", Worker: "w", Timeout: time.Minute, MaxJobs: 5})
	if err != nil || len(jobs) != 0 {
		t.Fatalf("acme's job was handed to a default-tenant worker: %+v %v", jobs, err)
	}
	checkReplay(t, e, st)
}

func TestJobActivationHandsOutOnlyTheAskedTenants(t *testing.T) {
	st := memstore.New(memstore.Options{})
	e := start(t, st, clock.NewManual(time.Unix(0, 0)))
	ctx := context.Background()
	keys := map[string][]int64{}
	for _, tenant := range []string{acme, record.DefaultTenant, beta, acme} {
		deployTo(t, e, tenant, res("w1.bpmn", []byte(w1XML)))
		ci, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "w1", TenantID: tenant})
		if err != nil {
			t.Fatal(err)
		}
		keys[tenant] = append(keys[tenant], ci.ProcessInstanceKey)
	}
	activate := func(tenants ...string) []engine.ActivatedJob {
		t.Helper()
		jobs, err := e.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: "work", Worker: "w", Timeout: time.Minute, MaxJobs: 10, TenantIDs: tenants})
		if err != nil {
			t.Fatal(err)
		}
		return jobs
	}
	instancesOf := func(jobs []engine.ActivatedJob) []int64 {
		out := make([]int64, 0, len(jobs))
		for _, j := range jobs {
			out = append(out, j.Value.ProcessInstanceKey)
		}
		return out
	}
	// None named: the default tenant, as Camunda's REST API has it.
	if got := instancesOf(activate()); !equalKeys(got, keys[record.DefaultTenant]) {
		t.Fatalf("activation without tenants got jobs of %v, want %v", got, keys[record.DefaultTenant])
	}
	// Several tenants (one named twice, one with nothing): key order, no job twice.
	got := activate(beta, acme, "nobody", acme)
	want := append(append([]int64(nil), keys[acme]...), keys[beta]...)
	sort.Slice(want, func(i, j int) bool { return want[i] < want[j] })
	if !equalKeys(instancesOf(got), want) {
		t.Fatalf("activation for beta and acme got jobs of %v, want %v", instancesOf(got), want)
	}
	for _, j := range got {
		if j.Value.TenantID != acme && j.Value.TenantID != beta {
			t.Fatalf("job %d of tenant %q handed out for [beta acme]", j.Key, j.Value.TenantID)
		}
	}
	if again := activate(acme, beta, record.DefaultTenant); len(again) != 0 {
		t.Fatalf("activated jobs were handed out again: %+v", again)
	}
	checkState(t, e)
	checkReplay(t, e, st)
}

func equalKeys(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// A long poll for one tenant is answered with that tenant's job, not with
// another tenant's that appeared first.
func TestActivateJobsLongPollWaitsForItsTenants(t *testing.T) {
	e := start(t, memstore.New(memstore.Options{}), clock.System{})
	ctx := context.Background()
	deployTo(t, e, "", res("w1.bpmn", []byte(w1XML)))
	deployTo(t, e, acme, res("w1.bpmn", []byte(w1XML)))
	got := make(chan []engine.ActivatedJob, 1)
	polling := make(chan struct{})
	go func() {
		close(polling)
		jobs, err := e.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: "work", Worker: "w", Timeout: time.Minute, MaxJobs: 5, RequestTimeout: time.Minute, TenantIDs: []string{acme}})
		if err != nil {
			t.Error(err)
		}
		got <- jobs
	}()
	<-polling
	if _, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "w1"}); err != nil {
		t.Fatal(err)
	}
	acmeInstance, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "w1", TenantID: acme})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case jobs := <-got:
		if len(jobs) != 1 || jobs[0].Value.TenantID != acme || jobs[0].Value.ProcessInstanceKey != acmeInstance.ProcessInstanceKey {
			t.Fatalf("long poll for acme returned %+v", jobs)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("long poll for acme did not return after an acme job was created")
	}
	jobs, err := e.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: "work", Worker: "w", Timeout: time.Minute, MaxJobs: 5})
	if err != nil || len(jobs) != 1 || jobs[0].Value.TenantID != record.DefaultTenant {
		t.Fatalf("the default tenant's job: %+v %v", jobs, err)
	}
}

// Everything an instance creates carries its tenant: element instances,
// variables, jobs, incidents, user tasks, timers and subscriptions.
func TestEverythingOfAnInstanceKeepsItsTenant(t *testing.T) {
	st := memstore.New(memstore.Options{})
	e := start(t, st, clock.NewManual(time.Unix(0, 0)))
	ctx := context.Background()
	deployTo(t, e, acme, res("approve.bpmn", []byte(approveXML)), res("order.bpmn", withJobType(tenancyXML, "ship")))
	ci, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "approve", TenantID: acme, Variables: map[string]any{"x": 1}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "order", TenantID: acme, Variables: map[string]any{"orderId": "o"}}); err != nil {
		t.Fatal(err)
	}
	jobs, err := e.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: "notify", Worker: "w", Timeout: time.Minute, MaxJobs: 1, TenantIDs: []string{acme}})
	if err != nil || len(jobs) != 1 {
		t.Fatalf("activate: %+v %v", jobs, err)
	}
	if err := e.FailJob(ctx, engine.FailJobRequest{Key: jobs[0].Key, Retries: 0, ErrorMessage: "down", Variables: map[string]any{"y": 2}}); err != nil {
		t.Fatal(err)
	}
	var taskKey int64
	if err := e.Read(ctx, func(s *state.State) { taskKey = s.UserTaskKeys()[0] }); err != nil {
		t.Fatal(err)
	}
	if err := e.CompleteUserTask(ctx, engine.CompleteUserTaskRequest{Key: taskKey, Variables: map[string]any{"ok": true}}); err != nil {
		t.Fatal(err)
	}
	if err := e.SetVariables(ctx, engine.SetVariablesRequest{ScopeKey: ci.ProcessInstanceKey, Variables: map[string]any{"z": 3}}); err != nil {
		t.Fatal(err)
	}
	seen := map[record.ValueType]bool{}
	for _, r := range readLog(t, st) {
		tenant, ok := recordTenant(r)
		if !ok || r.Kind != record.KindEvent {
			continue
		}
		seen[r.ValueType] = true
		if tenant != acme {
			t.Fatalf("%s %s %d carries tenant %q, want acme", r.ValueType, r.Intent, r.Key, tenant)
		}
	}
	for _, vt := range []record.ValueType{record.TypeProcess, record.TypeDeployment, record.TypeProcessInstance, record.TypeProcessInstanceCreation,
		record.TypeVariable, record.TypeJob, record.TypeIncident, record.TypeUserTask, record.TypeMessageSubscription, record.TypeMessageStartSubscription} {
		if !seen[vt] {
			t.Errorf("the test wrote no %s event: it proves nothing about its tenant", vt)
		}
	}
	var rows []string
	if err := e.Read(ctx, func(s *state.State) {
		for _, k := range s.IncidentKeys() {
			rows = append(rows, "incident "+s.Incident(k).Value.TenantID)
		}
		for _, k := range s.JobKeys() {
			rows = append(rows, "job "+s.Job(k).Value.TenantID)
		}
	}); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0] != "incident acme" || rows[1] != "job acme" {
		t.Fatalf("live incident and job: %v", rows)
	}
	checkReplay(t, e, st)
}
