package test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/compose-spec/compose-go/v2/interpolation"
	"github.com/compose-spec/compose-go/v2/schema"
	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v4"
)

const (
	composeDir   = ".."
	composeFile  = "../compose.yaml"
	envExample   = "../.env.example"
	repoRoot     = "../../.."
	engine       = "wf-engine"
	profileObs   = "observability"
	configTarget = "/etc/wf-engine/wf-engine.yaml"
)

// observabilityServices are the services of the observability profile.
var observabilityServices = []string{"grafana", "otel-collector", "prometheus", "tempo"}

// exampleEnv returns the variables of .env.example, as `docker compose`
// reads a .env copied from it.
func exampleEnv(t *testing.T) map[string]string {
	t.Helper()
	env, err := dotenv.GetEnvFromFile(map[string]string{}, []string{envExample})
	if err != nil {
		t.Fatalf("read %s: %v", envExample, err)
	}
	return env
}

// load loads compose.yaml as `docker compose` does with the environment
// env (and nothing of the test's own environment) and the profiles given;
// the loader validates it against the compose specification's schema.
func load(t *testing.T, env map[string]string, profiles ...string) (*types.Project, error) {
	t.Helper()
	var list []string
	for k, v := range env {
		list = append(list, k+"="+v)
	}
	opts, err := cli.NewProjectOptions([]string{composeFile},
		cli.WithWorkingDirectory(composeDir), cli.WithEnv(list), cli.WithProfiles(profiles))
	if err != nil {
		return nil, err
	}
	return opts.LoadProject(context.Background())
}

// mustLoad is load for a file that must load.
func mustLoad(t *testing.T, env map[string]string, profiles ...string) *types.Project {
	t.Helper()
	p, err := load(t, env, profiles...)
	if err != nil {
		t.Fatalf("load compose.yaml: %v", err)
	}
	return p
}

// rawModel returns compose.yaml as a YAML document, interpolated with env
// when env is not nil.
func rawModel(t *testing.T, env map[string]string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(composeFile)
	if err != nil {
		t.Fatal(err)
	}
	var model map[string]any
	if err := yaml.Unmarshal(b, &model); err != nil {
		t.Fatalf("parse compose.yaml: %v", err)
	}
	if env == nil {
		return model
	}
	out, err := interpolation.Interpolate(model, interpolation.Options{LookupValue: func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}})
	if err != nil {
		t.Fatalf("interpolate compose.yaml: %v", err)
	}
	return out
}

// The file, with the variables of .env.example, is valid under the compose
// specification's JSON schema, called directly (not only through the
// loader, which calls it too).
func TestComposeFileMatchesTheSchema(t *testing.T) {
	if err := schema.Validate(rawModel(t, exampleEnv(t))); err != nil {
		t.Fatalf("compose.yaml does not match the compose specification's schema: %v", err)
	}
	for _, profiles := range [][]string{nil, {profileObs}} {
		if _, err := load(t, exampleEnv(t), profiles...); err != nil {
			t.Errorf("load compose.yaml with profiles %v: %v", profiles, err)
		}
	}
}

