package main

import "fmt"

// commit and date are set at build time with -ldflags "-X main.commit=...
// -X main.date=..." (make release and make image do), next to version in
// main.go.
var (
	commit = "unknown"
	date   = "unknown"
)

// versionLine is what --version prints: the version, the commit it was
// built from and when.
func versionLine() string {
	return fmt.Sprintf("wf-engine %s (commit %s, built %s)", version, commit, date)
}
