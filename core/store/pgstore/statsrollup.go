package pgstore

import (
	"context"
	"fmt"
	"math"

	"github.com/jackc/pgx/v5"

	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/internal/search"
	"github.com/example/wf-engine/core/store/internal/tables"
)

// The element statistics rollup (store.SearchRoller, migration 33).
// element_statistics counts the element instances of finished process
// instances per definition, element id and tenant: a finished instance's
// element instances never change again, so counting them once is exact.
// The rollup walks the process instances of each partition in key order
// above its mark (element_statistics_marks); those not finished yet go to
// element_statistics_pending, which every rollup checks again. It locks
// the usage rollup's sentinel row (usage.go) FOR UPDATE, and retention
// (retention.go) FOR SHARE before it subtracts the counted instances it
// removes, so the two never interleave.
const (
	// statisticsLock is the sentinel row of usage.go.
	statisticsLock = `SELECT 1 FROM usage_rollup_marks WHERE partition_id = -1 FOR UPDATE`
	// statisticsPartitions adds the marks of partitions up to the highest
	// key's, counting nothing yet.
	statisticsPartitions = `INSERT INTO element_statistics_marks (partition_id, process_instance_key)
		SELECT p, (p::bigint << 51) - 1 FROM generate_series(0, (SELECT COALESCE(max(key), 0) FROM element_instances) >> 51) AS p
		ON CONFLICT (partition_id) DO NOTHING`
	statisticsLockMarks = `SELECT partition_id, process_instance_key FROM element_statistics_marks ORDER BY partition_id FOR UPDATE`
	statisticsMarks     = `SELECT partition_id, process_instance_key FROM element_statistics_marks WHERE partition_id >= 0 ORDER BY partition_id`
	statisticsMark      = `UPDATE element_statistics_marks SET process_instance_key = $2 WHERE partition_id = $1`
	// statisticsAdd adds the element instances of the finished process
	// instances in CTE "done" (key, process_definition_key) to the counts.
	statisticsAdd = `counted AS (
			INSERT INTO element_statistics (process_definition_key, element_id, tenant_id, instances, active, canceled, incidents, completed)
			SELECT d.process_definition_key, e.element_id, e.tenant_id, count(*), ` + search.ElementStatisticsSums + `
			FROM done d JOIN element_instances e ON e.process_instance_key = d.key
			WHERE e.flow_scope_key <> -1 AND e.process_instance_key >= (SELECT min(key) FROM done)
				AND e.process_instance_key <= (SELECT max(key) FROM done)
			GROUP BY 1, 2, 3
			ON CONFLICT (process_definition_key, element_id, tenant_id) DO UPDATE SET
				instances = element_statistics.instances + excluded.instances,
				active = element_statistics.active + excluded.active,
				canceled = element_statistics.canceled + excluded.canceled,
				incidents = element_statistics.incidents + excluded.incidents,
				completed = element_statistics.completed + excluded.completed)`
	// statisticsFinishedPending counts up to $1 pending process instances
	// that have finished since and takes them out of pending.
	statisticsFinishedPending = `WITH done AS (
			SELECT p.key, p.process_definition_key FROM element_statistics_pending x
			JOIN element_instances p ON p.key = x.process_instance_key
			WHERE p.flow_scope_key = -1 AND p.instance_state IN ('COMPLETED', 'TERMINATED') LIMIT $1),
		unpended AS (
			DELETE FROM element_statistics_pending WHERE process_instance_key IN (SELECT key FROM done)),
		` + statisticsAdd + `
		SELECT count(*) FROM done`
	// statisticsCount walks the next $3 process instances of one partition
	// above its mark ($1, below $2): the finished ones are counted, the
	// others wait in pending. It returns how many it read and the highest
	// key.
	statisticsCount = `WITH batch AS (
			SELECT key, process_definition_key, instance_state, tenant_id FROM element_instances
			WHERE flow_scope_key = -1 AND key > $1 AND key < $2 ORDER BY key LIMIT $3),
		done AS (
			SELECT key, process_definition_key FROM batch WHERE instance_state IN ('COMPLETED', 'TERMINATED')),
		waiting AS (
			INSERT INTO element_statistics_pending (process_instance_key, tenant_id)
			SELECT key, tenant_id FROM batch WHERE instance_state NOT IN ('COMPLETED', 'TERMINATED')
			ON CONFLICT (process_instance_key) DO NOTHING),
		` + statisticsAdd + `
		SELECT count(*), COALESCE(max(key), 0) FROM batch`
	// statisticsRemoved runs in retention's transaction before it deletes
	// the process instances of $1: of those still finished, it takes the
	// pending ones out of pending and subtracts the counted ones (at or
	// below their partition's mark, not pending) from the counts. The
	// process instance rows are locked, so that a concurrent removal of
	// the same instances subtracts them once.
	statisticsRemoved = `WITH removed AS (
			SELECT key, process_definition_key FROM element_instances WHERE key = ANY($1) AND ` + tables.FinishedInstances + ` FOR UPDATE),
		unpended AS (
			DELETE FROM element_statistics_pending WHERE process_instance_key IN (SELECT key FROM removed) RETURNING process_instance_key),
		done AS (
			SELECT r.key, r.process_definition_key FROM removed r
			WHERE EXISTS (SELECT 1 FROM element_statistics_marks m WHERE m.partition_id = r.key >> 51 AND r.key <= m.process_instance_key)
				AND NOT EXISTS (SELECT 1 FROM unpended u WHERE u.process_instance_key = r.key)),
		gone AS (
			SELECT d.process_definition_key, e.element_id, e.tenant_id, count(*) AS n, ` + statisticsSumsAs + `
			FROM done d JOIN element_instances e ON e.process_instance_key = d.key
			WHERE e.flow_scope_key <> -1 GROUP BY 1, 2, 3)
		UPDATE element_statistics s SET instances = s.instances - g.n, active = s.active - g.a, canceled = s.canceled - g.c,
			incidents = s.incidents - g.i, completed = s.completed - g.d
		FROM gone g
		WHERE s.process_definition_key = g.process_definition_key AND s.element_id = g.element_id AND s.tenant_id = g.tenant_id`
	// statisticsRemovalLock is what retention holds before statisticsRemoved.
	statisticsRemovalLock = `SELECT 1 FROM usage_rollup_marks WHERE partition_id = -1 FOR SHARE`
)

