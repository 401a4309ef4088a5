package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/internal/search"
)

func run[T any](ctx context.Context, s *Store, e *search.Entity[T], q store.Query) (store.Page[T], error) {
	page, err := search.Read(ctx, e, q, search.SQLite, s.read)
	if err != nil {
		return page, fmt.Errorf("search %s: %w", e.Name, err)
	}
	return page, nil
}

// read implements search.Reader in one read-only snapshot. SQLite has no
// row-level security: the statements' own tenant condition is the only
// guard, so tenants is not needed here.
func (s *Store) read(ctx context.Context, _ []string, count, page search.Statement, row func(func(...any) error) error) (total int64, err error) {
	err = s.guard(func() error {
		tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback() }()
		if err := tx.QueryRowContext(ctx, count.SQL, count.Args...).Scan(&total); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, page.SQL, page.Args...)
		if err != nil {
			return err
		}
		defer func() { _ = rows.Close() }()
		for rows.Next() {
			if err := row(rows.Scan); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	return total, err
}

// SearchProcessDefinitions implements store.Querier.
func (s *Store) SearchProcessDefinitions(ctx context.Context, q store.Query) (store.Page[store.ProcessDefinition], error) {
	return run(ctx, s, search.ProcessDefinitions, q)
}

// SearchProcessInstances implements store.Querier.
func (s *Store) SearchProcessInstances(ctx context.Context, q store.Query) (store.Page[store.ProcessInstance], error) {
	return run(ctx, s, search.ProcessInstances, q)
}

// SearchElementInstances implements store.Querier.
func (s *Store) SearchElementInstances(ctx context.Context, q store.Query) (store.Page[store.ElementInstance], error) {
	return run(ctx, s, search.ElementInstances, q)
}

// SearchVariables implements store.Querier.
func (s *Store) SearchVariables(ctx context.Context, q store.Query) (store.Page[store.Variable], error) {
	return run(ctx, s, search.Variables, q)
}

// SearchJobs implements store.Querier.
func (s *Store) SearchJobs(ctx context.Context, q store.Query) (store.Page[store.Job], error) {
	return run(ctx, s, search.Jobs, q)
}

// SearchIncidents implements store.Querier.
func (s *Store) SearchIncidents(ctx context.Context, q store.Query) (store.Page[store.Incident], error) {
	return run(ctx, s, search.Incidents, q)
}

// SearchUserTasks implements store.UserTaskQuerier.
func (s *Store) SearchUserTasks(ctx context.Context, q store.Query) (store.Page[store.UserTask], error) {
	return run(ctx, s, search.UserTasks, q)
}

// SearchMessageSubscriptions implements store.MessageSubscriptionQuerier.
func (s *Store) SearchMessageSubscriptions(ctx context.Context, q store.Query) (store.Page[store.MessageSubscription], error) {
	return run(ctx, s, search.MessageSubscriptions, q)
}

// Interface guards
var _ store.MessageSubscriptionQuerier = (*Store)(nil)
