package web

import (
	"encoding/json"
	"net/http"
)

// problem is an RFC 9457 problem detail, the shape api/rest answers with.
type problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail"`
	Instance string `json:"instance"`
}

// writeProblem answers with a problem detail. detail must hold nothing
// secret: it reaches the browser.
func writeProblem(w http.ResponseWriter, r *http.Request, status int, title, detail string) {
	writeJSON(w, status, "application/problem+json", problem{Type: "about:blank", Title: title, Status: status, Detail: detail, Instance: r.URL.Path})
}

// writeJSON answers with v as JSON, never cached.
func writeJSON(w http.ResponseWriter, status int, contentType string, v any) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // URLs keep their &; the content type is never HTML
	_ = enc.Encode(v)
}