// statisticsSumsAs names search.ElementStatisticsSums' four sums a, c, i, d.
const statisticsSumsAs = `sum(CASE WHEN e.state = 'ACTIVE' AND e.incident_key <= 0 THEN 1 ELSE 0 END) AS a, ` +
	`sum(CASE WHEN e.state = 'TERMINATED' THEN 1 ELSE 0 END) AS c, ` +
	`sum(CASE WHEN e.state = 'ACTIVE' AND e.incident_key > 0 THEN 1 ELSE 0 END) AS i, ` +
	`sum(CASE WHEN e.state = 'COMPLETED' THEN 1 ELSE 0 END) AS d`

// RollUpSearches implements store.SearchRoller: the start minutes
// (rollUpStartMinutes) and, once they have caught up, the element
// statistics (rollUpStatistics), each up to limit rows.
func (s *Store) RollUpSearches(ctx context.Context, limit int) (int, bool, error) {
	if limit <= 0 {
		return 0, false, nil
	}
	var counted, bounded int
	var more, moreBounds bool
	err := s.using(func() error {
		// One after the other: the statistics only once the start minutes
		// have caught up, so that a long catch-up does not check the
		// statistics' pending instances in every batch.
		var err error
		if bounded, moreBounds, err = s.rollUpStartMinutes(ctx, limit); err != nil {
			return fmt.Errorf("start minutes: %w", err)
		}
		if moreBounds {
			return nil
		}
		if counted, more, err = s.rollUpStatistics(ctx, limit); err != nil {
			return fmt.Errorf("element statistics: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, false, fmt.Errorf("roll up searches at %s: %w", s.host, err)
	}
	return counted + bounded, more || moreBounds, nil
}

// rollUpStatistics counts up to limit process instances above the marks,
// partition by partition, and then, with what is left of limit, the
// pending process instances that have finished, in one transaction.
func (s *Store) rollUpStatistics(ctx context.Context, limit int) (int, bool, error) {
	counted := 0
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, statisticsLock); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, statisticsPartitions)
		return err
	})
	if err != nil {
		return 0, false, fmt.Errorf("add partitions: %w", err)
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, statisticsLock); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		var err error
		if counted, err = rollUpAboveMarks(ctx, tx, limit, statisticsLockMarks, statisticsCount, statisticsMark, nil); err != nil {
			return err
		}
		// The pending instances are checked once the marks have caught
		// up, not in every batch of a long catch-up: each check reads
		// every pending (live) instance.
		if counted >= limit {
			return nil
		}
		var finished int64
		if err := tx.QueryRow(ctx, statisticsFinishedPending, limit-counted).Scan(&finished); err != nil {
			return fmt.Errorf("count the pending instances that finished: %w", err)
		}
		counted += int(finished)
		return nil
	})
	if err != nil {
		return 0, false, err
	}
	return counted, counted >= limit, nil
}

