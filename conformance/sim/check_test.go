package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"sort"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
)

// legal lists, for each lifecycle event, the events that may come before
// it for the same element instance (0: none yet), as conformance.Lifecycles
// has it.
var legal = map[record.Intent][]record.Intent{
	record.IntentElementActivating:  {0},
	record.IntentElementActivated:   {record.IntentElementActivating},
	record.IntentElementCompleting:  {record.IntentElementActivated},
	record.IntentElementCompleted:   {record.IntentElementCompleting},
	record.IntentElementTerminating: {record.IntentElementActivating, record.IntentElementActivated, record.IntentElementCompleting},
	record.IntentElementTerminated:  {record.IntentElementTerminating},
}

// terminal are the operations that end their target: after one was
// acknowledged, no later operation on the same key may succeed.
// (A thrown error is not one: uncaught, the job waits for its incident.)
var terminal = map[opKind]bool{opComplete: true, opResolve: true, opCompleteTask: true, opCancel: true}

// checker holds what the invariants need from the log and the answers.
type checker struct {
	lastPos    int64
	maxKey     int64          // greatest event key of the log read before
	seen       map[int64]bool // keys of events read so far
	lifecycle  map[int64]record.Intent
	jobDone    map[int64]int64    // job -> position of its COMPLETED
	correlated map[[2]int64]int64 // message, process instance -> position
	recorded   map[string]int64   // idempotency key hash -> position of its RECORDED
	roots      map[int64]bool     // live root process instances
	rootsDirty bool
	rootsList  []int64
	msgNames   map[string]bool
	signals    []string // signal names subscriptions waited for
	namesList  []string
	maxAcked   int64
	// ended: target key -> step at which an operation that ended it was
	// answered to its client.
	ended map[int64]int
	// answers: idempotency key -> first answer seen for it.
	answers map[string]string
	// ends: root process instance -> the record that ended it.
	ends map[int64]*record.Record
	// jobTypes are the types of the jobs created so far, sorted: what
	// long polls wait for.
	jobTypes []string
}

func newChecker() *checker {
	return &checker{seen: map[int64]bool{}, lifecycle: map[int64]record.Intent{}, jobDone: map[int64]int64{},
		correlated: map[[2]int64]int64{}, recorded: map[string]int64{}, roots: map[int64]bool{}, msgNames: map[string]bool{},
		ended: map[int64]int{}, answers: map[string]string{}, ends: map[int64]*record.Record{}}
}

// tail reads the records committed since the last call and checks them.
func (c *checker) tail(r *runner) {
	newMax := c.maxKey
	err := r.st.Store.ReadLog(r.ctx, c.lastPos+1, func(rec *record.Record) error {
		if rec.Position != c.lastPos+1 {
			r.violate("positions", "record at position %d follows position %d", rec.Position, c.lastPos)
			return errors.New("stop")
		}
		c.lastPos = rec.Position
		if rec.Kind != record.KindEvent {
			return nil
		}
		// (An IDEMPOTENCY_KEY event carries its command's key, which the
		// client chose.)
		if k := rec.Key; k > 0 && !c.seen[k] && rec.ValueType != record.TypeIdempotencyKey {
			c.seen[k] = true
			if k <= c.maxKey {
				r.violate("keys", "%s %s at position %d has the new key %d, but key %d was handed out in an earlier batch", rec.ValueType, rec.Intent, rec.Position, k, c.maxKey)
			}
			newMax = max(newMax, k)
		}
		switch v := rec.Value.(type) {
		case *record.ProcessInstanceValue:
			if allowed, ok := legal[rec.Intent]; ok {
				prev := c.lifecycle[rec.Key]
				if !slices.Contains(allowed, prev) {
					r.violate("lifecycle", "element %s (instance %d) went from %s to %s at position %d", v.ElementID, rec.Key, prev, rec.Intent, rec.Position)
				}
				c.lifecycle[rec.Key] = rec.Intent
				if rec.Intent == record.IntentElementCompleted || rec.Intent == record.IntentElementTerminated {
					delete(c.lifecycle, rec.Key) // final: nothing may follow (a later ACTIVATING is caught by seen keys)
				}
			}
			if v.FlowScopeKey <= 0 && v.ParentProcessInstanceKey <= 0 {
				switch rec.Intent {
				case record.IntentElementActivating:
					c.roots[rec.Key], c.rootsDirty = true, true
				case record.IntentElementCompleted, record.IntentElementTerminated:
					delete(c.roots, rec.Key)
					c.rootsDirty = true
					c.ends[rec.Key] = rec
				}
			}
		case *record.JobValue:
			if rec.Intent == record.IntentJobCreated && v.Type != "" {
				if i, found := slices.BinarySearch(c.jobTypes, v.Type); !found {
					c.jobTypes = slices.Insert(c.jobTypes, i, v.Type)
				}
			}
			if rec.Intent == record.IntentJobCompleted {
				if at, twice := c.jobDone[rec.Key]; twice {
					r.violate("job-completed-twice", "job %d completed at positions %d and %d", rec.Key, at, rec.Position)
				}
				c.jobDone[rec.Key] = rec.Position
			}
		case *record.MessageSubscriptionValue:
			c.name(v.MessageName)
			if rec.Intent == record.IntentMessageSubscriptionCorrelated {
				k := [2]int64{v.MessageKey, v.ProcessInstanceKey}
				if at, twice := c.correlated[k]; twice {
					r.violate("message-correlated-twice", "message %d correlated to instance %d at positions %d and %d", k[0], k[1], at, rec.Position)
				}
				c.correlated[k] = rec.Position
			}
		case *record.MessageStartSubscriptionValue:
			c.name(v.MessageName)
		case *record.SignalSubscriptionValue:
			if v.SignalName != "" && !slices.Contains(c.signals, v.SignalName) {
				c.signals = append(c.signals, v.SignalName)
				slices.Sort(c.signals)
			}
		case *record.IdempotencyKeyValue:
			if at, twice := c.recorded[v.KeyHash]; twice {
				r.violate("idempotency-recorded-twice", "idempotency key %.12s… recorded at positions %d and %d: its command ran twice", v.KeyHash, at, rec.Position)
			}
			c.recorded[v.KeyHash] = rec.Position
		}
		return nil
	})
	if err != nil && r.fail == nil {
		r.violate("read-log", "%v", err)
	}
	c.maxKey = newMax
}

