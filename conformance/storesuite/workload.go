package storesuite

import (
	"context"
	"embed"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/elements/standard"
)

//go:embed testdata/*.bpmn
var models embed.FS

// epoch is the workload's clock at its start.
var epoch = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC).UnixMilli()

// workload drives a real Processor with a seeded random mix of commands and
// commits its records and changed rows in batches of several commands, the
// way the engine loop does, to every store it writes.
type workload struct {
	t         *testing.T
	p         *engine.Processor
	rnd       *rand.Rand
	now       int64
	stores    []store.Store
	pending   []*record.Record
	log       []*record.Record
	batches   []int64 // last position of every committed batch
	instances []int64
	// beforeCommit, if set, sees every batch's last position before the
	// batch is committed.
	beforeCommit func(last int64)
}

func newWorkload(t *testing.T, seed uint64, stores ...store.Store) *workload {
	t.Helper()
	w := &workload{
		t: t, p: engine.NewProcessor(1, engine.NewState(standard.Registry()), standard.Registry()),
		rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), now: epoch, stores: stores,
	}
	var resources []record.Resource
	for _, f := range []string{"w1.bpmn", "fork-join.bpmn", "xor-no-default.bpmn"} {
		b, err := models.ReadFile("testdata/" + f)
		if err != nil {
			t.Fatal(err)
		}
		resources = append(resources, record.Resource{Name: f, Content: b})
	}
	res := w.do(&record.Record{ValueType: record.TypeDeployment, Intent: record.IntentDeploymentCreate, Version: 1,
		Value: &record.DeploymentValue{Resources: resources}})
	if res.Rejection != nil {
		t.Fatalf("deploy: %v", res.Rejection)
	}
	w.flush()
	return w
}

func (w *workload) st() *state.State { return w.p.State() }

// do processes one command; its records wait for the next flush.
func (w *workload) do(cmd *record.Record) *engine.Result {
	w.t.Helper()
	cmd.Timestamp = w.now
	res, err := w.p.Process(cmd)
	if err != nil {
		w.t.Fatalf("process %s %s: %v", cmd.ValueType, cmd.Intent, err)
	}
	w.pending = append(w.pending, res.Records...)
	return res
}

// flush commits the pending records and changed rows as one batch.
func (w *workload) flush() {
	w.t.Helper()
	if len(w.pending) == 0 {
		return
	}
	b := w.take()
	if w.beforeCommit != nil {
		w.beforeCommit(b.Records[len(b.Records)-1].Position)
	}
	for _, s := range w.stores {
		commit(w.t, s, b)
	}
	w.accept(b)
}

// take returns the pending records and changed rows as a batch, uncommitted.
func (w *workload) take() *store.Batch {
	b := &store.Batch{Records: w.pending, Changes: w.st().TakeChanges()}
	w.pending = nil
	return b
}

// accept notes a batch as committed.
func (w *workload) accept(b *store.Batch) {
	w.log = append(w.log, b.Records...)
	w.batches = append(w.batches, b.Records[len(b.Records)-1].Position)
}

// gen processes n random commands and returns them as one uncommitted batch.
func (w *workload) gen(n int) *store.Batch {
	w.t.Helper()
	for range n {
		w.step()
	}
	return w.take()
}

func (w *workload) pick(xs []int64) (int64, bool) {
	if len(xs) == 0 {
		return 0, false
	}
	return xs[w.rnd.IntN(len(xs))], true
}

// run processes n random commands, flushing every few.
func (w *workload) run(n int) {
	w.t.Helper()
	untilFlush := 1 + w.rnd.IntN(12)
	for range n {
		w.step()
		if untilFlush--; untilFlush == 0 {
			w.flush()
			untilFlush = 1 + w.rnd.IntN(12)
		}
	}
	w.flush()
}

var (
	processes = []string{"w1", "fork-join", "xor-no-default"}
	jobTypes  = []string{"w1-work", "a", "b"}
	texts     = []string{"plain", `<a&b> "quoted"`, "a_b%c", "ünïcødé", ""}
)

