package pgstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/example/wf-engine/core/store"
)

// Documents (migration 18) are written on the read pool's connections, as
// the tables' owner, outside any commit: they are not in the log, and a
// large upload must not hold the commit connection.

// documentColumns are the columns a document is read with, content last.
const documentColumns = `document_id, tenant_id, content_type, file_name, expires_time, size, content_hash,
	process_definition_id, process_instance_key, custom_properties, creation_time`

// CreateDocument implements store.DocumentStore.
func (s *Store) CreateDocument(ctx context.Context, d store.Document) error {
	err := s.using(func() error {
		_, err := s.pool.Exec(ctx, `INSERT INTO documents (`+documentColumns+`, content)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			d.DocumentID, d.TenantID, d.ContentType, d.FileName, unixMilli(d.ExpiresAt), d.Size, d.ContentHash,
			d.ProcessDefinitionID, d.ProcessInstanceKey, d.CustomProperties, unixMilli(d.CreatedAt), nonNil(d.Content))
		return err
	})
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" { // unique_violation
		return store.ErrDocumentExists
	}
	if err != nil {
		return fmt.Errorf("store document in postgres store at %s: %w", s.host, err)
	}
	return nil
}

// Document implements store.DocumentStore.
func (s *Store) Document(ctx context.Context, id string, content bool) (store.Document, bool, error) {
	var d store.Document
	found := false
	err := s.using(func() error {
		var expires, created int64
		dest := []any{&d.DocumentID, &d.TenantID, &d.ContentType, &d.FileName, &expires, &d.Size, &d.ContentHash,
			&d.ProcessDefinitionID, &d.ProcessInstanceKey, &d.CustomProperties, &created}
		q := `SELECT ` + documentColumns + ` FROM documents WHERE document_id = $1`
		if content {
			q = `SELECT ` + documentColumns + `, content FROM documents WHERE document_id = $1`
			dest = append(dest, &d.Content)
		}
		err := s.pool.QueryRow(ctx, q, id).Scan(dest...)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		found = true
		d.ExpiresAt, d.CreatedAt = fromUnixMilli(expires), fromUnixMilli(created)
		if content && d.Content == nil {
			d.Content = []byte{}
		}
		return nil
	})
	if err != nil {
		return store.Document{}, false, fmt.Errorf("read document from postgres store at %s: %w", s.host, err)
	}
	return d, found, nil
}

// DeleteDocument implements store.DocumentStore.
func (s *Store) DeleteDocument(ctx context.Context, id string) (bool, error) {
	var n int64
	err := s.using(func() error {
		tag, err := s.pool.Exec(ctx, `DELETE FROM documents WHERE document_id = $1`, id)
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("delete document from postgres store at %s: %w", s.host, err)
	}
	return n > 0, nil
}

// DeleteExpiredDocuments implements store.DocumentStore.
func (s *Store) DeleteExpiredDocuments(ctx context.Context, before time.Time, limit int) (int, error) {
	var n int64
	err := s.using(func() error {
		tag, err := s.pool.Exec(ctx, `DELETE FROM documents WHERE document_id IN (
			SELECT document_id FROM documents WHERE expires_time > 0 AND expires_time <= $1
			ORDER BY expires_time LIMIT $2)`, before.UnixMilli(), max(limit, 0))
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("delete expired documents from postgres store at %s: %w", s.host, err)
	}
	return int(n), nil
}

// unixMilli is t as Unix ms, 0 for the zero time.
func unixMilli(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromUnixMilli is the time of Unix ms, the zero time for 0.
func fromUnixMilli(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// Interface guard
var _ store.DocumentStore = (*Store)(nil)
