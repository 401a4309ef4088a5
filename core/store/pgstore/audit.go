package pgstore

import (
	"context"
	"fmt"

	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/internal/auditlog"
	"github.com/example/wf-engine/core/store/internal/tables"
)

var chainQueries = tables.ChainQueries{
	Segments: "SELECT first_position, last_position, data, hash FROM log_segments WHERE first_position >= $1 ORDER BY first_position LIMIT $2",
	End:      tables.ChainEnd,
}

// VerifyChain implements store.ChainVerifier: it reads every log segment
// on the read pool, while the engine may go on committing.
func (s *Store) VerifyChain(ctx context.Context) (store.ChainReport, error) {
	rep, err := tables.VerifyChain(ctx, chainQueriesOf(s.part), s.fetch)
	rep.Partition = s.part.ID()
	if err != nil {
		return rep, fmt.Errorf("%w (postgres at %s)", err, s.host)
	}
	return rep, nil
}

// SearchAudit implements store.AuditQuerier by scanning the log from the
// query's cursor on (see auditlog.Search).
func (s *Store) SearchAudit(ctx context.Context, q store.AuditQuery) (store.AuditPage, error) {
	return auditlog.Search(ctx, s.ReadLog, q)
}

// fetch runs a query on the read pool and calls row for every row.
func (s *Store) fetch(ctx context.Context, query string, args []any, row func(tables.Scan) error) error {
	return s.using(func() error {
		rows, err := s.pool.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := row(rows.Scan); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

// Interface guards
var (
	_ store.ChainVerifier = (*Store)(nil)
	_ store.AuditQuerier  = (*Store)(nil)
)
