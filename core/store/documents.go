package store

import (
	"context"
	"errors"
	"time"
)

// Document is a file uploaded through Camunda's document API, with its
// metadata. Documents are blobs, not process state: they never go through
// the log, and the stores write them outside Commit.
type Document struct {
	DocumentID string
	TenantID   string
	// ContentType and FileName are as uploaded ("" when not given).
	ContentType string
	FileName    string
	// ExpiresAt is when the document stops being served; zero: never.
	ExpiresAt time.Time
	// Size is len(Content), also when the content was not read.
	Size int64
	// ContentHash is the SHA-256 of Content as lowercase hex.
	ContentHash         string
	ProcessDefinitionID string
	ProcessInstanceKey  int64 // 0: none
	// CustomProperties is the JSON object text of the metadata's custom
	// properties; empty: none.
	CustomProperties string
	CreatedAt        time.Time
	// Content is the file; nil when read without it.
	Content []byte
}

// ErrDocumentExists is returned by CreateDocument when a document with the
// id is stored already.
var ErrDocumentExists = errors.New("a document with this id exists")

// DocumentStore keeps documents. Stores implement it beside Querier. It
// compares no times: expiry is the caller's to judge (ExpiresAt), and
// DeleteExpiredDocuments removes what expired before a time it is given.
type DocumentStore interface {
	// CreateDocument stores d, whose Content, Size and ContentHash must
	// agree; ErrDocumentExists when its id is taken.
	CreateDocument(ctx context.Context, d Document) error
	// Document returns the document with the id, its Content only when
	// content is true; found is false when there is none.
	Document(ctx context.Context, id string, content bool) (d Document, found bool, err error)
	// DeleteDocument removes the document with the id and reports whether
	// there was one.
	DeleteDocument(ctx context.Context, id string) (bool, error)
	// DeleteExpiredDocuments removes up to limit documents whose ExpiresAt
	// is set and not after before, and returns how many it removed.
	DeleteExpiredDocuments(ctx context.Context, before time.Time, limit int) (int, error)
}
