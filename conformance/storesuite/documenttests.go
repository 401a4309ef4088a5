package storesuite

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/example/wf-engine/core/store"
)

// document makes a document with content, its size and hash.
func document(id string, content []byte, expires time.Time) store.Document {
	sum := sha256.Sum256(content)
	return store.Document{DocumentID: id, TenantID: TenantA, ContentType: "application/pdf", FileName: "invoice ü.pdf",
		ExpiresAt: expires, Size: int64(len(content)), ContentHash: hex.EncodeToString(sum[:]),
		ProcessDefinitionID: "order", ProcessInstanceKey: 2251799813685249, CustomProperties: `{"k":[1,"x"]}`,
		CreatedAt: time.UnixMilli(epoch).UTC(), Content: content}
}

func documentStore(t *testing.T, s store.Store) store.DocumentStore {
	t.Helper()
	ds, ok := s.(store.DocumentStore)
	if !ok {
		t.Fatalf("%T does not implement store.DocumentStore", s)
	}
	return ds
}

// documents stores documents, reads them back field for field with and
// without content, refuses a second document with the same id, deletes
// them, sweeps the expired ones in batches and, with Reopen, keeps them
// across a restart.
func (s *suite) documents(t *testing.T) {
	st := s.store(t)
	ds := documentStore(t, st)
	ctx := context.Background()
	binary := make([]byte, 70000)
	for i := range binary {
		binary[i] = byte(i * 7)
	}
	at := func(ms int64) time.Time { return time.UnixMilli(epoch + ms).UTC() }
	docs := []store.Document{
		document("doc-binary", binary, time.Time{}),
		document("doc-empty", []byte{}, at(1000)),
		document("doc-soon", []byte("a"), at(2000)),
		document("doc-later", []byte("b"), at(3000)),
	}
	docs[1].ContentType, docs[1].FileName, docs[1].ProcessDefinitionID, docs[1].ProcessInstanceKey, docs[1].CustomProperties = "", "", "", 0, ""
	for _, d := range docs {
		if err := ds.CreateDocument(ctx, d); err != nil {
			t.Fatalf("create %s: %v", d.DocumentID, err)
		}
	}
	again := document("doc-soon", []byte("other"), time.Time{})
	if err := ds.CreateDocument(ctx, again); !errors.Is(err, store.ErrDocumentExists) {
		t.Fatalf("a second document with the id: got %v, want store.ErrDocumentExists", err)
	}
	check := func(ds store.DocumentStore, when string) {
		t.Helper()
		for _, want := range docs {
			got, found, err := ds.Document(ctx, want.DocumentID, true)
			if err != nil || !found {
				t.Fatalf("%s: read %s: found %v, %v", when, want.DocumentID, found, err)
			}
			if !bytes.Equal(got.Content, want.Content) || got.Content == nil {
				t.Errorf("%s: %s: content of %d bytes differs from the %d stored", when, want.DocumentID, len(got.Content), len(want.Content))
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: %s:\n got %+v\nwant %+v", when, want.DocumentID, withoutContent(got), withoutContent(want))
			}
			meta, found, err := ds.Document(ctx, want.DocumentID, false)
			if err != nil || !found || meta.Content != nil {
				t.Fatalf("%s: read %s without content: found %v, %d bytes, %v", when, want.DocumentID, found, len(meta.Content), err)
			}
			if !reflect.DeepEqual(meta, withoutContent(want)) {
				t.Errorf("%s: %s without content:\n got %+v\nwant %+v", when, want.DocumentID, meta, withoutContent(want))
			}
		}
	}
	check(ds, "stored")
	if s.cfg.reopen != nil {
		st = s.cfg.reopen(t, st)
		t.Cleanup(func() { _ = st.Close() })
		ds = documentStore(t, st)
		check(ds, "after reopening")
	}
	if _, found, err := ds.Document(ctx, "doc-missing", true); err != nil || found {
		t.Fatalf("a missing document: found %v, %v", found, err)
	}
	// The sweep removes what expired at or before the time, soonest first,
	// at most limit at a time.
	if n, err := ds.DeleteExpiredDocuments(ctx, at(2000), 1); err != nil || n != 1 {
		t.Fatalf("sweep with limit 1: removed %d, %v; want 1", n, err)
	}
	if _, found, _ := ds.Document(ctx, "doc-empty", false); found {
		t.Error("the sweep kept the document that expired first")
	}
	if n, err := ds.DeleteExpiredDocuments(ctx, at(2000), 10); err != nil || n != 1 {
		t.Fatalf("second sweep: removed %d, %v; want 1 (doc-soon)", n, err)
	}
	for id, want := range map[string]bool{"doc-soon": false, "doc-later": true, "doc-binary": true} {
		if _, found, _ := ds.Document(ctx, id, false); found != want {
			t.Errorf("after the sweeps, %s found %v, want %v", id, found, want)
		}
	}
	if deleted, err := ds.DeleteDocument(ctx, "doc-binary"); err != nil || !deleted {
		t.Fatalf("delete: %v, %v", deleted, err)
	}
	if deleted, err := ds.DeleteDocument(ctx, "doc-binary"); err != nil || deleted {
		t.Fatalf("delete again: %v, %v; want false", deleted, err)
	}
	if _, found, _ := ds.Document(ctx, "doc-binary", true); found {
		t.Error("a deleted document is still found")
	}
	// The id is free again.
	if err := ds.CreateDocument(ctx, document("doc-binary", []byte("new"), time.Time{})); err != nil {
		t.Fatalf("create with the id of a deleted document: %v", err)
	}
}

func withoutContent(d store.Document) store.Document {
	d.Content = nil
	return d
}
