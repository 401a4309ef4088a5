package pgstore

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/internal/tables"
)

// Partitions share the tables (migration 31, docs/scaling.md): partition
// p's log is the positions ((p - 1) << 51) | n of log and log_segments, its
// counters are meta's row p, its chain anchor log_anchor's row p, its
// recovery marker recovery's row p, its checkpoints those in its positions,
// and it owns the rows of the per-instance tables keyed (p << 51) | n. A
// partition's view is a Store of its own that shares the store's read
// pool: its queries read its part (tables.Part), its commits go through
// its own writer connection, with its own prepared statements, hash chain
// and highest key, so that partitions commit in parallel. Partition 1 of a
// store that keeps one partition reads and writes exactly what the store
// does.

// views are a store's partition views.
type views struct {
	mu    sync.Mutex
	count int32 // the partition count kept (KeepPartitions); 0 until asked
	m     map[int32]*Store
}

// setCount records the partition count the store keeps.
func (v *views) setCount(n int32) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.count = n
}

// Partition implements store.Partitioned. Call KeepPartitions (through
// store.CheckPartitions) first; before it, only partition 1 exists.
func (s *Store) Partition(p int32) (store.Store, error) {
	if s.base != nil {
		return s.base.Partition(p)
	}
	if err := s.using(func() error { return nil }); err != nil {
		return nil, err
	}
	s.views.mu.Lock()
	defer s.views.mu.Unlock()
	count := max(s.views.count, 1)
	if err := store.CheckPartition(p, count); err != nil {
		return nil, fmt.Errorf("postgres store at %s: %w", s.host, err)
	}
	if v := s.views.m[p]; v != nil && !v.isClosed() {
		if v.part.Count != count {
			return nil, fmt.Errorf("postgres store at %s: partition %d was opened as one of %d before the store kept %d partitions", s.host, p, v.part.Count, count)
		}
		return v, nil
	}
	part := tables.Part{P: p, Count: count}
	cfg := s.writer.Config()
	if part.Split() {
		cfg.AfterConnect = prepareStatementsOf(part.ID())
	}
	writer, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		return nil, fmt.Errorf("open partition %d of postgres store at %s: %w", p, s.host, err)
	}
	v := &Store{pool: s.pool, writer: writer, host: s.host, opts: s.opts, maxKey: -1, part: part, base: s, extra: s.extra}
	if s.views.m == nil {
		s.views.m = map[int32]*Store{}
	}
	s.views.m[p] = v
	return v, nil
}

// isClosed reports whether s was closed.
func (s *Store) isClosed() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.closed
}

// closeViews closes the store's partition views.
func (s *Store) closeViews() {
	s.views.mu.Lock()
	defer s.views.mu.Unlock()
	for _, v := range s.views.m {
		_ = v.Close()
	}
	s.views.m = nil
}

// metaStatement is the commit's meta update (wf_meta) of meta's row id.
func metaStatement(id int32) string {
	return fmt.Sprintf("UPDATE meta SET last_key = $1, last_position = $2 WHERE id = %d", id)
}

// prepareStatementsOf prepares the commit statements of partition id on a
// new writer connection: prepareStatements' with wf_meta naming the
// partition's meta row.
func prepareStatementsOf(id int32) func(context.Context, *pgx.Conn) error {
	return func(ctx context.Context, conn *pgx.Conn) error {
		for name, sql := range statements {
			if name == "wf_meta" {
				sql = metaStatement(id)
			}
			if _, err := conn.PgConn().Prepare(ctx, name, sql, nil); err != nil {
				return fmt.Errorf("prepare %s: %w", name, err)
			}
		}
		return nil
	}
}

// own returns the batch whose rows the store writes: the rows its
// partition owns (store.OwnChanges); b itself for a store of one
// partition.
func (s *Store) own(b *store.Batch) *store.Batch {
	if b == nil || !s.part.Split() || b.Prepared != nil {
		return b
	}
	return &store.Batch{Records: b.Records, Changes: store.OwnChanges(b.Changes, s.part.P, s.part.Count)}
}

// keepPartitionRows inserts the meta, log_anchor and recovery rows of
// partitions 2..n that do not exist yet: meta's with the counters of an
// empty partition, recovery's as partition 1's marker stands.
const keepPartitionRows = `WITH m AS (
	INSERT INTO meta (id, last_key, last_position)
	SELECT g, g::bigint << 51, (g::bigint - 1) << 51 FROM generate_series(2, $1::int) g
	ON CONFLICT (id) DO NOTHING
), a AS (
	INSERT INTO log_anchor (id, position, hash)
	SELECT g, 0, NULL FROM generate_series(2, $1::int) g
	ON CONFLICT (id) DO NOTHING
)
INSERT INTO recovery (id, pending, identity)
SELECT g, r.pending, r.identity FROM generate_series(2, $1::int) g, recovery r WHERE r.id = 1
ON CONFLICT (id) DO NOTHING`

// maxKeyQueryOf is maxKeyQuery for a part: the highest key it owns.
func maxKeyQueryOf(part tables.Part) string {
	if !part.Split() {
		return maxKeyQuery
	}
	parts := make([]string, len(tables.State))
	for i, t := range tables.State {
		k := t.Columns[0].Name
		parts[i] = "(SELECT max(" + k + ") FROM " + t.Name + " WHERE " + part.Keys(k) + ")"
	}
	return "SELECT coalesce(greatest(" + strings.Join(parts, ", ") + "), 0)"
}

// logQueriesOf is logQueries for a part: its positions only.
func logQueriesOf(part tables.Part) tables.LogQueries {
	if !part.Split() {
		return logQueries
	}
	return tables.LogQueries{
		Records:  tables.Log.Select("WHERE position >= $1" + part.AndPositions("position") + " ORDER BY position LIMIT $2"),
		Segments: tables.LogSegments.Select("WHERE last_position >= $1" + part.AndPositions("last_position") + " ORDER BY first_position LIMIT $2"),
		Anchor:   part.AnchorQuery(),
	}
}

// chainQueriesOf is chainQueries for a part.
func chainQueriesOf(part tables.Part) tables.ChainQueries {
	if !part.Split() {
		return chainQueries
	}
	return tables.ChainQueries{
		Segments: "SELECT first_position, last_position, data, hash FROM log_segments WHERE first_position >= $1" +
			part.AndPositions("first_position") + " ORDER BY first_position LIMIT $2",
		End:    part.ChainEnd(),
		Anchor: part.AnchorQuery(),
		Start:  part.Start(),
	}
}

// Interface guard
var _ store.Partitioned = (*Store)(nil)
