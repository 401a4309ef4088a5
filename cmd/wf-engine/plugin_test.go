package main

import (
	"context"
	"regexp"
	"strings"
	"testing"

	connectorsuite "github.com/example/wf-engine/conformance/connectors"
)

func TestPluginCheckPassesForTheEchoPlugin(t *testing.T) {
	path, _ := connectorsuite.BuildPlugin(t, "github.com/example/wf-engine/plugins/examples/echo")
	var out strings.Builder
	if err := run(t.Context(), []string{"plugin", "check", path}, environ(), &out, nil); err != nil {
		t.Fatalf("plugin check: %v\n%s", err, out.String())
	}
	pass := regexp.MustCompile(`(?m)^PASS (start|describe|input|cancel|parallel|restart) `).FindAllString(out.String(), -1)
	if len(pass) != 6 || strings.Contains(out.String(), "FAIL") {
		t.Fatalf("want 6 PASS lines and no FAIL:\n%s", out.String())
	}
}

func TestPluginCheckFailsForANonPlugin(t *testing.T) {
	var out strings.Builder
	err := run(context.Background(), []string{"plugin", "check", "/bin/sh"}, environ(), &out, nil)
	if err == nil || !strings.Contains(out.String(), "FAIL start") {
		t.Fatalf("got %v\n%s", err, out.String())
	}
}

func TestPluginCommandUsage(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no sub-command", []string{"plugin"}, "usage: wf-engine plugin check <binary>"},
		{"check without a binary", []string{"plugin", "check"}, "usage: wf-engine plugin check <binary>"},
		{"check with two binaries", []string{"plugin", "check", "a", "b"}, "usage: wf-engine plugin check <binary>"},
		{"check with a flag", []string{"plugin", "check", "--force"}, "usage: wf-engine plugin check <binary>"},
		{"unknown sub-command", []string{"plugin", "install", "x"}, `unknown plugin command "install"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out strings.Builder
			err := run(context.Background(), tc.args, environ(), &out, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}
