package sim

import (
	"fmt"
	"slices"
	"time"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
)

// correlation values the variables and messages share, so that messages
// find their subscriptions.
var corrKeys = []string{"k0", "k1", "k2", "k3"}

var errorCodes = []string{"err", "ERROR", "E1", "business-error", "boom"}

// vars returns the variables a command carries for pick b: a few shapes
// that the models' conditions, collections and correlation keys read.
func vars(b uint32) map[string]any {
	k := corrKeys[b%uint32(len(corrKeys))]
	n := float64(b % 100)
	switch b % 5 {
	case 0:
		return nil
	case 1:
		return map[string]any{"x": n, "amount": n, "orderId": k, "key": k, "correlationKey": k}
	case 2:
		return map[string]any{"items": []any{1.0, 2.0, 3.0}, "collection": []any{"a", "b"}, "approved": b%2 == 0, "orderId": k}
	case 3:
		return map[string]any{"x": n, "approved": true, "ok": true, "value": n, "key": k, "id": k}
	default:
		return map[string]any{"approved": false, "x": -n, "items": []any{}, "correlationKey": k}
	}
}

// pick returns one of keys, or a key nothing has (one pick in sixteen).
func pick(keys []int64, a uint32) int64 {
	if len(keys) == 0 || a%16 == 0 {
		return 1<<51 | int64(a%1000+1) // partition 1, a key never handed out this early
	}
	return keys[int(a/16)%len(keys)]
}

