package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestHelpListsEveryCommand(t *testing.T) {
	for _, arg := range []string{"--help", "-h", "help"} {
		var out bytes.Buffer
		if err := run(context.Background(), []string{arg}, environ(), &out, nil); err != nil {
			t.Fatalf("%s: %v", arg, err)
		}
		for _, c := range commands() {
			if !strings.Contains(out.String(), "\n  "+c.name+" ") {
				t.Errorf("%s does not list %s:\n%s", arg, c.name, out.String())
			}
		}
		if !strings.Contains(out.String(), "--database.url") {
			t.Errorf("%s does not list the flags", arg)
		}
	}
}

func TestEveryCommandAnswersHelp(t *testing.T) {
	for _, c := range commands() {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			// An environment that would fail the configuration: help must
			// not need a valid one.
			if err := run(context.Background(), []string{c.name, "--help"}, environ("WF_NO_SUCH_KEY=1"), &out, nil); err != nil {
				t.Fatalf("%s --help: %v", c.name, err)
			}
			if !strings.HasPrefix(out.String(), "usage: wf-engine "+c.name) {
				t.Fatalf("%s --help printed:\n%s", c.name, out.String())
			}
			if c.config && !strings.Contains(out.String(), "--database.url") {
				t.Fatalf("%s --help does not list the configuration flags", c.name)
			}
		})
	}
}

func TestClientVariablesDoNotStopTheServer(t *testing.T) {
	// A shell set up for the wf CLI: wf-engine starts and ignores them.
	dir := t.TempDir()
	base := serveFor(t, "WF_DATABASE_DATA_DIR="+dir, "WF_ADDRESS=http://127.0.0.1:1", "WF_PROFILE=prod", "WF_TOKEN=x")
	if base == "" {
		t.Fatal("no address")
	}
	// An unknown WF_ variable is still refused, with its name.
	err := run(context.Background(), nil, environ("WF_DATABASE_DATA_DIR="+dir, "WF_ADDR=x"), &bytes.Buffer{}, nil)
	if err == nil || !strings.Contains(err.Error(), "WF_ADDR") {
		t.Fatalf("got %v, want the unknown variable named", err)
	}
}
