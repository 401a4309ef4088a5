package pgstore

import (
	"context"

	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/internal/search"
)

// Unfiltered is a store.Querier over a store whose searches lose their own
// tenant condition: the SQL leaves Query.Tenants out, while the snapshot
// still sets them for row-level security. It shows what a search returns
// if the application's filter were dropped.
type Unfiltered struct{ S *Store }

func unfiltered[T any](ctx context.Context, s *Store, e *search.Entity[T], q store.Query) (store.Page[T], error) {
	tenants := q.Tenants
	q.Tenants = nil
	return search.Read(ctx, e, q, search.Postgres, func(ctx context.Context, _ []string, count, page search.Statement, row func(func(...any) error) error) (int64, error) {
		return s.read(ctx, tenants, count, page, row)
	})
}

func (u Unfiltered) SearchProcessDefinitions(ctx context.Context, q store.Query) (store.Page[store.ProcessDefinition], error) {
	return unfiltered(ctx, u.S, search.ProcessDefinitions, q)
}

func (u Unfiltered) SearchProcessInstances(ctx context.Context, q store.Query) (store.Page[store.ProcessInstance], error) {
	return unfiltered(ctx, u.S, search.ProcessInstances, q)
}

func (u Unfiltered) SearchElementInstances(ctx context.Context, q store.Query) (store.Page[store.ElementInstance], error) {
	return unfiltered(ctx, u.S, search.ElementInstances, q)
}

func (u Unfiltered) SearchVariables(ctx context.Context, q store.Query) (store.Page[store.Variable], error) {
	return unfiltered(ctx, u.S, search.Variables, q)
}

func (u Unfiltered) SearchJobs(ctx context.Context, q store.Query) (store.Page[store.Job], error) {
	return unfiltered(ctx, u.S, search.Jobs, q)
}

func (u Unfiltered) SearchIncidents(ctx context.Context, q store.Query) (store.Page[store.Incident], error) {
	return unfiltered(ctx, u.S, search.Incidents, q)
}

func (u Unfiltered) SearchUserTasks(ctx context.Context, q store.Query) (store.Page[store.UserTask], error) {
	return unfiltered(ctx, u.S, search.UserTasks, q)
}

// Interface guards
var (
	_ store.Querier         = Unfiltered{}
	_ store.UserTaskQuerier = Unfiltered{}
)

// counting reports whether Prepare computes the element counts of the
// instances that start (countdeltas.go).
func (s *Store) counting() bool {
	s.counter.mu.Lock()
	defer s.counter.mu.Unlock()
	return s.counter.instances != nil
}

// countedRows returns how many element instance rows the counter remembers.
func (s *Store) countedRows() int {
	s.counter.mu.Lock()
	defer s.counter.mu.Unlock()
	return len(s.counter.rows)
}
