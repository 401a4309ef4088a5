package pgstore

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/internal/tables"
)

// Retention (store.Retainer) runs on the read pool's connections, as the
// tables' owner, beside the commits: it deletes finished instances' rows,
// which no commit writes, so it never waits for a commit nor a commit for
// it, except on the pages both touch.

const (
	retentionProcesses = `SELECT DISTINCT bpmn_process_id FROM process_definitions ORDER BY 1`
	retentionDue       = `SELECT key, end_time FROM element_instances WHERE ` + tables.FinishedInstances + `
		AND bpmn_process_id = $1 AND end_time > 0 AND end_time < $2 ORDER BY key LIMIT $3`
	// retentionRoots deletes the process instance rows that are still
	// finished and adds the root ones to the usage counts. Those the usage
	// rollup counted (pgstore/usage.go) leave its minutes: it locks the marks
	// as the rollup does, so it reads the marks the rows were counted under.
	retentionRoots = `WITH marks AS (
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
)

// removalPause, when set (crash tests only), names a file that
// RemoveFinished creates after its first delete, inside the transaction;
// it then waits for its context to end, so that the test can kill the
// process in the middle of a batch.
var removalPause = os.Getenv("WF_TEST_RETENTION_PAUSE")

// due selects up to limit process instances due under p, by process id
// and then key, at most each of one process (0: no bound).
func (s *Store) due(ctx context.Context, p store.RetentionPolicy, limit, each int, fn func(processID string, key, end int64)) error {
	var ids []string
	rows, err := s.pool.Query(ctx, retentionProcesses)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	n := 0
	for _, id := range ids {
		c := p.CutoffOf(id)
		if c.IsZero() || n >= limit {
			continue
		}
		m := limit - n
		if each > 0 {
			m = min(m, each)
		}
		rows, err := s.pool.Query(ctx, retentionDue, id, c.UnixMilli(), m)
		if err != nil {
			return err
		}
		for rows.Next() {
			var key, end int64
			if err := rows.Scan(&key, &end); err != nil {
				rows.Close()
				return err
			}
			fn(id, key, end)
			n++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// RemoveFinished implements store.Retainer.
func (s *Store) RemoveFinished(ctx context.Context, p store.RetentionPolicy, limit int) (store.RemovalResult, error) {
	var res store.RemovalResult
	if limit <= 0 {
		return res, nil
	}
	err := s.using(func() error {
		var keys []int64
		if err := s.due(ctx, p, limit, 0, func(_ string, key, _ int64) { keys = append(keys, key) }); err != nil {
			return fmt.Errorf("select: %w", err)
		}
		if len(keys) == 0 {
			return nil
		}
		res.More = len(keys) == limit
		start := time.Now()
		defer func() { res.Held = time.Since(start) }()
		return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			gone, err := removeRoots(ctx, tx, keys)
			if err != nil {
				return err
			}
			if removalPause != "" {
				if err := os.WriteFile(removalPause, nil, 0o600); err != nil {
					return err
				}
				<-ctx.Done()
				return ctx.Err()
			}
			res.Instances, res.Rows = len(gone), len(gone)
			if len(gone) == 0 {
				return nil
			}
			b := &pgx.Batch{}
			for _, t := range tables.InstanceTables {
				b.Queue(`DELETE FROM `+t+` WHERE process_instance_key = ANY($1)`, gone).Exec(func(tag pgconn.CommandTag) error {
					res.Rows += int(tag.RowsAffected())
					return nil
				})
			}
			return tx.SendBatch(ctx, b).Close()
		})
	})
	if err != nil {
		return store.RemovalResult{}, fmt.Errorf("remove finished instances from postgres store at %s: %w", s.host, err)
	}
	return res, nil
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
	var worst time.Duration
	err := s.using(func() error {
		return s.due(ctx, p, 1<<30, 1, func(id string, _, end int64) {
			if d := p.CutoffOf(id).Sub(time.UnixMilli(end)); d > worst {
				worst = d
			}
		})
	})
	if err != nil {
		return 0, fmt.Errorf("read the retention backlog of postgres store at %s: %w", s.host, err)
	}
	return worst, nil
}

// Interface guard
var _ store.Retainer = (*Store)(nil)
