package pgstore

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/internal/search"
)

func run[T any](ctx context.Context, s *Store, e *search.Entity[T], q store.Query) (store.Page[T], error) {
	page, err := search.ReadByStart(ctx, e, q, search.Postgres, s.read, s.startKeys)
	if err != nil {
		return page, fmt.Errorf("search %s at %s: %w", e.Name, s.host, err)
	}
	return page, nil
}

// read implements search.Reader in one read-only snapshot. The snapshot's
// BEGIN, the switch to the read role (see readrole.go) and both statements
// go to the server in one batch: one round trip, and one more for the
// rollback. A search restricted to tenants switches to the read role when
// Options.ReadRole is set; an unrestricted one (tenants nil) reads as the
// owner, since the policies would let every row through ("*") and only cost
// time.
func (s *Store) read(ctx context.Context, tenants []string, count, page search.Statement, row func(func(...any) error) error) (total int64, err error) {
	err = s.using(func() error {
		b := &pgx.Batch{}
		b.BeginTx(readOnly)
		if s.opts.ReadRole != "" && tenants != nil {
			b.Queue(setReader, s.opts.ReadRole, tenantSetting(tenants))
		}
		b.Queue(count.SQL, count.Args...).QueryRow(func(r pgx.Row) error { return r.Scan(&total) })
		b.Queue(page.SQL, page.Args...).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				if err := row(rows.Scan); err != nil {
					return err
				}
			}
			return rows.Err()
		})
		br := s.pool.SendBatch(ctx, b)
		// The rollback ends the snapshot, the role and the setting with it,
		// and gives the connection back to the pool.
		defer func() { _ = br.Tx().Rollback(context.WithoutCancel(ctx)) }()
		return br.Close()
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
