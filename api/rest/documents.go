package rest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store"
)

// Camunda 8.8's document API (/v2/documents): files that processes and
// clients upload, kept in the database (store.DocumentStore) beside the
// process state, never in the log. A document's contentHash (SHA-256, hex)
// is a capability: reading it or linking it needs the hash, as in Camunda;
// a wrong hash is answered as a document that does not exist. With
// multi-tenancy on, a document belongs to the tenant of the process
// instance its metadata names, else to the default tenant, and only
// members of that tenant see it. Links (createDocumentLink) are URLs of
// GET /v2/x/documents/{documentId}/content signed with an HMAC key
// (documentLink), served to anyone who holds one until it expires.

// documentStoreID is the id of the one document store the server has.
const documentStoreID = "database"

// Document limits and defaults.
const (
	defaultDocumentMaxBytes = 10 << 20
	// documentFormSlack is what a multipart body may hold besides the
	// document: boundaries, headers and the metadata part.
	documentFormSlack = 1 << 20
	// documentBatchFiles is how many documents of the largest size one
	// batch body may carry.
	documentBatchFiles = 4
	// maxDocumentMetadataBytes bounds the JSON text of one metadata part.
	maxDocumentMetadataBytes = 64 << 10
	// maxDocumentIDLength bounds a document id chosen by the client.
	maxDocumentIDLength = 256
	// defaultDocumentLinkTTL is a link's lifetime when the request names
	// none, as in Camunda.
	defaultDocumentLinkTTL = time.Hour
	// documentSweepLimit bounds the expired documents one upload removes.
	documentSweepLimit = 100
)

// DocumentMetadata is a document's metadata, as Camunda 8.8 takes and
// answers it. Size is the content's size in answers; in a request it is
// checked for its type only.
type DocumentMetadata struct {
	ContentType         string          `json:"contentType,omitempty"`
	FileName            string          `json:"fileName,omitempty"`
	ExpiresAt           string          `json:"expiresAt,omitempty"`
	Size                *Long           `json:"size,omitempty"`
	ProcessDefinitionID string          `json:"processDefinitionId,omitempty"`
	ProcessInstanceKey  *Key            `json:"processInstanceKey,omitempty"`
	CustomProperties    json.RawMessage `json:"customProperties,omitempty"`
}

// DocumentReference is a stored document, as createDocument answers it.
type DocumentReference struct {
	DocumentType string           `json:"camunda.document.type"`
	StoreID      string           `json:"storeId"`
	DocumentID   string           `json:"documentId"`
	ContentHash  string           `json:"contentHash"`
	Metadata     DocumentMetadata `json:"metadata"`
}

// DocumentCreationFailureDetail is a file of a batch that was not stored.
type DocumentCreationFailureDetail struct {
	FileName string `json:"fileName"`
	Detail   string `json:"detail"`
}

// DocumentCreationBatchResponse answers createDocuments.
type DocumentCreationBatchResponse struct {
	CreatedDocuments []DocumentReference             `json:"createdDocuments"`
	FailedDocuments  []DocumentCreationFailureDetail `json:"failedDocuments"`
}

// DocumentLinkRequest is createDocumentLink's optional body.
type DocumentLinkRequest struct {
	TimeToLive *Long `json:"timeToLive,omitempty"`
}

// DocumentLink answers createDocumentLink.
type DocumentLink struct {
	URL       string `json:"url"`
	ExpiresAt string `json:"expiresAt"`
}

// documents is the server's part that serves documents.
type documents struct {
	store    store.DocumentStore // nil: the store keeps no documents
	maxBytes int64
	linkKey  []byte
	now      func() time.Time
}

// newDocuments sets up documents from the configuration; q serves them
// when it is a store.DocumentStore.
func newDocuments(cfg Config, q Querier) (documents, error) {
	d := documents{maxBytes: cfg.DocumentMaxBytes, linkKey: cfg.DocumentLinkSecret, now: cfg.Now}
	d.store, _ = q.(store.DocumentStore)
	if d.maxBytes <= 0 {
		d.maxBytes = defaultDocumentMaxBytes
	}
	if d.now == nil {
		d.now = time.Now
	}
	if len(d.linkKey) == 0 {
		d.linkKey = make([]byte, 32)
		if _, err := rand.Read(d.linkKey); err != nil {
			return documents{}, fmt.Errorf("make a document link key: %w", err)
		}
	}
	return d, nil
}

