package processtest_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/sdk/processtest"
)

func TestClockStartsAtDefaultAndMovesOnlyWhenTold(t *testing.T) {
	pt := processtest.New(t)
	if got := pt.Now(); !got.Equal(processtest.DefaultStart()) {
		t.Errorf("Now() = %s, want %s", got, processtest.DefaultStart())
	}
	pt.AdvanceTime(90 * time.Minute)
	if got, want := pt.Now(), processtest.DefaultStart().Add(90*time.Minute); !got.Equal(want) {
		t.Errorf("after AdvanceTime(90m), Now() = %s, want %s", got, want)
	}

	start := time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	if got := processtest.New(t, processtest.WithStartTime(start)).Now(); !got.Equal(start) {
		t.Errorf("WithStartTime: Now() = %s, want %s", got, start)
	}
}

func TestAdvanceTimeRefusesToGoBack(t *testing.T) {
	rec := newRecorder(t)
	pt := processtest.New(rec)
	rec.wantFatal(func() { pt.AdvanceTime(-time.Second) }, "AdvanceTime(-1s): the clock never moves backwards")
	if got := pt.Now(); !got.Equal(processtest.DefaultStart()) {
		t.Errorf("Now() = %s after a refused AdvanceTime, want %s", got, processtest.DefaultStart())
	}
}

func TestDeployReturnsWhatWasDeployed(t *testing.T) {
	pt := processtest.New(t)
	d := pt.Deploy("testdata/shipping.bpmn", "testdata/route.bpmn")
	var ids []string
	for _, p := range d.Processes {
		ids = append(ids, fmt.Sprintf("%s v%d from %s", p.BPMNProcessID, p.Version, p.ResourceName))
	}
	if got, want := strings.Join(ids, ", "), "shipping v1 from shipping.bpmn, refund v1 from shipping.bpmn, route v1 from route.bpmn"; got != want {
		t.Errorf("deployed %s, want %s", got, want)
	}

	xml, err := os.ReadFile("testdata/route.bpmn")
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(xml), "=amount &gt; 1000", "=amount &gt; 2000", 1)
	d = pt.DeployXML("route-v2.bpmn", []byte(changed))
	if len(d.Processes) != 1 || d.Processes[0].Version != 2 {
		t.Fatalf("redeploying a changed route gave %+v, want version 2", d.Processes)
	}
	inst := pt.CreateInstance("route", map[string]any{"amount": 1500})
	inst.HasPassed("auto") // version 2 sends 1500 down the default flow
}

func TestDeployFailuresStopTheTest(t *testing.T) {
	rec := newRecorder(t)
	pt := processtest.New(rec)
	rec.wantFatal(func() { pt.Deploy() }, "processtest: Deploy: expected at least one file, but none was given")
	rec.wantFatal(func() { pt.Deploy("testdata/missing.bpmn") }, `Deploy(["testdata/missing.bpmn"]): read testdata/missing.bpmn:`, "no such file")
	rec.wantFatal(func() { pt.DeployXML("broken.bpmn", []byte("<bpmn:definitions")) }, `processtest: DeployXML("broken.bpmn"): the engine rejected it (INVALID_ARGUMENT): `)
}

func TestCreateInstanceOfAnUnknownProcessStopsTheTest(t *testing.T) {
	rec := newRecorder(t)
	pt := processtest.New(rec)
	after := false
	rec.wantFatal(func() {
		pt.CreateInstance("nope", nil)
		after = true
	}, `processtest: CreateInstance("nope"): the engine rejected it (NOT_FOUND): `, "nope")
	if after {
		t.Error("the test went on after a fatal report")
	}
}

