package engine

import (
	"context"

	"github.com/example/wf-engine/core/record"
)

// InstanceEnd is what the engine knew of a process instance when it ended:
// the API answers an awaited creation from it without reading the store.
type InstanceEnd struct {
	ProcessInstanceKey int64
	// Completed is false when the instance was terminated.
	Completed bool
	// Variables are the instance's root-scope variables as they were when it
	// ended; nil when the engine did not keep them (nobody awaited the end
	// while it was processed), in which case the store has them.
	Variables map[string]any
}

// endWatch keeps, for one command, the final variables of the process
// instances whose end somebody awaits. Keeping them changes nothing that is
// written: it only copies what the state drops when the instance ends.
type endWatch struct {
	awaited func(processInstanceKey int64) bool // set by the engine; nil: nobody awaits
	created int64                               // the instance the command in hand created, 0: none
	ended   []InstanceEnd
}

// watchEnds makes the processor keep the final variables of the process
// instances for which awaited reports true, and of every instance a create
// command creates and ends at once.
func (p *Processor) watchEnds(awaited func(processInstanceKey int64) bool) {
	p.ends.awaited = awaited
}

// captureEnd keeps a process instance's root variables when the event about
// to be applied ends it and its end is awaited. It runs before the event is
// applied, because applying it drops the variables.
func (p *Processor) captureEnd(key int64, intent record.Intent, v record.Value) {
	if intent != record.IntentElementCompleted && intent != record.IntentElementTerminated {
		return
	}
	pv, ok := v.(*record.ProcessInstanceValue)
	if !ok || pv.FlowScopeKey > 0 || pv.ProcessInstanceKey != key {
		return
	}
	if key != p.ends.created && (p.ends.awaited == nil || !p.ends.awaited(key)) {
		return
	}
	vars := map[string]any{}
	for name, vv := range p.st.LocalVariables(key) {
		vars[name] = vv.Value
	}
	p.ends.ended = append(p.ends.ended, InstanceEnd{ProcessInstanceKey: key, Completed: intent == record.IntentElementCompleted, Variables: vars})
}

// takeEnds returns the ends the command caused (none when it was rejected),
// sets the created instance's end on a create command's answer, and clears
// the watch for the next command.
func (p *Processor) takeEnds(res *Result) {
	if res.Rejection == nil && len(p.ends.ended) > 0 {
		res.Ended = append([]InstanceEnd(nil), p.ends.ended...)
		if ci, ok := res.Response.(*CreatedInstance); ok {
			for i := range res.Ended {
				if res.Ended[i].ProcessInstanceKey == ci.ProcessInstanceKey {
					ci.End = &res.Ended[i]
				}
			}
		}
	}
	p.ends.created = 0
	p.ends.ended = p.ends.ended[:0]
}

// AwaitInstance returns a channel that receives the process instance's end
// (completed or terminated) once it is committed, and a function to stop
// waiting. A caller must check first whether the instance is still active;
// the channel only reports ends processed after this call, and for those it
// carries the final variables.
func (e *Engine) AwaitInstance(processInstanceKey int64) (<-chan InstanceEnd, func()) {
	ch := make(chan InstanceEnd, 1)
	e.mu.Lock()
	e.ends[processInstanceKey] = append(e.ends[processInstanceKey], ch)
	e.mu.Unlock()
	return ch, func() { e.stopAwaiting(processInstanceKey, ch) }
}

// registerAwait registers ch for the end of the instance a create command
// created, unless it was refused or ended within the command, and reports
// whether it did: the loop calls it as it processes the command, so that no
// later command ends the instance unwatched.
func (e *Engine) registerAwait(res *Result, ch chan InstanceEnd) bool {
	ci, ok := res.Response.(*CreatedInstance)
	if res.Rejection != nil || !ok || ci.End != nil {
		return false
	}
	e.mu.Lock()
	e.ends[ci.ProcessInstanceKey] = append(e.ends[ci.ProcessInstanceKey], ch)
	e.mu.Unlock()
	return true
}

// stopAwaiting drops ch from the awaiters of the instance's end (key 0:
// of whichever instance it waits for).
func (e *Engine) stopAwaiting(key int64, ch chan InstanceEnd) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for k, list := range e.ends {
		if key != 0 && k != key {
			continue
		}
		for i, c := range list {
			if c == ch {
				e.ends[k] = append(list[:i], list[i+1:]...)
				break
			}
		}
		if len(e.ends[k]) == 0 {
			delete(e.ends, k)
		}
	}
}

// awaited reports whether somebody awaits the process instance's end; the
// processor asks it while it processes the end.
func (e *Engine) awaited(processInstanceKey int64) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	_, ok := e.ends[processInstanceKey]
	return ok
}

// wakeEnds hands the committed ends among records to their awaiters, with
// the final variables the processor kept for them.
func (e *Engine) wakeEnds(records []*record.Record, kept []InstanceEnd) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.ends) == 0 {
		return
	}
	for _, r := range records {
		if r.Kind != record.KindEvent || (r.Intent != record.IntentElementCompleted && r.Intent != record.IntentElementTerminated) {
			continue
		}
		list, ok := e.ends[r.Key]
		if !ok {
			continue
		}
		end := InstanceEnd{ProcessInstanceKey: r.Key, Completed: r.Intent == record.IntentElementCompleted}
		for _, k := range kept {
			if k.ProcessInstanceKey == r.Key {
				end = k
			}
		}
		for _, c := range list {
			c <- end // buffered for one: each channel is sent to once
		}
		delete(e.ends, r.Key)
	}
}

// keepUnknownEnds keeps the ends a batch of unknown outcome caused (its
// commit failed and the store could not be asked whether it was written):
// the reload that follows finds out (wakeUnknownEnds).
func (e *Engine) keepUnknownEnds(p *processed) {
	if len(p.records) == 0 {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.ends) == 0 {
		return
	}
	e.unknown = append(e.unknown, unknownBatch{records: p.records, ends: p.ends})
}

// unknownBatch is a batch of unknown outcome whose awaited ends wait for
// the reload that tells whether it was written.
type unknownBatch struct {
	records []*record.Record
	ends    []InstanceEnd
}

// wakeUnknownEnds hands the awaiters their ends from the batches of
// unknown outcome that the store reloaded at position last holds (their
// records, at their positions: storeHolds); the others were not written,
// and their instances run on in that state. Without it, a client awaiting an instance that ended in such
// a batch would wait until its own timeout.
func (e *Engine) wakeUnknownEnds(last int64) {
	e.mu.Lock()
	batches := e.unknown
	e.unknown = nil
	e.mu.Unlock()
	for _, b := range batches {
		if b.records[len(b.records)-1].Position > last {
			continue
		}
		// The positions are stored, but perhaps by another node that
		// took the lease over: the log says whose records they are.
		ctx, cancel := context.WithTimeout(context.Background(), outcomeCheckTimeout)
		written, err := storeHolds(ctx, e.cfg.Store, b.records)
		cancel()
		if err != nil {
			e.cfg.Logger.Error("could not ask the store whether a batch of unknown outcome was written; its awaiting clients wait on",
				"partition", e.cfg.Partition, "error", err)
		}
		if written {
			e.wakeEnds(b.records, b.ends)
		}
	}
}
