package rest_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/example/wf-engine/api/rest"
	"github.com/example/wf-engine/core/store/memstore"
)

// manualNow is a wall clock that tests move.
type manualNow struct {
	mu sync.Mutex
	t  time.Time
}

func (m *manualNow) now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.t
}

func (m *manualNow) set(t time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.t = t
}

func (m *manualNow) add(d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.t = m.t.Add(d)
}

// part is one part of a multipart body: a file part when filename is set
// or contentType is, else a value part.
type part struct {
	name, filename, contentType string
	body                        []byte
}

func multipartBody(t *testing.T, parts ...part) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		disp := `form-data; name="` + p.name + `"`
		if p.filename != "" {
			disp += `; filename="` + p.filename + `"`
		}
		h.Set("Content-Disposition", disp)
		if p.contentType != "" {
			h.Set("Content-Type", p.contentType)
		}
		pw, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = pw.Write(p.body)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w.FormDataContentType(), buf.Bytes()
}

func (c *client) upload(path string, headers []string, parts ...part) *response {
	c.t.Helper()
	ct, body := multipartBody(c.t, parts...)
	return c.do(http.MethodPost, path, ct, body, headers...)
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func str2(m map[string]any, keys ...string) string {
	var v any = m
	for _, k := range keys {
		mm, _ := v.(map[string]any)
		v = mm[k]
	}
	s, _ := v.(string)
	return s
}

func TestDocuments(t *testing.T) {
	clk := &manualNow{t: time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)}
	cfg := rest.Config{DocumentMaxBytes: 1024, Now: clk.now, DocumentLinkSecret: []byte("a test key of the documents test")}
	forEachStore(t, cfg, func(t *testing.T, c *client) {
		clk.set(time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC))
		content := []byte("%PDF-1.7\x00\x01\xff binary \r\n content")
		meta := `{"contentType":"application/pdf","fileName":"invoice.pdf","expiresAt":"2026-12-06T13:00:00Z",` +
			`"processDefinitionId":"order","customProperties":{"b":[1,2],"a":"x"},"size":"3"}`
		r := want(t, c.upload("/v2/documents", nil, part{name: "file", filename: "upload.bin", contentType: "application/octet-stream", body: content},
			part{name: "metadata", body: []byte(meta)}), http.StatusCreated)
		ref := r.obj(t)
		id, hash := str2(ref, "documentId"), str2(ref, "contentHash")
		if ref["camunda.document.type"] != "camunda" || ref["storeId"] != "database" || len(id) != 36 || hash != sha256Hex(content) {
			t.Fatalf("reference: %s", r.body)
		}
		m := ref["metadata"].(map[string]any)
		if m["contentType"] != "application/pdf" || m["fileName"] != "invoice.pdf" || m["expiresAt"] != "2026-12-06T13:00:00.000Z" ||
			m["size"] != float64(len(content)) || m["processDefinitionId"] != "order" || m["processInstanceKey"] != nil {
			t.Fatalf("metadata: %s", r.body)
		}
		if cp, _ := m["customProperties"].(map[string]any); cp["a"] != "x" || len(cp) != 2 {
			t.Fatalf("customProperties: %s", r.body)
		}

		// Download: the bytes as uploaded, with the content type, as an
		// attachment browsers do not render.
		get := want(t, c.get("/v2/documents/"+id+"?contentHash="+hash), http.StatusOK)
		if !bytes.Equal(get.body, content) || get.header.Get("Content-Type") != "application/pdf" ||
			get.header.Get("Content-Disposition") != `attachment; filename=invoice.pdf` || get.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("download: %q %v", get.body, get.header)
		}
		want(t, c.get("/v2/documents/"+id+"?contentHash="+hash+"&storeId=database"), http.StatusOK)
		problem(t, c.get("/v2/documents/"+id), http.StatusBadRequest, "INVALID_ARGUMENT", "contentHash")
		problem(t, c.get("/v2/documents/"+id+"?contentHash="+sha256Hex([]byte("other"))), http.StatusNotFound, "NOT_FOUND", id)
		problem(t, c.get("/v2/documents/"+id+"?contentHash="+hash+"&storeId=aws"), http.StatusBadRequest, "INVALID_ARGUMENT", "'aws'")
		problem(t, c.get("/v2/documents/nope?contentHash="+hash), http.StatusNotFound, "NOT_FOUND", "nope")

		// Without metadata: the part's header names the type and file; a
		// chosen id is taken once.
		plain := want(t, c.upload("/v2/documents?documentId=my-doc.1", nil, part{name: "file", filename: "notes.txt", contentType: "text/plain; charset=utf-8", body: []byte("hello")}), http.StatusCreated).obj(t)
		if plain["documentId"] != "my-doc.1" || str2(plain, "metadata", "contentType") != "text/plain; charset=utf-8" || str2(plain, "metadata", "fileName") != "notes.txt" {
			t.Fatalf("plain upload: %v", plain)
		}
		problem(t, c.upload("/v2/documents?documentId=my-doc.1", nil, part{name: "file", filename: "x", body: []byte("x")}), http.StatusConflict, "ALREADY_EXISTS", "my-doc.1")
		problem(t, c.upload("/v2/documents?documentId=a%2Fb", nil, part{name: "file", filename: "x", body: []byte("x")}), http.StatusBadRequest, "INVALID_ARGUMENT", "documentId")
		empty := want(t, c.upload("/v2/documents", nil, part{name: "file", filename: "empty", body: nil}), http.StatusCreated).obj(t)
		if str2(empty, "contentHash") != sha256Hex(nil) {
			t.Fatalf("empty document: %v", empty)
		}
		got := want(t, c.get("/v2/documents/"+str2(empty, "documentId")+"?contentHash="+sha256Hex(nil)), http.StatusOK)
		if len(got.body) != 0 || got.header.Get("Content-Type") != "application/octet-stream" {
			t.Fatalf("empty download: %q %v", got.body, got.header)
		}

		// Too large, and malformed requests, each with what is wrong.
		problem(t, c.upload("/v2/documents", nil, part{name: "file", filename: "big.bin", body: make([]byte, 1025)}),
			http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE", "'big.bin' has 1025 bytes, more than the limit of 1024 bytes (documents.max_size)")
		want(t, c.upload("/v2/documents", nil, part{name: "file", filename: "fits.bin", body: make([]byte, 1024)}), http.StatusCreated)
		problem(t, c.post("/v2/documents", map[string]any{"file": "x"}), http.StatusUnsupportedMediaType, "", "multipart/form-data")
		problem(t, c.upload("/v2/documents", nil, part{name: "files", filename: "x", body: []byte("x")}), http.StatusBadRequest, "INVALID_ARGUMENT",
			"part 'files' is not a part of this request (known: file, metadata)")
		problem(t, c.upload("/v2/documents", nil, part{name: "file", filename: "x", body: []byte("x")}, part{name: "metadta", body: []byte(`{}`)}), http.StatusBadRequest, "INVALID_ARGUMENT",
			"part 'metadta' is not a part of this request")
		problem(t, c.upload("/v2/documents", nil, part{name: "metadata", body: []byte(`{}`)}), http.StatusBadRequest, "INVALID_ARGUMENT", "expected a file part named 'file'")
		for _, tc := range []struct{ name, meta, detail string }{
			{"not JSON", `{"contentType":`, "metadata"},
			{"not an object", `["a"]`, "metadata: expected a JSON object"},
			{"an unknown field", `{"fileName":"a","owner":"me"}`, `unknown field "owner"`},
			{"a key in another case", `{"FileName":"a"}`, `'FileName'`},
			{"a bad date", `{"expiresAt":"tomorrow"}`, "metadata.expiresAt"},
			{"a past date", `{"expiresAt":"2026-12-06T11:59:59Z"}`, "not in the future"},
			{"a bad media type", `{"contentType":"pdf files"}`, "metadata.contentType"},
			{"custom properties not an object", `{"customProperties":[1]}`, "metadata.customProperties"},
			{"a bad instance key", `{"processInstanceKey":"12a"}`, "metadata.processInstanceKey"},
			{"a fractional size", `{"size":1.5}`, "metadata.size: expected an integer, got 1.5"},
			{"a duplicate key", `{"fileName":"a","fileName":"b"}`, "fileName"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				problem(t, c.upload("/v2/documents", nil, part{name: "file", filename: "x", body: []byte("x")}, part{name: "metadata", body: []byte(tc.meta)}),
					http.StatusBadRequest, "INVALID_ARGUMENT", tc.detail)
			})
		}
		// Metadata as a JSON file part, as Camunda's Java client sends it.
		asFile := want(t, c.upload("/v2/documents", nil, part{name: "file", filename: "x", body: []byte("x")},
			part{name: "metadata", filename: "metadata.json", contentType: "application/json", body: []byte(`{"fileName":"named.txt","processInstanceKey":"2251799813685251"}`)}), http.StatusCreated).obj(t)
		if str2(asFile, "metadata", "fileName") != "named.txt" || str2(asFile, "metadata", "processInstanceKey") != "2251799813685251" {
			t.Fatalf("metadata as a file part: %v", asFile)
		}

		// A link: served without credentials until it expires, refused
		// once changed; it ends with its document.
		lr := want(t, c.post("/v2/documents/"+id+"/links?contentHash="+hash, map[string]any{"timeToLive": "60000"}), http.StatusCreated).obj(t)
		link := str2(lr, "url")
		if !strings.HasPrefix(link, c.base+"/v2/x/documents/"+id+"/content?") || lr["expiresAt"] != "2026-12-06T12:01:00.000Z" {
			t.Fatalf("link: %v", lr)
		}
		path := strings.TrimPrefix(link, c.base)
		viaLink := want(t, c.get(path), http.StatusOK)
		if !bytes.Equal(viaLink.body, content) || viaLink.header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("download by link: %q %v", viaLink.body, viaLink.header)
		}
		u, _ := url.Parse(link)
		q := u.Query()
		sig := q.Get("signature")
		tampered := []byte(sig)
		tampered[0] ^= 1
		q.Set("signature", string(tampered))
		problem(t, c.get(u.Path+"?"+q.Encode()), http.StatusForbidden, "FORBIDDEN", "not valid")
		q.Set("signature", sig)
		q.Set("expires", "9999999999999")
		problem(t, c.get(u.Path+"?"+q.Encode()), http.StatusForbidden, "FORBIDDEN", "not valid")
		problem(t, c.get(strings.Replace(path, id, "my-doc.1", 1)), http.StatusForbidden, "FORBIDDEN", "not valid")
		problem(t, c.get("/v2/x/documents/"+id+"/content?signature="+sig), http.StatusBadRequest, "INVALID_ARGUMENT", "expires")
		problem(t, c.post("/v2/documents/"+id+"/links?contentHash=00", nil), http.StatusNotFound, "NOT_FOUND", id)
		problem(t, c.post("/v2/documents/"+id+"/links?contentHash="+hash, map[string]any{"timeToLive": 0}), http.StatusBadRequest, "INVALID_ARGUMENT", "timeToLive")
		def := want(t, c.post("/v2/documents/"+id+"/links?contentHash="+hash, nil), http.StatusCreated).obj(t)
		if def["expiresAt"] != "2026-12-06T13:00:00.000Z" { // the document's expiry comes before the default hour
			t.Fatalf("link of a document that expires sooner: %v", def)
		}
		clk.add(61 * time.Second)
		problem(t, c.get(path), http.StatusForbidden, "FORBIDDEN", "expired at 2026-12-06T12:01:00.000Z")

		// Expired documents are not found, by id or by link.
		clk.add(time.Hour)
		problem(t, c.get("/v2/documents/"+id+"?contentHash="+hash), http.StatusNotFound, "NOT_FOUND", id)
		problem(t, c.get(strings.TrimPrefix(str2(def, "url"), c.base)), http.StatusForbidden, "FORBIDDEN", "")
		problem(t, c.send(http.MethodDelete, "/v2/documents/"+id, nil), http.StatusNotFound, "NOT_FOUND", id)

		// Delete, then the document and its links are gone.
		plainHash := sha256Hex([]byte("hello"))
		pl := want(t, c.post("/v2/documents/my-doc.1/links?contentHash="+plainHash, map[string]any{"timeToLive": 3600000}), http.StatusCreated).obj(t)
		want(t, c.send(http.MethodDelete, "/v2/documents/my-doc.1?storeId=database", nil), http.StatusNoContent)
		problem(t, c.get("/v2/documents/my-doc.1?contentHash="+plainHash), http.StatusNotFound, "NOT_FOUND", "my-doc.1")
		problem(t, c.send(http.MethodDelete, "/v2/documents/my-doc.1", nil), http.StatusNotFound, "NOT_FOUND", "my-doc.1")
		problem(t, c.get(strings.TrimPrefix(str2(pl, "url"), c.base)), http.StatusForbidden, "FORBIDDEN", "deleted")
		// A new document under the id does not revive the old links.
		want(t, c.upload("/v2/documents?documentId=my-doc.1", nil, part{name: "file", filename: "x", body: []byte("other")}), http.StatusCreated)
		problem(t, c.get(strings.TrimPrefix(str2(pl, "url"), c.base)), http.StatusForbidden, "FORBIDDEN", "")
	})
}