func TestInstanceHandles(t *testing.T) {
	rec := newRecorder(t)
	pt := processtest.New(rec)
	pt.Deploy("testdata/shipping.bpmn")
	a := pt.CreateInstance("shipping", map[string]any{"orderId": "o-1", "items": []int{1, 2}})
	b := pt.CreateInstance("shipping", map[string]any{"orderId": "o-2"})

	if a.ProcessID() != "shipping" || a.Key() == b.Key() {
		t.Errorf("instances %d (%s) and %d (%s)", a.Key(), a.ProcessID(), b.Key(), b.ProcessID())
	}
	all := pt.Instances("shipping")
	if len(all) != 2 || all[0].Key() != a.Key() || all[1].Key() != b.Key() {
		t.Errorf("Instances(shipping) = %v, want %d then %d", all, a.Key(), b.Key())
	}
	if got := pt.Instances("refund"); len(got) != 0 {
		t.Errorf("Instances(refund) = %v, want none", got)
	}
	if got := pt.Instance(b.Key()); got.Key() != b.Key() || got.ProcessID() != "shipping" {
		t.Errorf("Instance(%d) = %d (%s)", b.Key(), got.Key(), got.ProcessID())
	}
	rec.wantFatal(func() { pt.Instance(42) }, "processtest: Instance(42): no process instance with that key was created")

	if v, ok := a.Variable("items"); !ok || fmt.Sprint(v) != "[1 2]" {
		t.Errorf("Variable(items) = %v, %t", v, ok)
	}
	if v, ok := a.Variable("missing"); ok {
		t.Errorf("Variable(missing) = %v, want none", v)
	}
	a.SetVariables(map[string]any{"priority": "high"})
	if got := fmt.Sprint(a.Variables()); got != "map[items:[1 2] orderId:o-1 priority:high]" {
		t.Errorf("Variables() = %s", got)
	}

	want := fmt.Sprintf("process instance %d (shipping) is active\n"+
		"    passed:    start\n"+
		"    active:    wait-payment\n"+
		"    variables: items=[1,2], orderId=\"o-1\", priority=\"high\"\n"+
		"    incidents: none", a.Key())
	if got := a.String(); got != want {
		t.Errorf("String() =\n%s\nwant\n%s", got, want)
	}
	rec.wantClean()
}

func TestInstanceStateAssertions(t *testing.T) {
	rec := newRecorder(t)
	pt := processtest.New(rec)
	pt.Deploy("testdata/payment.bpmn")
	inst := pt.CreateInstance("payment", map[string]any{"card": "4111"})

	if !inst.IsActive() {
		t.Error("IsActive() = false for a waiting instance")
	}
	rec.wantClean()

	if inst.IsCompleted() {
		t.Error("IsCompleted() = true for a waiting instance")
	}
	want := fmt.Sprintf("processtest: expected process instance %d (payment) to be completed, but it is active\n"+
		"    passed:    start\n"+
		"    active:    charge\n"+
		"    variables: card=\"4111\"\n"+
		"    incidents: none", inst.Key())
	rec.wantError(want)

	inst.IsTerminated()
	rec.wantError("to be terminated, but it is active")

	inst.Cancel()
	if !inst.IsTerminated() {
		t.Error("IsTerminated() = false after Cancel")
	}
	rec.wantClean()
	inst.IsActive()
	rec.wantError("to be active, but it is terminated", "passed:    start, charge (terminated)", "active:    none")
	rec.wantFatal(inst.Cancel, fmt.Sprintf("processtest: Cancel instance %d: the engine rejected it (NOT_FOUND)", inst.Key()))
}

func TestPathAssertions(t *testing.T) {
	rec := newRecorder(t)
	pt := processtest.New(rec)
	pt.Deploy("testdata/route.bpmn")
	inst := pt.CreateInstance("route", map[string]any{"amount": 40})

	ok := inst.HasPassed("gw", "auto") && inst.HasPassedInOrder("start", "auto", "approved") &&
		inst.HasPassedInOrder() && inst.HasNotPassed("manual") && inst.HasPassedTimes("auto", 1) && inst.HasPassedTimes("manual", 0)
	if !ok {
		t.Error("a passing path assertion returned false")
	}
	rec.wantClean()

	if inst.HasPassed("auto", "manual", "approved-manually") {
		t.Error("HasPassed returned true for an element not passed")
	}
	rec.wantError("to have passed auto, manual, approved-manually, but it has not passed manual, approved-manually\n",
		"    passed:    start, gw, auto, approved\n", "    active:    none\n", "    variables: amount=40\n")

	inst.HasPassedInOrder("approved", "auto")
	rec.wantError("to have passed approved, auto in that order, but auto did not complete after approved")
	inst.HasPassedInOrder("manual", "auto")
	rec.wantError("to have passed manual, auto in that order, but manual did not complete\n")

	inst.HasNotPassed("manual", "auto", "gw")
	rec.wantError("not to have passed manual, auto, gw, but it passed auto, gw")

	inst.HasPassedTimes("auto", 2)
	rec.wantError("to have passed auto 2 times, but it passed it 1 times")

	if inst.IsWaitingAt("manual") {
		t.Error("IsWaitingAt returned true for a completed instance")
	}
	rec.wantError("to be waiting at manual, but it is not waiting at manual\n", "    active:    none")

	waiting := pt.CreateInstance("route", map[string]any{"amount": 4000})
	if !waiting.IsWaitingAt("manual") {
		t.Error("IsWaitingAt(manual) = false for an instance at the user task")
	}
	rec.wantClean()
	waiting.IsWaitingAt("manual", "auto")
	rec.wantError("to be waiting at manual, auto, but it is not waiting at auto\n", "    active:    manual\n")
}

