// Package webapp holds the built web app (Tasklist and Process Inspector)
// for the engine to serve: the files Vite writes to webapp/dist, embedded
// at compile time. It must never need Node to compile: a tree where the web
// app was not built embeds only dist/.gitkeep, and FS then serves the page
// in notbuilt/, which says how to build it.
package webapp

import (
	"embed"
	"io/fs"
)

// dist is the built web app; "all:" keeps the build working when dist holds
// only the .gitkeep placeholder.
//
//go:embed all:dist
var dist embed.FS

// notBuilt is the page of a tree where the web app was not built. It has no
// script and no outside resource, so the CSP allows it.
//
//go:embed notbuilt/index.html
var notBuilt embed.FS

// FS returns the built web app, rooted at dist (index.html, assets/...),
// or, when it was not built, a file system whose index.html says how to
// build it.
func FS() fs.FS {
	if sub, err := fs.Sub(dist, "dist"); err == nil && Built(sub) {
		return sub
	}
	return notBuiltFS()
}

func notBuiltFS() fs.FS {
	sub, _ := fs.Sub(notBuilt, "notbuilt") // a directory embedded above
	return sub
}

// Built reports whether fsys holds a built web app (an index.html).
func Built(fsys fs.FS) bool {
	st, err := fs.Stat(fsys, "index.html")
	return err == nil && !st.IsDir()
}
