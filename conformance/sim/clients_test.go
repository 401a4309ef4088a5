package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
)

// The clients of this file talk to the engine across batches: a worker's
// long poll (ActivateJobs with a request timeout), a create that awaits
// its instance's end (awaitCompletion), and reads between batches
// (engine.Read, then the store's searches). They move on after every
// engine step (stepClients), where their invariants are checked; a crash
// cuts them as it cuts a node's connections (cutClients), and a create
// sent with an Idempotency-Key is sent again after the restart
// (resumeClients), as its client would.

// pollPatience is how many batches handed over (Stepper.HandOvers) a long
// poll may sleep through while a job of its type is activatable: the
// hand-over of the batch that made the job activatable wakes it, so one is
// already late; three leave room for a flush. A Merge hands nothing over:
// the loop wakes the polls when the committer takes the batch.
const pollPatience = 3

// parkedPatience is pollPatience for a parked activation: the Step that
// hands over the batch that made a job activatable (or the first after
// the Merge that did) runs it; a Flush's hand-over runs none, as the
// loop's before a reload or a stop.
const parkedPatience = 3

// poll is a worker's long-polling job activation, in one of the engine's
// two ways. Woken (the router's, across partitions): it registers for
// wake-ups, sends an activation and, when that finds no job, sleeps until
// a job of its type is activatable, then sends another. Parked
// (engine.ActivateJobs on one partition): an activation that finds no job
// is parked by the engine, which runs it into the batch that makes a job
// of its type activatable. Either way until it gets jobs or its time is
// up.
type poll struct {
	typ     string
	max     int32
	timeout time.Duration // the jobs' timeout
	until   time.Time     // the request's timeout, on the simulated clock
	parks   bool          // the parked way, else the woken one
	// leaves: a parked poll whose caller goes away when its time is up
	// (its context ends), and notices only at its next step whether the
	// engine took its activation meanwhile; left once it has.
	leaves, left bool
	ctx          context.Context // a parked poll's
	wake         <-chan struct{}
	cancel       func()
	c            *engine.Call // the activation in flight (or parked); nil while it sleeps
	parked       bool         // c is the parked copy of an activation
	seen         int          // the Stepper's HandOvers when the poll last looked
	asleep       int          // hand-overs slept through while a job of its type was activatable
	taken        int          // hand-overs since a Step took the parked copy, unanswered
}

// startPoll starts a long poll for jobs of a type some job had (pick a).
func (r *runner) startPoll(o op) {
	types := r.chk.jobTypes
	if len(types) == 0 {
		return
	}
	p := &poll{typ: types[int(o.a)%len(types)], max: int32(o.b%4) + 1,
		timeout: []time.Duration{time.Second, time.Minute, time.Hour}[o.b%3],
		until:   r.clk.Now().Add(time.Duration(o.b%120+1) * time.Second),
		parks:   o.a/7%2 == 0}
	if p.parks {
		p.ctx, p.cancel = r.ctx, func() {}
		if p.leaves = o.b/120%2 == 0; p.leaves {
			p.ctx, p.cancel = context.WithCancel(r.ctx)
		}
	}
	way := "woken"
	if p.parks {
		way = "parked"
	}
	r.note("long-poll (%s) for up to %d jobs of type %q until %s", way, p.max, p.typ, p.until.Format(time.TimeOnly))
	r.activate(p)
	r.polls = append(r.polls, p)
}

// activate sends p's activation. A woken poll registers for wake-ups
// first, as the router does: a job that becomes activatable in between
// wakes it.
func (r *runner) activate(p *poll) {
	cmd := &record.Record{ValueType: record.TypeJobBatch, Intent: record.IntentJobBatchActivate, Version: 1,
		Value: &record.JobBatchValue{Type: p.typ, Worker: "sim-poll", Timeout: p.timeout.Milliseconds(), MaxJobsToActivate: p.max}}
	if p.parks {
		p.c, p.parked, p.taken = r.stp.SubmitPoll(p.ctx, cmd), false, 0
		return
	}
	p.wake, p.cancel = r.stp.WaitForJobs(p.typ)
	p.c = r.stp.Submit(r.ctx, cmd)
}

