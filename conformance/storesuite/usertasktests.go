package storesuite

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/memstore"
)

func taskRow(key int64, s state.UserTaskState, live bool, assignee string, groups, users []string, pi int64, priority int32, created int64, due, follow string) state.UserTaskRow {
	return state.UserTaskRow{Live: live, UserTask: state.UserTask{Key: key, State: s, Value: record.UserTaskValue{
		ElementID: "review", ElementInstanceKey: pi + 1, ProcessInstanceKey: pi, ProcessDefinitionKey: 10, ProcessDefinitionVersion: 1,
		BPMNProcessID: "order", Assignee: assignee, CandidateGroups: groups, CandidateUsers: users, DueDate: due, FollowUpDate: follow,
		Priority: priority, CustomHeaders: map[string]string{}, CreationTimestamp: epoch + created, TenantID: record.DefaultTenant}}}
}

// userTaskSearches runs user task searches over hand-made tasks, against
// the store and against memstore with the same rows.
func (s *suite) userTaskSearches(t *testing.T) {
	st := s.store(t)
	ref := memstore.New(memstore.Options{})
	rows := []state.UserTaskRow{
		taskRow(600, state.UserTaskCreated, true, "anna", []string{"sales", "ops"}, []string{"bob"}, 100, 50, t1, "2026-03-01T10:00:00Z", ""),
		taskRow(601, state.UserTaskCreated, true, "", []string{}, nil, 130, 80, t2, "2026-03-01T09:00:00+02:00", "2026-02-01T00:00:00Z"),
		taskRow(602, state.UserTaskCompleted, false, "bob", []string{"ops"}, []string{"anna", "bob"}, 110, 20, t3, "not a date", ""),
	}
	b := &store.Batch{Changes: state.Changes{UserTasks: rows, LastKey: 700, LastPosition: 1}}
	commit(t, st, b)
	commit(t, ref, b)
	q, ok := st.(store.UserTaskQuerier)
	if !ok {
		t.Fatalf("%T does not implement store.UserTaskQuerier", st)
	}
	ctx := context.Background()
	eq := store.OpEq
	cases := []struct {
		name  string
		conds []store.Condition
		sort  []store.SortField
		want  []int64
	}{
		{"all", nil, nil, []int64{600, 601, 602}},
		{"in a group", []store.Condition{c("candidateGroup", eq, "ops")}, nil, []int64{600, 602}},
		{"not in a group, empty lists included", []store.Condition{c("candidateGroup", store.OpNeq, "ops")}, nil, []int64{601}},
		{"with groups", []store.Condition{c("candidateGroup", store.OpExists, true)}, nil, []int64{600, 602}},
		{"without groups", []store.Condition{c("candidateGroup", store.OpExists, false)}, nil, []int64{601}},
		{"one of the users", []store.Condition{c("candidateUser", store.OpIn, []string{"anna", "zed"})}, nil, []int64{602}},
		{"none of the users", []store.Condition{c("candidateUser", store.OpNotIn, []string{"bob"})}, nil, []int64{601}},
		{"group like", []store.Condition{c("candidateGroup", store.OpLike, "s*")}, nil, []int64{600}},
		{"unassigned", []store.Condition{c("assignee", store.OpExists, false)}, nil, []int64{601}},
		{"assigned to anna", []store.Condition{c("assignee", eq, "anna")}, nil, []int64{600}},
		{"open", []store.Condition{c("state", eq, "CREATED")}, nil, []int64{600, 601}},
		{"completed", []store.Condition{c("state", eq, "COMPLETED")}, nil, []int64{602}},
		{"due before, with offsets", []store.Condition{c("dueDate", store.OpLt, "2026-03-01T08:00:00Z")}, nil, []int64{601}},
		{"without a due date", []store.Condition{c("dueDate", store.OpExists, false)}, nil, []int64{602}},
		{"with a follow-up date", []store.Condition{c("followUpDate", store.OpExists, true)}, nil, []int64{601}},
		{"urgent", []store.Condition{c("priority", store.OpGte, 50)}, nil, []int64{600, 601}},
		{"created after", []store.Condition{c("creationDate", store.OpGt, at(t1))}, nil, []int64{601, 602}},
		{"no completion date known", []store.Condition{c("completionDate", store.OpExists, false)}, nil, []int64{600, 601, 602}},
		{"of an instance", []store.Condition{c("processInstanceKey", eq, 130), c("processDefinitionId", eq, "order"), c("elementId", eq, "review")}, nil, []int64{601}},
		{"by priority", nil, []store.SortField{{Field: "priority", Desc: true}}, []int64{601, 600, 602}},
		{"by due date", nil, []store.SortField{{Field: "dueDate"}}, []int64{602, 601, 600}},
	}
	for _, tc := range cases {
		query := store.Query{Conditions: tc.conds, Sort: tc.sort}
		got, err := q.SearchUserTasks(ctx, query)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		var keys []int64
		for _, it := range got.Items {
			keys = append(keys, it.UserTaskKey)
		}
		if !slices.Equal(keys, tc.want) || got.Total != int64(len(tc.want)) {
			t.Errorf("%s: got %v (total %d), want %v", tc.name, keys, got.Total, tc.want)
		}
		want, err := ref.SearchUserTasks(ctx, query)
		if err != nil {
			t.Fatalf("%s on memstore: %v", tc.name, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s differs from memstore:\ngot  %+v\nwant %+v", tc.name, got, want)
		}
	}
	first, err := q.SearchUserTasks(ctx, store.Query{Conditions: []store.Condition{c("userTaskKey", eq, 600)}})
	if err != nil || len(first.Items) != 1 {
		t.Fatalf("task 600: %v %+v", err, first)
	}
	wantTask := store.UserTask{UserTaskKey: 600, State: "CREATED", Assignee: "anna", CandidateGroups: []string{"sales", "ops"},
		CandidateUsers: []string{"bob"}, ProcessInstanceKey: 100, ProcessDefinitionKey: 10, ProcessDefinitionID: "order",
		ProcessDefinitionVer: 1, ElementID: "review", ElementInstanceKey: 101, Priority: 50, CustomHeaders: map[string]string{},
		CreationDate: at(t1), DueDate: "2026-03-01T10:00:00Z", TenantID: "<default>"}
	if !reflect.DeepEqual(first.Items[0], wantTask) {
		t.Errorf("task 600:\ngot  %+v\nwant %+v", first.Items[0], wantTask)
	}
	page, err := q.SearchUserTasks(ctx, store.Query{Limit: 2, Sort: []store.SortField{{Field: "creationDate", Desc: true}}})
	if err != nil || len(page.Items) != 2 {
		t.Fatalf("first page: %v %+v", err, page)
	}
	next, err := q.SearchUserTasks(ctx, store.Query{Limit: 2, Sort: []store.SortField{{Field: "creationDate", Desc: true}}, After: page.EndCursor})
	if err != nil || len(next.Items) != 1 || next.Items[0].UserTaskKey != 600 {
		t.Fatalf("second page: %v %+v", err, next)
	}
	var qe *store.QueryError
	if _, err := q.SearchUserTasks(ctx, store.Query{Sort: []store.SortField{{Field: "candidateGroup"}}}); !errors.As(err, &qe) {
		t.Errorf("sort by a list: got %v, want a *store.QueryError", err)
	}
	if _, err := q.SearchUserTasks(ctx, store.Query{Conditions: []store.Condition{c("candidateGroup", store.OpGt, "a")}}); !errors.As(err, &qe) {
		t.Errorf("$gt on a list: got %v, want a *store.QueryError", err)
	}
}
