package main

import (
	"bytes"
	"context"
	"testing"
)

// --version prints the version, commit and build date stamped at build
// time, without reading any configuration.
func TestVersionLine(t *testing.T) {
	defer func(v, c, d string) { version, commit, date = v, c, d }(version, commit, date)
	version, commit, date = "v1.2.3", "abc1234", "2026-12-06T10:00:00Z"
	var out bytes.Buffer
	if err := run(context.Background(), []string{"--version"}, environ("WF_NO_SUCH_KEY=1"), &out, nil); err != nil {
		t.Fatal(err)
	}
	if want := "wf-engine v1.2.3 (commit abc1234, built 2026-12-06T10:00:00Z)\n"; out.String() != want {
		t.Fatalf("--version printed %q, want %q", out.String(), want)
	}
}