// stepPolls moves the long polls on (stepWoken, stepParked). Invariant: a
// poll never sleeps on while a job of its type is activatable
// (long-poll-asleep).
func (r *runner) stepPolls() {
	st := r.stp.State()
	kept := r.polls[:0]
	for _, p := range r.polls {
		var on bool
		if p.parks {
			on = r.stepParked(p, st)
		} else {
			on = r.stepWoken(p, st)
		}
		if on {
			kept = append(kept, p)
		}
	}
	clear(r.polls[len(kept):])
	r.polls = kept
}

// pollAnswered takes an answered activation's result: done when it ended the
// poll (jobs, or an error).
func (r *runner) pollAnswered(p *poll) (done bool) {
	res, err := p.c.Result()
	if err != nil {
		r.stats.pollErrors++
		return true
	}
	if len(res.Records) > 0 {
		r.chk.acked(r, res.Records)
	}
	if jobs, _ := res.Response.([]engine.ActivatedJob); len(jobs) > 0 {
		r.stats.pollJobs++
		return true
	}
	return false
}

// stepWoken moves a woken poll on: an answered activation ends it or puts
// it to sleep; a woken poll activates again; one whose time is up ends
// without jobs. False: the poll ended.
func (r *runner) stepWoken(p *poll, st *state.State) bool {
	if p.c != nil {
		if !p.c.Answered() {
			return true
		}
		done := r.pollAnswered(p)
		p.c, p.seen = nil, r.stp.HandOvers()
		if done {
			p.cancel()
			return false
		}
	}
	select {
	case <-p.wake:
		r.stats.pollWakes++
		p.asleep = 0
		r.activate(p)
		return true
	default:
	}
	if !r.clk.Now().Before(p.until) {
		p.cancel()
		r.stats.pollTimeouts++
		return false
	}
	if r.overslept(p, st, pollPatience) {
		r.violate("long-poll-asleep", "a long poll for jobs of type %q slept through %d hand-overs while such a job was activatable", p.typ, p.asleep)
	}
	return true
}

// overslept counts the hand-overs p slept through while a job of its type
// was activatable; true once they reach patience.
func (r *runner) overslept(p *poll, st *state.State, patience int) bool {
	n := r.stp.HandOvers()
	if len(st.Activatable(p.typ, nil, 1)) == 0 || r.eng.Degraded() != nil {
		p.asleep = 0
	} else if n != p.seen {
		p.asleep++
	}
	p.seen = n
	return p.asleep >= patience
}

// stepParked moves a parked poll on, as engine.ActivateJobs does: an
// answered activation ends it, or waits on as its parked copy, or (not
// parked: a batch a read closed answered it with no job) is sent again;
// a poll whose time is up takes its parked copy back, unless a Step took
// it already, whose answer it then waits for. Invariant: a parked copy a
// Step took (into its batch, or dropped because its caller left) is
// answered (parked-unanswered): its caller waits for that answer. False:
// the poll ended.
func (r *runner) stepParked(p *poll, st *state.State) bool {
	if p.c.Answered() {
		if p.left {
			r.stats.pollTimeouts++
			return false // its caller went away (cancelled then): the answer reaches nobody
		}
		if r.pollAnswered(p) {
			if pk := p.c.Parked(); pk != nil {
				r.stp.Unpark(pk) // its batch was not committed
			}
			return false
		}
		pk := p.c.Parked()
		switch {
		case pk != nil:
			r.stats.pollParked++
			p.c, p.parked, p.seen, p.asleep = pk, true, r.stp.HandOvers(), 0
		case !r.clk.Now().Before(p.until):
			r.stats.pollTimeouts++
			return false
		default:
			r.stats.pollWakes++
			r.activate(p)
			return true
		}
	}
	if !p.parked {
		return true // its answer follows a commit
	}
	if !r.stp.StillParked(p.c) {
		if n := r.stp.HandOvers(); n != p.seen && r.eng.Degraded() == nil {
			p.taken++
		}
		p.seen = r.stp.HandOvers()
		if p.taken > parkedPatience {
			r.violate("parked-unanswered", "a parked long poll for jobs of type %q was taken by a Step and not answered through %d hand-overs", p.typ, p.taken)
		}
		return true // its answer follows a commit
	}
	if !r.clk.Now().Before(p.until) {
		if p.leaves && !p.left {
			// The caller goes away; whether the engine took its
			// activation meanwhile, it sees at its next step.
			p.cancel()
			p.left = true
			return true
		}
		if r.stp.Unpark(p.c) {
			p.cancel()
			r.stats.pollTimeouts++
			return false
		}
	}
	if r.overslept(p, st, parkedPatience) {
		r.violate("long-poll-asleep", "a parked long poll for jobs of type %q stayed parked through %d hand-overs while such a job was activatable", p.typ, p.asleep)
	}
	return true
}