func TestDocumentBatch(t *testing.T) {
	clk := &manualNow{t: time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)}
	forEachStore(t, rest.Config{DocumentMaxBytes: 100, Now: clk.now}, func(t *testing.T, c *client) {
		// One file too large and one with bad metadata: 207, the others
		// stored, the failures named.
		r := want(t, c.upload("/v2/documents/batch", nil,
			part{name: "files", filename: "a.txt", contentType: "text/plain", body: []byte("aaa")},
			part{name: "files", filename: "big.bin", body: make([]byte, 101)},
			part{name: "files", filename: "c.txt", body: []byte("ccc")},
			part{name: "files", filename: "d.txt", body: []byte("ddd")},
			part{name: "metadataList", body: []byte(`{"customProperties":{"n":1}}`)},
			part{name: "metadataList", body: []byte(`{}`)},
			part{name: "metadataList", body: []byte(`{"fileName":"renamed.txt","contentType":"text/csv"}`)},
			part{name: "metadataList", body: []byte(`{"fileName":"bad.txt","expiresAt":"2026-12-06T11:00:00Z"}`)},
		), http.StatusMultiStatus)
		var out struct {
			CreatedDocuments []struct {
				DocumentID, ContentHash string
				Metadata                struct{ FileName, ContentType string }
			}
			FailedDocuments []struct{ FileName, Detail string }
		}
		r.json(t, &out)
		if len(out.CreatedDocuments) != 2 || out.CreatedDocuments[0].Metadata.FileName != "a.txt" || out.CreatedDocuments[0].Metadata.ContentType != "text/plain" ||
			out.CreatedDocuments[1].Metadata.FileName != "renamed.txt" || out.CreatedDocuments[1].Metadata.ContentType != "text/csv" {
			t.Fatalf("created: %s", r.body)
		}
		if len(out.FailedDocuments) != 2 || out.FailedDocuments[0].FileName != "big.bin" || !strings.Contains(out.FailedDocuments[0].Detail, "limit of 100 bytes") ||
			out.FailedDocuments[1].FileName != "bad.txt" || !strings.Contains(out.FailedDocuments[1].Detail, "not in the future") {
			t.Fatalf("failed: %s", r.body)
		}
		for i, body := range []string{"aaa", "ccc"} {
			d := out.CreatedDocuments[i]
			if got := want(t, c.get("/v2/documents/"+d.DocumentID+"?contentHash="+d.ContentHash), http.StatusOK); string(got.body) != body {
				t.Fatalf("document %d: %q", i, got.body)
			}
		}
		// Every file stored: 201; metadataList as one JSON array.
		r = want(t, c.upload("/v2/documents/batch?storeId=database", nil,
			part{name: "files", filename: "x", body: []byte("x")}, part{name: "files", filename: "y", body: []byte("y")},
			part{name: "metadataList", contentType: "application/json", filename: "m.json", body: []byte(`[{"fileName":"one"},{"fileName":"two"}]`)}), http.StatusCreated)
		r.json(t, &out)
		if len(out.CreatedDocuments) != 2 || len(out.FailedDocuments) != 0 || out.CreatedDocuments[1].Metadata.FileName != "two" {
			t.Fatalf("batch: %s", r.body)
		}
		// Files as parts without a file name, as Camunda's JavaScript client
		// sends strings; not mixed with file parts.
		r = want(t, c.upload("/v2/documents/batch", nil, part{name: "files", body: []byte("first")}, part{name: "files", body: []byte("second")},
			part{name: "metadataList", body: []byte(`{"fileName":"1.txt"}`)}, part{name: "metadataList", body: []byte(`{"fileName":"2.txt","contentType":"text/plain"}`)}), http.StatusCreated)
		r.json(t, &out)
		if len(out.CreatedDocuments) != 2 || out.CreatedDocuments[1].Metadata.FileName != "2.txt" || out.CreatedDocuments[1].ContentHash != sha256Hex([]byte("second")) {
			t.Fatalf("batch of value parts: %s", r.body)
		}
		problem(t, c.upload("/v2/documents/batch", nil, part{name: "files", body: []byte("x")}, part{name: "files", filename: "y", body: []byte("y")}),
			http.StatusBadRequest, "INVALID_ARGUMENT", "only file parts or only parts without a file name")
		problem(t, c.upload("/v2/documents/batch", nil, part{name: "files", filename: "x", body: []byte("x")},
			part{name: "metadataList", body: []byte(`{}`)}, part{name: "metadataList", body: []byte(`{}`)}), http.StatusBadRequest, "INVALID_ARGUMENT", "one metadata object per file (1), got 2")
		problem(t, c.upload("/v2/documents/batch", nil, part{name: "file", filename: "x", body: []byte("x")}), http.StatusBadRequest, "INVALID_ARGUMENT",
			"part 'file' is not a part of this request (known: files, metadataList)")
		problem(t, c.upload("/v2/documents/batch", nil, part{name: "metadataList", body: []byte(`[]`)}), http.StatusBadRequest, "INVALID_ARGUMENT", "expected at least one file part named 'files'")
		problem(t, c.upload("/v2/documents/batch", nil, part{name: "files", filename: "x", body: []byte("x")}, part{name: "metadataList", body: []byte(`[{"size":"x"}]`)}),
			http.StatusBadRequest, "INVALID_ARGUMENT", "metadataList[0]")
	})
}

