package engine_test

import (
	"fmt"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
)

// tenancyWorld drives a Processor the way the engine loop does, keeping a
// model of what each tenant deployed and created.
type tenancyWorld struct {
	t   *rapid.T
	p   *engine.Processor
	now int64
	log []*record.Record

	version   map[string]int32 // tenant -> latest version of "order" (0: none)
	variant   map[string]int   // tenant -> variant of the latest deployment
	instances map[int64]string // process instance -> the tenant it was created in
	activated map[int64]string // activated job -> its tenant
}

var propertyTenants = []string{record.DefaultTenant, acme, beta}

func (w *tenancyWorld) process(v record.Value, intent record.Intent, key int64) *engine.Result {
	w.now++
	cmd := &record.Record{Key: key, ValueType: v.ValueType(), Intent: intent, Version: 1, Timestamp: w.now, Value: v}
	res, err := w.p.Process(cmd)
	if err != nil {
		w.t.Fatalf("process %s %s: %v", cmd.ValueType, intent, err)
	}
	w.log = append(w.log, res.Records...)
	if err := w.p.State().Check(); err != nil {
		w.t.Fatalf("after %s %s: %v", cmd.ValueType, intent, err)
	}
	return res
}

// tenantArg is how a request names a tenant: the default tenant may also be
// named by leaving the field empty.
func tenantArg(t *rapid.T, tenant string) string {
	if tenant == record.DefaultTenant && rapid.Bool().Draw(t, "leave tenant empty") {
		return ""
	}
	return tenant
}

func (w *tenancyWorld) deploy(t *rapid.T) {
	tenant := rapid.SampledFrom(propertyTenants).Draw(t, "tenant")
	variant := rapid.IntRange(0, 2).Draw(t, "variant")
	res := w.process(&record.DeploymentValue{TenantID: tenantArg(t, tenant),
		Resources: []record.Resource{{Name: "order.bpmn", Content: withJobType(tenancyXML, fmt.Sprintf("ship-%d", variant))}}},
		record.IntentDeploymentCreate, 0)
	if res.Rejection != nil {
		t.Fatalf("deploy to %s: %v", tenant, res.Rejection)
	}
	duplicate := w.version[tenant] > 0 && w.variant[tenant] == variant
	if !duplicate {
		w.version[tenant]++
		w.variant[tenant] = variant
	}
	d := res.Response.(*engine.Deployment)
	for _, p := range d.Processes {
		if p.TenantID != tenant || p.Version != w.version[tenant] || p.Duplicate != duplicate {
			t.Fatalf("deploying variant %d of %s to %s: got %+v, want version %d duplicate %v", variant, p.BPMNProcessID, tenant, p, w.version[tenant], duplicate)
		}
	}
}

func (w *tenancyWorld) create(t *rapid.T) {
	tenant := rapid.SampledFrom(propertyTenants).Draw(t, "tenant")
	req := &record.ProcessInstanceCreationValue{BPMNProcessID: "order", TenantID: tenantArg(t, tenant),
		Variables: map[string]any{"orderId": rapid.SampledFrom([]string{"o1", "o2"}).Draw(t, "orderId")}}
	if w.version[tenant] > 0 && rapid.Bool().Draw(t, "by version") {
		req.Version = rapid.Int32Range(1, w.version[tenant]+1).Draw(t, "version")
	}
	res := w.process(req, record.IntentProcessInstanceCreate, 0)
	if w.version[tenant] == 0 || req.Version > w.version[tenant] {
		if res.Rejection == nil || res.Rejection.Type != record.RejectionNotFound {
			t.Fatalf("created order version %d in %s, where it is not deployed: %+v %v", req.Version, tenant, res.Response, res.Rejection)
		}
		return
	}
	if res.Rejection != nil {
		t.Fatalf("create order in %s: %v", tenant, res.Rejection)
	}
	ci := res.Response.(*engine.CreatedInstance)
	want := w.version[tenant]
	if req.Version > 0 {
		want = req.Version
	}
	if ci.TenantID != tenant || ci.Version != want {
		t.Fatalf("created in %s: %+v, want version %d", tenant, ci, want)
	}
	w.instances[ci.ProcessInstanceKey] = tenant
}