// awaiter is a client that created an instance and awaits its end: through
// the engine's watch from the creation on or, for a create whose answer
// was replayed (its key's), through AwaitInstance and a read that says
// whether the instance still runs, as api/rest's awaitCompletion does.
type awaiter struct {
	req    *request
	ctx    context.Context           // the create's, with its key
	c      *engine.Call              // the create
	key    int64                     // the created instance, once answered
	ch     <-chan engine.InstanceEnd // AwaitInstance's (a replayed create)
	stop   func()
	check  *engine.Call // the read that says whether the instance still runs
	active bool         // what the read saw
	done   bool         // answered with the instance's end
	tries  int          // sends after failed answers
	resume bool         // cut by a crash: sent again after the restart
}

// startAwait creates an instance of a deployed process (picks as for
// create) and awaits its end.
func (r *runner) startAwait(o op) {
	req := r.request(op{kind: opCreate, a: o.a, b: o.b, idem: o.idem, model: o.model})
	if req == nil {
		return
	}
	r.notes[r.step] += " and await its end"
	w := &awaiter{req: req}
	r.sendAwait(w)
	r.awaits = append(r.awaits, w)
}

// sendAwait sends w's create (again).
func (r *runner) sendAwait(w *awaiter) {
	ctx := r.ctx
	if w.req.idem != nil {
		ctx = engine.WithIdempotencyKey(ctx, *w.req.idem)
	}
	w.c, w.key, w.ch, w.stop, w.check, w.active = r.stp.SubmitAwaiting(ctx, w.req.build()), 0, nil, nil, nil, false
	w.ctx = ctx
}

// stepAwaits moves the awaiting creates on and checks their invariants:
// an end is delivered once, only after the batch that ended the instance
// is committed, with the instance's final variables (the store's).
func (r *runner) stepAwaits() {
	kept := r.awaits[:0]
	for _, w := range r.awaits {
		if r.stepAwait(w) {
			kept = append(kept, w)
		}
	}
	clear(r.awaits[len(kept):])
	r.awaits = kept
}

// stepAwait moves w on; false: its client is gone (refused).
func (r *runner) stepAwait(w *awaiter) bool {
	if w.done {
		// Exactly once: nothing more arrives.
		if _, ok := r.received(w); ok {
			r.violate("await-twice", "the end of instance %d was delivered twice to one awaiting client", w.key)
		}
		return true
	}
	if w.key == 0 {
		if !w.c.Answered() {
			return true
		}
		res, err := w.c.Result()
		if err != nil {
			if _, rejected := engine.AsRejection(err); !rejected && w.req.idem != nil && w.tries < 5 {
				w.tries++
				r.sendAwait(w) // its key makes sending it again safe
				return true
			}
			r.stats.awaitRefused++
			return false
		}
		ci, _ := res.Response.(*engine.CreatedInstance)
		if ci == nil {
			r.violate("await", "a create was answered with %T", res.Response)
			return false
		}
		if !engine.IdempotentReplay(w.ctx) {
			if len(res.Records) == 0 {
				r.violate("acknowledged-lost", "a create was answered without records")
				return false
			}
			r.chk.acked(r, res.Records)
		}
		if w.req.idem != nil {
			r.chk.idempotent(r, w.req, res, nil)
		}
		w.key = ci.ProcessInstanceKey
		switch {
		case ci.End != nil:
			r.stats.awaitWithin++
			r.checkEnd(w, *ci.End)
			return true
		case !w.c.Awaiting():
			// A replayed create: register, then read whether it runs.
			w.ch, w.stop = r.eng.AwaitInstance(w.key)
			key := w.key
			w.check = r.stp.SubmitRead(r.ctx, func(st *state.State) { w.active = st.Element(key) != nil })
		}
	}
	if w.check != nil {
		if !w.check.Answered() {
			return true
		}
		if _, err := w.check.Result(); err != nil {
			w.stop()
			r.stats.awaitRefused++
			return false
		}
		w.check = nil
		if !w.active {
			// It ended before the wait began: its client reads the
			// variables from the store, which must hold its end. (An
			// end committed between the registration and the read was
			// sent too: api/rest leaves it unread; it is checked here.)
			w.stop()
			if end, ok := r.received(w); ok {
				r.stats.awaitEnds++
				r.checkEnd(w, end)
				return true
			}
			w.done = true
			r.stats.awaitStored++
			if r.chk.ends[w.key] == nil {
				r.violate("await-end-not-committed", "a read answered that instance %d no longer runs, but the store holds no end of it", w.key)
			}
			return true
		}
	}
	if end, ok := r.received(w); ok {
		r.stats.awaitEnds++
		r.checkEnd(w, end)
	}
	return true
}

