package storesuite

import (
	"testing"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
)

// Times of the hand-made search data.
const (
	t1 = 1000 * (iota + 1)
	t2
	t3
	t4
	t5
)

// searchData commits hand-made rows whose search results the tests know.
func searchData(t *testing.T, st store.Store) {
	t.Helper()
	def := func(key int64, id, name string, version int32, tag, tenant string) record.ProcessValue {
		p := process(key, id, version)
		p.Name, p.VersionTag, p.TenantID = name, tag, tenant
		return p
	}
	el := func(key, pi, scope, defKey int64, procID, id, typ string, s state.ElementState, start, end int64) state.ElementRow {
		e := element(key, pi, scope, id, typ, s)
		e.Value.ProcessDefinitionKey, e.Value.BPMNProcessID = defKey, procID
		e.StartTime, e.EndTime = epoch+start, 0
		if end > 0 {
			e.EndTime = epoch + end
		}
		return e
	}
	pi100 := el(100, 100, -1, 10, "order", "order", "PROCESS", state.ElementActivated, t1, 0)
	pi110 := el(110, 110, -1, 11, "order", "order", "PROCESS", state.ElementCompleted, t2, t5)
	pi110.Value.Version = 2
	pi120 := el(120, 120, -1, 12, "invoice", "invoice", "PROCESS", state.ElementTerminated, t3, t4)
	pi120.Value.TenantID = "t1"
	pi130 := el(130, 130, -1, 11, "order", "order", "PROCESS", state.ElementActivated, t4, 0)
	pi130.Value.Version, pi130.Value.ParentProcessInstanceKey, pi130.Value.ParentElementInstanceKey = 2, 100, 101
	e101 := el(101, 100, 100, 10, "order", "task_a", "SERVICE_TASK", state.ElementActivated, t1, 0)
	e101.IncidentKey = 400
	e102 := el(102, 100, 100, 10, "order", "start", "START_EVENT", state.ElementCompleted, t1, t1)
	e111 := el(111, 110, 110, 11, "order", "task_a", "SERVICE_TASK", state.ElementCompleted, t2, t5)
	e131 := el(131, 130, 130, 11, "order", "task_b", "USER_TASK", state.ElementActivating, t4, 0)
	e131.IncidentKey = 402

	jb := func(key int64, typ string, s state.JobState, retries int32, worker string, pi, elem int64, elemID string) state.Job {
		j := job(key, elem, s)
		j.Value.Type, j.Value.Retries, j.Value.Worker, j.Value.ProcessInstanceKey, j.Value.ElementID = typ, retries, worker, pi, elemID
		return j
	}
	j300 := jb(300, "pay", state.JobActivated, 3, "w1", 100, 101, "task_a")
	j300.Value.Deadline = epoch + 60000
	j300.Value.CustomHeaders = map[string]string{"k": "v"}
	j302 := jb(302, "ship", state.JobFailed, 0, "", 100, 101, "task_a")
	j302.Value.ErrorMessage = "no stock"
	j303 := jb(303, "ship", state.JobErrorThrown, 1, "", 130, 131, "task_b")
	j303.Value.ErrorCode = "E1"

	inc := func(key int64, resolved bool, typ record.ErrorType, msg string, pi, elem, jobKey, created int64, elemID string) state.IncidentRow {
		i := incident(key, resolved)
		i.Value.ErrorType, i.Value.ErrorMessage, i.Value.ProcessInstanceKey = typ, msg, pi
		i.Value.ElementInstanceKey, i.Value.JobKey, i.Value.ElementID, i.CreationTime = elem, jobKey, elemID, epoch+created
		return i
	}
	commit(t, st, &store.Batch{Changes: state.Changes{
		Processes: []record.ProcessValue{
			def(10, "order", "Order", 1, "", record.DefaultTenant),
			def(11, "order", "Order", 2, "v2", record.DefaultTenant),
			def(12, "invoice", "Invoice <1>", 1, "", "t1"),
		},
		Elements: []state.ElementRow{pi100, e101, e102, pi110, e111, pi120, pi130, e131},
		Variables: []state.VariableRow{
			{Key: 200, ScopeKey: 100, ProcessInstanceKey: 100, Name: "order", Value: map[string]any{"id": 1.0, "items": []any{"a", "b"}}},
			{Key: 201, ScopeKey: 100, ProcessInstanceKey: 100, Name: "note", Value: `<a&b> "q"`},
			{Key: 202, ScopeKey: 101, ProcessInstanceKey: 100, Name: "a_b", Value: 1.5},
			{Key: 203, ScopeKey: 110, ProcessInstanceKey: 110, Name: "axb", Value: true},
			{Key: 204, ScopeKey: 130, ProcessInstanceKey: 130, Name: "note", Value: nil},
		},
		Jobs: []state.Job{
			j300,
			jb(301, "pay", state.JobCompleted, 3, "w2", 110, 111, "task_a"),
			j302, j303,
			jb(304, "pay", state.JobCanceled, 3, "", 120, 121, "task_c"),
		},
		Incidents: []state.IncidentRow{
			inc(400, false, record.ErrorJobNoRetries, "no stock", 100, 101, 302, 1500, "task_a"),
			inc(401, true, record.ErrorCondition, "no flow", 110, 111, 0, 2500, "task_a"),
			inc(402, false, record.ErrorIOMapping, "bad mapping", 130, 131, 0, 4500, "task_b"),
		},
		LastKey: 500, LastPosition: 1,
	}})
}