// The start minutes (migration 33): per partition and start minute the
// lowest and highest element instance key started in it, up to a key per
// partition (element_start_marks). Keys grow in commit order within a
// partition and a row's start time never changes, so every row at or
// below the mark lies in its minute's range; removals only widen it.
const (
	startPartitions = `INSERT INTO element_start_marks (partition_id, element_instance_key)
		SELECT p, (p::bigint << 51) - 1 FROM generate_series(0, (SELECT COALESCE(max(key), 0) FROM element_instances) >> 51) AS p
		ON CONFLICT (partition_id) DO NOTHING`
	startLockMarks = `SELECT partition_id, element_instance_key FROM element_start_marks ORDER BY partition_id FOR UPDATE`
	startMarks     = `SELECT partition_id, element_instance_key FROM element_start_marks WHERE partition_id >= 0 ORDER BY partition_id`
	startMark      = `UPDATE element_start_marks SET element_instance_key = $2 WHERE partition_id = $1`
	// startCount bounds the next $3 element instances of partition $4
	// above its mark ($1, below $2) by start minute and returns how many it
	// read and the highest key.
	startCount = `WITH batch AS (
			SELECT key, start_time - ((start_time % 60000) + 60000) % 60000 AS start_minute FROM element_instances
			WHERE key > $1 AND key < $2 ORDER BY key LIMIT $3),
		bounded AS (
			INSERT INTO element_start_minutes (partition_id, start_minute, min_key, max_key)
			SELECT $4, start_minute, min(key), max(key) FROM batch GROUP BY start_minute
			ON CONFLICT (partition_id, start_minute) DO UPDATE SET
				min_key = LEAST(element_start_minutes.min_key, excluded.min_key),
				max_key = GREATEST(element_start_minutes.max_key, excluded.max_key))
		SELECT count(*), COALESCE(max(key), 0) FROM batch`
	// startRanges returns, per partition, the lowest and highest key
	// started in the minutes from $1 to $2.
	startRanges = `SELECT partition_id, min(min_key), max(max_key) FROM element_start_minutes
		WHERE start_minute >= $1 AND start_minute <= $2 GROUP BY partition_id ORDER BY partition_id`
)

// rollUpStartMinutes bounds up to limit element instances above the
// marks, partition by partition, in one transaction.
func (s *Store) rollUpStartMinutes(ctx context.Context, limit int) (int, bool, error) {
	bounded := 0
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, statisticsLock); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		if _, err := tx.Exec(ctx, startPartitions); err != nil {
			return fmt.Errorf("add partitions: %w", err)
		}
		var err error
		bounded, err = rollUpAboveMarks(ctx, tx, limit, startLockMarks, startCount, startMark, func(partition int64) []any { return []any{partition} })
		return err
	})
	if err != nil {
		return 0, false, err
	}
	return bounded, bounded >= limit, nil
}

// startKeys implements search.StartKeys from the start minutes: per
// partition the keys of the minutes from's to to's, and every key above
// the partition's mark (the last partition's range is open, for
// partitions not rolled up yet). Read before the search's snapshot: the
// marks only grow, and whatever was above them then still is in a range.
func (s *Store) startKeys(ctx context.Context, from, to int64) (ranges []search.KeyRange, ok bool, err error) {
	err = s.using(func() error {
		ranges, ok, err = s.readStartKeys(ctx, from, to)
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("read the start minutes at %s: %w", s.host, err)
	}
	return ranges, ok, nil
}

func (s *Store) readStartKeys(ctx context.Context, from, to int64) ([]search.KeyRange, bool, error) {
	tx, err := s.pool.BeginTx(ctx, readOnly)
	if err != nil {
		return nil, false, err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	rows, err := tx.Query(ctx, startMarks)
	if err != nil {
		return nil, false, err
	}
	marks, err := pgx.CollectRows(rows, pgx.RowToStructByPos[search.UsageMark])
	if err != nil {
		return nil, false, fmt.Errorf("read the start marks: %w", err)
	}
	if len(marks) == 0 {
		return nil, false, nil
	}
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	if from > math.MinInt64 {
		lo = search.MinuteOf(from)
	}
	if to < math.MaxInt64 {
		hi = search.MinuteOf(to)
	}
	if lo > hi {
		return []search.KeyRange{}, true, nil
	}
	rows, err = tx.Query(ctx, startRanges, lo, hi)
	if err != nil {
		return nil, false, err
	}
	type bounds struct{ Partition, Min, Max int64 }
	found, err := pgx.CollectRows(rows, pgx.RowToStructByPos[bounds])
	if err != nil {
		return nil, false, fmt.Errorf("read the start minutes: %w", err)
	}
	var out []search.KeyRange
	for i, m := range marks {
		above := search.KeyRange{From: m.Key + 1, To: (m.Partition+1)<<search.KeyPartitionShift - 1}
		if i == len(marks)-1 {
			above.To = -1
		}
		for _, b := range found {
			if b.Partition != m.Partition {
				continue
			}
			if b.Max >= m.Key {
				// Adjacent to the keys above the mark: one range.
				above.From = b.Min
				continue
			}
			out = append(out, search.KeyRange{From: b.Min, To: b.Max})
		}
		out = append(out, above)
	}
	return out, true, nil
}

// removeStatistics keeps the element statistics rollup exact while
// retention removes keys' process instances (in retention's transaction,
// before their rows are deleted).
func removeStatistics(ctx context.Context, tx pgx.Tx, keys []int64) error {
	if _, err := tx.Exec(ctx, statisticsRemovalLock); err != nil {
		return fmt.Errorf("lock the statistics rollup: %w", err)
	}
	if _, err := tx.Exec(ctx, statisticsRemoved, keys); err != nil {
		return fmt.Errorf("subtract removed instances from the element statistics: %w", err)
	}
	return nil
}

// Interface guard
var _ store.SearchRoller = (*Store)(nil)