// received returns an end delivered to w, if one was.
func (r *runner) received(w *awaiter) (engine.InstanceEnd, bool) {
	if w.ch != nil {
		select {
		case end := <-w.ch:
			return end, true
		default:
			return engine.InstanceEnd{}, false
		}
	}
	return w.c.Ended()
}

// checkEnd checks an end delivered to w: its batch is committed, it says
// how the instance ended, and its variables are the store's.
func (r *runner) checkEnd(w *awaiter, end engine.InstanceEnd) {
	w.done = true
	rec := r.chk.ends[w.key]
	switch {
	case rec == nil:
		r.violate("await-end-not-committed", "the end of instance %d was delivered to its awaiting client, but the store holds no end of it", w.key)
		return
	case end.ProcessInstanceKey != w.key:
		r.violate("await-end", "the client awaiting instance %d got the end of instance %d", w.key, end.ProcessInstanceKey)
		return
	case end.Completed != (rec.Intent == record.IntentElementCompleted):
		r.violate("await-end", "the end of instance %d says completed=%v, but the store has %s", w.key, end.Completed, rec.Intent)
		return
	case end.Variables == nil:
		return // the client reads them from the store
	}
	stored, err := r.storedVariables(w.key)
	if err != nil {
		r.violate("await-variables", "search the variables of instance %d: %v", w.key, err)
		return
	}
	got := map[string]string{}
	for name, v := range end.Variables {
		b, err := json.Marshal(v)
		if err != nil {
			r.violate("await-variables", "encode variable %s of instance %d: %v", name, w.key, err)
			return
		}
		got[name] = canonicalJSON(b)
	}
	if !maps.Equal(got, stored) {
		r.violate("await-variables", "the awaiting client of instance %d got the variables %v, but the store holds %v", w.key, got, stored)
	}
}

// storedVariables returns an instance's root variables as the store's
// search has them (api/rest reads them so), values as canonical JSON.
func (r *runner) storedVariables(key int64) (map[string]string, error) {
	page, err := r.st.SearchVariables(r.ctx, store.Query{Conditions: []store.Condition{{Field: "scopeKey", Op: store.OpEq, Value: key}}, Limit: store.MaxLimit})
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, v := range page.Items {
		out[v.Name] = canonicalJSON([]byte(v.Value))
	}
	return out, nil
}

// canonicalJSON re-encodes a JSON text, so that equal values compare
// equal however they were written.
func canonicalJSON(b []byte) string {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return "invalid JSON: " + string(b)
	}
	out, err := json.Marshal(v)
	if err != nil {
		return "unencodable: " + string(b)
	}
	return string(out)
}

// read is an engine.Read in flight and what it saw.
type read struct {
	c    *engine.Call
	ran  bool
	pos  int64  // the state's last position when it ran
	dump []byte // the state then
}

// startRead sends a read of the whole state.
func (r *runner) startRead() {
	rd := &read{}
	rd.c = r.stp.SubmitRead(r.ctx, func(st *state.State) { rd.ran, rd.pos, rd.dump = true, st.LastPosition(), st.Dump() })
	r.note("read the state")
	r.reads = append(r.reads, rd)
}

// stepReads checks the answered reads: a read saw the state after a whole
// batch (never half of one) that is committed by the time it is answered
// (never one that may yet fail), and that state is the store's; the
// store's searches agree with its rows.
func (r *runner) stepReads() {
	kept := r.reads[:0]
	for _, rd := range r.reads {
		if !rd.c.Answered() {
			kept = append(kept, rd)
			continue
		}
		if _, err := rd.c.Result(); err != nil {
			r.stats.readsRefused++
			continue
		}
		r.stats.reads++
		r.checkRead(rd)
	}
	clear(r.reads[len(kept):])
	r.reads = kept
}