// documentBodyLimit is the largest body a document upload route takes, 0
// for other routes.
func (d *documents) bodyLimit(fullPath string) int64 {
	switch fullPath {
	case "/v2/documents":
		return d.maxBytes + documentFormSlack
	case "/v2/documents/batch":
		return documentBatchFiles*d.maxBytes + documentFormSlack
	}
	return 0
}

// documentStore returns the store of documents, or answers 501.
func (s *Server) documentStore(c *gin.Context) store.DocumentStore {
	if s.docs.store == nil {
		writeProblem(c, http.StatusNotImplemented, "NOT_IMPLEMENTED", "This server's store keeps no documents")
		return nil
	}
	if id := c.Query("storeId"); id != "" && id != documentStoreID {
		badRequest(c, "storeId: no document store '%s'; this server has one, '%s'", id, documentStoreID)
		return nil
	}
	return s.docs.store
}

func (s *Server) createDocument(c *gin.Context) {
	ds := s.documentStore(c)
	if ds == nil {
		return
	}
	id := c.Query("documentId")
	if id == "" {
		id = newDocumentID()
	} else if err := checkDocumentID(id); err != nil {
		s.fail(c, "", err)
		return
	}
	form, ok := s.multipartForm(c, "file", "metadata")
	if !ok {
		return
	}
	defer func() { _ = form.RemoveAll() }()
	up, err := formFile(form, "file")
	if err == nil && len(form.File["file"])+len(form.Value["file"]) > 1 {
		err = bindErrorf("file: expected one part named 'file', got %d; upload several with POST /v2/documents/batch", len(form.File["file"])+len(form.Value["file"]))
	}
	var meta DocumentMetadata
	if err == nil {
		var raw []string
		if raw, err = formTexts(form, "metadata"); err == nil && len(raw) > 1 {
			err = bindErrorf("metadata: expected one part named 'metadata', got %d", len(raw))
		}
		if err == nil && len(raw) == 1 {
			meta, err = parseDocumentMetadata("metadata", []byte(raw[0]))
		}
	}
	if err != nil {
		s.fail(c, "", err)
		return
	}
	ref, err := s.storeDocument(c.Request.Context(), ds, id, up, meta)
	var tooBig *documentTooLargeError
	switch {
	case errors.As(err, &tooBig):
		writeProblem(c, http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE", tooBig.Error())
	case errors.Is(err, store.ErrDocumentExists):
		writeProblem(c, http.StatusConflict, "ALREADY_EXISTS", fmt.Sprintf("A document with id '%s' already exists", id))
	case err != nil:
		s.fail(c, "", err)
	default:
		c.PureJSON(http.StatusCreated, ref)
	}
}

func (s *Server) createDocuments(c *gin.Context) {
	ds := s.documentStore(c)
	if ds == nil {
		return
	}
	form, ok := s.multipartForm(c, "files", "metadataList")
	if !ok {
		return
	}
	defer func() { _ = form.RemoveAll() }()
	files, err := formFiles(form, "files")
	if err != nil {
		s.fail(c, "", err)
		return
	}
	metas, err := batchMetadata(form, len(files))
	if err != nil {
		s.fail(c, "", err)
		return
	}
	out := DocumentCreationBatchResponse{CreatedDocuments: []DocumentReference{}, FailedDocuments: []DocumentCreationFailureDetail{}}
	for i, up := range files {
		name := up.name
		if metas[i].FileName != "" {
			name = metas[i].FileName
		}
		ref, err := s.storeDocument(c.Request.Context(), ds, newDocumentID(), up, metas[i])
		var be *bindError
		var tooBig *documentTooLargeError
		var fe *forbiddenError
		switch {
		case err == nil:
			out.CreatedDocuments = append(out.CreatedDocuments, ref)
		case errors.As(err, &be):
			out.FailedDocuments = append(out.FailedDocuments, DocumentCreationFailureDetail{FileName: name, Detail: be.msg})
		case errors.As(err, &tooBig), errors.As(err, &fe):
			out.FailedDocuments = append(out.FailedDocuments, DocumentCreationFailureDetail{FileName: name, Detail: err.Error()})
		default: // the store failed: the whole request fails, as a retry may succeed
			s.fail(c, "", err)
			return
		}
	}
	status := http.StatusCreated
	if len(out.FailedDocuments) > 0 {
		status = http.StatusMultiStatus
	}
	c.PureJSON(status, out)
}

func (s *Server) getDocument(c *gin.Context) {
	ds := s.documentStore(c)
	if ds == nil {
		return
	}
	d, ok := s.readDocument(c, ds, c.Param("documentId"), c.Query("contentHash"), true)
	if !ok {
		return
	}
	writeDocument(c, d)
}

func (s *Server) deleteDocument(c *gin.Context) {
	ds := s.documentStore(c)
	if ds == nil {
		return
	}
	id := c.Param("documentId")
	if _, ok := s.readDocument(c, ds, id, "", false); !ok {
		return
	}
	deleted, err := ds.DeleteDocument(c.Request.Context(), id)
	switch {
	case err != nil:
		s.fail(c, "", err)
	case !deleted:
		notFound(c, "No document '%s'", id)
	default:
		c.Status(http.StatusNoContent)
	}
}

func (s *Server) createDocumentLink(c *gin.Context) {
	ds := s.documentStore(c)
	if ds == nil {
		return
	}
	var req DocumentLinkRequest
	if !s.bind(c, &req, true) {
		return
	}
	ttl := defaultDocumentLinkTTL
	if req.TimeToLive != nil {
		if *req.TimeToLive <= 0 {
			badRequest(c, "timeToLive: expected a positive number of milliseconds, got %d", *req.TimeToLive)
			return
		}
		ttl = time.Duration(min(int64(*req.TimeToLive), int64(100*365*24*time.Hour/time.Millisecond))) * time.Millisecond
	}
	d, ok := s.readDocument(c, ds, c.Param("documentId"), c.Query("contentHash"), false)
	if !ok {
		return
	}
	expires := s.docs.now().Add(ttl).Truncate(time.Millisecond)
	if !d.ExpiresAt.IsZero() && d.ExpiresAt.Before(expires) {
		expires = d.ExpiresAt // a link ends with its document
	}
	scheme := "http"
	if c.Request.TLS != nil {
		scheme = "https"
	}
	c.PureJSON(http.StatusCreated, DocumentLink{
		URL:       scheme + "://" + c.Request.Host + s.docs.linkPath(d, expires),
		ExpiresAt: formatDocumentTime(expires),
	})
}

// getLinkedDocument serves a document to the holder of a link that
// createDocumentLink made, without other authentication, until the link
// expires.
func (s *Server) getLinkedDocument(c *gin.Context) {
	ds := s.documentStore(c)
	if ds == nil {
		return
	}
	id := c.Param("documentId")
	expires, err := strconv.ParseInt(c.Query("expires"), 10, 64)
	if err != nil {
		badRequest(c, "expires: expected Unix milliseconds, got '%s'", c.Query("expires"))
		return
	}
	d, found, err := ds.Document(c.Request.Context(), id, true)
	if err != nil {
		s.fail(c, "", err)
		return
	}
	now := s.docs.now()
	switch {
	case !found || !s.docs.validLink(d, expires, c.Query("signature")):
		// A link to a document that was replaced (another hash) fails here
		// too: its signature names the old hash.
		writeProblem(c, http.StatusForbidden, titleForbidden, "The document link is not valid: it was changed, or its document was deleted")
		return
	case !now.Before(time.UnixMilli(expires)):
		writeProblem(c, http.StatusForbidden, titleForbidden, "The document link expired at "+formatDocumentTime(time.UnixMilli(expires)))
		return
	case documentExpired(d, now):
		s.forgetDocument(c.Request.Context(), ds, d.DocumentID)
		notFound(c, "No document '%s': it expired", d.DocumentID)
		return
	}
	writeDocument(c, d)
}

// readDocument reads a document the caller may see (its tenant) and that
// has not expired, with the content hash when hash is not empty; else it
// answers 404.
func (s *Server) readDocument(c *gin.Context, ds store.DocumentStore, id, hash string, content bool) (store.Document, bool) {
	ctx := c.Request.Context()
	d, found, err := ds.Document(ctx, id, content)
	if err != nil {
		s.fail(c, "", err)
		return store.Document{}, false
	}
	if found && documentExpired(d, s.docs.now()) {
		s.forgetDocument(ctx, ds, id)
		found = false
	}
	if tenants := s.readTenants(ctx); found && tenants != nil && !slices.Contains(tenants, d.TenantID) {
		found = false
	}
	if !found {
		notFound(c, "No document '%s'", id)
		return store.Document{}, false
	}
	if hash != "" && hash != d.ContentHash {
		notFound(c, "No document '%s' with content hash '%s'", id, hash)
		return store.Document{}, false
	}
	return d, true
}

// forgetDocument removes an expired document; a failure leaves it to the
// next sweep.
func (s *Server) forgetDocument(ctx context.Context, ds store.DocumentStore, id string) {
	if _, err := ds.DeleteDocument(ctx, id); err != nil {
		s.log.Warn("remove expired document", "document_id", id, "error", err)
	}
}

// writeDocument answers a document's content with its content type, as an
// attachment that browsers neither render nor sniff: a document is
// whatever a client uploaded, and must not run as a page of the server's
// origin.
func writeDocument(c *gin.Context, d store.Document) {
	ct := d.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	disposition := "attachment"
	if d.FileName != "" {
		disposition = mime.FormatMediaType("attachment", map[string]string{"filename": d.FileName})
		if disposition == "" {
			disposition = "attachment"
		}
	}
	c.Header("Content-Disposition", disposition)
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Content-Security-Policy", "sandbox")
	c.Data(http.StatusOK, ct, d.Content)
}

// upload is one uploaded file.
type upload struct {
	name, contentType string
	size              int64
	open              func() (io.ReadCloser, error)
}

// formFile returns the one part named name: a file part, or a value part
// (a part without a file name).
func formFile(form *multipart.Form, name string) (upload, error) {
	if fhs := form.File[name]; len(fhs) > 0 {
		return readUpload(fhs[0], name)
	}
	if vs := form.Value[name]; len(vs) > 0 {
		return textUpload(vs[0]), nil
	}
	return upload{}, bindErrorf("%s: expected a file part named '%s'", name, name)
}

// formFiles returns the parts named name, in order: file parts, or value
// parts (as Camunda's JavaScript client sends strings); not both, as the
// order between the two kinds is lost.
func formFiles(form *multipart.Form, name string) ([]upload, error) {
	fhs, vs := form.File[name], form.Value[name]
	switch {
	case len(fhs) == 0 && len(vs) == 0:
		return nil, bindErrorf("%s: expected at least one file part named '%s'", name, name)
	case len(fhs) > 0 && len(vs) > 0:
		return nil, bindErrorf("%s: expected only file parts or only parts without a file name, got %d and %d", name, len(fhs), len(vs))
	}
	out := make([]upload, 0, len(fhs)+len(vs))
	for _, fh := range fhs {
		up, err := readUpload(fh, name)
		if err != nil {
			return nil, err
		}
		out = append(out, up)
	}
	for _, v := range vs {
		out = append(out, textUpload(v))
	}
	return out, nil
}

// textUpload is a part without a file name.
func textUpload(v string) upload {
	return upload{size: int64(len(v)), open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(v)), nil }}
}