// point is a struct variable: the kit compares it as the object it encodes to.
type point struct {
	X int     `json:"x"`
	Y float64 `json:"y"`
}

func TestHasVariableComparesAsJSON(t *testing.T) {
	rec := newRecorder(t)
	pt := processtest.New(rec)
	pt.Deploy("testdata/route.bpmn")
	inst := pt.CreateInstance("route", map[string]any{
		"amount": 40,
		"big":    int64(1) << 60,
		"rate":   0.25,
		"where":  map[string]any{"x": 1, "y": 2.5},
		"tags":   []string{"a", "b"},
		"none":   nil,
	})

	ok := inst.HasVariable("amount", 40) && inst.HasVariable("amount", 40.0) && inst.HasVariable("amount", int64(40)) &&
		inst.HasVariable("big", int64(1)<<60) && inst.HasVariable("rate", float32(0.25)) &&
		inst.HasVariable("where", point{X: 1, Y: 2.5}) && inst.HasVariable("where", map[string]any{"y": 2.5, "x": 1.0}) &&
		inst.HasVariable("tags", []any{"a", "b"}) && inst.HasVariable("none", nil)
	if !ok {
		t.Error("a matching HasVariable returned false")
	}
	rec.wantClean()

	if inst.HasVariable("amount", 41) {
		t.Error("HasVariable(amount, 41) = true")
	}
	rec.wantError("to have variable amount = 41, but it is 40\n", `    variables: amount=40, big=1152921504606846976, none=null, rate=0.25, tags=["a","b"], where={"x":1,"y":2.5}`)

	inst.HasVariable("big", int64(1)<<60+1)
	rec.wantError("to have variable big = 1152921504606846977, but it is 1152921504606846976")
	inst.HasVariable("tags", []string{"b", "a"})
	rec.wantError(`to have variable tags = ["b","a"], but it is ["a","b"]`)
	inst.HasVariable("where", point{X: 1})
	rec.wantError(`to have variable where = {"x":1,"y":0}, but it is {"x":1,"y":2.5}`)
	inst.HasVariable("none", "")
	rec.wantError(`to have variable none = "", but it is null`)
	inst.HasVariable("missing", true)
	rec.wantError("to have variable missing = true, but it has no variable missing\n")
	inst.HasVariable("amount", make(chan int))
	rec.wantError(`processtest: HasVariable("amount"): cannot compare with the expected value: encode value as JSON:`)
}

func TestIncidentAssertions(t *testing.T) {
	rec := newRecorder(t)
	pt := processtest.New(rec)
	pt.Deploy("testdata/payment.bpmn")
	inst := pt.CreateInstance("payment", nil)

	inst.HasIncident("charge", "")
	rec.wantError("to have an open incident on charge, but it has none there\n", "    incidents: none")

	pt.FailJob("charge", "down")
	pt.FailJob("charge", "down for good")
	ok := inst.HasIncident("charge", "") && inst.HasIncident("charge", "for good") && inst.HasIncident("charge", "JOB_NO_RETRIES")
	if !ok {
		t.Error("a matching HasIncident returned false")
	}
	rec.wantClean()

	inst.HasIncident("charge", "timeout")
	rec.wantError(`to have an open incident on charge mentioning "timeout", but it has none`, "    incidents: charge: JOB_NO_RETRIES: down for good")
	inst.HasIncident("start", "")
	rec.wantError("to have an open incident on start, but it has none there")
	if inst.HasNoIncidents() {
		t.Error("HasNoIncidents() = true with an open incident")
	}
	rec.wantError("to have no open incidents, but it has 1\n", "    incidents: charge: JOB_NO_RETRIES: down for good")

	pt.ResolveIncident("charge")
	inst.HasNoIncidents()
	rec.wantClean()
	rec.wantFatal(func() { pt.ResolveIncident("charge") }, `processtest: ResolveIncident("charge"): expected an open incident on charge, but there is none; open incidents: none`)

	pt.FailJob("charge", "again")
	rec.wantFatal(func() { pt.ResolveIncident("start") }, "expected an open incident on start, but there is none; open incidents: charge: JOB_NO_RETRIES: again (instance")
}

