package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/example/wf-engine/core/syncbuf"
)

func TestDocumentsConfigRefusals(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  []string
		want string
	}{
		{"no size", []string{"--documents.max_size", "0"}, nil, "documents.max_size: must be between 1"},
		{"a short link secret", nil, []string{"WF_DOCUMENTS_LINK_SECRET=short"}, "documents.link_secret: must be at least 32 bytes, got 5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := run(context.Background(), tc.args, environ(tc.env...), io.Discard, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error about %q", err, tc.want)
			}
		})
	}
}

// TestDocumentsSurviveARestart serves documents from the configured store
// with documents.max_size and documents.link_secret applied: a document
// and a link made before a restart still work after it.
func TestDocumentsSurviveARestart(t *testing.T) {
	dir := t.TempDir()
	env := []string{"WF_DATABASE_DATA_DIR=" + dir, "WF_DOCUMENTS_LINK_SECRET=" + strings.Repeat("s", 32)}
	args := []string{"--http.address", "127.0.0.1:0", "--documents.max_size", "64"}
	start := func() (string, func()) {
		ctx, cancel := context.WithCancel(context.Background())
		ready, done := make(chan string, 1), make(chan error, 1)
		out := &syncbuf.Buffer{}
		go func() { done <- run(ctx, args, environ(env...), out, ready) }()
		select {
		case addr := <-ready:
			return "http://" + addr, func() {
				cancel()
				if err := <-done; err != nil {
					t.Errorf("shutdown: %v", err)
				}
			}
		case err := <-done:
			cancel()
			t.Fatalf("server stopped: %v\n%s", err, out)
		case <-time.After(60 * time.Second):
			cancel()
			t.Fatal("server did not start")
		}
		return "", nil
	}
	upload := func(base string, content []byte) (int, string) {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		fw, _ := w.CreateFormFile("file", "a.txt")
		_, _ = fw.Write(content)
		_ = w.Close()
		return send(t, http.MethodPost, base+"/v2/documents?documentId=kept", w.FormDataContentType(), &buf)
	}
	base, stop := start()
	if status, body := upload(base, make([]byte, 65)); status != http.StatusRequestEntityTooLarge || !strings.Contains(body, "limit of 64 bytes") {
		t.Fatalf("too large: %d %s", status, body)
	}
	status, body := upload(base, []byte("kept across restarts"))
	if status != http.StatusCreated {
		t.Fatalf("upload: %d %s", status, body)
	}
	var ref struct{ ContentHash string }
	_ = json.Unmarshal([]byte(body), &ref)
	status, body = send(t, http.MethodPost, base+"/v2/documents/kept/links?contentHash="+ref.ContentHash, "", nil)
	var link struct{ URL string }
	if err := json.Unmarshal([]byte(body), &link); status != http.StatusCreated || err != nil {
		t.Fatalf("link: %d %s", status, body)
	}
	linkPath := strings.TrimPrefix(link.URL, base)
	stop()

	base, stop = start()
	defer stop()
	if status, body := send(t, http.MethodGet, base+"/v2/documents/kept?contentHash="+ref.ContentHash, "", nil); status != http.StatusOK || body != "kept across restarts" {
		t.Fatalf("after the restart: %d %q", status, body)
	}
	if status, body := send(t, http.MethodGet, base+linkPath, "", nil); status != http.StatusOK || body != "kept across restarts" {
		t.Fatalf("the link after the restart: %d %q", status, body)
	}
}