func (w *tenancyWorld) createByKey(t *rapid.T) {
	var defs []*state.ProcessDefinition
	st := w.p.State()
	for _, tenant := range propertyTenants {
		if p := st.LatestProcess(tenant, "order"); p != nil {
			defs = append(defs, p)
		}
	}
	if len(defs) == 0 {
		t.Skip("nothing deployed")
	}
	def := rapid.SampledFrom(defs).Draw(t, "definition")
	named := rapid.SampledFrom(append([]string{""}, propertyTenants...)).Draw(t, "named tenant")
	res := w.process(&record.ProcessInstanceCreationValue{ProcessDefinitionKey: def.ProcessDefinitionKey, TenantID: named,
		Variables: map[string]any{"orderId": "o1"}}, record.IntentProcessInstanceCreate, 0)
	if named != "" && named != def.TenantID {
		if res.Rejection == nil || res.Rejection.Type != record.RejectionNotFound {
			t.Fatalf("created %s's definition %d in tenant %s: %+v %v", def.TenantID, def.ProcessDefinitionKey, named, res.Response, res.Rejection)
		}
		return
	}
	if res.Rejection != nil {
		t.Fatalf("create definition %d of %s naming %q: %v", def.ProcessDefinitionKey, def.TenantID, named, res.Rejection)
	}
	ci := res.Response.(*engine.CreatedInstance)
	if ci.TenantID != def.TenantID {
		t.Fatalf("definition %d of %s created an instance in %s", def.ProcessDefinitionKey, def.TenantID, ci.TenantID)
	}
	w.instances[ci.ProcessInstanceKey] = def.TenantID
}

func (w *tenancyWorld) publish(t *rapid.T) {
	tenant := rapid.SampledFrom(propertyTenants).Draw(t, "tenant")
	name := rapid.SampledFrom([]string{"paid", "placed"}).Draw(t, "name")
	v := &record.MessageValue{Name: name, CorrelationKey: rapid.SampledFrom([]string{"o1", "o2"}).Draw(t, "correlationKey"), TenantID: tenantArg(t, tenant),
		MessageID: rapid.SampledFrom([]string{"", "m1"}).Draw(t, "messageId")}
	if rapid.Bool().Draw(t, "buffered") {
		v.TimeToLive = 3600_000
	}
	intent := record.IntentMessagePublish
	if rapid.Bool().Draw(t, "correlate") {
		intent = record.IntentMessageCorrelate
	}
	res := w.process(v, intent, 0)
	if res.Rejection != nil {
		return // nothing to correlate with, or a message id still buffered
	}
	pm := res.Response.(*engine.PublishedMessage)
	if pm.ProcessInstanceKey == 0 {
		return
	}
	if name == "placed" {
		if _, known := w.instances[pm.ProcessInstanceKey]; known {
			t.Fatalf("message %s started instance %d, which exists already", name, pm.ProcessInstanceKey)
		}
		if w.version[tenant] == 0 {
			t.Fatalf("message 'placed' in %s started instance %d, but %s deployed nothing", tenant, pm.ProcessInstanceKey, tenant)
		}
		w.instances[pm.ProcessInstanceKey] = tenant
	}
	if got := w.instances[pm.ProcessInstanceKey]; got != tenant {
		t.Fatalf("message %s of %s reached instance %d of %q", name, tenant, pm.ProcessInstanceKey, got)
	}
}

func (w *tenancyWorld) activate(t *rapid.T) {
	asked := rapid.SliceOfNDistinct(rapid.SampledFrom(propertyTenants), 0, 3, rapid.ID[string]).Draw(t, "tenants")
	jobType := fmt.Sprintf("ship-%d", rapid.IntRange(0, 2).Draw(t, "variant"))
	res := w.process(&record.JobBatchValue{Type: jobType, Worker: "w", Timeout: 60_000, MaxJobsToActivate: 5, TenantIDs: asked},
		record.IntentJobBatchActivate, 0)
	if res.Rejection != nil {
		t.Fatalf("activate %s for %v: %v", jobType, asked, res.Rejection)
	}
	if len(asked) == 0 {
		asked = []string{record.DefaultTenant}
	}
	jobs, _ := res.Response.([]engine.ActivatedJob)
	for _, j := range jobs {
		if !slices.Contains(asked, j.Value.TenantID) {
			t.Fatalf("job %d of %s handed out for %v", j.Key, j.Value.TenantID, asked)
		}
		if got := w.instances[j.Value.ProcessInstanceKey]; got != j.Value.TenantID {
			t.Fatalf("job %d of %s belongs to instance %d of %q", j.Key, j.Value.TenantID, j.Value.ProcessInstanceKey, got)
		}
		w.activated[j.Key] = j.Value.TenantID
	}
	// Nothing activatable of the asked tenants is left behind when fewer
	// than the maximum were handed out.
	if len(jobs) < 5 {
		if left := w.p.State().Activatable(jobType, asked, 1); len(left) > 0 {
			t.Fatalf("activation for %v handed out %d jobs but left job %d of %s", asked, len(jobs), left[0].Key, left[0].Value.TenantID)
		}
	}
}