func TestJobs(t *testing.T) {
	rec := newRecorder(t)
	pt := processtest.New(rec)
	pt.Deploy("testdata/payment.bpmn", "testdata/shipping.bpmn")
	inst := pt.CreateInstance("payment", map[string]any{"card": "4111"})

	jobs := pt.Jobs("charge")
	if len(jobs) != 1 {
		t.Fatalf("Jobs(charge) = %v, want one", jobs)
	}
	j := jobs[0]
	if j.Type != "charge" || j.ElementID != "charge" || j.ProcessInstanceKey != inst.Key() || j.State != "CREATED" || j.Retries != 2 || j.Headers["provider"] != "acme" || j.Variables != nil {
		t.Errorf("listed job = %+v", j)
	}
	if got := pt.Jobs("ship"); len(got) != 0 {
		t.Errorf("Jobs(ship) = %v, want none", got)
	}

	act := pt.ActivateJob("charge")
	if act.Key != j.Key || act.State != "ACTIVATED" || act.Variables["card"] != "4111" || act.Headers["provider"] != "acme" {
		t.Errorf("activated job = %+v", act)
	}
	if got := pt.Jobs("charge"); len(got) != 1 || got[0].State != "ACTIVATED" {
		t.Errorf("Jobs(charge) after activation = %v", got)
	}
	want := fmt.Sprintf("job %d (charge on charge of instance %d, ACTIVATED, 2 retries)", act.Key, inst.Key())
	if act.String() != want {
		t.Errorf("String() = %q, want %q", act.String(), want)
	}
	rec.wantFatal(func() { pt.CompleteJob("charge", nil) },
		`processtest: CompleteJob("charge"): expected an activatable job of type "charge", but there is none (job `, " on charge is ACTIVATED); no job of any type is activatable")

	act.Complete(map[string]any{"receipt": "r-9"})
	inst.IsCompleted()
	inst.HasVariable("receipt", "r-9")
	if got := pt.Jobs("charge"); len(got) != 0 {
		t.Errorf("Jobs(charge) after completion = %v", got)
	}
	rec.wantClean()
	rec.wantFatal(func() { act.Complete(nil) }, fmt.Sprintf("processtest: complete job %d (charge on charge): the engine rejected it (NOT_FOUND)", act.Key))
}

func TestJobActionsNameWhatIsActivatable(t *testing.T) {
	rec := newRecorder(t)
	pt := processtest.New(rec)
	pt.Deploy("testdata/payment.bpmn", "testdata/sla.bpmn")
	pt.CreateInstance("payment", nil)
	pt.CreateInstance("sla", nil)

	for name, fn := range map[string]func(){
		`CompleteJob("charge-card")`:      func() { pt.CompleteJob("charge-card", nil) },
		`FailJob("charge-card")`:          func() { pt.FailJob("charge-card", "x") },
		`ThrowError("charge-card", "E1")`: func() { pt.ThrowError("charge-card", "E1", nil) },
		`ActivateJob("charge-card")`:      func() { pt.ActivateJob("charge-card") },
	} {
		rec.wantFatal(fn, "processtest: "+name+`: expected an activatable job of type "charge-card", but there is none; activatable job types: "charge", "work"`)
	}

	job := pt.ActivateJob("work")
	job.Fail(1, "busy")
	if got := pt.Jobs("work"); len(got) != 1 || got[0].State != "CREATED" || got[0].Retries != 1 || got[0].ErrorMessage != "busy" {
		t.Errorf("after Fail(1), Jobs(work) = %v", got)
	}
	rec.wantFatal(func() { pt.ActivateJob("charge").ThrowError("", "no code", nil) }, "the engine rejected it (INVALID_ARGUMENT): expected an error code, but it is empty")
}

