package main

import "fmt"

// version, commit and date are set at build time with -ldflags
// "-X main.version=... -X main.commit=... -X main.date=..." (make release
// does); `wf --version` prints them.
var (
	version = "dev"
	commit  = "unknown"
	date    = "unknown"
)

// versionLine is what --version prints after "wf ".
func versionLine() string {
	return fmt.Sprintf("%s (commit %s, built %s)", version, commit, date)
}
