package storesuite

import (
	"context"
	"reflect"
	"testing"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
)

func form(key int64, id string, version int32) record.FormValue {
	return record.FormValue{FormID: id, Version: version, FormKey: key, ResourceName: id + ".form",
		Resource: []byte(`{"id":"` + id + `"}`), Checksum: "f" + id, DeploymentKey: 1, TenantID: record.DefaultTenant}
}

// deletedRowsStay checks resource deletion's rows: a deleted definition or
// form leaves Load's live rows and the searches, loads among the deleted
// ones (whose versions are never reused), and a row created and deleted
// in one batch is stored deleted.
func (s *suite) deletedRowsStay(t *testing.T) {
	st := s.store(t)
	commit(t, st, &store.Batch{Changes: state.Changes{
		Processes: []record.ProcessValue{process(10, "p", 1), process(11, "p", 2)},
		Forms:     []record.FormValue{form(20, "f", 1), form(21, "f", 2)},
		LastKey:   21, LastPosition: 2,
	}})
	commit(t, st, &store.Batch{Changes: state.Changes{
		Processes:        []record.ProcessValue{process(12, "q", 1)},
		DeletedProcesses: []record.ProcessValue{process(11, "p", 2), process(12, "q", 1)},
		DeletedForms:     []record.FormValue{form(21, "f", 2)},
		LastKey:          22, LastPosition: 4,
	}})
	snap := snapshot(t, st)
	want := &state.Snapshot{LastKey: 22, LastPosition: 4,
		Processes: []record.ProcessValue{process(10, "p", 1)}, Forms: []record.FormValue{form(20, "f", 1)},
		DeletedProcesses: []record.ProcessValue{process(11, "p", 2), process(12, "q", 1)},
		DeletedForms:     []record.FormValue{form(21, "f", 2)}}
	if !reflect.DeepEqual(snap, want) {
		t.Fatalf("loaded snapshot:\ngot  %#v\nwant %#v", snap, want)
	}
	restored := restore(t, snap)
	if v := restored.LastVersion(record.DefaultTenant, "p"); v != 2 {
		t.Fatalf("restored highest version of p = %d, want 2 (the deleted version counts)", v)
	}
	if v := restored.LastFormVersion(record.DefaultTenant, "f"); v != 2 {
		t.Fatalf("restored highest version of form f = %d, want 2", v)
	}
	page, err := querier(t, st).SearchProcessDefinitions(context.Background(), store.Query{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 || page.Items[0].ProcessDefinitionKey != 10 || !page.Items[0].Latest {
		t.Fatalf("definitions found after deleting 11 and 12: %+v, want only 10, as the latest version", page.Items)
	}
	latest := store.Query{Conditions: []store.Condition{{Field: "isLatestVersion", Op: store.OpEq, Value: true}}, Limit: 10}
	if page, err = querier(t, st).SearchProcessDefinitions(context.Background(), latest); err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 || page.Items[0].ProcessDefinitionKey != 10 {
		t.Fatalf("latest definitions after deleting version 2: %+v, want version 1", page.Items)
	}
}