func TestUserTaskActionsNameTheOpenTasks(t *testing.T) {
	rec := newRecorder(t)
	pt := processtest.New(rec)
	pt.Deploy("testdata/signoff.bpmn")
	inst := pt.CreateInstance("signoff", nil)

	rec.wantFatal(func() { pt.CompleteUserTask("sign", nil) },
		fmt.Sprintf(`processtest: CompleteUserTask("sign"): expected an open user task on sign, but there is none; open user tasks: review (instance %d)`, inst.Key()))
	pt.CompleteUserTask("review", nil)
	rec.wantFatal(func() { pt.CompleteUserTask("review", nil) },
		fmt.Sprintf("open user tasks: sign (job worker, instance %d)", inst.Key()))
	rec.wantClean()
}

func TestMessageActions(t *testing.T) {
	rec := newRecorder(t)
	pt := processtest.New(rec)
	pt.Deploy("testdata/shipping.bpmn")

	rec.wantFatal(func() { pt.CorrelateMessage("paid", "o-1", nil) },
		`processtest: CorrelateMessage("paid", "o-1"): expected something to wait for the message, but nothing does; open message subscriptions: none`)
	inst := pt.CreateInstance("shipping", map[string]any{"orderId": "o-1"})
	rec.wantFatal(func() { pt.CorrelateMessage("paid", "o-2", nil) },
		fmt.Sprintf(`open message subscriptions: paid with correlation key "o-1" at wait-payment (instance %d)`, inst.Key()))

	m := processtest.Message{Name: "paid", CorrelationKey: "o-5", MessageID: "m-1", TimeToLive: time.Hour}
	if got := pt.Publish(m); got != nil {
		t.Errorf("a buffered message reached instance %d", got.Key())
	}
	rec.wantFatal(func() { pt.Publish(m) }, `processtest: PublishMessage("paid", "o-5"): the engine rejected it (ALREADY_EXISTS)`)

	pt.AdvanceTime(time.Hour) // the message expires
	late := pt.CreateInstance("shipping", map[string]any{"orderId": "o-5"})
	late.IsWaitingAt("wait-payment")
	rec.wantClean()
}

func TestAssertionsSeeCommandsSentThroughTheClient(t *testing.T) {
	pt := processtest.New(t)
	pt.Deploy("testdata/sla.bpmn")
	inst := pt.CreateInstance("sla", nil)

	// A worker of the test's own, on another goroutine.
	done := make(chan error, 1)
	go func() {
		ctx := context.Background()
		jobs, err := pt.Client().ActivateJobs(ctx, engine.ActivateJobsRequest{Type: "work", Worker: "mine", Timeout: time.Minute, MaxJobs: 1})
		if err == nil && len(jobs) != 1 {
			err = fmt.Errorf("activated %d jobs, want 1", len(jobs))
		}
		if err == nil {
			err = pt.Client().CompleteJob(ctx, engine.CompleteJobRequest{Key: jobs[0].Key, Variables: map[string]any{"by": "mine"}})
		}
		done <- err
	}()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	inst.IsCompleted()
	inst.HasVariable("by", "mine")
}

func TestAdvanceTimeWaitsForEveryBatchThatBecameDue(t *testing.T) {
	pt := processtest.New(t)
	pt.Deploy("testdata/chain.bpmn")
	inst := pt.CreateInstance("chain", nil)
	inst.IsWaitingAt("wait")

	pt.AdvanceTime(time.Minute)
	inst.IsCompleted()
	inst.HasPassedInOrder("wait", "now1", "now2", "now3", "end")
}

func TestNewRefusesANonPositiveSettleTimeout(t *testing.T) {
	rec := newRecorder(t)
	rec.wantFatal(func() { processtest.New(rec, processtest.WithSettleTimeout(0)) },
		"processtest: New: expected a positive settle timeout, but it is 0s")
}

func TestTheEngineStopsWithTheTest(t *testing.T) {
	rec := newRecorder(t)
	pt := processtest.New(rec, processtest.WithSettleTimeout(time.Minute))
	pt.Deploy("testdata/route.bpmn")
	rec.wantClean()

	rec.cleanUp() // the test ended
	rec.wantFatal(func() { pt.CreateInstance("route", nil) }, `processtest: CreateInstance("route"): engine is stopped`)
	rec.wantFatal(pt.Settle, "processtest: settle engine: engine is stopped")
}
