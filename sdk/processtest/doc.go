// Package processtest is a process test kit for plain `go test`, like
// Camunda's zeebe-process-test, and must never run outside tests: it keeps
// everything in memory, reads the whole log for every assertion and stops
// the test on the first problem it cannot recover from. It runs an
// in-process engine on a memory store and a manual clock, drives process
// instances the way workers, users and message senders would, and asserts
// what the instances did.
//
// Unlike the rest of sdk/, this package imports core/ and elements/: it
// embeds the engine itself. That exception is deliberate and limited to the
// test kit.
//
// A test deploys its models, starts an instance, plays the workers' part and
// checks where the instance went:
//
//	func TestOrder(t *testing.T) {
//		pt := processtest.New(t)
//		pt.Deploy("testdata/order.bpmn")
//
//		inst := pt.CreateInstance("order", map[string]any{"orderId": "o-1"})
//		inst.IsWaitingAt("charge")
//
//		job := pt.CompleteJob("charge-card", map[string]any{"paid": true})
//		if job.Headers["currency"] != "EUR" {
//			t.Errorf("currency header = %q", job.Headers["currency"])
//		}
//
//		inst.IsCompleted()
//		inst.HasPassedInOrder("received", "charge", "done")
//		inst.HasVariable("paid", true)
//		inst.HasNoIncidents()
//	}
//
// Time moves only when the test says so: AdvanceTime moves the manual clock
// and returns once every timer, job time-out and retry back-off that became
// due has been handled.
//
// Actions (Deploy, CreateInstance, CompleteJob, ...) stop the test with
// Fatalf when the engine refuses them, because nothing after them would mean
// anything. Assertions report with Errorf, so that one test shows every
// difference, and return whether they held. Every failure message says what
// was expected and what the instance actually did: the elements it passed,
// where it waits, its variables and its open incidents.
//
// Every command the kit sends is answered only after the engine committed
// it, and the engine runs all the steps a command causes before answering,
// so an instance has already moved as far as it can when an action returns.
// Assertions still settle the engine first (Settle): they wait, with a
// deadline, until its queue is empty and nothing is due on its clock, so
// that commands sent from other goroutines through Client are seen as well.
package processtest
