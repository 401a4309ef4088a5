package processtest_test

import (
	"testing"
	"time"

	"github.com/example/wf-engine/sdk/processtest"
)

// These tests exercise real element behaviour through the kit, the way a
// user would test their own models.

func TestExclusiveGatewayTakesTheDefaultFlow(t *testing.T) {
	pt := processtest.New(t)
	pt.Deploy("testdata/route.bpmn")

	small := pt.CreateInstance("route", map[string]any{"amount": 40})
	small.IsCompleted()
	small.HasPassedInOrder("start", "gw", "auto", "approved")
	small.HasNotPassed("manual", "approved-manually")

	large := pt.CreateInstance("route", map[string]any{"amount": 5000})
	large.IsWaitingAt("manual")
	pt.CompleteUserTask("manual", map[string]any{"approvedBy": "ann"})
	large.IsCompleted()
	large.HasPassed("manual", "approved-manually")
	large.HasNotPassed("auto")
	large.HasVariable("approvedBy", "ann")
}

func TestExclusiveGatewayWithoutMatchIsAnIncidentUntilFixed(t *testing.T) {
	pt := processtest.New(t)
	pt.Deploy("testdata/strict.bpmn")

	inst := pt.CreateInstance("strict", nil)
	inst.IsActive()
	inst.IsWaitingAt("gw")
	inst.HasIncident("gw", "CONDITION_ERROR")

	inst.SetVariables(map[string]any{"amount": 250})
	pt.ResolveIncident("gw")
	inst.HasNoIncidents()
	inst.IsCompleted()
	inst.HasPassed("big")
	inst.HasNotPassed("small")
}

func TestTimerBoundaryFiresAfterAdvanceTime(t *testing.T) {
	pt := processtest.New(t)
	pt.Deploy("testdata/sla.bpmn")
	inst := pt.CreateInstance("sla", nil)

	pt.AdvanceTime(59 * time.Second)
	inst.IsWaitingAt("work")
	inst.HasNotPassed("timeout")
	inst.HasPassedTimes("reminded", 2) // the cycle fired at 20s and 40s
	if jobs := pt.Jobs("work"); len(jobs) != 1 {
		t.Fatalf("open work jobs = %d, want 1", len(jobs))
	}

	pt.AdvanceTime(time.Second)
	inst.IsCompleted()
	inst.HasPassedInOrder("timeout", "late")
	inst.HasNotPassed("work", "done")
	if jobs := pt.Jobs("work"); len(jobs) != 0 {
		t.Errorf("the interrupted task left jobs behind: %+v", jobs)
	}
}

func TestTimerBoundaryDoesNotFireWhenTheTaskIsDoneInTime(t *testing.T) {
	pt := processtest.New(t)
	pt.Deploy("testdata/sla.bpmn")
	inst := pt.CreateInstance("sla", nil)

	pt.AdvanceTime(30 * time.Second)
	pt.CompleteJob("work", nil)
	pt.AdvanceTime(time.Hour)

	inst.IsCompleted()
	inst.HasPassed("work", "done")
	inst.HasNotPassed("timeout", "late")
	inst.HasPassedTimes("reminded", 1) // at 20s, before the work was done
}

func TestMessageCatchCorrelatesByKey(t *testing.T) {
	pt := processtest.New(t)
	pt.Deploy("testdata/shipping.bpmn")
	first := pt.CreateInstance("shipping", map[string]any{"orderId": "o-1"})
	second := pt.CreateInstance("shipping", map[string]any{"orderId": "o-2"})
	first.IsWaitingAt("wait-payment")

	if got := pt.PublishMessage("paid", "o-9", nil); got != nil {
		t.Errorf("a message for another order reached instance %d", got.Key())
	}
	first.IsWaitingAt("wait-payment")

	reached := pt.CorrelateMessage("paid", "o-2", map[string]any{"amount": 99.5})
	if reached == nil || reached.Key() != second.Key() {
		t.Fatalf("the message for o-2 reached %v, want instance %d", reached, second.Key())
	}
	second.HasPassed("wait-payment")
	second.IsWaitingAt("ship")
	second.HasVariable("amount", 99.5)
	first.IsWaitingAt("wait-payment")
	first.HasNotPassed("wait-payment")

	pt.CompleteJob("ship", nil)
	second.IsCompleted()
}