// TestDocumentTenants: with multi-tenancy on, a document without a process
// instance belongs to the default tenant; who is not a member of it can
// neither upload such a document nor see one.
func TestDocumentTenants(t *testing.T) {
	c := start(t, memstore.New(memstore.Options{}), rest.Config{Authenticator: fakeAuth{}, AuthMode: "oidc", Multitenancy: true})
	member := []string{"Authorization", "Bearer role:worker;tenants:<default>"}
	stranger := []string{"Authorization", "Bearer role:worker;tenants:acme"}
	ref := want(t, c.upload("/v2/documents", member, part{name: "file", filename: "x", body: []byte("x")}), http.StatusCreated).obj(t)
	path := "/v2/documents/" + str2(ref, "documentId") + "?contentHash=" + str2(ref, "contentHash")
	want(t, c.do(http.MethodGet, path, "", nil, member...), http.StatusOK)
	problem(t, c.do(http.MethodGet, path, "", nil, stranger...), http.StatusNotFound, "NOT_FOUND", "")
	problem(t, c.do(http.MethodDelete, "/v2/documents/"+str2(ref, "documentId"), "", nil, stranger...), http.StatusNotFound, "NOT_FOUND", "")
	problem(t, c.upload("/v2/documents", stranger, part{name: "file", filename: "x", body: []byte("x")}), http.StatusForbidden, "FORBIDDEN", "<default>")
	problem(t, c.upload("/v2/documents", stranger, part{name: "file", filename: "x", body: []byte("x")}, part{name: "metadata", body: []byte(`{"processInstanceKey":"2251799813685249"}`)}),
		http.StatusBadRequest, "INVALID_ARGUMENT", "no process instance 2251799813685249 among the tenants of the caller")
	// The link needs no credentials at all.
	lr := want(t, c.do(http.MethodPost, "/v2/documents/"+str2(ref, "documentId")+"/links?contentHash="+str2(ref, "contentHash"), "", nil, member...), http.StatusCreated).obj(t)
	if got := want(t, c.get(strings.TrimPrefix(str2(lr, "url"), c.base)), http.StatusOK); string(got.body) != "x" {
		t.Fatalf("by link: %q", got.body)
	}
}
