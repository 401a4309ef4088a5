// Package metricsdoc reads the metric table of docs/metrics.md, for the
// tests that keep the documentation, /metrics, the dashboard and the alert
// rules in step. It never writes the file and is imported by tests only.
package metricsdoc

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"strings"
)

// Row is one documented metric.
type Row struct {
	Name string
	// Type is counter, gauge or histogram.
	Type string
	// Conditional is set for metrics documented with "*Only …*": they
	// appear once what they describe has happened or is configured.
	Conditional bool
}

var row = regexp.MustCompile("^\\| `(wf_[a-z0-9_]+)` \\| (counter|gauge|histogram) \\|")

// Read returns the metrics listed in the file at path, in file order.
func Read(path string) ([]Row, error) {
	f, err := os.Open(path) // #nosec G304 -- a test names the file
	if err != nil {
		return nil, fmt.Errorf("read metric documentation: %w", err)
	}
	defer func() { _ = f.Close() }()
	var out []Row
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := row.FindStringSubmatch(sc.Text()); m != nil {
			out = append(out, Row{Name: m[1], Type: m[2], Conditional: strings.Contains(sc.Text(), "*Only ")})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read metric documentation %s: %w", path, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s documents no wf_* metric", path)
	}
	return out, nil
}

// Types returns the documented metrics' types by name.
func Types(rows []Row) map[string]string {
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.Name] = r.Type
	}
	return out
}
