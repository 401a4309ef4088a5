package pgstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store/internal/tables"
)

var logQueries = tables.LogQueries{
	Records:  tables.Log.Select("WHERE position >= $1 ORDER BY position LIMIT $2"),
	Segments: tables.LogSegments.Select("WHERE last_position >= $1 ORDER BY first_position LIMIT $2"),
}

// ReadLog implements store.Store.
func (s *Store) ReadLog(ctx context.Context, from int64, fn func(*record.Record) error) error {
	if s.part.Split() {
		from = max(from, s.part.Start()+1) // not into the partition before
	}
	err := tables.ReadLog(ctx, from, logQueriesOf(s.part), s.fetch, s.opts.LogArchive, fn)
	if err != nil {
		return fmt.Errorf("%w (postgres at %s)", err, s.host)
	}
	return nil
}

// readOnly is a snapshot that sees every batch committed before it began.
var readOnly = pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}

// maxKeyQuery reads the highest key of any state row: each table's primary
// key answers it from one index page.
var maxKeyQuery = func() string {
	parts := make([]string, len(tables.State))
	for i, t := range tables.State {
		parts[i] = "(SELECT max(" + t.Columns[0].Name + ") FROM " + t.Name + ")"
	}
	return "SELECT coalesce(greatest(" + strings.Join(parts, ", ") + "), 0)"
}()

// readMaxKey reads the highest key stored, which Prepare needs, with no
// commit running. Rows prepared but not committed yet may hold higher keys,
// so the maximum also covers every key this store prepared: a higher one
// only sends more rows through update-or-insert, which is always right.
func (s *Store) readMaxKey(ctx context.Context) error {
	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	var top int64
	if err := s.pool.QueryRow(ctx, maxKeyQueryOf(s.part)).Scan(&top); err != nil {
		return fmt.Errorf("read the highest key: %w", err)
	}
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	s.maxKey = max(s.maxKey, s.preparedKey, top)
	s.counter.restart(true)
	return nil
}

// loadConns is how many connections Load reads on at most: one for each
// of the three big tables (tables.Load). loadWait is how long it waits for
// each connection after the first: one it cannot have by then is left
// out, so that Loads running together never wait on each other's
// connections.
const (
	loadConns = 3
	loadWait  = 50 * time.Millisecond
)

// Load implements store.Loader: the live rows, read in one snapshot, and
// the highest key stored. The big tables are read concurrently on up to
// loadConns connections of the read pool that share the first one's
// snapshot (pg_export_snapshot, as pg_dump's parallel jobs do).
func (s *Store) Load(ctx context.Context) (*state.Snapshot, error) {
	var snap *state.Snapshot
	err := s.using(func() error {
		err := func() error {
			txs, err := s.beginLoad(ctx)
			defer endLoad(ctx, txs)
			if err != nil {
				return err
			}
			l := tables.Load{Variables: s.part.LoadVariablesLateral(), Part: s.part}
			for _, t := range txs {
				l.Queries = append(l.Queries, pgQuery(ctx, t.tx))
			}
			snap, err = l.Snapshot()
			return err
		}()
		if err != nil {
			return err
		}
		if err := s.readMaxKey(ctx); err != nil {
			return err
		}
		return s.resetChain(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("load state from postgres at %s: %w", s.host, err)
	}
	return snap, nil
}

// loadTx is one of Load's transactions and its pool connection.
type loadTx struct {
	conn *pgxpool.Conn
	tx   pgx.Tx
}

// endLoad rolls Load's transactions back and releases their connections.
func endLoad(ctx context.Context, txs []loadTx) {
	for _, t := range txs {
		_ = t.tx.Rollback(context.WithoutCancel(ctx))
		t.conn.Release()
	}
}

// beginLoad begins Load's read-only transactions, all in the first one's
// snapshot; it returns those begun so far with an error.
func (s *Store) beginLoad(ctx context.Context) ([]loadTx, error) {
	n := min(loadConns, int(s.pool.Config().MaxConns))
	var txs []loadTx
	var id string
	for i := range n {
		actx, cancel := ctx, context.CancelFunc(func() {})
		if i > 0 {
			actx, cancel = context.WithTimeout(ctx, loadWait)
		}
		conn, err := s.pool.Acquire(actx)
		cancel()
		if err != nil {
			if i > 0 && ctx.Err() == nil {
				break // read on fewer connections
			}
			return txs, err
		}
		tx, err := conn.BeginTx(ctx, readOnly)
		if err != nil {
			conn.Release()
			return txs, err
		}
		txs = append(txs, loadTx{conn, tx})
		if i > 0 {
			// Must be the transaction's first statement; the id is the
			// server's, quoted all the same.
			if _, err := tx.Exec(ctx, "SET TRANSACTION SNAPSHOT "+quoteLiteral(id)); err != nil {
				return txs, fmt.Errorf("share the load's snapshot: %w", err)
			}
		}
		// Load sorts every live row by key: with the default work_mem a
		// hundred thousand running instances sort on disk.
		if _, err := tx.Exec(ctx, "SET LOCAL work_mem = '64MB'"); err != nil {
			return txs, err
		}
		if i == 0 && n > 1 {
			if err := tx.QueryRow(ctx, "SELECT pg_export_snapshot()").Scan(&id); err != nil {
				return txs, fmt.Errorf("export the load's snapshot: %w", err)
			}
		}
	}
	return txs, nil
}

// quoteLiteral quotes s as an SQL string literal.
func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// lastHash reads the hash of the last log segment of part; nil when there
// is none or it was written before the hash chain began.
func lastHash(ctx context.Context, q interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}, part tables.Part) ([]byte, error) {
	var h []byte
	err := q.QueryRow(ctx, part.LastHashQuery()).Scan(&h)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return h, err
}

// resetChain reads the end of the log's hash chain with no commit running:
// a batch prepared but never committed (the engine reloads after a failed
// commit) must not be what the next segment follows.
func (s *Store) resetChain(ctx context.Context) error {
	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	last, err := lastHash(ctx, s.pool, s.part)
	if err != nil {
		return fmt.Errorf("read the hash of the last log segment: %w", err)
	}
	return s.chain.Reset(last)
}