func readUpload(fh *multipart.FileHeader, name string) (upload, error) {
	if err := storable(name+": file name", fh.Filename); err != nil {
		return upload{}, err
	}
	return upload{name: fh.Filename, contentType: fh.Header.Get("Content-Type"), size: fh.Size, open: func() (io.ReadCloser, error) { return fh.Open() }}, nil
}

// formTexts returns the text of every part named name, value and file
// parts alike (a client may send JSON as a file part).
func formTexts(form *multipart.Form, name string) ([]string, error) {
	out := append([]string(nil), form.Value[name]...)
	for _, fh := range form.File[name] {
		if fh.Size > maxDocumentMetadataBytes {
			return nil, bindErrorf("%s: the part has %d bytes, more than the limit of %d", name, fh.Size, maxDocumentMetadataBytes)
		}
		f, err := fh.Open()
		if err != nil {
			return nil, bindErrorf("%s: cannot read the part: %v", name, err)
		}
		b, err := io.ReadAll(f)
		_ = f.Close()
		if err != nil {
			return nil, bindErrorf("%s: cannot read the part: %v", name, err)
		}
		out = append(out, string(b))
	}
	return out, nil
}

// batchMetadata reads createDocuments' metadataList: absent, one JSON array
// with an object per file, or one part per file holding its object (as
// Camunda's JavaScript client sends it).
func batchMetadata(form *multipart.Form, files int) ([]DocumentMetadata, error) {
	raw, err := formTexts(form, "metadataList")
	if err != nil {
		return nil, err
	}
	out := make([]DocumentMetadata, files)
	if len(raw) == 0 {
		return out, nil
	}
	if len(raw) == 1 && firstByte(raw[0]) == '[' {
		var items []json.RawMessage
		if err := decodeJSON([]byte(raw[0]), &items); err != nil {
			return nil, bindErrorf("metadataList: %v", err)
		}
		raw = raw[:0]
		for _, it := range items {
			raw = append(raw, string(it))
		}
	}
	if len(raw) != files {
		return nil, bindErrorf("metadataList: expected one metadata object per file (%d), got %d", files, len(raw))
	}
	for i, r := range raw {
		if out[i], err = parseDocumentMetadata(fmt.Sprintf("metadataList[%d]", i), []byte(r)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// parseDocumentMetadata reads one metadata object strictly: known fields
// only, each of its type; what names the part in errors.
func parseDocumentMetadata(what string, b []byte) (DocumentMetadata, error) {
	var m DocumentMetadata
	if len(b) > maxDocumentMetadataBytes {
		return m, bindErrorf("%s: %d bytes, more than the limit of %d", what, len(b), maxDocumentMetadataBytes)
	}
	if firstByte(string(b)) != '{' {
		return m, bindErrorf("%s: expected a JSON object", what)
	}
	// The integers are read apart, so that an error names its field.
	var in struct {
		DocumentMetadata
		Size               json.RawMessage `json:"size,omitempty"`
		ProcessInstanceKey json.RawMessage `json:"processInstanceKey,omitempty"`
	}
	if err := decodeStrictJSON(b, &in); err != nil {
		return m, bindErrorf("%s: %v", what, err)
	}
	m = in.DocumentMetadata
	if len(in.Size) > 0 && string(in.Size) != "null" {
		n, err := integerValue(in.Size, 64)
		if err != nil {
			return m, bindErrorf("%s.size: expected an integer, got %s", what, in.Size)
		}
		size := Long(n)
		m.Size = &size
	}
	if len(in.ProcessInstanceKey) > 0 && string(in.ProcessInstanceKey) != "null" {
		var k Key
		if err := k.UnmarshalJSON(in.ProcessInstanceKey); err != nil {
			return m, bindErrorf("%s.processInstanceKey: %v", what, err)
		}
		m.ProcessInstanceKey = &k
	}
	for _, f := range []struct{ name, v string }{{"contentType", m.ContentType}, {"fileName", m.FileName}, {"processDefinitionId", m.ProcessDefinitionID}} {
		if err := storable(what+"."+f.name, f.v); err != nil {
			return m, err
		}
	}
	if m.ContentType != "" {
		if _, _, err := mime.ParseMediaType(m.ContentType); err != nil {
			return m, bindErrorf("%s.contentType: '%s' is not a media type (%v)", what, m.ContentType, err)
		}
	}
	if m.ExpiresAt != "" {
		if _, err := time.Parse(time.RFC3339Nano, m.ExpiresAt); err != nil {
			return m, bindErrorf("%s.expiresAt: expected an RFC 3339 date-time such as 2026-12-31T23:59:59Z, got '%s'", what, m.ExpiresAt)
		}
	}
	if m.Size != nil && *m.Size < 0 {
		return m, bindErrorf("%s.size: expected a size in bytes, got %d", what, *m.Size)
	}
	if m.ProcessInstanceKey != nil && *m.ProcessInstanceKey <= 0 {
		return m, bindErrorf("%s.processInstanceKey: expected a process instance key, got %d", what, *m.ProcessInstanceKey)
	}
	if len(m.CustomProperties) > 0 {
		if firstByte(string(m.CustomProperties)) != '{' {
			return m, bindErrorf("%s.customProperties: expected a JSON object", what)
		}
		compact, err := compactJSON(m.CustomProperties)
		if err != nil {
			return m, bindErrorf("%s.customProperties: %v", what, err)
		}
		m.CustomProperties = compact
	}
	return m, nil
}

// documentTooLargeError is a document above documents.max_size.
type documentTooLargeError struct {
	name        string
	size, limit int64
}

func (e *documentTooLargeError) Error() string {
	name := ""
	if e.name != "" {
		name = " '" + e.name + "'"
	}
	return fmt.Sprintf("The document%s has %d bytes, more than the limit of %d bytes (documents.max_size)", name, e.size, e.limit)
}

// storeDocument stores an upload with its metadata under id and sweeps
// some expired documents.
func (s *Server) storeDocument(ctx context.Context, ds store.DocumentStore, id string, up upload, meta DocumentMetadata) (DocumentReference, error) {
	now := s.docs.now()
	d := store.Document{DocumentID: id, ContentType: meta.ContentType, FileName: meta.FileName,
		ProcessDefinitionID: meta.ProcessDefinitionID, CustomProperties: string(meta.CustomProperties), CreatedAt: now.Truncate(time.Millisecond)}
	if d.FileName == "" {
		d.FileName = up.name
	}
	if d.ContentType == "" {
		d.ContentType = up.contentType
	}
	if d.ContentType != "" {
		if _, _, err := mime.ParseMediaType(d.ContentType); err != nil {
			d.ContentType = "" // a client's part header, not a claim: served as octet-stream
		}
	}
	if up.size > s.docs.maxBytes {
		return DocumentReference{}, &documentTooLargeError{name: d.FileName, size: up.size, limit: s.docs.maxBytes}
	}
	if meta.ExpiresAt != "" {
		t, err := time.Parse(time.RFC3339Nano, meta.ExpiresAt)
		if err != nil {
			return DocumentReference{}, bindErrorf("metadata.expiresAt: expected an RFC 3339 date-time, got '%s'", meta.ExpiresAt)
		}
		if !t.After(now) {
			return DocumentReference{}, bindErrorf("metadata.expiresAt: %s is not in the future", meta.ExpiresAt)
		}
		d.ExpiresAt = t.UTC().Truncate(time.Millisecond)
	}
	tenant, err := s.documentTenant(ctx, meta.ProcessInstanceKey)
	if err != nil {
		return DocumentReference{}, err
	}
	d.TenantID = tenant
	if meta.ProcessInstanceKey != nil {
		d.ProcessInstanceKey = int64(*meta.ProcessInstanceKey)
	}
	f, err := up.open()
	if err != nil {
		return DocumentReference{}, bindErrorf("cannot read the file '%s': %v", d.FileName, err)
	}
	d.Content, err = io.ReadAll(io.LimitReader(f, s.docs.maxBytes+1))
	_ = f.Close()
	if err != nil {
		return DocumentReference{}, bindErrorf("cannot read the file '%s': %v", d.FileName, err)
	}
	if int64(len(d.Content)) > s.docs.maxBytes {
		return DocumentReference{}, &documentTooLargeError{name: d.FileName, size: int64(len(d.Content)), limit: s.docs.maxBytes}
	}
	sum := sha256.Sum256(d.Content)
	d.Size, d.ContentHash = int64(len(d.Content)), hex.EncodeToString(sum[:])
	if err := ds.CreateDocument(ctx, d); err != nil {
		return DocumentReference{}, err
	}
	if _, err := ds.DeleteExpiredDocuments(ctx, now, documentSweepLimit); err != nil {
		s.log.Warn("remove expired documents", "error", err)
	}
	return documentReference(d), nil
}

// documentTenant is the tenant a new document belongs to: the tenant of the
// process instance it names, which the caller must see, with multi-tenancy
// on; else the default tenant, for which requestTenant checks the caller.
func (s *Server) documentTenant(ctx context.Context, instance *Key) (string, error) {
	if !s.cfg.Multitenancy || instance == nil {
		return s.requestTenant(ctx, "")
	}
	key := int64(*instance)
	tenants := s.readTenants(ctx)
	ok, err := s.mayUse(ctx, keyLookups["processInstanceKey"], "processInstanceKey", key, tenants, nil)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", bindErrorf("metadata.processInstanceKey: no process instance %d among the tenants of the caller", key)
	}
	tenant, _ := s.keyTenants.get("processInstanceKey", key)
	if tenant == "" {
		tenant = record.DefaultTenant
	}
	return tenant, nil
}

func documentReference(d store.Document) DocumentReference {
	size := Long(d.Size)
	m := DocumentMetadata{ContentType: d.ContentType, FileName: d.FileName, Size: &size,
		ProcessDefinitionID: d.ProcessDefinitionID, ProcessInstanceKey: optKey(d.ProcessInstanceKey)}
	if !d.ExpiresAt.IsZero() {
		m.ExpiresAt = formatDocumentTime(d.ExpiresAt)
	}
	if d.CustomProperties != "" {
		m.CustomProperties = json.RawMessage(d.CustomProperties)
	}
	return DocumentReference{DocumentType: "camunda", StoreID: documentStoreID, DocumentID: d.DocumentID, ContentHash: d.ContentHash, Metadata: m}
}

func documentExpired(d store.Document, now time.Time) bool {
	return !d.ExpiresAt.IsZero() && !now.Before(d.ExpiresAt)
}

// formatDocumentTime writes a time as Camunda does: RFC 3339 in UTC with
// milliseconds.
func formatDocumentTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z07:00")
}

// newDocumentID is a random UUID (version 4), as Camunda makes document
// ids.
func newDocumentID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// checkDocumentID accepts the ids a client may choose: 1 to 256 of the
// characters a URL path segment holds unescaped (RFC 3986's unreserved).
func checkDocumentID(id string) error {
	if len(id) > maxDocumentIDLength {
		return bindErrorf("documentId: %d characters, more than the limit of %d", len(id), maxDocumentIDLength)
	}
	for i := 0; i < len(id); i++ {
		ch := id[i]
		if !unreserved(ch) {
			return bindErrorf("documentId: '%s' holds %q at byte %d; use letters, digits, '-', '.', '_' and '~'", strconv.QuoteToASCII(id), ch, i)
		}
	}
	return nil
}

// unreserved reports whether ch is one of RFC 3986's unreserved characters.
func unreserved(ch byte) bool {
	switch {
	case 'a' <= ch && ch <= 'z', 'A' <= ch && ch <= 'Z', '0' <= ch && ch <= '9':
		return true
	}
	return ch == '-' || ch == '.' || ch == '_' || ch == '~'
}

func firstByte(s string) byte {
	for i := 0; i < len(s); i++ {
		if !isSpace(s[i]) {
			return s[i]
		}
	}
	return 0
}

// decodeStrictJSON reads one JSON document into v as decodeJSON does, and
// refuses keys that are not fields of v.
func decodeStrictJSON(b []byte, v any) error {
	dec := numberDecoder(b)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return fmt.Errorf("unknown field %s", f)
		}
		return errors.New(describeJSONError(err))
	}
	return checkJSON(b, int(dec.InputOffset()), reflect.TypeOf(v))
}

func compactJSON(b []byte) (json.RawMessage, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
