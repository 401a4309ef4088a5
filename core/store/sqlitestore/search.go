package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/internal/search"
)

func run[T any](ctx context.Context, s *Store, e *search.Entity[T], q store.Query) (store.Page[T], error) {
	p, err := search.Compile(e, q)
	if err != nil {
		return store.Page[T]{}, err
	}
	count, page := p.SQL(search.SQLite)
	var out store.Page[T]
	err = s.guard(func() error {
		tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback() }()
		var total int64
		if err := tx.QueryRowContext(ctx, count.SQL, count.Args...).Scan(&total); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, page.SQL, page.Args...)
		if err != nil {
			return err
		}
		defer func() { _ = rows.Close() }()
		items := make([]T, 0, min(p.Limit(), int(total)))
		for rows.Next() {
			item, err := e.Scan(rows.Scan)
			if err != nil {
				return err
			}
			items = append(items, item)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		out = p.Page(items, total)
		return nil
	})
	if err != nil {
		return store.Page[T]{}, fmt.Errorf("search %s: %w", e.Name, err)
	}
	return out, nil
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
