package webapp

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
)

// TestNotBuiltFS: the page of a tree without a built web app is a valid
// file system of one index.html that says how to build the app.
func TestNotBuiltFS(t *testing.T) {
	if err := fstest.TestFS(notBuiltFS(), "index.html"); err != nil {
		t.Fatal(err)
	}
	page, err := fs.ReadFile(notBuiltFS(), "index.html")
	if err != nil || !strings.Contains(string(page), "make build") || !strings.Contains(string(page), "Node 20") || strings.Contains(string(page), "<script") {
		t.Fatalf("%v %s", err, page)
	}
	if !Built(notBuiltFS()) || Built(fstest.MapFS{"assets/a.js": {}}) {
		t.Fatal("Built does not look for index.html")
	}
	if !Built(FS()) {
		t.Fatal("FS has no index.html")
	}
}
