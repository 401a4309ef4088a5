package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestConfigPrintShowsEveryLayerAndRedactsSecrets(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "wf.yaml")
	if err := os.WriteFile(file, []byte("engine:\n  max_batch: 64\nhttp:\n  max_body_bytes: 65536\n  max_variables_bytes: 32768\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err := run(context.Background(), []string{"config", "print", "--config", file, "--engine.max_batch", "32"},
		environ("WF_DATABASE_URL=postgres://wf:hunter2@127.0.0.1/wf", "WF_LOG_LEVEL=debug"), &out, nil)
	if err != nil {
		t.Fatalf("config print: %v\n%s", err, out.String())
	}
	if strings.Contains(out.String(), "hunter2") {
		t.Fatalf("the password was printed:\n%s", out.String())
	}
	var printed struct {
		Engine struct {
			MaxBatch int `yaml:"max_batch"`
		}
		HTTP struct {
			MaxBodyBytes int64 `yaml:"max_body_bytes"`
		} `yaml:"http"`
		Log      struct{ Level string }
		Database struct{ URL string }
	}
	if err := yaml.Unmarshal(out.Bytes(), &printed); err != nil {
		t.Fatalf("config print is not YAML: %v\n%s", err, out.String())
	}
	if printed.Engine.MaxBatch != 32 || printed.HTTP.MaxBodyBytes != 65536 || printed.Log.Level != "debug" ||
		!strings.HasPrefix(printed.Database.URL, "postgres://wf:") {
		t.Fatalf("printed %+v, want the flag, file and environment values", printed)
	}

	// An invalid configuration is printed, then refused.
	out.Reset()
	err = run(context.Background(), []string{"config", "print", "--log.level", "loud"}, environ(), &out, nil)
	if err == nil || !strings.Contains(err.Error(), "log.level") || !strings.Contains(out.String(), "level: loud") {
		t.Fatalf("got %v and\n%s", err, out.String())
	}
}

func TestConfigCheckNamesEveryProblemWithItsLine(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	good := write("good.yaml", "http:\n  address: 127.0.0.1:9000\nauth:\n  mode: none\nconnectors:\n  secrets:\n    TOKEN: abc\n")
	for _, tc := range []struct {
		name, content string
		want          []string
	}{
		{"typo", "http:\n  adddress: 127.0.0.1:8080\n", []string{`:2: unknown key "http.adddress" (did you mean "http.address"?)`}},
		{"two unknown keys", "nope: 1\nengine:\n  max_bach: 3\n", []string{`:1: unknown key "nope"`, `:3: unknown key "engine.max_bach"`}},
		{"invalid values", "log:\n  level: loud\nhttp:\n  address: 0.0.0.0:8080\n", []string{`:2: log.level`, "loopback addresses only"}},
		{"not YAML", "http: [\n", []string{"parse YAML"}},
		{"not a mapping", "- a\n- b\n", []string{"expected a mapping"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := write(strings.ReplaceAll(tc.name, " ", "-")+".yaml", tc.content)
			err := run(context.Background(), []string{"config", "check", path}, environ(), &bytes.Buffer{}, nil)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
	var out bytes.Buffer
	// The shell's environment is not part of the check: an unknown WF_
	// variable here does not fail a file meant for another machine.
	if err := run(context.Background(), []string{"config", "check", good}, environ("WF_NO_SUCH_KEY=1"), &out, nil); err != nil {
		t.Fatalf("good file: %v", err)
	}
	if !strings.Contains(out.String(), "configuration OK") {
		t.Fatalf("printed %q", out.String())
	}
	for _, args := range [][]string{{"config"}, {"config", "check"}, {"config", "lint", good}, {"config", "check", filepath.Join(dir, "absent.yaml")}} {
		if err := run(context.Background(), args, environ(), &bytes.Buffer{}, nil); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}

func FuzzKeyLines(f *testing.F) {
	f.Add([]byte("http:\n  address: x\n"))
	f.Add([]byte("a: {b: [1, 2]}\n"))
	f.Add([]byte("- 1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lines, err := keyLines(data)
		if err != nil {
			return
		}
		// Every key is on a line of the document (yaml.v3 counts from 1).
		n := bytes.Count(data, []byte("\n")) + 1
		for key, line := range lines {
			if line < 1 || line > n {
				t.Fatalf("key %q on line %d of a %d-line document", key, line, n)
			}
		}
	})
}
