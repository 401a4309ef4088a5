package clustertest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/pgstore"
)

// haBPMN is a process of one service task: creating an instance and
// completing its job are the two acknowledged commands the test counts.
const haBPMN = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
  <bpmn:process id="ha" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:serviceTask id="work"><bpmn:extensionElements><zeebe:taskDefinition type="ha-work" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`

// ack is an acknowledged command: a created instance (n is its variable)
// or a completed job (n is -1).
type ack struct {
	n         int
	instance  int64
	node      string
	sent, got time.Time
}

// ledger is what the workers were told.
type ledger struct {
	mu        sync.Mutex
	created   []ack
	completed []ack
	unknown   int // answers that the outcome is unknown (not acknowledged)
	retried   int // 503 with Retry-After, and 429
	connLost  int // requests that got no answer (a node died or stopped)
	// samples are a few of the answers retried, for the log.
	samples []string
	// appliedAfterRetry are commands answered "retry" (503 with
	// Retry-After, never a lost connection) that had been applied.
	appliedAfterRetry []string
	errs              []error
}

func (l *ledger) fail(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errs = append(l.errs, err)
}

func (l *ledger) completions(after time.Time) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, a := range l.completed {
		if a.sent.After(after) {
			n++
		}
	}
	return n
}

// firstAfter is the first acknowledgement of a command sent after t.
func (l *ledger) firstAfter(t time.Time) (ack, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var first ack
	found := false
	for _, list := range [][]ack{l.created, l.completed} {
		for _, a := range list {
			if a.sent.After(t) && (!found || a.got.Before(first.got)) {
				first, found = a, true
			}
		}
	}
	return first, found
}

// worker creates instances and completes their jobs, each request through
// the next node, until stop is closed. A 503 with Retry-After, a 429 and a
// lost connection are retried (on the next node, with the same
// Idempotency-Key); a 503 without Retry-After (outcome unknown) is final.
type worker struct {
	id   int
	c    *client
	l    *ledger
	stop <-chan struct{}
}

func (w *worker) stopped() bool {
	select {
	case <-w.stop:
		return true
	default:
		return false
	}
}

// call sends until the answer is not "retry later"; ok is false when the
// worker was stopped first. lost reports an attempt that got no answer.
func (w *worker) call(path string, body any, headers ...string) (a answer, lost, ok bool) {
	var earlier []string
	for !w.stopped() {
		n := w.c.pick()
		got, err := w.c.do(n, http.MethodPost, path, "application/json", jsonBody(body), headers...)
		if err != nil {
			w.l.mu.Lock()
			w.l.connLost++
			w.l.mu.Unlock()
			lost = true
			time.Sleep(25 * time.Millisecond) // a client's back-off, not a wait for the test's state
			continue
		}
		got.earlier = earlier
		earlier = append(earlier, fmt.Sprintf("%s %s: %d %s", got.sent.Format("15:04:05.000"), n.name, got.status, got.body))
		retry := (got.status == http.StatusServiceUnavailable && got.retryAfter != "") || got.status == http.StatusTooManyRequests
		if !retry {
			return got, lost, true
		}
		w.l.mu.Lock()
		w.l.retried++
		if len(w.l.samples) < 8 {
			w.l.samples = append(w.l.samples, earlier[len(earlier)-1])
		}
		w.l.mu.Unlock()
		time.Sleep(25 * time.Millisecond)
	}
	return answer{}, lost, false
}

func (w *worker) run() {
	for j := 0; !w.stopped(); j++ {
		n := w.id*1_000_000 + j
		a, lost, ok := w.call("/v2/process-instances", map[string]any{"processDefinitionId": "ha", "variables": map[string]any{"n": n}},
			"Idempotency-Key", fmt.Sprintf("ha-create-%d", n))
		if !ok {
			return
		}
		if !w.judge(a, lost, n, "create") {
			continue
		}
		a, lost, ok = w.call("/v2/jobs/activation", map[string]any{"type": "ha-work", "worker": fmt.Sprintf("w%d", w.id), "timeout": 600000,
			"maxJobsToActivate": 4, "requestTimeout": -1})
		if !ok {
			return
		}
		if a.status != http.StatusOK {
			w.judge(a, lost, -1, "activate")
			continue
		}
		var jobs struct {
			Jobs []struct {
				JobKey             string `json:"jobKey"`
				ProcessInstanceKey string `json:"processInstanceKey"`
			} `json:"jobs"`
		}
		if err := json.Unmarshal(a.body, &jobs); err != nil {
			w.l.fail(fmt.Errorf("activation answer %s: %w", a.body, err))
			return
		}
		for _, job := range jobs.Jobs {
			a, lost, ok := w.call("/v2/jobs/"+job.JobKey+"/completion", map[string]any{})
			if !ok {
				return
			}
			if w.judge(a, lost, -1, "complete") {
				key, _ := strconv.ParseInt(job.ProcessInstanceKey, 10, 64)
				w.l.mu.Lock()
				w.l.completed = append(w.l.completed, ack{n: -1, instance: key, node: a.node, sent: a.sent, got: a.got})
				w.l.mu.Unlock()
			}
		}
	}
}

// judge records an answer; it reports whether the command was
// acknowledged. For a create, the instance is recorded with its n.
func (w *worker) judge(a answer, lost bool, n int, what string) bool {
	switch {
	case a.status == http.StatusOK && what == "create":
		var res struct {
			ProcessInstanceKey string `json:"processInstanceKey"`
		}
		key, err := int64(0), json.Unmarshal(a.body, &res)
		if err == nil {
			key, err = strconv.ParseInt(res.ProcessInstanceKey, 10, 64)
		}
		if err != nil {
			w.l.fail(fmt.Errorf("create answer %s: %w", a.body, err))
			return false
		}
		w.l.mu.Lock()
		w.l.created = append(w.l.created, ack{n: n, instance: key, node: a.node, sent: a.sent, got: a.got})
		if a.replayed && !lost && len(a.earlier) > 0 {
			w.l.appliedAfterRetry = append(w.l.appliedAfterRetry, fmt.Sprintf("create n=%d replayed after %q", n, a.earlier))
		}
		w.l.mu.Unlock()
		return true
	case a.status/100 == 2:
		return true
	case a.status == http.StatusNotFound && what == "complete" && (lost || len(a.earlier) > 0):
		// The job is gone: an earlier attempt was applied. After a lost
		// connection that is expected; after an answer to retry, it is
		// counted and reported.
		if !lost {
			w.l.mu.Lock()
			w.l.appliedAfterRetry = append(w.l.appliedAfterRetry, fmt.Sprintf("%s after %q", a.body, a.earlier))
			w.l.mu.Unlock()
		}
		return false
	case a.status == http.StatusServiceUnavailable: // no Retry-After: the outcome is unknown
		w.l.mu.Lock()
		w.l.unknown++
		w.l.mu.Unlock()
		return false
	}
	w.l.fail(fmt.Errorf("%s: unexpected answer %d from %s: %s at %s, after %q", what, a.status, a.node, a.body, a.sent.Format("15:04:05.000"), a.earlier))
	return false
}

// load runs workers through every node of c until the returned function
// stops them.
func load(c *client, l *ledger, workers int) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	for i := range workers {
		w := &worker{id: i + 1, c: c, l: l, stop: done}
		wg.Go(w.run)
	}
	return sync.OnceFunc(func() { close(done); wg.Wait() })
}

// waitCompletions waits until n job completions sent after t were
// acknowledged.
func waitCompletions(t *testing.T, l *ledger, after time.Time, n int, what string) {
	t.Helper()
	if err := pollUntil(90*time.Second, func() error {
		if got := l.completions(after); got < n {
			return fmt.Errorf("%d completions: %w", got, errNotYet)
		}
		return nil
	}); err != nil {
		l.mu.Lock()
		defer l.mu.Unlock()
		t.Fatalf("%s: %v (errors %v)", what, err, l.errs)
	}
}

// checkNothingLost reads the database: every acknowledged instance is
// there with its n, no n has two instances, every instance whose job
// completion was acknowledged is completed, and the log's hash chain holds
// (a commit of a fenced former holder would have forked it).
func checkNothingLost(t *testing.T, db string, l *ledger) { checkNothingLostOn(t, db, 1, l) }

// checkNothingLostOn is checkNothingLost on a store of the given number of
// partitions: each partition's hash chain is verified on its own.
func checkNothingLostOn(t *testing.T, db string, partitions int, l *ledger) {
	t.Helper()
	ctx := context.Background()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.errs) > 0 {
		t.Fatalf("the workers failed: %v", l.errs)
	}
	if len(l.appliedAfterRetry) > 0 {
		t.Errorf("%d commands were answered 503 with Retry-After although they were applied: %q", len(l.appliedAfterRetry), l.appliedAfterRetry)
	}
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(ctx) }()
	rows, err := conn.Query(ctx, `SELECT e.key, e.state, coalesce(v.value, '') FROM element_instances e
		LEFT JOIN variables v ON v.scope_key = e.key AND v.name = 'n'
		WHERE e.flow_scope_key = -1 AND e.bpmn_process_id = 'ha'`)
	if err != nil {
		t.Fatal(err)
	}
	type instance struct {
		state string
		n     string
	}
	stored := map[int64]instance{}
	byN := map[string][]int64{}
	for rows.Next() {
		var key int64
		var in instance
		if err := rows.Scan(&key, &in.state, &in.n); err != nil {
			t.Fatal(err)
		}
		stored[key] = in
		if in.n != "" {
			byN[in.n] = append(byN[in.n], key)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	for n, keys := range byN {
		if len(keys) > 1 {
			t.Errorf("n=%s was created %d times: instances %v", n, len(keys), keys)
		}
	}
	for _, a := range l.created {
		in, ok := stored[a.instance]
		switch {
		case !ok:
			t.Errorf("acknowledged instance %d (n=%d, through %s at %s) is not in the database", a.instance, a.n, a.node, a.got.Format("15:04:05.000"))
		case in.n != strconv.Itoa(a.n):
			t.Errorf("instance %d has n=%q, want %d", a.instance, in.n, a.n)
		}
	}
	for _, a := range l.completed {
		if in := stored[a.instance]; in.state != "COMPLETED" {
			t.Errorf("instance %d whose job completion was acknowledged (through %s) is %q, want COMPLETED", a.instance, a.node, in.state)
		}
	}
	s, err := pgstore.Open(ctx, db, pgstore.Options{MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	var rep store.ChainReport
	if partitions <= 1 {
		rep, err = s.VerifyChain(ctx)
		if err != nil || rep.Broken != nil || rep.Segments == 0 {
			t.Fatalf("the log's hash chain: %+v %v (%v)", rep, rep.Broken, err)
		}
	} else {
		if err := store.CheckPartitions(ctx, s, int32(partitions)); err != nil { // #nosec G115 -- a few partitions
			t.Fatal(err)
		}
		for p := int32(1); int(p) <= partitions; p++ {
			v, err := s.Partition(p)
			if err != nil {
				t.Fatal(err)
			}
			r, err := v.(interface {
				VerifyChain(context.Context) (store.ChainReport, error)
			}).VerifyChain(ctx)
			if err != nil || r.Broken != nil || r.Segments == 0 {
				t.Fatalf("partition %d's hash chain: %+v %v (%v)", p, r, r.Broken, err)
			}
			rep.Segments += r.Segments
		}
	}
	t.Logf("load: %d instances created and %d jobs completed (acknowledged), %d answers 503 with Retry-After or 429 retried, "+
		"%d requests without an answer retried, %d answers of unknown outcome; %d log segments verified",
		len(l.created), len(l.completed), l.retried, l.connLost, l.unknown, rep.Segments)
	t.Logf("answers retried, a sample: %q", l.samples)
}
