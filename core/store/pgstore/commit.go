package pgstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/internal/tables"
)

// The statements a commit runs, prepared by name on the writer connection
// when it connects (see writerConfig): per state table an upsert, an insert
// and an update-or-insert, the log segment insert, the meta update and the
// lease fence (prepared, it is not planned again at every commit).
var statements = func() map[string]string {
	m := map[string]string{
		"wf_log":   tables.LogSegments.InsertUnnest(),
		"wf_meta":  "UPDATE meta SET last_key = $1, last_position = $2 WHERE id = 1",
		"wf_fence": fenceCommit,
	}
	for _, t := range slices.Concat(tables.History, tables.Crossing) {
		m["wf_upsert_"+t.Name] = t.InsertUnnest()
	}
	for _, t := range tables.State {
		m["wf_upsert_"+t.Name] = t.InsertUnnest()
		m["wf_insert_"+t.Name] = t.AppendUnnest()
		m["wf_update_"+t.Name] = t.UpdateUnnest()
	}
	return m
}()

// prepareStatements prepares every commit statement on a new writer
// connection.
func prepareStatements(ctx context.Context, conn *pgx.Conn) error {
	for name, sql := range statements {
		if _, err := conn.PgConn().Prepare(ctx, name, sql, nil); err != nil {
			return fmt.Errorf("prepare %s: %w", name, err)
		}
	}
	return nil
}

// Prepare implements store.Preparer. It does all of a commit's work that
// needs no connection: the rows, the choice between insert and update for
// each, and the statements' parameters in PostgreSQL's binary format. The
// engine's committer calls it just before Commit, while the engine already
// runs the next commands.
//
// Once the store knows the highest key of any row stored or prepared
// (after Load), a row with a higher key cannot exist: it is inserted. The
// other rows are updated where they exist and inserted where they do not,
// which costs the database less than an upsert and lets the update be HOT
// (migration 7). Before Load, and after a failed commit, rows are upserted.
// The log segment is linked to the one prepared before it (tables.Chain).
func (s *Store) Prepare(b *store.Batch) error {
	rows, err := tables.Prepared(s.own(b), &s.chain)
	if err != nil {
		return err
	}
	top := b.Changes.LastKey
	for _, r := range rows.State {
		top = max(top, r.MaxKey())
	}
	s.keyMu.Lock()
	known := s.maxKey
	if known >= 0 {
		s.maxKey = max(known, top)
	}
	s.preparedKey = max(s.preparedKey, top)
	s.keyMu.Unlock()
	history, err := tables.EncodeHistory(b.Records)
	if err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	// The crossing rows (several partitions only) are upserted like the history's.
	history = append(history, tables.EncodeCrossing(&b.Changes, s.part.ID())...)
	p := &prepared{rows: rows, history: history}
	for _, r := range rows.State {
		if r.T == tables.ElementInstances && r.Len() > 0 {
			p.counts, p.byStatement = s.counter.count(r, known)
		}
	}
	p.wire = s.bind(p, known, &b.Changes)
	b.Prepared = p
	return nil
}

// prepared is a batch Prepare made ready: its rows, and its statements
// bound for the wire.
type prepared struct {
	rows *tables.Encoded
	// history holds the rows of the history tables (tables.History).
	history []*tables.Rows
	// counts are the element counts' deltas Prepare computed (countdeltas.go),
	// byStatement the element instance rows left to the count statement.
	counts      countDeltas
	byStatement *tables.Rows
	wire        *pgconn.Batch
}

// bind binds a prepared batch's statements: rows with a key above known
// (-1: unknown) are inserted, the others updated or inserted.
func (s *Store) bind(p *prepared, known int64, changes *state.Changes) *pgconn.Batch {
	wire := &pgconn.Batch{}
	rows := p.rows
	s.queueFence(wire)
	write := func(name string, r *tables.Rows) {
		params, formats := encodeRows(r)
		wire.ExecPrepared(name, params, formats, nil)
	}
	if rows.Log.Len() > 0 {
		write("wf_log", rows.Log)
	}
	for _, r := range rows.State {
		if r.T == tables.ElementInstances && r.Len() > 0 {
			// The element counts go first: the deltas Prepare computed
			// (countdeltas.go), and the count statement (elementcounts.go)
			// for the other rows, in one statement for all of them: it
			// reads the rows these replace.
			queueCountDeltas(wire, p.counts)
			if p.byStatement != nil && p.byStatement.Len() > 0 {
				stored := known
				if known < 0 || !r.T.Upsert {
					stored = math.MaxInt64
				}
				queueElementCounts(wire, p.byStatement, stored)
			}
		}
		if known < 0 || !r.T.Upsert {
			write("wf_upsert_"+r.T.Name, r)
			continue
		}
		fresh, old := r.Split(known)
		if fresh.Len() > 0 {
			write("wf_insert_"+r.T.Name, fresh)
		}
		if old.Len() > 0 {
			write("wf_update_"+r.T.Name, old)
		}
	}
	for _, r := range p.history {
		write("wf_upsert_"+r.T.Name, r)
	}
	meta := [][]byte{
		binary.BigEndian.AppendUint64(nil, uint64(changes.LastKey)),
		binary.BigEndian.AppendUint64(nil, uint64(changes.LastPosition)),
	}
	wire.ExecPrepared("wf_meta", meta, binary2, nil)
	if s.extra != "" {
		wire.ExecParams(s.extra, nil, nil, nil, nil)
	}
	return wire
}

