package metricsdoc

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "metrics.md")
	doc := "# Metrics\n\n| Metric | Type | Labels | Meaning | Example |\n|---|---|---|---|---|\n" +
		"| `wf_a_total` | counter | `type` | Things. | `rate(wf_a_total[5m])` |\n" +
		"| `wf_b` | gauge | | Plugins. *Only with plugins.* | `wf_b` |\n" +
		"| `go_x` | gauge | | not ours | |\n"
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	rows, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0] != (Row{Name: "wf_a_total", Type: "counter"}) || rows[1] != (Row{Name: "wf_b", Type: "gauge", Conditional: true}) {
		t.Fatalf("rows: %+v", rows)
	}
	if err := os.WriteFile(path, []byte("# nothing\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(path); err == nil {
		t.Error("a file without metrics was read without error")
	}
	if rows, err := Read("../../../docs/metrics.md"); err != nil || len(rows) < 50 {
		t.Errorf("docs/metrics.md: %d rows, %v", len(rows), err)
	}
}
