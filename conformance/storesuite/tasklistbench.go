package storesuite

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
)

// tasklistGroups are the candidate groups of the tasklist bench's tasks;
// the bench's user is in two of them.
var tasklistGroups = []string{"sales", "finance", "ops", "hr", "legal", "it", "support", "marketing", "audit", "board"}

// TasklistQuery is the Tasklist's first page for a user (role user) named
// ann in groups sales and ops: open tasks (state CREATED) that ann is the
// assignee or a candidate of, newest first, 50 to a page, as the API
// builds it (AnyOf is the user's visibility, api/rest's taskVisibility).
func TasklistQuery() store.Query {
	return store.Query{
		Conditions: []store.Condition{{Field: "state", Op: store.OpEq, Value: "CREATED"}},
		AnyOf: []store.Condition{
			{Field: "assignee", Op: store.OpEq, Value: "ann"},
			{Field: "candidateUser", Op: store.OpEq, Value: "ann"},
			{Field: "candidateGroup", Op: store.OpIn, Value: []any{"sales", "ops"}},
		},
		Sort:  []store.SortField{{Field: "creationDate", Desc: true}},
		Limit: 50,
	}
}

// SeedTasklist commits open user tasks, one a millisecond apart, and as
// many completed ones (history the search must skip): each has one of ten
// candidate groups, every third an assignee among a hundred users (ann
// among them), every seventh ann as a candidate user.
func SeedTasklist(tb testing.TB, st store.Store, open int) {
	tb.Helper()
	const batch = 1000
	var rows []state.UserTaskRow
	flush := func(last int64) {
		if len(rows) == 0 {
			return
		}
		if err := st.Commit(context.Background(), &store.Batch{Changes: state.Changes{UserTasks: rows, LastKey: last, LastPosition: last}}); err != nil {
			tb.Fatalf("seed user tasks: %v", err)
		}
		rows = nil
	}
	for i := range 2 * open {
		k := int64(100000 + i)
		t := userTask(k, "review")
		t.Value.ProcessInstanceKey, t.Value.ElementInstanceKey = k+1000000, k+2000000
		t.Value.CreationTimestamp = epoch + int64(i)
		t.Value.CandidateGroups = []string{tasklistGroups[i%len(tasklistGroups)]}
		t.Value.CandidateUsers = []string{}
		if i%7 == 0 {
			t.Value.CandidateUsers = []string{"ann", "bob"}
		}
		if i%3 == 0 {
			t.Value.Assignee = fmt.Sprintf("user%d", i%100)
			if i%100 == 0 {
				t.Value.Assignee = "ann"
			}
		}
		live := i%2 == 0 // the odd ones are done
		if !live {
			t.State = state.UserTaskCompleted
			t.Value.CompletionTimestamp = epoch + int64(i) + 1
		}
		rows = append(rows, state.UserTaskRow{UserTask: t, Live: live})
		if len(rows) == batch {
			flush(k)
		}
	}
	flush(int64(100000 + 2*open))
}

// BenchTasklist measures the Tasklist's first page (TasklistQuery) over
// open open user tasks and as many completed ones; one op is one search,
// count included. settle, if not nil, runs after the tasks are stored (a
// database gathers its statistics there, as it would in the background).
// It checks the page once before timing.
func BenchTasklist(b *testing.B, st store.Store, open int, settle func()) {
	b.Helper()
	q, ok := st.(store.UserTaskQuerier)
	if !ok {
		b.Fatalf("%T cannot search user tasks", st)
	}
	SeedTasklist(b, st, open)
	if settle != nil {
		settle()
	}
	ctx := context.Background()
	page, err := q.SearchUserTasks(ctx, TasklistQuery())
	if err != nil {
		b.Fatal(err)
	}
	if len(page.Items) != 50 || page.Total < int64(open)/10 || page.Total > int64(open) {
		b.Fatalf("page: %d items of %d", len(page.Items), page.Total)
	}
	if !slices.IsSortedFunc(page.Items, func(x, y store.UserTask) int { return y.CreationDate.Compare(x.CreationDate) }) {
		b.Fatal("the page is not newest first")
	}
	for _, t := range page.Items {
		if t.State != "CREATED" || t.Assignee != "ann" && !slices.Contains(t.CandidateUsers, "ann") &&
			!slices.Contains(t.CandidateGroups, "sales") && !slices.Contains(t.CandidateGroups, "ops") {
			b.Fatalf("task %d does not belong on ann's page: %+v", t.UserTaskKey, t)
		}
	}
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		if _, err := q.SearchUserTasks(ctx, TasklistQuery()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms/page")
	b.ReportMetric(float64(page.Total), "matching")
}