// request builds the client request of operation o from what the state
// holds now, or nil when o has nothing to act on.
func (r *runner) request(o op) *request {
	s := r.stp.State()
	req := &request{kind: o.kind}
	switch o.kind {
	case opCreate:
		if len(r.procs) == 0 {
			r.deploy(o)
			return nil
		}
		if o.a%8 == 0 { // now and then, more models
			r.deploy(o)
			return nil
		}
		id := r.procs[int(o.a)%len(r.procs)]
		v := o.b
		r.note("create an instance of %s", id)
		req.build = func() *record.Record {
			return &record.Record{ValueType: record.TypeProcessInstanceCreation, Intent: record.IntentProcessInstanceCreate, Version: 1,
				Value: &record.ProcessInstanceCreationValue{BPMNProcessID: id, Variables: vars(v)}}
		}
	case opActivate:
		types := s.ActivatableTypes()
		if len(types) == 0 {
			return nil
		}
		typ := types[int(o.a)%len(types)]
		timeouts := []time.Duration{time.Second, 30 * time.Second, 5 * time.Minute, time.Hour}
		timeout, max := timeouts[o.b%4], int32(o.b%5+1)
		r.note("activate up to %d jobs of type %q for %s", max, typ, timeout)
		req.build = func() *record.Record {
			return &record.Record{ValueType: record.TypeJobBatch, Intent: record.IntentJobBatchActivate, Version: 1,
				Value: &record.JobBatchValue{Type: typ, Worker: "sim", Timeout: timeout.Milliseconds(), MaxJobsToActivate: max}}
		}
	case opComplete, opFail, opThrow, opRetries:
		keys := s.JobKeys()
		if o.kind == opRetries {
			// Mostly the jobs of incidents: their retries resolve them.
			var inc []int64
			for _, k := range s.IncidentKeys() {
				if j := s.Incident(k).Value.JobKey; j != 0 {
					inc = append(inc, j)
				}
			}
			if len(inc) > 0 && o.b%4 != 0 {
				keys = inc
			}
		}
		if len(keys) == 0 && o.a%16 != 0 {
			return nil
		}
		key, b := pick(keys, o.a), o.b
		req.target = key
		r.note("%s job %d", opNames[o.kind], key)
		req.build = func() *record.Record { return jobCommand(o.kind, key, b) }
	case opResolve:
		keys := s.IncidentKeys()
		if len(keys) == 0 && o.a%16 != 0 {
			return nil
		}
		key := pick(keys, o.a)
		req.target = key
		r.note("resolve incident %d", key)
		req.build = func() *record.Record {
			return &record.Record{Key: key, ValueType: record.TypeIncident, Intent: record.IntentIncidentResolve, Version: 1, Value: &record.IncidentValue{}}
		}
	case opCompleteTask:
		keys := s.UserTaskKeys()
		if len(keys) == 0 && o.a%16 != 0 {
			return nil
		}
		key, b := pick(keys, o.a), o.b
		req.target = key
		r.note("complete user task %d", key)
		req.build = func() *record.Record {
			return &record.Record{Key: key, ValueType: record.TypeUserTask, Intent: record.IntentUserTaskComplete, Version: 1,
				Value: &record.UserTaskValue{Variables: vars(b)}}
		}
	case opPublish, opCorrelate:
		name, ck := r.messageTarget(s, o.a)
		if name == "" {
			return nil
		}
		intent, ttl := record.IntentMessagePublish, int64(o.b%3)*10_000
		if o.kind == opCorrelate {
			intent, ttl = record.IntentMessageCorrelate, 0
		}
		id := ""
		if o.b%4 == 0 {
			id = fmt.Sprintf("m%d", o.b%5)
		}
		b := o.b
		r.note("%s message %q with correlation key %q", opNames[o.kind], name, ck)
		req.build = func() *record.Record {
			return &record.Record{ValueType: record.TypeMessage, Intent: intent, Version: 1,
				Value: &record.MessageValue{Name: name, CorrelationKey: ck, TimeToLive: ttl, MessageID: id, Variables: vars(b / 7)}}
		}
	case opCancel, opSetVars:
		roots := r.chk.rootList()
		if len(roots) == 0 && o.a%16 != 0 {
			return nil
		}
		key, b := pick(roots, o.a), o.b
		req.target = key
		r.note("%s instance %d", opNames[o.kind], key)
		if o.kind == opCancel {
			req.build = func() *record.Record {
				return &record.Record{Key: key, ValueType: record.TypeProcessInstance, Intent: record.IntentProcessInstanceCancel, Version: 1,
					Value: &record.ProcessInstanceValue{ProcessInstanceKey: key}}
			}
		} else {
			req.build = func() *record.Record {
				return &record.Record{Key: key, ValueType: record.TypeVariableDocument, Intent: record.IntentVariableDocumentUpdate, Version: 1,
					Value: &record.VariableDocumentValue{ScopeKey: key, Variables: vars(b | 1)}}
			}
		}
	case opSignal:
		names := r.chk.signalList()
		if len(names) == 0 {
			return nil
		}
		name, b := names[int(o.a)%len(names)], o.b
		r.note("broadcast signal %q", name)
		req.build = func() *record.Record {
			return &record.Record{ValueType: record.TypeSignal, Intent: record.IntentSignalBroadcast, Version: 1,
				Value: &record.SignalValue{SignalName: name, Variables: vars(b)}}
		}
	case opInvalid:
		r.note("an invalid command (kind %d)", o.a%7)
		req.build = invalid(o.a, o.b)
	default:
		return nil
	}
	if o.idem {
		r.idemSeq++
		req.idem = &engine.IdempotencyKey{Key: fmt.Sprintf("client-%d", r.idemSeq), Fingerprint: fmt.Sprintf("%s/%d/%d", opNames[o.kind], o.a, o.b)}
	}
	return req
}

// deploy sends a deployment of one model file (picked by o.a); the
// processes of a successful one join what instances are created of.
func (r *runner) deploy(o op) {
	files := models()
	if len(files) == 0 {
		return
	}
	i := int(o.b) % len(files)
	if len(r.procs) == 0 {
		// The first deployment is W1, so that every run has work.
		for j, m := range files {
			if m.Name == "w1.bpmn" {
				i = j
				break
			}
		}
	}
	if o.model != "" {
		// A scenario file names its model: it must exist.
		if i = slices.Index(modelIDs, o.model); i < 0 {
			r.violate("scenario", "no model file %s among the fixtures (and the corpus, when it is there)", o.model)
			return
		}
	}
	f := files[i]
	r.models[r.step] = modelIDs[i]
	r.note("deploy %s", modelIDs[i])
	req := &request{kind: opCreate, build: func() *record.Record {
		return &record.Record{ValueType: record.TypeDeployment, Intent: record.IntentDeploymentCreate, Version: 1,
			Value: &record.DeploymentValue{Resources: []record.Resource{f}}}
	}}
	r.submit(req, false)
}

