package sqlitestore_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
)

// TestUpdatesKeepOrReplaceStableColumns commits rows, then updates them: an
// update that keeps a row's stable columns (process instance, definition,
// element id, job type, variable scope and name) is written by the
// statement that leaves their index entries alone; one that changes them
// (a migration moves an element instance to another definition and element)
// is written again in full. Either way the rows read back as committed, the
// indexes find them by their new values only, and SQLite finds the file's
// indexes consistent with its tables.
func TestUpdatesKeepOrReplaceStableColumns(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "wf.db")
	s := open(t, path)
	elem := func(key, scope int64, id string, def int64, st state.ElementState) state.ElementRow {
		return state.ElementRow{Key: key, State: st, StartTime: 1000, Value: record.ProcessInstanceValue{
			BPMNProcessID: "p", Version: 1, ProcessDefinitionKey: def, ProcessInstanceKey: 100, ElementID: id,
			BPMNElementType: "SERVICE_TASK", FlowScopeKey: scope, ParentProcessInstanceKey: -1, ParentElementInstanceKey: -1,
			TenantID: record.DefaultTenant}}
	}
	job := func(key int64, typ string, st state.JobState) state.Job {
		return state.Job{Key: key, State: st, Value: record.JobValue{Type: typ, Retries: 3, CustomHeaders: map[string]string{},
			ElementID: "a", ElementInstanceKey: 101, BPMNProcessID: "p", ProcessDefinitionVersion: 1,
			ProcessDefinitionKey: 10, ProcessInstanceKey: 100, TenantID: record.DefaultTenant}}
	}
	pi := elem(100, -1, "p", 10, state.ElementActivated)
	pi.Value.BPMNElementType = "PROCESS"
	commitOrFail(t, s, state.Changes{
		Elements: []state.ElementRow{pi, elem(101, 100, "a", 10, state.ElementActivated), elem(102, 100, "b", 10, state.ElementActivated)},
		Variables: []state.VariableRow{
			{Key: 200, ScopeKey: 100, ProcessInstanceKey: 100, Name: "x", Value: 1.0},
			{Key: 201, ScopeKey: 101, ProcessInstanceKey: 100, Name: "y", Value: "v"},
		},
		Jobs:    []state.Job{job(300, "t1", state.JobActivatable), job(301, "t1", state.JobActivatable)},
		LastKey: 301, LastPosition: 3,
	})

	// One chunk holds rows that keep their stable columns and rows that
	// do not: 101 only changes state, 102 moves to another element and
	// definition; job 300 is activated, job 301 changes its type.
	moved := elem(102, 100, "b2", 11, state.ElementActivated)
	moved.Value.BPMNProcessID = "p2"
	activated := job(300, "t1", state.JobActivated)
	activated.Value.Worker = "w"
	retyped := job(301, "t2", state.JobActivatable)
	commitOrFail(t, s, state.Changes{
		Elements: []state.ElementRow{elem(101, 100, "a", 10, state.ElementCompleting), moved},
		Variables: []state.VariableRow{
			{Key: 200, ScopeKey: 100, ProcessInstanceKey: 100, Name: "x", Value: 2.0},
			{Key: 201, ScopeKey: 102, ProcessInstanceKey: 100, Name: "y", Value: "v"},
		},
		Jobs:    []state.Job{activated, retyped},
		LastKey: 301, LastPosition: 6,
	})
	// Only rows that keep their stable columns.
	commitOrFail(t, s, state.Changes{
		Elements: []state.ElementRow{elem(101, 100, "a", 10, state.ElementActivated)},
		Jobs:     []state.Job{job(300, "t1", state.JobActivatable)},
		LastKey:  301, LastPosition: 8,
	})

	snap, err := s.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantElements := []state.ElementRow{pi, elem(101, 100, "a", 10, state.ElementActivated), moved}
	if !reflect.DeepEqual(snap.Elements, wantElements) {
		t.Errorf("element instances\ngot  %+v\nwant %+v", snap.Elements, wantElements)
	}
	wantVariables := []state.VariableRow{
		{Key: 200, ScopeKey: 100, ProcessInstanceKey: 100, Name: "x", Value: 2.0},
		{Key: 201, ScopeKey: 102, ProcessInstanceKey: 100, Name: "y", Value: "v"},
	}
	if !reflect.DeepEqual(snap.Variables, wantVariables) {
		t.Errorf("variables\ngot  %+v\nwant %+v", snap.Variables, wantVariables)
	}
	wantJobs := []state.Job{job(300, "t1", state.JobActivatable), retyped}
	if !reflect.DeepEqual(snap.Jobs, wantJobs) {
		t.Errorf("jobs\ngot  %+v\nwant %+v", snap.Jobs, wantJobs)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	var check string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity check: %q, %v", check, err)
	}
	// The indexes of the stable columns find the rows by their new values.
	for _, q := range []struct {
		sql  string
		want int64
	}{
		{"SELECT count(*) FROM element_instances INDEXED BY element_instances_element_id WHERE element_id = 'b2'", 1},
		{"SELECT count(*) FROM element_instances INDEXED BY element_instances_element_id WHERE element_id = 'b'", 0},
		{"SELECT count(*) FROM element_instances INDEXED BY element_instances_element_id WHERE element_id = 'a'", 1},
		{"SELECT count(*) FROM element_instances INDEXED BY process_instances_definition WHERE process_definition_key = 11 AND flow_scope_key = -1", 0},
		{"SELECT count(*) FROM jobs INDEXED BY jobs_type WHERE type = 't2'", 1},
		{"SELECT count(*) FROM jobs INDEXED BY jobs_type WHERE type = 't1'", 1},
		{"SELECT count(*) FROM variables INDEXED BY variables_scope_name WHERE scope_key = 102 AND name = 'y'", 1},
		{"SELECT count(*) FROM variables INDEXED BY variables_scope_name WHERE scope_key = 101 AND name = 'y'", 0},
	} {
		var n int64
		if err := db.QueryRowContext(ctx, q.sql).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
		if n != q.want {
			t.Errorf("%s = %d, want %d", q.sql, n, q.want)
		}
	}
}

func commitOrFail(t *testing.T, s store.Store, c state.Changes) {
	t.Helper()
	if err := s.Commit(context.Background(), &store.Batch{Changes: c}); err != nil {
		t.Fatalf("commit: %v", err)
	}
}