// The schema refuses what compose would refuse: an unknown key, a value of
// the wrong type, an unknown depends_on condition. So the test above would
// see a mistake.
func TestSchemaRefusesInvalidFiles(t *testing.T) {
	service := func(m map[string]any, name string) map[string]any {
		return m["services"].(map[string]any)[name].(map[string]any)
	}
	cases := []struct {
		name   string
		change func(m map[string]any)
		want   string
	}{
		{"misspelt key", func(m map[string]any) { service(m, engine)["helthcheck"] = map[string]any{"test": []any{"NONE"}} }, "helthcheck"},
		{"unknown top-level key", func(m map[string]any) { m["service"] = map[string]any{} }, "service"},
		{"wrong type", func(m map[string]any) { service(m, engine)["depends_on"] = 42 }, "depends_on"},
		{"unknown condition", func(m map[string]any) {
			service(m, engine)["depends_on"] = map[string]any{"postgres": map[string]any{"condition": "service_ready"}}
		}, "condition"},
		{"config without a source key", func(m map[string]any) {
			m["configs"].(map[string]any)["wf-engine-config"] = map[string]any{"contents": "x"}
		}, "contents"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := rawModel(t, exampleEnv(t))
			c.change(m)
			err := schema.Validate(m)
			if err == nil {
				t.Fatal("the schema accepted it")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("the schema's error %q does not name %q", err, c.want)
			}
		})
	}
	// And through the loader, from a file.
	b, err := os.ReadFile(composeFile)
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(b), "    stop_grace_period:", "    stop_grace_periode:", 1)
	if bad == string(b) {
		t.Fatal("stop_grace_period not found in compose.yaml")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	var list []string
	for k, v := range exampleEnv(t) {
		list = append(list, k+"="+v)
	}
	opts, err := cli.NewProjectOptions([]string{path}, cli.WithWorkingDirectory(dir), cli.WithEnv(list))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := opts.LoadProject(context.Background()); err == nil || !strings.Contains(err.Error(), "stop_grace_periode") {
		t.Errorf("the loader took a file with an unknown key, or did not name it: %v", err)
	}
}

// The engine starts only once PostgreSQL answers pg_isready, and has a
// health check of its own: the image's healthcheck command with the same
// configuration file the engine starts with.
func TestEngineWaitsForAHealthyPostgres(t *testing.T) {
	p := mustLoad(t, exampleEnv(t))
	e, err := p.GetService(engine)
	if err != nil {
		t.Fatal(err)
	}
	dep, ok := e.DependsOn["postgres"]
	if !ok || dep.Condition != types.ServiceConditionHealthy {
		t.Errorf("wf-engine depends on postgres with %+v, want condition service_healthy", dep)
	}
	pg, err := p.GetService("postgres")
	if err != nil {
		t.Fatal(err)
	}
	if pg.Image != "postgres:15" {
		t.Errorf("postgres image %q, want postgres:15", pg.Image)
	}
	if pg.HealthCheck == nil || len(pg.HealthCheck.Test) < 2 || pg.HealthCheck.Test[0] != "CMD" || pg.HealthCheck.Test[1] != "pg_isready" {
		t.Errorf("postgres health check %+v, want pg_isready", pg.HealthCheck)
	}
	if !slices.ContainsFunc(pg.Volumes, func(v types.ServiceVolumeConfig) bool {
		return v.Type == types.VolumeTypeVolume && v.Target == "/var/lib/postgresql/data"
	}) {
		t.Error("postgres keeps its data in no named volume")
	}
	if len(pg.Ports) > 0 {
		t.Errorf("postgres is published on the host (%+v): only the engine needs it", pg.Ports)
	}

	wantCheck := types.HealthCheckTest{"CMD", "/wf-engine", "healthcheck", "--config", configTarget}
	if e.HealthCheck == nil || !slices.Equal(e.HealthCheck.Test, wantCheck) {
		t.Errorf("wf-engine health check %+v, want %v", e.HealthCheck, wantCheck)
	}
	if !e.ReadOnly || !slices.Equal(e.CapDrop, []string{"ALL"}) || !slices.Contains(e.SecurityOpt, "no-new-privileges:true") ||
		!slices.Equal(e.Tmpfs, types.StringList{"/tmp"}) {
		t.Errorf("wf-engine runs with read_only %v, cap_drop %v, security_opt %v, tmpfs %v; want a read-only root, no capability, no-new-privileges and a /tmp",
			e.ReadOnly, e.CapDrop, e.SecurityOpt, e.Tmpfs)
	}
	if !slices.Equal(e.Command, types.ShellCommand{"--config", configTarget}) {
		t.Errorf("wf-engine command %v, want --config %s", e.Command, configTarget)
	}
	if len(e.Configs) != 1 || e.Configs[0].Target != configTarget {
		t.Errorf("wf-engine configs %+v, want one at %s", e.Configs, configTarget)
	}
	// http.shutdown_timeout (15s) for the requests, as long again for the
	// connectors, 5s for the traces (cmd/wf-engine/main.go).
	if e.StopGracePeriod == nil || *e.StopGracePeriod <= types.Duration(35*time.Second) {
		t.Errorf("stop_grace_period %v must be above the engine's longest shutdown, 35s", e.StopGracePeriod)
	}
	// Published on loopback only, by .env.example and by the file's
	// defaults when .env does not say.
	defaults := exampleEnv(t)
	for k := range defaults {
		if strings.HasSuffix(k, "_PUBLISH") {
			delete(defaults, k)
		}
	}
	for _, env := range []map[string]string{exampleEnv(t), defaults} {
		p := mustLoad(t, env, profileObs)
		for _, name := range p.ServiceNames() {
			s, _ := p.GetService(name)
			for _, port := range s.Ports {
				if port.HostIP != "127.0.0.1" {
					t.Errorf("%s is published on %q:%s, want 127.0.0.1 unless .env says otherwise", name, port.HostIP, port.Published)
				}
			}
		}
	}
}