// deployed notes the processes of an acknowledged deployment.
func (r *runner) deployed(d *engine.Deployment) {
	for _, p := range d.Processes {
		if !slices.Contains(r.procs, p.BPMNProcessID) {
			r.procs = append(r.procs, p.BPMNProcessID)
		}
	}
}

// messageTarget returns a message name and correlation key: mostly those
// of an open subscription, else a name some model waits for.
func (r *runner) messageTarget(s *state.State, a uint32) (string, string) {
	if subs := s.Subscriptions(); len(subs) > 0 && a%4 != 0 {
		v := subs[int(a/4)%len(subs)].Value
		return v.MessageName, v.CorrelationKey
	}
	names := r.chk.msgNameList()
	if len(names) == 0 {
		return "", ""
	}
	return names[int(a/4)%len(names)], corrKeys[a%uint32(len(corrKeys))]
}

func jobCommand(k opKind, key int64, b uint32) *record.Record {
	rec := &record.Record{Key: key, ValueType: record.TypeJob, Version: 1}
	switch k {
	case opComplete:
		rec.Intent, rec.Value = record.IntentJobComplete, &record.JobValue{Variables: vars(b)}
	case opFail:
		rec.Intent, rec.Value = record.IntentJobFail, &record.JobValue{Retries: int32(b % 3), ErrorMessage: "sim failure", RetryBackoff: int64(b%2) * 2000}
	case opThrow:
		rec.Intent, rec.Value = record.IntentJobThrowError, &record.JobValue{ErrorCode: errorCodes[b%uint32(len(errorCodes))], ErrorMessage: "sim error"}
	default:
		rec.Intent, rec.Value = record.IntentJobUpdateRetries, &record.JobValue{Retries: int32(b%3) + 1}
	}
	return rec
}

// invalid returns an invalid command of kind a.
func invalid(a, b uint32) func() *record.Record {
	return func() *record.Record {
		switch a % 7 {
		case 0:
			return &record.Record{ValueType: record.TypeProcessInstanceCreation, Intent: record.IntentProcessInstanceCreate, Version: 1,
				Value: &record.ProcessInstanceCreationValue{BPMNProcessID: "no-such-process"}}
		case 1:
			return jobCommand(opComplete, 1<<51|int64(b%5000+1), b)
		case 2:
			return &record.Record{Key: 1<<51 | 1, ValueType: record.TypeProcessInstance, Intent: record.IntentProcessInstanceCancel, Version: 1,
				Value: &record.ProcessInstanceValue{ProcessInstanceKey: 1<<51 | 1}}
		case 3:
			return &record.Record{ValueType: record.TypeMessage, Intent: record.IntentMessagePublish, Version: 1, Value: &record.MessageValue{}}
		case 4:
			return &record.Record{Key: 42, ValueType: record.TypeIncident, Intent: record.IntentIncidentResolve, Version: 1, Value: &record.IncidentValue{}}
		case 5:
			return &record.Record{ValueType: record.TypeJobBatch, Intent: record.IntentJobBatchActivate, Version: 1,
				Value: &record.JobBatchValue{Type: "", MaxJobsToActivate: 0}}
		default:
			return &record.Record{ValueType: record.TypeDeployment, Intent: record.IntentDeploymentCreate, Version: 1,
				Value: &record.DeploymentValue{Resources: []record.Resource{{Name: "broken.bpmn", Content: []byte("<definitions")}}}}
		}
	}
}
