package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

// Cache-Control values of the static files.
const (
	// cacheImmutable is for /assets/: Vite names them by a hash of their
	// content, so a name never changes meaning.
	cacheImmutable = "public, max-age=31536000, immutable"
	// cacheRevalidate is for index.html and the other unhashed files: the
	// browser asks again every time (an ETag keeps that cheap).
	cacheRevalidate = "no-cache"
)

// assetsPrefix holds the hashed files.
const assetsPrefix = "/assets/"

// Precompressed variants of a file, by encoding, with their suffix; the
// first the client accepts is served.
var encodings = []struct{ name, suffix string }{{"br", ".br"}, {"gzip", ".gz"}}

// staticFile is one file of the web app, read at start.
type staticFile struct {
	body        []byte
	etag        string
	contentType string
	// variants are precompressed copies by encoding ("br", "gzip").
	variants map[string]*staticFile
}

// Static serves the web app in fsys (index.html at its root, hashed files
// under assets/). It reads every file at start, so a file system that
// cannot be read fails here, not at the first request.
type Static struct {
	files map[string]*staticFile // by path without the leading slash
	index *staticFile
}

// NewStatic reads the web app in fsys. fsys must hold an index.html.
func NewStatic(fsys fs.FS) (*Static, error) {
	s := &Static{files: map[string]*staticFile{}}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || strings.HasPrefix(path.Base(name), ".") {
			return nil
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		s.files[name] = &staticFile{body: body, etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`, contentType: contentType(name)}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the web app: %w", err)
	}
	for name, f := range s.files {
		for _, e := range encodings {
			if v, ok := s.files[name+e.suffix]; ok {
				if f.variants == nil {
					f.variants = map[string]*staticFile{}
				}
				f.variants[e.name] = &staticFile{body: v.body, etag: v.etag, contentType: f.contentType}
			}
		}
	}
	s.index = s.files["index.html"]
	if s.index == nil {
		return nil, fmt.Errorf("read the web app: it has no index.html")
	}
	return s, nil
}

// contentType is the media type of a file by its extension.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".html":
		return "text/html; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".json", ".map":
		return "application/json"
	case ".svg":
		return "image/svg+xml"
	case ".woff2":
		return "font/woff2"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// ServeHTTP answers GET and HEAD: a file of the web app, or index.html
// for a page of the app (see the package documentation).
func (s *Static) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	secure(w.Header())
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeProblem(w, r, http.StatusMethodNotAllowed, "Method Not Allowed", "The web app's files are read with GET or HEAD")
		return
	}
	p := r.URL.Path
	if reserved(p) {
		// Handler sends these elsewhere; never answer them with the app.
		writeProblem(w, r, http.StatusNotFound, "NOT_FOUND", "No endpoint "+r.Method+" "+clip(p))
		return
	}
	name := strings.TrimPrefix(p, "/")
	if f, ok := s.files[name]; ok && name != "" {
		cache := cacheRevalidate
		if strings.HasPrefix(p, assetsPrefix) {
			cache = cacheImmutable
		}
		s.serve(w, r, f, cache)
		return
	}
	if p == "/" || (!strings.HasPrefix(p, assetsPrefix) && acceptsHTML(r)) {
		s.serve(w, r, s.index, cacheRevalidate)
		return
	}
	writeProblem(w, r, http.StatusNotFound, "NOT_FOUND", "No file "+clip(p))
}

// serve answers with f, or with a precompressed variant the client
// accepts; conditional and range requests are handled by ServeContent.
func (s *Static) serve(w http.ResponseWriter, r *http.Request, f *staticFile, cache string) {
	h := w.Header()
	if len(f.variants) > 0 {
		h.Add("Vary", "Accept-Encoding")
		for _, e := range encodings {
			if v, ok := f.variants[e.name]; ok && acceptsEncoding(r.Header.Get("Accept-Encoding"), e.name) {
				h.Set("Content-Encoding", e.name)
				f = v
				break
			}
		}
	}
	h.Set("Content-Type", f.contentType)
	h.Set("Cache-Control", cache)
	h.Set("ETag", f.etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.body))
}

// reserved reports whether a path belongs to the API or the login routes,
// which are never answered with the web app.
func reserved(p string) bool {
	for _, prefix := range []string{"/v2/", "/auth/"} {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	switch p {
	case "/v2", "/auth", "/metrics", "/healthz", "/readyz":
		return true
	}
	return false
}

// acceptsHTML reports whether the request accepts an HTML page (a browser
// navigating to a page of the app).
func acceptsHTML(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "text/html")
}

// acceptsEncoding reports whether an Accept-Encoding value accepts enc
// (named, with a q above 0).
func acceptsEncoding(header, enc string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), enc) {
			continue
		}
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}

// clip cuts what a client sent short for a problem detail.
func clip(s string) string {
	if len(s) > 100 {
		return s[:100] + "…"
	}
	return s
}