// The image's entry point is the binary the health check names.
func TestHealthCheckRunsTheImagesBinary(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot, "deploy", "Containerfile"))
	if errors.Is(err, os.ErrNotExist) && os.Getenv("CI") == "" {
		t.Skip("deploy/Containerfile does not exist yet")
	}
	if err != nil {
		t.Fatal(err)
	}
	entry := regexp.MustCompile(`(?m)^ENTRYPOINT\s+\[\s*"([^"]+)"`).FindSubmatch(b)
	if entry == nil {
		t.Fatal("deploy/Containerfile has no ENTRYPOINT [\"...\"]")
	}
	if got := string(entry[1]); got != "/wf-engine" {
		t.Errorf("the image's entry point is %s; compose.yaml's health check runs /wf-engine", got)
	}
}

// Without the profile only the engine and PostgreSQL run; with it, the
// collector, Tempo, Prometheus and Grafana join, and each of them belongs to
// that profile only.
func TestObservabilityServicesOnlyUnderTheirProfile(t *testing.T) {
	plain := mustLoad(t, exampleEnv(t))
	if got := plain.ServiceNames(); !slices.Equal(sorted(got), []string{"postgres", engine}) {
		t.Errorf("without a profile the services are %v, want postgres and wf-engine", got)
	}
	if got := sorted(plain.DisabledServiceNames()); !slices.Equal(got, observabilityServices) {
		t.Errorf("services left out without a profile: %v, want %v", got, observabilityServices)
	}
	obs := mustLoad(t, exampleEnv(t), profileObs)
	want := sorted(append([]string{"postgres", engine}, observabilityServices...))
	if got := sorted(obs.ServiceNames()); !slices.Equal(got, want) {
		t.Errorf("with the observability profile the services are %v, want %v", got, want)
	}
	for _, name := range observabilityServices {
		s, err := obs.GetService(name)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(s.Profiles, []string{profileObs}) {
			t.Errorf("%s has profiles %v, want [observability]", name, s.Profiles)
		}
	}
	for _, name := range []string{engine, "postgres"} {
		s, _ := obs.GetService(name)
		if len(s.Profiles) > 0 {
			t.Errorf("%s has profiles %v: it must always run", name, s.Profiles)
		}
	}
}

