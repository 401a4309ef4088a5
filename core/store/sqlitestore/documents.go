package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/example/wf-engine/core/store"
)

// Documents (migration 17) are written on the writer connection outside any
// commit (they are not in the log), between commits: a large upload delays
// the next commit by its write.

// documentColumns are the columns a document is read with, content last.
const documentColumns = `document_id, tenant_id, content_type, file_name, expires_time, size, content_hash,
	process_definition_id, process_instance_key, custom_properties, creation_time`

// CreateDocument implements store.DocumentStore.
func (s *Store) CreateDocument(ctx context.Context, d store.Document) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	exists := false
	err := s.guard(func() error {
		content := d.Content
		if content == nil {
			content = []byte{}
		}
		res, err := s.w.ExecContext(ctx, `INSERT INTO documents (`+documentColumns+`, content)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (document_id) DO NOTHING`,
			d.DocumentID, d.TenantID, d.ContentType, d.FileName, unixMilli(d.ExpiresAt), d.Size, d.ContentHash,
			d.ProcessDefinitionID, d.ProcessInstanceKey, d.CustomProperties, unixMilli(d.CreatedAt), content)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		exists = n == 0
		return err
	})
	if err != nil {
		return fmt.Errorf("store document in %s: %w", s.path, err)
	}
	if exists {
		return store.ErrDocumentExists
	}
	return nil
}

// Document implements store.DocumentStore.
func (s *Store) Document(ctx context.Context, id string, content bool) (store.Document, bool, error) {
	var d store.Document
	found := false
	err := s.guard(func() error {
		var expires, created int64
		dest := []any{&d.DocumentID, &d.TenantID, &d.ContentType, &d.FileName, &expires, &d.Size, &d.ContentHash,
			&d.ProcessDefinitionID, &d.ProcessInstanceKey, &d.CustomProperties, &created}
		q := `SELECT ` + documentColumns + ` FROM documents WHERE document_id = ?`
		if content {
			q = `SELECT ` + documentColumns + `, content FROM documents WHERE document_id = ?`
			dest = append(dest, &d.Content)
		}
		err := s.r.QueryRowContext(ctx, q, id).Scan(dest...)
		if errors.Is(err, sql.ErrNoRows) {
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
		return store.Document{}, false, fmt.Errorf("read document from %s: %w", s.path, err)
	}
	return d, found, nil
}

// DeleteDocument implements store.DocumentStore.
func (s *Store) DeleteDocument(ctx context.Context, id string) (bool, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var n int64
	err := s.guard(func() error {
		res, err := s.w.ExecContext(ctx, `DELETE FROM documents WHERE document_id = ?`, id)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("delete document from %s: %w", s.path, err)
	}
	return n > 0, nil
}

// DeleteExpiredDocuments implements store.DocumentStore.
func (s *Store) DeleteExpiredDocuments(ctx context.Context, before time.Time, limit int) (int, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var n int64
	err := s.guard(func() error {
		res, err := s.w.ExecContext(ctx, `DELETE FROM documents WHERE document_id IN (
			SELECT document_id FROM documents WHERE expires_time > 0 AND expires_time <= ?
			ORDER BY expires_time LIMIT ?)`, before.UnixMilli(), max(limit, 0))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("delete expired documents from %s: %w", s.path, err)
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

// Interface guard
var _ store.DocumentStore = (*Store)(nil)
