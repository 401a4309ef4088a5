// Package webapp holds the built web app (Tasklist and Process Inspector)
// for the engine to serve: the files Vite writes to webapp/dist, embedded
// at compile time. It must never need Node to compile: a tree where the web
// app was not built embeds only dist/.gitkeep, and FS then serves a page
// that says how to build it.
package webapp

import (
	"embed"
	"io"
	"io/fs"
	"time"
)

// dist is the built web app; "all:" keeps the build working when dist holds
// only the .gitkeep placeholder.
//
//go:embed all:dist
var dist embed.FS

// FS returns the built web app, rooted at dist (index.html, assets/...),
// or, when it was not built, a file system whose index.html says how to
// build it.
func FS() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil || !Built(sub) {
		return notBuilt{}
	}
	return sub
}

// Built reports whether fsys holds a built web app (an index.html).
func Built(fsys fs.FS) bool {
	st, err := fs.Stat(fsys, "index.html")
	return err == nil && !st.IsDir()
}

// notBuiltPage is the index.html of a tree where the web app was not built.
// It has no script and no outside resource, so the CSP allows it.
const notBuiltPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>wf-engine: the web app is not built</title>
</head>
<body>
<main>
<h1>The web app is not built</h1>
<p>This wf-engine was compiled without its web app (Tasklist and Process Inspector).
The REST API works as usual under <code>/v2/</code>.</p>
<p>To build the web app, install Node 20 or later and run <code>make build</code>
in the source tree, then start the new <code>wf-engine</code> binary.</p>
</main>
</body>
</html>
`

// notBuilt is a file system of one file, index.html: notBuiltPage.
type notBuilt struct{}

func (notBuilt) Open(name string) (fs.File, error) {
	if name != "index.html" {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return &pageFile{}, nil
}

// pageFile is the open index.html of notBuilt.
type pageFile struct{ off int }

func (f *pageFile) Stat() (fs.FileInfo, error) { return pageInfo{}, nil }

func (f *pageFile) Read(p []byte) (int, error) {
	if f.off >= len(notBuiltPage) {
		return 0, io.EOF
	}
	n := copy(p, notBuiltPage[f.off:])
	f.off += n
	return n, nil
}

func (f *pageFile) Close() error { return nil }

// pageInfo describes notBuiltPage.
type pageInfo struct{}

func (pageInfo) Name() string       { return "index.html" }
func (pageInfo) Size() int64        { return int64(len(notBuiltPage)) }
func (pageInfo) Mode() fs.FileMode  { return 0o444 }
func (pageInfo) ModTime() time.Time { return time.Time{} }
func (pageInfo) IsDir() bool        { return false }
func (pageInfo) Sys() any           { return nil }

// Interface guards
var (
	_ fs.FS       = notBuilt{}
	_ fs.File     = (*pageFile)(nil)
	_ fs.FileInfo = pageInfo{}
)
