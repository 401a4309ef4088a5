package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/internal/search"
	"github.com/example/wf-engine/core/store/internal/tables"
)

// Retention (store.Retainer) runs on the read pool's connections, as the
// tables' owner, beside the commits: it deletes finished instances' rows,
// which no commit writes, so it never waits for a commit nor a commit for
// it, except on the pages both touch. What is due, and the order of the
// deletes, is tables.Retention's; here are PostgreSQL's statements.

// retentionRoots deletes the process instance rows that are still
// finished and adds the root ones to the usage counts. Those the usage
// rollup counted (pgstore/usage.go) leave its minutes: it locks the marks
// as the rollup does, so it reads the marks the rows were counted under.
const retentionRoots = `WITH marks AS (
		SELECT partition_id, process_instance_key FROM usage_rollup_marks ORDER BY partition_id FOR SHARE),
	gone AS (
		DELETE FROM element_instances WHERE key = ANY($1) AND ` + tables.FinishedInstances + `
		RETURNING key, tenant_id, start_time, parent_process_instance_key),
	roots AS (
		SELECT g.tenant_id, g.start_time - g.start_time % 60000 AS start_minute,
			EXISTS (SELECT 1 FROM marks m WHERE m.partition_id = g.key >> 51 AND g.key <= m.process_instance_key) AS rolled
		FROM gone g WHERE g.parent_process_instance_key <= 0),
	counted AS (
		INSERT INTO usage_removed_instances (tenant_id, start_minute, instances)
		SELECT tenant_id, start_minute, count(*) FROM roots GROUP BY 1, 2
		ON CONFLICT (tenant_id, start_minute) DO UPDATE SET instances = usage_removed_instances.instances + excluded.instances),
	unrolled AS (
		UPDATE usage_started_instances u SET instances = u.instances - r.n
		FROM (SELECT tenant_id, start_minute, count(*) AS n FROM roots WHERE rolled GROUP BY 1, 2) AS r
		WHERE u.tenant_id = r.tenant_id AND u.start_minute = r.start_minute)
	SELECT key FROM gone`

// retention returns the store's part of store.Retainer.
func (s *Store) retention() tables.Retention {
	return tables.Retention{Fetch: s.fetch, Param: search.Postgres.Param, Remove: s.remove}
}

// RemoveFinished implements store.Retainer.
func (s *Store) RemoveFinished(ctx context.Context, p store.RetentionPolicy, limit int) (store.RemovalResult, error) {
	res, err := s.retention().RemoveFinished(ctx, p, limit)
	if err != nil {
		return store.RemovalResult{}, fmt.Errorf("remove finished instances from postgres store at %s: %w", s.host, err)
	}
	return res, nil
}

// remove deletes the finished instances of keys and their rows in one
// transaction.
func (s *Store) remove(ctx context.Context, keys []int64) (store.RemovalResult, error) {
	var res store.RemovalResult
	err := s.using(func() error {
		start := time.Now()
		defer func() { res.Held = time.Since(start) }()
		return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			gone, err := removeRoots(ctx, tx, keys)
			if err != nil {
				return err
			}
			if err := tables.PauseRemoval(ctx); err != nil {
				return err
			}
			res.Instances, res.Rows = len(gone), len(gone)
			if len(gone) == 0 {
				return nil
			}
			b := &pgx.Batch{}
			b.Queue(tables.FoldAssignments("= ANY($1)"), gone)
			_ = tables.DeleteInstanceRows("= ANY($1)", func(_, query string) error {
				b.Queue(query, gone).Exec(func(tag pgconn.CommandTag) error {
					res.Rows += int(tag.RowsAffected())
					return nil
				})
				return nil
			})
			b.Queue(tables.DeleteClosedRemoteRows("= ANY($1)"), gone).Exec(func(tag pgconn.CommandTag) error {
				res.Rows += int(tag.RowsAffected())
				return nil
			})
			return tx.SendBatch(ctx, b).Close()
		})
	})
	return res, err
}

// removeRoots deletes the process instance rows of keys that are finished
// and returns their keys.
func removeRoots(ctx context.Context, tx pgx.Tx, keys []int64) ([]int64, error) {
	rows, err := tx.Query(ctx, retentionRoots, keys)
	if err != nil {
		return nil, err
	}
	gone, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("delete process instances: %w", err)
	}
	return gone, nil
}

// Overdue implements store.Retainer.
func (s *Store) Overdue(ctx context.Context, p store.RetentionPolicy) (time.Duration, error) {
	worst, err := s.retention().Overdue(ctx, p)
	if err != nil {
		return 0, fmt.Errorf("read the retention backlog of postgres store at %s: %w", s.host, err)
	}
	return worst, nil
}

// Interface guard
var _ store.Retainer = (*Store)(nil)