// Every file or folder the compose file mounts (bind mounts of every
// service, under every profile) exists in the repository, inside it, and
// the engine's TLS folder is ignored by git except its placeholder.
func TestMountedFilesExist(t *testing.T) {
	p := mustLoad(t, exampleEnv(t), profileObs)
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	binds := 0
	for _, name := range p.ServiceNames() {
		s, _ := p.GetService(name)
		for _, v := range s.Volumes {
			if v.Type != types.VolumeTypeBind {
				if _, ok := p.Volumes[v.Source]; !ok {
					t.Errorf("%s mounts volume %q, which the file does not declare", name, v.Source)
				}
				continue
			}
			binds++
			rel, err := filepath.Rel(root, v.Source)
			if err != nil || strings.HasPrefix(rel, "..") {
				t.Errorf("%s mounts %s, outside the repository", name, v.Source)
				continue
			}
			if _, err := os.Stat(v.Source); err != nil {
				t.Errorf("%s mounts %s, which does not exist: %v", name, rel, err)
			}
			if !v.ReadOnly {
				t.Errorf("%s mounts %s read-write; the repository's files are read-only to containers", name, rel)
			}
		}
	}
	if binds < 8 {
		t.Errorf("found %d bind mounts; the file has more (did the loader change how it reports them?)", binds)
	}
	for name, c := range p.Configs {
		if c.File != "" {
			if _, err := os.Stat(c.File); err != nil {
				t.Errorf("config %s: %v", name, err)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(composeDir, "tls", ".gitkeep")); err != nil {
		t.Errorf("the TLS folder's placeholder: %v", err)
	}
}

// secretName matches variable names that hold secrets.
var secretName = regexp.MustCompile(`(?i)password|secret|token|_hash$`)

// onlyVariable matches a value that is one variable reference, with or
// without a default or a required-message.
var onlyVariable = regexp.MustCompile(`^\$\{[A-Z0-9_]+(:?[-?][^}]*)?\}$`)

// No secret is written in compose.yaml: every environment value whose name
// says it is secret is a variable from .env with no default (or an empty
// one), the database URL's password is one too, and the required ones stop
// compose with a message naming them when .env lacks them. .env.example
// holds placeholders only.
func TestNoSecretInTheComposeFile(t *testing.T) {
	raw := rawModel(t, nil)
	services := raw["services"].(map[string]any)
	checked := 0
	for name, s := range services {
		env, _ := s.(map[string]any)["environment"].(map[string]any)
		for k, v := range env {
			value, _ := v.(string)
			if secretName.MatchString(k) {
				checked++
				if !onlyVariable.MatchString(value) {
					t.Errorf("%s: %s is %q, not a variable from .env", name, k, value)
				} else if strings.Contains(value, ":-") && !strings.HasSuffix(value, ":-}") {
					t.Errorf("%s: %s has a default value: %q", name, k, value)
				}
			}
			if strings.Contains(value, "://") && strings.Contains(value, "@") {
				userinfo := value[strings.Index(value, "://")+3 : strings.LastIndex(value, "@")]
				if _, pass, ok := strings.Cut(userinfo, ":"); ok && !onlyVariable.MatchString(pass) {
					t.Errorf("%s: %s holds a password in its URL", name, k)
				}
			}
		}
	}
	if checked < 3 {
		t.Errorf("checked %d secret variables; the file has more", checked)
	}
	content := raw["configs"].(map[string]any)["wf-engine-config"].(map[string]any)["content"].(string)
	if !strings.Contains(content, `password_hash: "${WF_ADMIN_PASSWORD_HASH:-}"`) {
		t.Errorf("the engine's configuration holds a password hash that is not the variable WF_ADMIN_PASSWORD_HASH:\n%s", content)
	}

	for _, required := range []string{"POSTGRES_PASSWORD", "GRAFANA_ADMIN_PASSWORD"} {
		env := exampleEnv(t)
		delete(env, required)
		_, err := load(t, env)
		if err == nil || !strings.Contains(err.Error(), required) {
			t.Errorf("without %s compose.yaml loads, or the error does not name it: %v", required, err)
		}
	}

	for k, v := range exampleEnv(t) {
		if secretName.MatchString(k) && v != "" && v != "change-me" {
			t.Errorf(".env.example: %s=%q; secrets there are placeholders (change-me) or empty", k, v)
		}
	}
}

// The services find each other under the names the files of
// deploy/observability use: Prometheus and the collector scrape or send to
// services of this file on their ports.
func TestObservabilityFilesNameTheServices(t *testing.T) {
	p := mustLoad(t, exampleEnv(t), profileObs)
	has := func(name string) bool { _, err := p.GetService(name); return err == nil }

	var prom struct {
		RuleFiles     []string `yaml:"rule_files"`
		ScrapeConfigs []struct {
			JobName       string `yaml:"job_name"`
			StaticConfigs []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
		} `yaml:"scrape_configs"`
	}
	readYAML(t, filepath.Join(repoRoot, "deploy/observability/prometheus.yml"), &prom)
	for _, sc := range prom.ScrapeConfigs {
		for _, st := range sc.StaticConfigs {
			for _, target := range st.Targets {
				if target != engine+":8080" {
					t.Errorf("prometheus.yml scrapes %s; the engine is %s:8080 here", target, engine)
				}
			}
		}
	}
	prometheus, _ := p.GetService("prometheus")
	for _, rf := range prom.RuleFiles {
		if !slices.ContainsFunc(prometheus.Volumes, func(v types.ServiceVolumeConfig) bool {
			return v.Target == filepath.Join("/etc/prometheus", rf)
		}) {
			t.Errorf("prometheus.yml loads %s, which is not mounted next to it", rf)
		}
	}
	if !slices.Contains(prometheus.Command, "--web.enable-remote-write-receiver") {
		t.Error("the collector remote-writes to Prometheus, which does not accept it")
	}

	var col struct {
		Exporters map[string]struct {
			Endpoint string `yaml:"endpoint"`
		} `yaml:"exporters"`
	}
	readYAML(t, filepath.Join(repoRoot, "deploy/observability/otel-collector.yaml"), &col)
	for name, e := range col.Exporters {
		host := strings.TrimPrefix(strings.TrimPrefix(e.Endpoint, "http://"), "https://")
		host, _, _ = strings.Cut(host, ":")
		if !has(host) {
			t.Errorf("the collector's exporter %s sends to %s, which is no service here", name, e.Endpoint)
		}
	}
	var over struct {
		Service struct {
			Pipelines map[string]struct {
				Receivers []string `yaml:"receivers"`
			} `yaml:"pipelines"`
		} `yaml:"service"`
	}
	readYAML(t, filepath.Join(composeDir, "otel-collector-overrides.yaml"), &over)
	if r := over.Service.Pipelines["metrics"].Receivers; slices.Contains(r, "prometheus") || len(r) == 0 {
		t.Errorf("in compose the collector's metrics pipeline receives from %v; Prometheus scrapes the engine itself", r)
	}

	var ds struct {
		Datasources []struct {
			Type      string `yaml:"type"`
			URL       string `yaml:"url"`
			IsDefault bool   `yaml:"isDefault"`
		} `yaml:"datasources"`
	}
	readYAML(t, filepath.Join(composeDir, "grafana/provisioning/datasources/wf-engine.yaml"), &ds)
	kinds := map[string]bool{}
	for _, d := range ds.Datasources {
		kinds[d.Type] = true
		host := strings.TrimPrefix(d.URL, "http://")
		host, _, _ = strings.Cut(host, ":")
		if !has(host) {
			t.Errorf("Grafana's %s data source is %s, which is no service here", d.Type, d.URL)
		}
		if d.Type == "prometheus" && !d.IsDefault {
			t.Error("the dashboard picks the default data source, which is not Prometheus")
		}
	}
	if !kinds["prometheus"] || !kinds["tempo"] {
		t.Errorf("Grafana's data sources are %v, want prometheus and tempo", kinds)
	}
	grafana, _ := p.GetService("grafana")
	if !slices.ContainsFunc(grafana.Volumes, func(v types.ServiceVolumeConfig) bool {
		return strings.HasSuffix(v.Source, "deploy/observability/grafana-dashboard.json") && strings.HasPrefix(v.Target, "/var/lib/grafana/dashboards/")
	}) {
		t.Error("Grafana does not get the dashboard where its provisioning looks")
	}
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	sort.Strings(s)
	return s
}
