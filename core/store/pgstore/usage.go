package pgstore

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/internal/search"
)

// The usage rollup (store.UsageRoller, migration 29). usage_rollup_marks
// holds one row per partition (the highest process instance key counted)
// and a sentinel row, partition -1, that every rollup transaction locks
// FOR UPDATE and every retention statement FOR SHARE (retentionRoots): the
// two never interleave, so retention knows which instances it removes were
// counted and subtracts exactly those.
const (
	// usagePartitions adds the rows of partitions up to the highest key's,
	// marked as counting nothing ((p << 51) - 1), in a transaction of its
	// own under the sentinel's lock: a retention statement that started
	// before it sees the rows only once the rollup that counts them has to
	// wait for that statement's transaction.
	usagePartitions = `INSERT INTO usage_rollup_marks (partition_id, process_instance_key)
		SELECT p, (p::bigint << 51) - 1 FROM generate_series(0, (SELECT COALESCE(max(key), 0) FROM element_instances) >> 51) AS p
		ON CONFLICT (partition_id) DO NOTHING`
	usageLockMarks = `SELECT partition_id, process_instance_key FROM usage_rollup_marks ORDER BY partition_id FOR UPDATE`
	// usageCount counts the next $3 process instances of one partition
	// above its mark, by the primary key, and returns how many it read and
	// the highest key.
	usageCount = `WITH batch AS (
			SELECT key, tenant_id, start_time, parent_process_instance_key FROM element_instances
			WHERE flow_scope_key = -1 AND key > $1 AND key < $2 ORDER BY key LIMIT $3),
		counted AS (
			INSERT INTO usage_started_instances (tenant_id, start_minute, instances)
			SELECT tenant_id, start_time - start_time % 60000, count(*) FROM batch
			WHERE parent_process_instance_key <= 0 GROUP BY 1, 2
			ON CONFLICT (tenant_id, start_minute) DO UPDATE SET instances = usage_started_instances.instances + excluded.instances)
		SELECT count(*), COALESCE(max(key), 0) FROM batch`
	usageMark  = `UPDATE usage_rollup_marks SET process_instance_key = $2 WHERE partition_id = $1`
	usageMarks = `SELECT partition_id, process_instance_key FROM usage_rollup_marks WHERE partition_id >= 0 ORDER BY partition_id`
)

// RollUpUsage implements store.UsageRoller: it counts up to limit process
// instances above the marks, partition by partition.
func (s *Store) RollUpUsage(ctx context.Context, limit int) (int, bool, error) {
	if limit <= 0 {
		return 0, false, nil
	}
	counted, more := 0, false
	err := s.using(func() error {
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT 1 FROM usage_rollup_marks WHERE partition_id = -1 FOR UPDATE`); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, usagePartitions)
			return err
		})
		if err != nil {
			return fmt.Errorf("add partitions: %w", err)
		}
		return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			var err error
			counted, err = rollUpAboveMarks(ctx, tx, limit, usageLockMarks, usageCount, usageMark, nil)
			more = counted >= limit
			return err
		})
	})
	if err != nil {
		return 0, false, fmt.Errorf("roll up usage at %s: %w", s.host, err)
	}
	return counted, more, nil
}

// Usage implements store.UsageQuerier. The marks and the counts are read
// in one snapshot, the marks as the owner (the read role reads only the
// tables with tenants), then the counts as a search reads (see read).
func (s *Store) Usage(ctx context.Context, q store.UsageQuery) (map[string]store.Usage, int64, error) {
	var u search.UsageCounts
	err := s.using(func() error {
		tx, err := s.pool.BeginTx(ctx, readOnly)
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
		rows, err := tx.Query(ctx, usageMarks)
		if err != nil {
			return err
		}
		marks, err := pgx.CollectRows(rows, pgx.RowToStructByPos[search.UsageMark])
		if err != nil {
			return fmt.Errorf("read the rollup marks: %w", err)
		}
		if s.opts.ReadRole != "" && q.Tenants != nil {
			if _, err := tx.Exec(ctx, setReader, s.opts.ReadRole, tenantSetting(q.Tenants)); err != nil {
				return err
			}
		}
		st := search.UsageRolledSQL(q, marks, search.Postgres)
		rows, err = tx.Query(ctx, st.SQL, st.Args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := u.ScanUsage(rows.Scan); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, 0, fmt.Errorf("count usage at %s: %w", s.host, err)
	}
	return u.PerTenant, u.Assignees, nil
}

// Interface guard
var _ store.UsageRoller = (*Store)(nil)

// rollUpAboveMarks is one pass of a rollup that follows keys per partition
// (usage, element statistics, start minutes), in tx: it locks the marks
// (lockMarks reads partition and key FOR UPDATE) and, while fewer than
// limit rows were taken, runs count on each partition above its mark,
// with the arguments (mark, the partition's key end, room left) and any
// extra(partition) adds, reading back how many rows it took and the
// highest key, which mark (partition, key) records. It returns how many
// rows it took.
func rollUpAboveMarks(ctx context.Context, tx pgx.Tx, limit int, lockMarks, count, mark string, extra func(partition int64) []any) (int, error) {
	rows, err := tx.Query(ctx, lockMarks)
	if err != nil {
		return 0, err
	}
	marks, err := pgx.CollectRows(rows, pgx.RowToStructByPos[search.UsageMark])
	if err != nil {
		return 0, fmt.Errorf("lock the marks: %w", err)
	}
	taken := 0
	for _, m := range marks {
		if m.Partition < 0 || taken >= limit {
			continue
		}
		args := []any{m.Key, (m.Partition + 1) << search.KeyPartitionShift, limit - taken}
		if extra != nil {
			args = append(args, extra(m.Partition)...)
		}
		var n, last int64
		if err := tx.QueryRow(ctx, count, args...).Scan(&n, &last); err != nil {
			return 0, fmt.Errorf("roll up partition %d: %w", m.Partition, err)
		}
		if n == 0 {
			continue
		}
		if _, err := tx.Exec(ctx, mark, m.Partition, last); err != nil {
			return 0, fmt.Errorf("mark partition %d: %w", m.Partition, err)
		}
		taken += int(n)
	}
	return taken, nil
}
