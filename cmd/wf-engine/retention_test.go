package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// retentionConfig loads a configuration from YAML text, the environment
// and flags.
func retentionConfig(t *testing.T, yaml string, env []string, args ...string) (Config, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "wf.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	fs := flagSet()
	if err := fs.Parse(append([]string{"--config", path}, args...)); err != nil {
		t.Fatal(err)
	}
	c, err := loadConfig(fs, environ(env...))
	if err != nil {
		return c, err
	}
	return c, c.validate()
}

func TestRetentionConfigKeys(t *testing.T) {
	c, err := retentionConfig(t, "retention:\n  per_process:\n    order: 48h\n    audit: 0\n  archive_dir: /var/lib/wf/archive\n",
		[]string{"WF_RETENTION_LOG_TTL=24h"}, "--retention.history_ttl", "240h", "--retention.batch_size", "50")
	if err != nil {
		t.Fatal(err)
	}
	rc, err := c.Retention.runnerConfig()
	if err != nil {
		t.Fatal(err)
	}
	if rc.HistoryTTL != 240*time.Hour || rc.LogTTL != 24*time.Hour || rc.ArchiveDir != "/var/lib/wf/archive" || rc.BatchSize != 50 ||
		rc.Interval != time.Minute {
		t.Errorf("retention config = %+v", rc)
	}
	if rc.PerProcess["order"] != 48*time.Hour || len(rc.PerProcess) != 2 {
		t.Errorf("per_process = %v", rc.PerProcess)
	}
	if d, ok := rc.PerProcess["audit"]; !ok || d != 0 {
		t.Errorf("audit: 0 keeps everything, got %v %v", d, ok)
	}
	if rc.TTL("other") != 240*time.Hour || rc.TTL("order") != 48*time.Hour {
		t.Errorf("TTL of other %s, of order %s", rc.TTL("other"), rc.TTL("order"))
	}
	// The defaults: 30 days, every minute.
	d, err := retentionConfig(t, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if d.Retention.HistoryTTL != 720*time.Hour || d.Retention.Interval != time.Minute || d.Retention.BatchSize != 200 {
		t.Errorf("defaults = %+v", d.Retention)
	}
}

func TestRetentionConfigRefusals(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		args       []string
		want       string
	}{
		{"negative ttl", "", []string{"--retention.history_ttl", "-1h"}, "retention.history_ttl: -1h0m0s is negative"},
		{"per-process text", "retention:\n  per_process:\n    order: soon\n", nil, `retention.per_process.order: expected a duration such as 720h or 0, got "soon"`},
		{"per-process number", "retention:\n  per_process:\n    order: 5\n", nil, "retention.per_process.order: expected a duration"},
		{"per-process negative", "retention:\n  per_process:\n    order: -2h\n", nil, "retention.per_process.order: -2h0m0s is negative"},
		{"log ttl", "", []string{"--retention.log_ttl", "-1s"}, "retention.log_ttl: -1s is negative"},
		{"interval", "", []string{"--retention.interval", "0s"}, "retention.interval: must be positive"},
		{"batch size", "", []string{"--retention.batch_size", "0"}, "retention.batch_size: must be between 1 and 10000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := retentionConfig(t, tc.yaml, nil, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
}
