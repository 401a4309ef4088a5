package memstore

import (
	"context"

	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/internal/auditlog"
)

// SearchAudit implements store.AuditQuerier by scanning the log from the
// query's cursor on (see auditlog.Search); with DiscardLog it finds
// nothing.
func (s *Store) SearchAudit(ctx context.Context, q store.AuditQuery) (store.AuditPage, error) {
	return auditlog.Search(ctx, s.ReadLog, q)
}

// Interface guards
var _ store.AuditQuerier = (*Store)(nil)