func (c *checker) name(n string) {
	if n != "" && !c.msgNames[n] {
		c.msgNames[n] = true
		c.namesList = append(c.namesList, n)
		sort.Strings(c.namesList)
	}
}

func (c *checker) msgNameList() []string { return c.namesList }

func (c *checker) signalList() []string { return c.signals }

func (c *checker) rootList() []int64 {
	if c.rootsDirty {
		c.rootsList = c.rootsList[:0]
		for k := range c.roots {
			c.rootsList = append(c.rootsList, k)
		}
		slices.Sort(c.rootsList)
		c.rootsDirty = false
	}
	return c.rootsList
}

// acked checks an answer from a batch: the records it reports are the
// store's, at their positions.
func (c *checker) acked(r *runner, recs []*record.Record) {
	first := recs[0]
	var got *record.Record
	_ = r.st.Store.ReadLog(r.ctx, first.Position, func(rec *record.Record) error {
		got = rec
		return errors.New("stop")
	})
	if got != first && (got == nil || !sameRecord(got, first)) {
		r.violate("acknowledged-lost", "%s %s was acknowledged at position %d, but the store does not hold it there", first.ValueType, first.Intent, first.Position)
		return
	}
	c.maxAcked = max(c.maxAcked, recs[len(recs)-1].Position)
}

// idempotent checks that every answer to one idempotency key is the same.
// Job activation ignores the key (it hands out other jobs each time).
func (c *checker) idempotent(r *runner, req *request, res *engine.Result, err error) {
	if req.kind == opActivate {
		return
	}
	var ans string
	if rj, ok := engine.AsRejection(err); ok {
		ans = "rejected " + rj.Type.String()
	} else if res != nil && res.Response != nil {
		resp := res.Response
		if ci, ok := resp.(*engine.CreatedInstance); ok {
			// End is not recorded: a replay reads the ended instance's
			// variables from the store instead (api/rest/await.go).
			c := *ci
			c.End = nil
			resp = &c
		}
		b, _ := json.Marshal(resp)
		ans = string(b)
	} else {
		ans = "ok"
	}
	if first, ok := c.answers[req.idem.Key]; ok && first != ans {
		r.violate("idempotency-answer", "%s with key %s answered %s, then %s", opNames[req.kind], req.idem.Key, first, ans)
	}
	if _, ok := c.answers[req.idem.Key]; !ok {
		c.answers[req.idem.Key] = ans
	}
}

// linearizable checks single-key operations: once an operation that ends
// its target was answered, no operation sent after that answer may
// succeed on the same key.
func (c *checker) linearizable(r *runner, cl *call, err error) {
	key := cl.req.target
	if key == 0 || err != nil {
		return
	}
	if at, ok := c.ended[key]; ok && at < cl.invoked {
		r.violate("linearizability", "%s on %d was sent at step %d and succeeded, but an operation answered at step %d had ended %d", opNames[cl.req.kind], key, cl.invoked, at, key)
		return
	}
	if terminal[cl.req.kind] {
		if _, ok := c.ended[key]; !ok {
			c.ended[key] = r.step
		}
	}
}

// sameRecord reports whether two records encode alike.
func sameRecord(a, b *record.Record) bool {
	ea, err1 := record.Marshal(a)
	eb, err2 := record.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(ea, eb)
}
