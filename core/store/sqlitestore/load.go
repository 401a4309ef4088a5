package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store/internal/tables"
)

var logQueries = tables.LogQueries{
	Records:  tables.Log.Select("WHERE position >= ? ORDER BY position LIMIT ?"),
	Segments: tables.LogSegments.Select("WHERE last_position >= ? ORDER BY first_position LIMIT ?"),
}

// ReadLog implements store.Store.
func (s *Store) ReadLog(ctx context.Context, from int64, fn func(*record.Record) error) error {
	return tables.ReadLog(ctx, from, logQueries, s.fetch, s.opts.LogArchive, fn)
}

// loadConns is how many read connections Load reads on at most: one for
// each of the three big tables (tables.Load). loadWait is how long it
// waits for each connection after the first, with commits held: one it
// cannot have by then is left out.
const (
	loadConns = 3
	loadWait  = 50 * time.Millisecond
)

// Load implements store.Loader: the live rows, read in one snapshot. The
// big tables are read concurrently on up to loadConns read connections
// whose snapshots were all taken between the same two commits.
func (s *Store) Load(ctx context.Context) (*state.Snapshot, error) {
	var snap *state.Snapshot
	err := func() error {
		txs, err := s.beginLoad(ctx)
		defer endLoad(txs)
		if err != nil {
			return err
		}
		return s.guard(func() error {
			var l tables.Load
			for _, t := range txs {
				l.Queries = append(l.Queries, txQuery(ctx, t.tx))
			}
			var err error
			snap, err = l.Snapshot()
			return err
		})
	}()
	if err == nil {
		err = s.resetChain(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("load state from %s: %w", s.path, err)
	}
	return snap, nil
}

// loadTx is one of Load's read transactions and its connection.
type loadTx struct {
	conn *sql.Conn
	tx   *sql.Tx
}

// endLoad rolls Load's transactions back and returns their connections.
func endLoad(txs []loadTx) {
	for _, t := range txs {
		_ = t.tx.Rollback()
		_ = t.conn.Close()
	}
}

// beginLoad begins Load's read transactions with no commit running, and
// reads the meta row in each, which takes its snapshot (SQLite takes a
// transaction's snapshot at its first read): the live rows change only in
// commits, and every commit moves the log's position, so transactions
// that read the same position see the same live rows. It returns those
// begun so far with an error.
func (s *Store) beginLoad(ctx context.Context) ([]loadTx, error) {
	s.wmu.Lock() // before the guard's lock, as Close takes them
	defer s.wmu.Unlock()
	var txs []loadTx
	err := s.guard(func() error {
		var err error
		txs, err = s.beginLoadTxs(ctx)
		return err
	})
	return txs, err
}

// beginLoadTxs is beginLoad with the locks held.
func (s *Store) beginLoadTxs(ctx context.Context) ([]loadTx, error) {
	n := min(loadConns, s.opts.ReadConns)
	var txs []loadTx
	var first int64
	for i := range n {
		actx, cancel := ctx, context.CancelFunc(func() {})
		if i > 0 {
			actx, cancel = context.WithTimeout(ctx, loadWait)
		}
		conn, err := s.r.Conn(actx)
		cancel()
		if err != nil {
			if i > 0 && ctx.Err() == nil {
				break // read on fewer connections
			}
			return txs, err
		}
		tx, err := conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			_ = conn.Close()
			return txs, err
		}
		txs = append(txs, loadTx{conn, tx})
		var pos int64
		if err := tx.QueryRowContext(ctx, "SELECT last_position FROM meta WHERE id = 1").Scan(&pos); err != nil {
			return txs, fmt.Errorf("read meta: %w", err)
		}
		if i == 0 {
			first = pos
		} else if pos != first {
			return txs, fmt.Errorf("load: a read connection is at position %d, the first at %d", pos, first)
		}
	}
	return txs, nil
}

// resetChain reads the end of the log's hash chain, between commits: a
// batch prepared but never committed (the engine reloads after a failed
// commit) must not be what the next segment follows.
func (s *Store) resetChain(ctx context.Context) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.guard(func() error {
		last, err := lastHash(ctx, s.w)
		if err != nil {
			return fmt.Errorf("read the hash of the last log segment: %w", err)
		}
		return s.chain.Reset(last)
	})
}