var binary2 = []int16{pgtype.BinaryFormatCode, pgtype.BinaryFormatCode}

// encodeRows returns one binary array parameter per column.
func encodeRows(r *tables.Rows) ([][]byte, []int16) {
	arrays := r.Arrays()
	params := make([][]byte, len(arrays))
	formats := make([]int16, len(arrays))
	for i, a := range arrays {
		switch a := a.(type) {
		case []int64:
			params[i] = int8Array(a)
		case []string:
			params[i] = textArray(a)
		case [][]byte:
			params[i] = byteaArray(a)
		}
		formats[i] = pgtype.BinaryFormatCode
	}
	return params, formats
}

// Commit implements store.Store. Every statement of the batch goes to the
// server in one round trip and runs in one implicit transaction, which the
// final Sync commits: a failing statement aborts all of them.
func (s *Store) Commit(ctx context.Context, b *store.Batch) error {
	if b == nil {
		return errors.New("commit: nil batch")
	}
	p, ok := b.Prepared.(*prepared)
	if !ok {
		b.Prepared = nil // not prepared, or by another kind of store
		if err := s.Prepare(b); err != nil {
			return err
		}
		p = b.Prepared.(*prepared)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.opts.CommitTimeout)
		defer cancel()
	}
	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	err := s.using(func() error {
		conn, err := s.writer.Acquire(ctx)
		if err != nil {
			return err
		}
		defer conn.Release()
		relinked, err := s.chain.Link(p.rows, func() ([]byte, error) { return lastHash(ctx, conn, s.part) })
		if err != nil {
			return err
		}
		if relinked {
			// The segment's hash changed after its statements were bound;
			// upserting every row is always right.
			p.wire = s.bind(p, -1, &b.Changes)
		}
		pg := conn.Conn().PgConn()
		if err := ctx.Err(); err != nil {
			return err // nothing sent
		}
		if pg.IsClosed() {
			// Nothing sent: the connection closed since its last use.
			return fmt.Errorf("before sending the batch: %w", pgconn.ErrConnClosed)
		}
		results, err := pg.ExecBatch(ctx, p.wire).ReadAll()
		if err != nil {
			return roundTripError(err)
		}
		for _, r := range results {
			if r.Err != nil {
				return roundTripError(r.Err)
			}
		}
		return nil
	})
	if !errors.Is(err, store.ErrClosed) {
		s.chain.Done(p.rows, err)
	}
	if err != nil {
		// The outcome may be unknown (a lost connection): until Load reads
		// the highest key again, every row is upserted.
		s.forgetStored()
		if errors.Is(err, store.ErrClosed) {
			return err
		}
		if errors.Is(err, store.ErrCommitUnknown) {
			// The connection was lost; the read pool's idle connections
			// to the same server most likely too (a failover, a
			// restart): asking the log whether the batch was written
			// must not fail on one of them.
			s.pool.Reset()
		}
		return fmt.Errorf("commit batch at position %d to postgres at %s: %w", b.Changes.LastPosition, s.host, err)
	}
	return nil
}

// forgetStored forgets the highest key stored and what the element counter
// remembers: after a failed commit, until Load reads the store again,
// every row is upserted and counted by the count statement.
func (s *Store) forgetStored() {
	s.keyMu.Lock()
	s.maxKey = -1
	s.keyMu.Unlock()
	s.counter.restart(false)
}

// roundTripError marks an error of a batch that was sent with
// store.ErrCommitUnknown unless the server refused the batch: an error
// response of severity ERROR rolls the implicit transaction back, and
// nothing was written. Every other error leaves the outcome open: a lost
// connection (the server may have committed before it went away), and a
// FATAL or PANIC error response, which PostgreSQL also sends after a commit
// it wrote but could not confirm (a synchronous standby's wait cut short by
// a shutdown). pgconn's SafeToRetry is not asked: reading the answer of a
// batch already sent, on a connection that closed meanwhile, fails with
// "conn closed", which it marks as safe to retry (seen at a failover,
// core/store/pgstore/hatest). Commit checks what was never sent itself.
func roundTripError(err error) error {
	if fenced(err) {
		return fmt.Errorf("%w: %w", store.ErrLeaseLost, err)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && !fatal(pgErr) {
		return err
	}
	return fmt.Errorf("%w: %w", store.ErrCommitUnknown, err)
}

// fatal reports whether the server ended the session with the error.
func fatal(e *pgconn.PgError) bool {
	sev := e.SeverityUnlocalized
	if sev == "" {
		sev = e.Severity
	}
	return sev == "FATAL" || sev == "PANIC"
}
