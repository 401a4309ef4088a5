package main

import "testing"

// --version prints the version, commit and build date stamped at build
// time, and needs no engine or configuration.
func TestVersion(t *testing.T) {
	defer func(v, c, d string) { version, commit, date = v, c, d }(version, commit, date)
	version, commit, date = "v1.2.3", "abc1234", "2026-12-06T10:00:00Z"
	r := wf(t, "--version")
	if r.code != exitOK || r.stdout != "wf v1.2.3 (commit abc1234, built 2026-12-06T10:00:00Z)\n" || r.stderr != "" {
		t.Fatalf("--version: %+v", r)
	}
}