func (r *runner) checkRead(rd *read) {
	last := r.chk.lastPos // the store's: tail read it all
	switch {
	case !rd.ran:
		r.violate("read", "a read was answered without running")
		return
	case rd.pos > last:
		r.violate("read-uncommitted", "a read saw the state at position %d, but when it was answered the store ended at %d", rd.pos, last)
		return
	case !r.st.batchEnds[rd.pos]:
		r.violate("read-half-batch", "a read saw the state at position %d, where no committed batch ends", rd.pos)
		return
	case rd.pos < last:
		return // later batches committed meanwhile: nothing to compare with
	}
	snap, err := r.st.Store.Load(r.ctx)
	if err != nil {
		r.violate("load", "%v", err)
		return
	}
	stored, err := engine.RestoreState(r.reg, snap)
	if err != nil {
		r.violate("restore", "%v", err)
		return
	}
	if !bytes.Equal(rd.dump, stored.Dump()) {
		r.violate("read-vs-stored", "a read saw the state at position %d, which differs from the store's state there", rd.pos)
		return
	}
	r.checkSearches(snap)
}

// checkSearches checks that the store's process instance search answers
// from the same committed batches as its rows: the active instances it
// finds are exactly the live root elements the store loads.
func (r *runner) checkSearches(snap *state.Snapshot) {
	page, err := r.st.SearchProcessInstances(r.ctx, store.Query{Limit: store.MaxLimit})
	if err != nil {
		r.violate("search", "search process instances: %v", err)
		return
	}
	var searched, rows []int64
	for _, pi := range page.Items {
		if pi.State == store.StateActive {
			searched = append(searched, pi.ProcessInstanceKey)
		}
	}
	for _, e := range snap.Elements {
		if e.Value.FlowScopeKey == -1 {
			rows = append(rows, e.Key)
		}
	}
	slices.Sort(searched)
	slices.Sort(rows)
	if !slices.Equal(searched, rows) {
		r.violate("search-vs-rows", "the process instance search finds %d active instances %v, the store's rows hold %d %v", len(searched), short(searched), len(rows), short(rows))
	}
}

func short(keys []int64) string {
	if len(keys) > 8 {
		return fmt.Sprint(keys[:8]) + "…"
	}
	return fmt.Sprint(keys)
}

// stepClients moves every client on after an engine step.
func (r *runner) stepClients() {
	if r.fail != nil {
		return
	}
	r.stepPolls()
	r.stepAwaits()
	r.stepReads()
}

// clientsIdle reports whether no client waits for an answer to a command
// or read it sent (a sleeping or parked long poll and an awaited end may
// wait on).
func (r *runner) clientsIdle() bool {
	for _, p := range r.polls {
		asleep := p.c == nil || p.parked && r.stp.StillParked(p.c)
		if !asleep && !p.c.Answered() {
			return false
		}
	}
	for _, w := range r.awaits {
		if !w.done && (w.key == 0 && !w.c.Answered() || w.check != nil && !w.check.Answered()) {
			return false
		}
	}
	for _, rd := range r.reads {
		if !rd.c.Answered() {
			return false
		}
	}
	return true
}

// cutClients drops the clients' connections to a node that crashed: long
// polls and reads end; an awaiting create without a key is refused (its
// client cannot know whether it was created), one with a key is sent
// again after the restart.
func (r *runner) cutClients() {
	r.stats.pollsCut += len(r.polls)
	r.stats.readsRefused += len(r.reads)
	clear(r.polls)
	clear(r.reads)
	r.polls, r.reads = r.polls[:0], r.reads[:0]
	kept := r.awaits[:0]
	for _, w := range r.awaits {
		switch {
		case w.done: // its channels belong to the node that crashed
		case w.req.idem == nil:
			r.stats.awaitRefused++
		default:
			w.resume = true
			kept = append(kept, w)
		}
	}
	clear(r.awaits[len(kept):])
	r.awaits = kept
}

// resumeClients sends the keyed awaiting creates a crash cut again.
func (r *runner) resumeClients() {
	for _, w := range r.awaits {
		if w.resume {
			w.resume = false
			r.sendAwait(w)
		}
	}
}

// endClients ends a run's clients once every instance was cancelled: each
// awaiting client whose instance ended has its answer (await-unanswered).
func (r *runner) endClients() {
	for _, w := range r.awaits {
		switch {
		case w.done:
		case w.key != 0 && r.chk.ends[w.key] != nil:
			r.violate("await-unanswered", "instance %d ended at position %d, but its awaiting client was never answered", w.key, r.chk.ends[w.key].Position)
			return
		default:
			r.stats.awaitRunning++
		}
	}
}