func (w *tenancyWorld) complete(t *rapid.T) {
	keys := make([]int64, 0, len(w.activated))
	for k := range w.activated {
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		t.Skip("no activated job")
	}
	slices.Sort(keys)
	k := rapid.SampledFrom(keys).Draw(t, "job")
	delete(w.activated, k)
	if res := w.process(&record.JobValue{}, record.IntentJobComplete, k); res.Rejection != nil {
		t.Fatalf("complete job %d: %v", k, res.Rejection)
	}
}

// checkLog checks that every record of an instance carries the tenant the
// instance was created in, that messages reach only their own tenant, and
// that the log replays to the live state.
func (w *tenancyWorld) checkLog(t *rapid.T) {
	messages := map[int64]string{}
	replayed := engine.NewState(registry())
	for _, r := range w.log {
		if err := replayed.Apply(r); err != nil {
			t.Fatalf("replay: %v", err)
		}
		if r.Kind != record.KindEvent {
			continue
		}
		tenant, _ := recordTenant(r)
		switch v := r.Value.(type) {
		case *record.MessageValue:
			messages[r.Key] = v.TenantID
		case *record.MessageSubscriptionValue:
			if v.MessageKey > 0 && messages[v.MessageKey] != v.TenantID {
				t.Fatalf("message %d of %s reached a subscription of %s", v.MessageKey, messages[v.MessageKey], v.TenantID)
			}
		case *record.MessageStartSubscriptionValue:
			if v.MessageKey > 0 && messages[v.MessageKey] != v.TenantID {
				t.Fatalf("message %d of %s started a process of %s", v.MessageKey, messages[v.MessageKey], v.TenantID)
			}
		}
		if pi := instanceOf(r); pi > 0 {
			if want, ok := w.instances[pi]; ok && tenant != want {
				t.Fatalf("%s %s of instance %d carries tenant %q, but the instance was created in %q", r.ValueType, r.Intent, pi, tenant, want)
			}
		}
	}
	if got, want := string(replayed.Dump()), string(w.p.State().Dump()); got != want {
		t.Fatalf("the replayed state differs from the live one:\nreplayed %s\nlive     %s", got, want)
	}
}

// instanceOf returns the process instance a record belongs to, or 0.
func instanceOf(r *record.Record) int64 {
	switch v := r.Value.(type) {
	case *record.ProcessInstanceValue:
		return v.ProcessInstanceKey
	case *record.ProcessInstanceCreationValue:
		return v.ProcessInstanceKey
	case *record.JobValue:
		return v.ProcessInstanceKey
	case *record.VariableValue:
		return v.ProcessInstanceKey
	case *record.MessageSubscriptionValue:
		return v.ProcessInstanceKey
	case *record.MessageStartSubscriptionValue:
		return v.ProcessInstanceKey
	case *record.IncidentValue:
		return v.ProcessInstanceKey
	case *record.UserTaskValue:
		return v.ProcessInstanceKey
	}
	return 0
}

// Tenants deploying, creating, publishing and working in any interleaving
// never see each other's definitions, instances, messages or jobs.
func TestPropertyTenantsStayApart(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := &tenancyWorld{t: t, p: engine.NewProcessor(1, engine.NewState(registry()), registry()), now: 1_767_225_600_000,
			version: map[string]int32{}, variant: map[string]int{}, instances: map[int64]string{}, activated: map[int64]string{}}
		t.Repeat(map[string]func(*rapid.T){
			"deploy":      w.deploy,
			"create":      w.create,
			"createByKey": w.createByKey,
			"publish":     w.publish,
			"activate":    w.activate,
			"complete":    w.complete,
			"":            func(*rapid.T) {},
		})
		w.checkLog(t)
	})
}
