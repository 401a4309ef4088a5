package observability

import (
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/example/wf-engine/api/telemetry/metricsdoc"
)

// documented reads the metric names of docs/metrics.md, with their types.
func documented(t *testing.T) map[string]string {
	t.Helper()
	rows, err := metricsdoc.Read("../../docs/metrics.md")
	if err != nil {
		t.Fatal(err)
	}
	return metricsdoc.Types(rows)
}

var metricName = regexp.MustCompile(`\bwf_[a-z0-9_]+`)

// checkNames fails for every wf_* series an expression reads that
// docs/metrics.md does not document (histograms by their _bucket, _sum and
// _count series).
func checkNames(t *testing.T, where, expr string, docs map[string]string) {
	t.Helper()
	for _, name := range metricName.FindAllString(expr, -1) {
		if _, ok := docs[name]; ok {
			continue
		}
		base := name
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			base = strings.TrimSuffix(base, suffix)
		}
		if docs[base] != "histogram" {
			t.Errorf("%s reads %s, which docs/metrics.md does not document", where, name)
		}
	}
}

// The dashboard is valid JSON with panels for each area, and queries only
// documented metrics.
func TestDashboardQueriesDocumentedMetrics(t *testing.T) {
	b, err := os.ReadFile("grafana-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Title  string `json:"title"`
		Panels []struct {
			Type    string `json:"type"`
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatalf("the dashboard is not JSON: %v", err)
	}
	docs := documented(t)
	var rows []string
	queried := map[string]bool{}
	for _, p := range dash.Panels {
		if p.Type == "row" {
			rows = append(rows, p.Title)
			continue
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, q := range p.Targets {
			checkNames(t, "panel "+p.Title, q.Expr, docs)
			for _, n := range metricName.FindAllString(q.Expr, -1) {
				queried[n] = true
			}
		}
	}
	sort.Strings(rows)
	if got := strings.Join(rows, ","); got != "Backlog,Connectors,Incidents,Latency,Store,Throughput" {
		t.Errorf("dashboard rows: %s", got)
	}
	if len(queried) < 20 {
		t.Errorf("the dashboard queries only %d metrics", len(queried))
	}
}

// The alert rules read only documented metrics; every alert the issue
// names is there.
func TestAlertRulesReadDocumentedMetrics(t *testing.T) {
	b, err := os.ReadFile("alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	var rules struct {
		Groups []struct {
			Rules []struct {
				Alert string `yaml:"alert"`
				Expr  string `yaml:"expr"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(b, &rules); err != nil {
		t.Fatal(err)
	}
	docs := documented(t)
	alerts := map[string]bool{}
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			alerts[r.Alert] = true
			checkNames(t, "alert "+r.Alert, r.Expr, docs)
		}
	}
	for _, want := range []string{"WfEngineDown", "WfEngineCommitLatencyHigh", "WfEngineJobBacklogGrowing", "WfEngineHTTP5xxRate",
		"WfEngineIncidentsRising", "WfEngineTimerLag", "WfEnginePluginRestarts"} {
		if !alerts[want] {
			t.Errorf("alerts.yml lacks %s", want)
		}
	}
}

// The collector example wires every pipeline to components it defines.
func TestCollectorConfigIsWired(t *testing.T) {
	b, err := os.ReadFile("otel-collector.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Receivers  map[string]any `yaml:"receivers"`
		Processors map[string]any `yaml:"processors"`
		Exporters  map[string]any `yaml:"exporters"`
		Service    struct {
			Pipelines map[string]struct {
				Receivers  []string `yaml:"receivers"`
				Processors []string `yaml:"processors"`
				Exporters  []string `yaml:"exporters"`
			} `yaml:"pipelines"`
		} `yaml:"service"`
	}
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	if _, ok := cfg.Service.Pipelines["traces"]; !ok {
		t.Error("no traces pipeline")
	}
	for name, p := range cfg.Service.Pipelines {
		for kind, c := range map[string]struct {
			used    []string
			defined map[string]any
		}{"receiver": {p.Receivers, cfg.Receivers}, "processor": {p.Processors, cfg.Processors}, "exporter": {p.Exporters, cfg.Exporters}} {
			if len(c.used) == 0 && kind != "processor" {
				t.Errorf("pipeline %s has no %s", name, kind)
			}
			for _, u := range c.used {
				if _, ok := c.defined[u]; !ok {
					t.Errorf("pipeline %s uses %s %s, which is not defined", name, kind, u)
				}
			}
		}
	}
}

// promtool (Debian's prometheus package) checks the rules and the
// configuration and runs the rules' unit tests. Without promtool the test
// skips, except in CI (CI set), where it fails.
func TestPromtool(t *testing.T) {
	if _, err := exec.LookPath("promtool"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("promtool is not on PATH; CI must install Debian's prometheus package")
		}
		t.Skip("promtool is not on PATH (apt-get install prometheus)")
	}
	for _, args := range [][]string{
		{"check", "rules", "alerts.yml"},
		{"test", "rules", "alerts_test.yml"},
		{"check", "config", "prometheus.yml"},
	} {
		out, err := exec.Command("promtool", args...).CombinedOutput() // #nosec G204 -- fixed arguments
		if err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}
