package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/internal/search"
	"github.com/example/wf-engine/core/store/internal/tables"
)

// Retention (store.Retainer) selects what is due on the read pool, then
// deletes one batch in one transaction on the writer connection between
// commits (as documents are written): a batch delays the next commit by
// its duration, so core/retention keeps batches to a few milliseconds.

const (
	retentionProcesses = `SELECT DISTINCT bpmn_process_id FROM process_definitions ORDER BY 1`
	retentionDue       = `SELECT key, end_time FROM element_instances WHERE ` + tables.FinishedInstances + `
		AND bpmn_process_id = ? AND end_time > 0 AND end_time < ? ORDER BY key LIMIT ?`
	retentionRoots = `DELETE FROM element_instances WHERE key IN (SELECT value FROM json_each(?)) AND ` + tables.FinishedInstances + `
		RETURNING key, tenant_id, start_time, parent_process_instance_key`
	retentionUsage = `INSERT INTO usage_removed_instances (tenant_id, start_minute, instances) VALUES (?, ?, ?)
		ON CONFLICT (tenant_id, start_minute) DO UPDATE SET instances = instances + excluded.instances`
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
	rows, err := s.r.QueryContext(ctx, retentionProcesses)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			_ = rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	if err := closeRows(rows); err != nil {
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
		rows, err := s.r.QueryContext(ctx, retentionDue, id, c.UnixMilli(), m)
		if err != nil {
			return err
		}
		for rows.Next() {
			var key, end int64
			if err := rows.Scan(&key, &end); err != nil {
				_ = rows.Close()
				return err
			}
			fn(id, key, end)
			n++
		}
		if err := closeRows(rows); err != nil {
			return err
		}
	}
	return nil
}

func closeRows(rows *sql.Rows) error {
	err := rows.Err()
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	return err
}

// jsonKeys is keys as a JSON array, for json_each.
func jsonKeys(keys []int64) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(k, 10))
	}
	b.WriteByte(']')
	return b.String()
}

// RemoveFinished implements store.Retainer.
func (s *Store) RemoveFinished(ctx context.Context, p store.RetentionPolicy, limit int) (store.RemovalResult, error) {
	var res store.RemovalResult
	if limit <= 0 {
		return res, nil
	}
	var keys []int64
	err := s.guard(func() error {
		if err := s.due(ctx, p, limit, 0, func(_ string, key, _ int64) { keys = append(keys, key) }); err != nil {
			return fmt.Errorf("select: %w", err)
		}
		return nil
	})
	if err == nil && len(keys) > 0 {
		res.More = len(keys) == limit
		// The writer first, then the store's guard, as commits and
		// documents take them.
		s.wmu.Lock()
		err = s.guard(func() error {
			start := time.Now()
			n, rows, err := s.remove(ctx, keys)
			res.Instances, res.Rows, res.Held = n, rows, time.Since(start)
			return err
		})
		s.wmu.Unlock()
	}
	if err != nil {
		return store.RemovalResult{}, fmt.Errorf("remove finished instances from %s: %w", s.path, err)
	}
	return res, nil
}

// remove deletes the finished instances of keys and their rows in one
// transaction on the writer; the caller holds wmu.
func (s *Store) remove(ctx context.Context, keys []int64) (instances, rows int, err error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	q, err := tx.QueryContext(ctx, retentionRoots, jsonKeys(keys))
	if err != nil {
		return 0, 0, fmt.Errorf("delete process instances: %w", err)
	}
	var gone []int64
	usage := map[search.UsageBucket]int64{}
	for q.Next() {
		var key, start, parent int64
		var tenant string
		if err := q.Scan(&key, &tenant, &start, &parent); err != nil {
			_ = q.Close()
			return 0, 0, err
		}
		gone = append(gone, key)
		if parent <= 0 {
			usage[search.UsageBucket{TenantID: tenant, StartMinute: search.MinuteOf(start)}]++
		}
	}
	if err := closeRows(q); err != nil {
		return 0, 0, fmt.Errorf("delete process instances: %w", err)
	}
	if removalPause != "" {
		if err := os.WriteFile(removalPause, nil, 0o600); err != nil {
			return 0, 0, err
		}
		<-ctx.Done()
		return 0, 0, ctx.Err()
	}
	rows = len(gone)
	for b, n := range usage {
		if _, err := tx.ExecContext(ctx, retentionUsage, b.TenantID, b.StartMinute, n); err != nil {
			return 0, 0, fmt.Errorf("count usage: %w", err)
		}
	}
	if len(gone) > 0 {
		arg := jsonKeys(gone)
		for _, t := range tables.InstanceTables {
			// #nosec G202 -- t is a constant table name of tables.InstanceTables
			r, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE process_instance_key IN (SELECT value FROM json_each(?))`, arg)
			if err != nil {
				return 0, 0, fmt.Errorf("delete from %s: %w", t, err)
			}
			n, err := r.RowsAffected()
			if err != nil {
				return 0, 0, err
			}
			rows += int(n)
		}
	}
	if err := tx.Commit(); err != nil {
		_, _ = s.w.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		return 0, 0, err
	}
	return len(gone), rows, nil
}

// Overdue implements store.Retainer.
func (s *Store) Overdue(ctx context.Context, p store.RetentionPolicy) (time.Duration, error) {
	var worst time.Duration
	err := s.guard(func() error {
		return s.due(ctx, p, 1<<30, 1, func(id string, _, end int64) {
			if d := p.CutoffOf(id).Sub(time.UnixMilli(end)); d > worst {
				worst = d
			}
		})
	})
	if err != nil {
		return 0, fmt.Errorf("read the retention backlog of %s: %w", s.path, err)
	}
	return worst, nil
}

// Interface guard
var _ store.Retainer = (*Store)(nil)
