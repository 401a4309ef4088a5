package host

import (
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func writeScript(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "plugin.sh")
	if err := os.WriteFile(path, []byte(body), 0o700); err != nil { // #nosec G306 -- an executable the test owns
		t.Fatal(err)
	}
	return path
}

func hexOf(b []byte) string { return hex.EncodeToString(b) }

func TestCheckPassesForTheEchoPlugin(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	if err := Check(t.Context(), echoPath, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var names []string
	for _, l := range lines {
		m := regexp.MustCompile(`^PASS (\S+) +\S`).FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("line %q is not a PASS line:\n%s", l, out.String())
		}
		names = append(names, m[1])
	}
	if got := strings.Join(names, " "); got != "start describe input cancel parallel restart" {
		t.Fatalf("checks %q:\n%s", got, out.String())
	}
	if !strings.Contains(out.String(), "io.wf-engine:echo 1.0.0, job types io.wf-engine:echo:1") ||
		!strings.Contains(out.String(), "nil input: error *connector.InputError (field message)") {
		t.Fatalf("output:\n%s", out.String())
	}
}

func TestCheckReportsAnInvalidDescriptor(t *testing.T) {
	t.Parallel()
	// The wrapper gives the echo plugin an invalid version.
	script := writeScript(t, "#!/bin/sh\nECHO_VERSION=banana exec "+echoPath+"\n")
	var out strings.Builder
	err := Check(t.Context(), script, &out)
	if err == nil || !strings.Contains(err.Error(), "1 of 6 checks failed") {
		t.Fatalf("got %v\n%s", err, out.String())
	}
	if !regexp.MustCompile(`(?m)^FAIL describe +descriptor is invalid: .*version "banana"`).MatchString(out.String()) ||
		!regexp.MustCompile(`(?m)^PASS restart `).MatchString(out.String()) {
		t.Fatalf("output:\n%s", out.String())
	}
}

func TestCheckReportsABinaryThatIsNoPlugin(t *testing.T) {
	t.Parallel()
	script := writeScript(t, "#!/bin/sh\necho hello\n")
	var out strings.Builder
	err := Check(t.Context(), script, &out)
	if err == nil || !regexp.MustCompile(`(?m)^FAIL start `).MatchString(out.String()) {
		t.Fatalf("got %v\n%s", err, out.String())
	}
	err = Check(t.Context(), filepath.Join(t.TempDir(), "missing"), &out)
	if err == nil || !strings.Contains(out.String(), "FAIL start") || !strings.Contains(out.String(), "no such file") {
		t.Fatalf("got %v\n%s", err, out.String())
	}
}