func TestMessageWithTimeToLiveWaitsForItsSubscription(t *testing.T) {
	pt := processtest.New(t)
	pt.Deploy("testdata/shipping.bpmn")
	pt.Publish(processtest.Message{Name: "paid", CorrelationKey: "o-3", TimeToLive: time.Minute, Variables: map[string]any{"early": true}})

	inst := pt.CreateInstance("shipping", map[string]any{"orderId": "o-3"})
	inst.HasPassed("wait-payment")
	inst.HasVariable("early", true)
}

func TestMessageStartEventStartsAnInstance(t *testing.T) {
	pt := processtest.New(t)
	pt.Deploy("testdata/shipping.bpmn")

	inst := pt.PublishMessage("refund-requested", "", map[string]any{"orderId": "o-4"})
	if inst == nil {
		t.Fatal("the message started no instance")
	}
	if inst.ProcessID() != "refund" {
		t.Errorf("the message started %q, want refund", inst.ProcessID())
	}
	inst.IsWaitingAt("pay-back")
	inst.HasVariable("orderId", "o-4")
	if all := pt.Instances("refund"); len(all) != 1 || all[0].Key() != inst.Key() {
		t.Errorf("Instances(refund) = %v, want just %d", all, inst.Key())
	}
}

func TestErrorBoundaryCatchesAThrownError(t *testing.T) {
	pt := processtest.New(t)
	pt.Deploy("testdata/payment.bpmn")
	inst := pt.CreateInstance("payment", map[string]any{"card": "4111"})

	pt.ThrowError("charge", "INVALID_CARD", map[string]any{"reason": "expired"})
	inst.HasPassed("invalid-card")
	inst.HasNotPassed("charge", "paid")
	inst.IsWaitingAt("ask-card")
	inst.HasVariable("reason", "expired")
	inst.HasNoIncidents()

	pt.CompleteUserTask("ask-card", map[string]any{"card": "5500"})
	inst.IsCompleted()
	inst.HasPassedInOrder("start", "invalid-card", "ask-card", "card-replaced")
	inst.HasVariable("card", "5500")
}

func TestUncaughtErrorIsAnIncident(t *testing.T) {
	pt := processtest.New(t)
	pt.Deploy("testdata/payment.bpmn")
	inst := pt.CreateInstance("payment", nil)

	pt.ActivateJob("charge").ThrowError("NO_FUNDS", "balance too low", nil)
	inst.IsWaitingAt("charge")
	inst.HasIncident("charge", "NO_FUNDS")

	pt.ResolveIncident("charge")
	inst.HasNoIncidents()
	pt.CompleteJob("charge", nil)
	inst.IsCompleted()
	inst.HasPassed("charge", "paid")
}

func TestFailedJobWithoutRetriesIsAnIncidentUntilRetried(t *testing.T) {
	pt := processtest.New(t)
	pt.Deploy("testdata/payment.bpmn")
	inst := pt.CreateInstance("payment", nil)

	if job := pt.FailJob("charge", "card reader offline"); job.Retries != 2 {
		t.Errorf("retries at first activation = %d, want 2", job.Retries)
	}
	inst.HasNoIncidents()
	if job := pt.FailJob("charge", "still offline"); job.Retries != 1 {
		t.Errorf("retries at second activation = %d, want 1", job.Retries)
	}
	inst.HasIncident("charge", "still offline")
	inst.HasIncident("charge", "JOB_NO_RETRIES")

	pt.ResolveIncident("charge")
	inst.HasNoIncidents()
	job := pt.CompleteJob("charge", nil)
	if job.Retries != 1 {
		t.Errorf("retries after resolving = %d, want 1", job.Retries)
	}
	inst.IsCompleted()
}

func TestUserTasksOfBothKinds(t *testing.T) {
	pt := processtest.New(t)
	pt.Deploy("testdata/signoff.bpmn")
	inst := pt.CreateInstance("signoff", nil)

	inst.IsWaitingAt("review")
	pt.CompleteUserTask("review", map[string]any{"reviewed": true})
	inst.IsWaitingAt("sign")
	pt.CompleteUserTask("sign", map[string]any{"signedBy": "bob"})
	inst.IsCompleted()
	inst.HasPassedInOrder("review", "sign", "end")
	inst.HasVariable("reviewed", true)
	inst.HasVariable("signedBy", "bob")
}