// step processes one random command.
func (w *workload) step() {
	w.t.Helper()
	{
		switch k := w.rnd.IntN(100); {
		case k < 25:
			vars := map[string]any{"n": float64(w.rnd.IntN(100)), "s": texts[w.rnd.IntN(len(texts))]}
			if w.rnd.IntN(3) > 0 {
				vars["approved"] = w.rnd.IntN(2) == 0
			}
			if w.rnd.IntN(4) == 0 {
				vars["doc"] = map[string]any{"list": []any{1.5, "x", nil, true}, "nested": map[string]any{"k": "v"}}
			}
			res := w.do(&record.Record{ValueType: record.TypeProcessInstanceCreation, Intent: record.IntentProcessInstanceCreate, Version: 1,
				Value: &record.ProcessInstanceCreationValue{BPMNProcessID: processes[w.rnd.IntN(len(processes))], Variables: vars}})
			if res.Rejection == nil {
				w.instances = append(w.instances, res.Response.(*engine.CreatedInstance).ProcessInstanceKey)
			}
		case k < 45:
			w.do(&record.Record{ValueType: record.TypeJobBatch, Intent: record.IntentJobBatchActivate, Version: 1,
				Value: &record.JobBatchValue{Type: jobTypes[w.rnd.IntN(len(jobTypes))], Worker: "worker-" + string(rune('a'+w.rnd.IntN(3))),
					Timeout: int64(1000 + w.rnd.IntN(120000)), MaxJobsToActivate: int32(1 + w.rnd.IntN(3))}})
		case k < 65:
			if key, ok := w.pick(w.st().JobKeys()); ok {
				w.do(&record.Record{Key: key, ValueType: record.TypeJob, Intent: record.IntentJobComplete, Version: 1,
					Value: &record.JobValue{Variables: map[string]any{"result": float64(w.rnd.IntN(10)), "s": texts[w.rnd.IntN(len(texts))]}}})
			}
		case k < 72:
			if key, ok := w.pick(w.st().JobKeys()); ok {
				w.do(&record.Record{Key: key, ValueType: record.TypeJob, Intent: record.IntentJobFail, Version: 1,
					Value: &record.JobValue{Retries: int32(w.rnd.IntN(3)), ErrorMessage: "boom " + texts[w.rnd.IntN(len(texts))],
						RetryBackoff: []int64{0, 10000}[w.rnd.IntN(2)]}})
			}
		case k < 75:
			if key, ok := w.pick(w.st().JobKeys()); ok {
				w.do(&record.Record{Key: key, ValueType: record.TypeJob, Intent: record.IntentJobThrowError, Version: 1,
					Value: &record.JobValue{ErrorCode: "E1", ErrorMessage: "thrown"}})
			}
		case k < 80:
			if key, ok := w.pick(w.st().JobKeys()); ok {
				w.do(&record.Record{Key: key, ValueType: record.TypeJob, Intent: record.IntentJobUpdateRetries, Version: 1,
					Value: &record.JobValue{Retries: int32(1 + w.rnd.IntN(3))}})
			}
		case k < 87:
			if key, ok := w.pick(w.st().IncidentKeys()); ok {
				w.do(&record.Record{Key: key, ValueType: record.TypeIncident, Intent: record.IntentIncidentResolve, Version: 1, Value: &record.IncidentValue{}})
			}
		case k < 91:
			if key, ok := w.pick(w.instances); ok {
				w.do(&record.Record{Key: key, ValueType: record.TypeProcessInstance, Intent: record.IntentProcessInstanceCancel, Version: 1,
					Value: &record.ProcessInstanceValue{ProcessInstanceKey: key}})
			}
		case k < 95:
			if key, ok := w.pick(w.instances); ok {
				w.do(&record.Record{Key: key, ValueType: record.TypeVariableDocument, Intent: record.IntentVariableDocumentUpdate, Version: 1,
					Value: &record.VariableDocumentValue{ScopeKey: key, Variables: map[string]any{"approved": true, "s": texts[w.rnd.IntN(len(texts))]}}})
			}
		default:
			w.now += int64(w.rnd.IntN(150000))
			w.tick()
		}
	}
}

// tick handles due job deadlines and back-offs as the engine loop does.
func (w *workload) tick() {
	for _, key := range w.st().DueDeadlines(w.now, 1000) {
		w.do(&record.Record{Key: key, ValueType: record.TypeJob, Intent: record.IntentJobTimeOut, Version: 1, Value: &record.JobValue{}})
	}
	for _, key := range w.st().DueBackoffs(w.now, 1000) {
		w.do(&record.Record{Key: key, ValueType: record.TypeJob, Intent: record.IntentJobRecurAfterBackoff, Version: 1, Value: &record.JobValue{}})
	}
}

// readAll returns every record of a store's log.
func readAll(t *testing.T, s store.Store) []*record.Record {
	t.Helper()
	var out []*record.Record
	if err := s.ReadLog(context.Background(), 0, func(r *record.Record) error {
		out = append(out, r)
		return nil
	}); err != nil {
		t.Fatalf("read log: %v", err)
	}
	return out
}

// sameRecords fails unless got encodes exactly like want, record by record.
func sameRecords(t *testing.T, got, want []*record.Record) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d records, want %d", len(got), len(want))
	}
	for i := range want {
		a, err := record.Marshal(got[i])
		if err != nil {
			t.Fatal(err)
		}
		b, err := record.Marshal(want[i])
		if err != nil {
			t.Fatal(err)
		}
		if string(a) != string(b) {
			t.Fatalf("record %d differs:\ngot  %s\nwant %s", i, a, b)
		}
	}
}
