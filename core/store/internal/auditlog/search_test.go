package auditlog_test

import (
	"context"
	"errors"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/internal/auditlog"
	"github.com/example/wf-engine/core/store/memstore"
	"github.com/example/wf-engine/elements/standard"
)

var (
	admin  = &record.Principal{Subject: "root", Roles: []string{"admin"}}
	ann    = &record.Principal{Subject: "ann", Roles: []string{"operator"}, Tenants: []string{record.DefaultTenant}}
	worker = &record.Principal{ClientID: "worker-1", Roles: []string{"worker"}}
)

// history is what the engine did for whom, and when.
type history struct {
	st       *memstore.Store
	start    int64 // Unix ms of the first command
	instance int64 // the instance ann created
	job      int64 // its job
}

// run sends a few commands through an engine, one a minute: a deployment
// (admin), an instance created and one refused (ann), a job activated and
// completed (worker), a job timeout (the engine itself) and a message
// published with authentication off.
func run(t *testing.T) *history {
	t.Helper()
	xml, err := os.ReadFile("../../../engine/testdata/w1.bpmn")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	mc := clock.NewManual(start)
	h := &history{st: memstore.New(memstore.Options{}), start: start.UnixMilli()}
	e, err := engine.Start(context.Background(), engine.Config{Partition: 1, Clock: mc, Store: h.st, Registry: standard.Registry()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	as := func(p *record.Principal) context.Context { return engine.WithPrincipal(context.Background(), p) }
	if _, err := e.Deploy(as(admin), engine.DeployRequest{Resources: []record.Resource{{Name: "w1.bpmn", Content: xml}}}); err != nil {
		t.Fatal(err)
	}
	mc.Advance(time.Minute)
	ci, err := e.CreateInstance(as(ann), engine.CreateInstanceRequest{BPMNProcessID: "w1"})
	if err != nil {
		t.Fatal(err)
	}
	h.instance = ci.ProcessInstanceKey
	mc.Advance(time.Minute)
	if _, err := e.CreateInstance(as(ann), engine.CreateInstanceRequest{BPMNProcessID: "nope"}); err == nil {
		t.Fatal("an unknown process was started")
	}
	mc.Advance(time.Minute)
	jobs, err := e.ActivateJobs(as(worker), engine.ActivateJobsRequest{Type: "w1-work", Worker: "w", Timeout: time.Second, MaxJobs: 1})
	if err != nil || len(jobs) != 1 {
		t.Fatalf("activate: %v %v", jobs, err)
	}
	h.job = jobs[0].Key
	mc.Advance(time.Minute) // the job times out
	if _, err := e.ActivateJobs(context.Background(), engine.ActivateJobsRequest{Type: "w1-work", Worker: "w", Timeout: time.Hour, MaxJobs: 1, RequestTimeout: time.Minute}); err != nil {
		t.Fatal(err)
	}
	if err := e.CompleteJob(as(worker), engine.CompleteJobRequest{Key: h.job}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.PublishMessage(context.Background(), engine.PublishMessageRequest{Name: "m", CorrelationKey: "k"}); err != nil {
		t.Fatal(err)
	}
	return h
}

func search(t *testing.T, h *history, q store.AuditQuery) store.AuditPage {
	t.Helper()
	page, err := auditlog.Search(context.Background(), h.st.ReadLog, q)
	if err != nil {
		t.Fatal(err)
	}
	return page
}

// brief is an entry without its position and time.
type brief struct {
	who            string
	what           string
	key, resultKey int64
	rejected       bool
}

func briefs(page store.AuditPage) []brief {
	var out []brief
	for _, e := range page.Items {
		who := e.Principal.Subject + e.Principal.ClientID
		out = append(out, brief{who, e.ValueType.String() + " " + e.Intent.String(), e.Key, e.ResultKey, e.Rejected})
	}
	return out
}

func TestSearchListsWhoDidWhatToWhichKey(t *testing.T) {
	h := run(t)
	page := search(t, h, store.AuditQuery{})
	got := briefs(page)
	if len(got) != 5 {
		t.Fatalf("%d entries, want 5: %+v", len(got), got)
	}
	want := []brief{
		{"ann", "PROCESS_INSTANCE_CREATION CREATE", 0, h.instance, false},
		{"ann", "PROCESS_INSTANCE_CREATION CREATE", 0, 0, true},
		{"worker-1", "JOB COMPLETE", h.job, 0, false},
	}
	if got[0].who != "root" || got[0].what != "DEPLOYMENT CREATE" || got[0].resultKey == 0 || got[0].rejected {
		t.Fatalf("the deployment: %+v", got[0])
	}
	if got[3].who != "worker-1" || got[3].what != "JOB_BATCH ACTIVATE" || got[3].rejected {
		t.Fatalf("the activation: %+v", got[3])
	}
	if !reflect.DeepEqual([]brief{got[1], got[2], got[4]}, want) {
		t.Fatalf("got %+v\nwant %+v", []brief{got[1], got[2], got[4]}, want)
	}
	rej := page.Items[2]
	if rej.RejectionType != record.RejectionNotFound || rej.RejectionReason == "" || !reflect.DeepEqual(rej.Principal, *ann) {
		t.Fatalf("the rejected entry: %+v", rej)
	}
	for i, e := range page.Items {
		if i > 0 && e.Position <= page.Items[i-1].Position {
			t.Fatalf("entry %d at position %d after %d", i, e.Position, page.Items[i-1].Position)
		}
	}
	if page.EndCursor != page.Items[4].Position || page.Items[1].Timestamp != h.start+60_000 {
		t.Fatalf("end cursor %d, second entry at %d", page.EndCursor, page.Items[1].Timestamp)
	}
}

func TestSearchFilters(t *testing.T) {
	h := run(t)
	minute := int64(60_000)
	cases := []struct {
		name string
		q    store.AuditQuery
		want []string // who and what of each entry
	}{
		{"subject", store.AuditQuery{Subject: "ann"}, []string{"ann CREATE", "ann CREATE"}},
		{"client id", store.AuditQuery{ClientID: "worker-1"}, []string{"worker-1 ACTIVATE", "worker-1 COMPLETE"}},
		{"subject that is no client", store.AuditQuery{ClientID: "ann"}, nil},
		{"value type", store.AuditQuery{ValueType: "JOB"}, []string{"worker-1 COMPLETE"}},
		{"intent of two value types", store.AuditQuery{Intent: "CREATE"}, []string{"root CREATE", "ann CREATE", "ann CREATE"}},
		{"value type and intent", store.AuditQuery{ValueType: "DEPLOYMENT", Intent: "CREATE"}, []string{"root CREATE"}},
		{"what a command created", store.AuditQuery{Key: h.instance}, []string{"ann CREATE"}},
		{"the key a command named", store.AuditQuery{Key: h.job}, []string{"worker-1 COMPLETE"}},
		{"from", store.AuditQuery{From: h.start + 2*minute}, []string{"ann CREATE", "worker-1 ACTIVATE", "worker-1 COMPLETE"}},
		{"to", store.AuditQuery{To: h.start + minute}, []string{"root CREATE", "ann CREATE"}},
		{"from and to", store.AuditQuery{From: h.start + minute, To: h.start + 3*minute}, []string{"ann CREATE", "ann CREATE", "worker-1 ACTIVATE"}},
		{"nobody", store.AuditQuery{Subject: "mallory"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			page := search(t, h, tc.q)
			var got []string
			for _, e := range page.Items {
				got = append(got, e.Principal.Subject+e.Principal.ClientID+" "+e.Intent.String())
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
			if len(got) == 0 && page.EndCursor != 0 {
				t.Fatalf("an empty page has the end cursor %d", page.EndCursor)
			}
		})
	}
}

func TestSearchPagesByPosition(t *testing.T) {
	h := run(t)
	all := search(t, h, store.AuditQuery{})
	var paged []store.AuditEntry
	q := store.AuditQuery{Limit: 2}
	for range 10 {
		page := search(t, h, q)
		if len(page.Items) > 2 {
			t.Fatalf("a page of %d entries, limit 2", len(page.Items))
		}
		if len(page.Items) == 0 {
			break
		}
		paged = append(paged, page.Items...)
		q.After = page.EndCursor
	}
	if !reflect.DeepEqual(paged, all.Items) {
		t.Fatalf("paged:\n%+v\nat once:\n%+v", paged, all.Items)
	}
	for limit, want := range map[int]int{0: store.DefaultLimit, -3: store.DefaultLimit, 5000: store.MaxAuditLimit, 7: 7} {
		if got := (&store.AuditQuery{Limit: limit}).PageLimit(); got != want {
			t.Errorf("limit %d: page of %d, want %d", limit, got, want)
		}
	}
}

func TestSearchPassesReadErrorsOn(t *testing.T) {
	boom := errors.New("boom")
	read := func(context.Context, int64, func(*record.Record) error) error { return boom }
	if _, err := auditlog.Search(context.Background(), read, store.AuditQuery{}); !errors.Is(err, boom) {
		t.Fatalf("got %v", err)
	}
}
