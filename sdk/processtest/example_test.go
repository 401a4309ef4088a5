package processtest_test

import (
	"testing"

	"github.com/example/wf-engine/sdk/processtest"
)

// orderModel is the README's quickstart process: one service task whose
// jobs a "charge-card" worker completes.
const orderModel = "../../docs/examples/order.bpmn"

// TestOrderProcess tests the order process end to end, as a user would
// test their own model: deploy it, start an order, play the card-charging
// worker and check the path the order took.
func TestOrderProcess(t *testing.T) {
	pt := processtest.New(t)
	d := pt.Deploy(orderModel)
	if len(d.Processes) != 1 || d.Processes[0].BPMNProcessID != "order" {
		t.Fatalf("deployed %+v, want the order process", d.Processes)
	}

	inst := pt.CreateInstance("order", map[string]any{"orderId": "o-42", "total": 19.99})
	inst.IsActive()
	inst.IsWaitingAt("charge")
	inst.HasPassed("received")

	job := pt.CompleteJob("charge-card", map[string]any{"receipt": "r-1"})
	if job.Headers["currency"] != "EUR" {
		t.Errorf("the worker got currency %q, want EUR", job.Headers["currency"])
	}
	if job.Variables["orderId"] != "o-42" || job.Variables["total"] != 19.99 {
		t.Errorf("the worker got variables %v, want the order's", job.Variables)
	}

	inst.IsCompleted()
	inst.HasPassedInOrder("received", "charge", "done")
	inst.HasVariable("receipt", "r-1")
	inst.HasVariable("total", 19.99)
	inst.HasNoIncidents()
}

// TestOrderProcessSurvivesAnOutage shows a worker that fails until the
// card service is back: the retries run out, an operator retries the
// incident, and the order is paid.
func TestOrderProcessSurvivesAnOutage(t *testing.T) {
	pt := processtest.New(t)
	pt.Deploy(orderModel)
	inst := pt.CreateInstance("order", map[string]any{"orderId": "o-43"})

	for range 3 { // the model gives the task three retries
		pt.FailJob("charge-card", "card service unavailable")
	}
	inst.IsWaitingAt("charge")
	inst.HasIncident("charge", "card service unavailable")

	pt.ResolveIncident("charge")
	pt.CompleteJob("charge-card", nil)
	inst.IsCompleted()
	inst.HasNoIncidents()
}
