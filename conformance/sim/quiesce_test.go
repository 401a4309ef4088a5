package sim

import (
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
)

// quiesce ends a run: faults and chaos stop, everything in flight lands,
// every open incident must be resolvable, and cancelling every instance
// must leave no element, job, incident or scope behind.
func (r *runner) quiesce() {
	if r.fail != nil {
		return
	}
	r.st.armed, r.st.loadFails = faultNone, false
	r.endLeaseFaults()
	if r.fail != nil {
		return
	}
	for _, d := range r.wire {
		d.at = 0
	}
	r.pipelined, r.stp.Pipelined = false, false
	r.settle()
	// Clients retry every keyed request they never got an answer to: each
	// must get the answer of its first run, or run now.
	for range 3 {
		lost := r.lost
		r.lost = nil
		for _, req := range lost {
			r.submit(req, false)
		}
		r.settle()
	}
	// A client gives up on a request after that, saying why: the reason
	// its last copy got no usable answer.
	for _, req := range r.lost {
		r.gaveUp[req.last]++
	}
	// Every incident is resolvable: its job's retries first, then the
	// incident itself.
	s := r.stp.State()
	for _, k := range s.IncidentKeys() {
		if j := s.Incident(k).Value.JobKey; j != 0 {
			// A rejection is fine here (the incident's resolution says
			// whether it can be resolved); an error is not.
			if err := r.sync(&record.Record{Key: j, ValueType: record.TypeJob, Intent: record.IntentJobUpdateRetries, Version: 1, Value: &record.JobValue{Retries: 3}}); err != nil && !isRejection(err) {
				r.violate("incident-not-resolvable", "update the retries of job %d: %v", j, err)
				return
			}
		}
		if err := r.sync(&record.Record{Key: k, ValueType: record.TypeIncident, Intent: record.IntentIncidentResolve, Version: 1, Value: &record.IncidentValue{}}); err != nil {
			r.violate("incident-not-resolvable", "resolve incident %d: %v", k, err)
			return
		}
	}
	for range 5 {
		roots := r.chk.rootList()
		if len(roots) == 0 {
			break
		}
		for _, k := range append([]int64(nil), roots...) {
			err := r.sync(&record.Record{Key: k, ValueType: record.TypeProcessInstance, Intent: record.IntentProcessInstanceCancel, Version: 1,
				Value: &record.ProcessInstanceValue{ProcessInstanceKey: k}})
			if rj, ok := engine.AsRejection(err); err != nil && (!ok || rj.Type != record.RejectionNotFound) {
				r.violate("cancel", "cancel instance %d: %v", k, err)
				return
			}
		}
		r.settle()
	}
	if r.fail != nil {
		return
	}
	r.endClients()
	c := r.stp.State().Counts()
	if c.Elements != 0 || c.Jobs != 0 || c.Incidents != 0 || c.Scopes != 0 {
		r.violate("leftovers", "after cancelling every instance the state still holds %+v", c)
	}
	r.heavy()
}

// settle steps the engine until nothing is queued, in flight or on the
// wire.
func (r *runner) settle() {
	// Enough batches for what is queued (a batch may hold one command).
	for range 50 + len(r.calls) + len(r.wire) {
		r.deliver()
		r.engineStep(r.front, r.front.stp.Step)
		if r.fail != nil {
			return
		}
		if len(r.calls) == 0 && len(r.wire) == 0 && r.stp.Settled() && r.clientsIdle() {
			return
		}
	}
}

// sync sends cmd and steps the engine until it is answered.
func (r *runner) sync(cmd *record.Record) error {
	c := r.stp.Submit(r.ctx, cmd)
	for range 10 {
		if c.Answered() {
			break
		}
		r.engineStep(r.front, r.front.stp.Step)
	}
	if !c.Answered() {
		r.violate("unanswered", "%s %s was not answered by %s", cmd.ValueType, cmd.Intent, r.front.name)
		return nil
	}
	res, err := c.Result()
	if err == nil || isRejection(err) {
		if res != nil && len(res.Records) > 0 {
			r.chk.acked(r, res.Records)
		}
	}
	return err
}

func isRejection(err error) bool {
	_, ok := engine.AsRejection(err)
	return ok
}
