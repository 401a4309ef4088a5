package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"
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
// What is due, and the order of the deletes, is tables.Retention's; here
// are SQLite's statements.

const (
	retentionRoots = `DELETE FROM element_instances WHERE key IN (SELECT value FROM json_each(?)) AND ` + tables.FinishedInstances + `
		RETURNING key, tenant_id, start_time, parent_process_instance_key`
	retentionUsage = `INSERT INTO usage_removed_instances (tenant_id, start_minute, instances) VALUES (?, ?, ?)
		ON CONFLICT (tenant_id, start_minute) DO UPDATE SET instances = instances + excluded.instances`
)

// retention returns the store's part of store.Retainer.
func (s *Store) retention() tables.Retention {
	return tables.Retention{Fetch: s.fetch, Param: search.SQLite.Param, Remove: s.removeBatch}
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
	res, err := s.retention().RemoveFinished(ctx, p, limit)
	if err != nil {
		return store.RemovalResult{}, fmt.Errorf("remove finished instances from %s: %w", s.path, err)
	}
	return res, nil
}

// removeBatch removes one batch on the writer: the writer first, then the
// store's guard, as commits and documents take them.
func (s *Store) removeBatch(ctx context.Context, keys []int64) (store.RemovalResult, error) {
	var res store.RemovalResult
	s.wmu.Lock()
	defer s.wmu.Unlock()
	err := s.guard(func() error {
		start := time.Now()
		n, rows, err := s.remove(ctx, keys)
		res.Instances, res.Rows, res.Held = n, rows, time.Since(start)
		return err
	})
	return res, err
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
	if err := tables.PauseRemoval(ctx); err != nil {
		return 0, 0, err
	}
	rows = len(gone)
	for b, n := range usage {
		if _, err := tx.ExecContext(ctx, retentionUsage, b.TenantID, b.StartMinute, n); err != nil {
			return 0, 0, fmt.Errorf("count usage: %w", err)
		}
	}
	if len(gone) > 0 {
		arg := jsonKeys(gone)
		in := "IN (SELECT value FROM json_each(?))"
		if _, err := tx.ExecContext(ctx, tables.FoldAssignments(in), arg); err != nil {
			return 0, 0, fmt.Errorf("keep the usage of assignments: %w", err)
		}
		err := tables.DeleteInstanceRows(in, func(t, query string) error {
			r, err := tx.ExecContext(ctx, query, arg)
			if err != nil {
				return fmt.Errorf("delete from %s: %w", t, err)
			}
			n, err := r.RowsAffected()
			if err != nil {
				return err
			}
			rows += int(n)
			return nil
		})
		if err != nil {
			return 0, 0, err
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
	worst, err := s.retention().Overdue(ctx, p)
	if err != nil {
		return 0, fmt.Errorf("read the retention backlog of %s: %w", s.path, err)
	}
	return worst, nil
}

// Interface guard
var _ store.Retainer = (*Store)(nil)
