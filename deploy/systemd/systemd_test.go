package systemd

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	unitFile   = "wf-engine.service"
	envExample = "wf-engine.env.example"
	cfgExample = "wf-engine.yaml.example"
	execPath   = "/usr/local/bin/wf-engine"
	// maxExposure is the highest `systemd-analyze security` exposure the
	// unit may have: measured 1.2 ("OK") with systemd 252. What remains is
	// the network (the engine serves it and reaches the database and the
	// identity provider), no IP allow list (the installation's to choose),
	// /proc's non-process files and the clock device ProtectClock allows
	// reading.
	maxExposure = 1.5
)

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
	buildOut  []byte
)

// TestMain removes the binary the tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	if binary != "" {
		_ = os.RemoveAll(filepath.Dir(binary))
	}
	os.Exit(code)
}

// wfEngine builds cmd/wf-engine once for the package's tests.
func wfEngine(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "wf-engine-systemd-test-")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "wf-engine")
		cmd := exec.Command("go", "build", "-o", binary, "./cmd/wf-engine")
		cmd.Dir = filepath.Join("..", "..")
		buildOut, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("build wf-engine: %v\n%s", buildErr, buildOut)
	}
	return binary
}

// systemdAnalyze returns the path of systemd-analyze; without it the test
// skips, except in CI (CI set), where it fails.
func systemdAnalyze(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("systemd-analyze")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("systemd-analyze is not on PATH; CI must install Debian's systemd package")
		}
		t.Skip("systemd-analyze is not on PATH")
	}
	return path
}

// command runs name with args and returns its combined output.
func command(t *testing.T, env []string, name string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...) // #nosec G204 -- the test's own tools and files
	if env != nil {
		cmd.Env = env
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// unitCopy writes the unit, with its ExecStart binary replaced by a
// freshly built wf-engine (verify wants it to exist) and change applied,
// into a temporary folder, and returns its path.
func unitCopy(t *testing.T, change func(string) string) string {
	t.Helper()
	b, err := os.ReadFile(unitFile)
	if err != nil {
		t.Fatal(err)
	}
	unit := string(b)
	if !strings.Contains(unit, "ExecStart="+execPath+" ") {
		t.Fatalf("the unit's ExecStart does not run %s", execPath)
	}
	unit = strings.ReplaceAll(unit, "ExecStart="+execPath, "ExecStart="+wfEngine(t))
	if change != nil {
		unit = change(unit)
	}
	path := filepath.Join(t.TempDir(), unitFile)
	if err := os.WriteFile(path, []byte(unit), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// `systemd-analyze verify` accepts the unit without a warning, and refuses
// a unit with a mistake in it (so the check can fail).
func TestUnitVerifies(t *testing.T) {
	analyze := systemdAnalyze(t)
	out, err := command(t, nil, analyze, "verify", unitCopy(t, nil))
	if err != nil || strings.TrimSpace(out) != "" {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
	for _, c := range []struct{ name, from, to string }{
		{"unknown key", "ProtectHome=yes", "ProtectHomes=yes"},
		{"bad value", "TimeoutStopSec=45s", "TimeoutStopSec=soon"},
		{"missing binary", "ExecStart=" + wfEngine(t), "ExecStart=/nonexistent/wf-engine"},
	} {
		bad := unitCopy(t, func(u string) string { return strings.Replace(u, c.from, c.to, 1) })
		out, err := command(t, nil, analyze, "verify", bad)
		if err == nil && strings.TrimSpace(out) == "" {
			t.Errorf("%s: systemd-analyze verify said nothing about %q", c.name, c.to)
		}
	}
}

var exposure = regexp.MustCompile(`Overall exposure level for \S+: ([0-9.]+) (\S+)`)

// `systemd-analyze security --offline=yes` scores the unit's exposure at
// most maxExposure, and finds the hardening the unit promises in effect.
func TestUnitSecurityExposure(t *testing.T) {
	analyze := systemdAnalyze(t)
	if out, _ := command(t, nil, analyze, "security", "--help"); !strings.Contains(out, "--offline") {
		t.Skip("this systemd-analyze has no --offline security review")
	}
	out, err := command(t, nil, analyze, "security", "--offline=yes", "--no-pager", unitCopy(t, nil))
	m := exposure.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("systemd-analyze security: no exposure level in its output (%v):\n%s", err, out)
	}
	score, perr := strconv.ParseFloat(m[1], 64)
	if perr != nil {
		t.Fatal(perr)
	}
	t.Logf("systemd-analyze security: exposure %.1f %s", score, m[2])
	if score > maxExposure {
		t.Errorf("exposure %.1f %s is above %.1f:\n%s", score, m[2], maxExposure, out)
	}
	for _, want := range []string{"MemoryDenyWriteExecute=", "NoNewPrivileges=", "CapabilityBoundingSet=~CAP_SYS_ADMIN",
		"PrivateDevices=", "ProtectSystem=", "ProtectHome=", "PrivateTmp=", "RestrictNamespaces=~user", "LockPersonality=",
		"SystemCallFilter=~@privileged", "SystemCallFilter=~@resources", "RestrictAddressFamilies=~AF_PACKET", "User=/DynamicUser="} {
		if !hasLine(out, "✓ "+want) {
			t.Errorf("systemd-analyze security does not find %s in effect", want)
		}
	}

	// A unit without the hardening scores worse: the score measures it.
	weak := unitCopy(t, func(u string) string {
		var keep []string
		for _, l := range strings.Split(u, "\n") {
			if strings.HasPrefix(l, "Protect") || strings.HasPrefix(l, "Private") || strings.HasPrefix(l, "SystemCall") ||
				strings.HasPrefix(l, "Restrict") || strings.HasPrefix(l, "CapabilityBoundingSet") {
				continue
			}
			keep = append(keep, l)
		}
		return strings.Join(keep, "\n")
	})
	out, _ = command(t, nil, analyze, "security", "--offline=yes", "--no-pager", weak)
	if m := exposure.FindStringSubmatch(out); m == nil {
		t.Errorf("no exposure for the weakened unit:\n%s", out)
	} else if s, _ := strconv.ParseFloat(m[1], 64); s <= maxExposure {
		t.Errorf("the unit without its hardening scores %.1f, not above %.1f: the check would not notice", s, maxExposure)
	}
}

func hasLine(out, prefix string) bool {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), prefix) {
			return true
		}
	}
	return false
}

// directives returns the unit's directives (key to values, in order).
func directives(t *testing.T) map[string][]string {
	t.Helper()
	b, err := os.ReadFile(unitFile)
	if err != nil {
		t.Fatal(err)
	}
	d := map[string][]string{}
	for _, l := range strings.Split(string(b), "\n") {
		if l == "" || strings.HasPrefix(l, "#") || strings.HasPrefix(l, "[") {
			continue
		}
		k, v, ok := strings.Cut(l, "=")
		if !ok {
			t.Fatalf("unit line %q is no directive", l)
		}
		d[k] = append(d[k], v)
	}
	return d
}

// The unit has the settings the installation relies on: no capability, its
// own state directory (where the embedded store goes), the configuration
// from /etc/wf-engine, a restart on failure, and a stop timeout above the
// engine's longest shutdown.
func TestUnitSettings(t *testing.T) {
	d := directives(t)
	want := map[string]string{
		"DynamicUser": "yes", "StateDirectory": "wf-engine", "CapabilityBoundingSet": "", "AmbientCapabilities": "",
		"NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes", "PrivateDevices": "yes",
		"MemoryDenyWriteExecute": "yes", "LockPersonality": "yes", "RestrictNamespaces": "yes", "Restart": "on-failure",
		"EnvironmentFile": "/etc/wf-engine/wf-engine.env", "LoadCredential": "wf-engine.yaml:/etc/wf-engine/wf-engine.yaml",
		"ExecStart": execPath + " --config %d/wf-engine.yaml", "Environment": "WF_DATABASE_DATA_DIR=/var/lib/wf-engine",
		"RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
	}
	for k, v := range want {
		if got := d[k]; !slices.Equal(got, []string{v}) {
			t.Errorf("%s=%q, want %q", k, got, v)
		}
	}
	if got := d["SystemCallFilter"]; !slices.Contains(got, "@system-service") {
		t.Errorf("SystemCallFilter=%q, want @system-service among them", got)
	}
	stop, err := time.ParseDuration(strings.Join(d["TimeoutStopSec"], ""))
	if err != nil {
		t.Fatalf("TimeoutStopSec: %v", err)
	}
	// http.shutdown_timeout for the requests, as long again for the
	// connectors, 5 s for the traces (cmd/wf-engine/main.go).
	const shutdownTimeout = 15 * time.Second
	if longest := 2*shutdownTimeout + 5*time.Second; stop <= longest {
		t.Errorf("TimeoutStopSec=%s does not leave the engine its longest shutdown, %s", stop, longest)
	}
}

// environFile reads a systemd environment file: KEY=VALUE lines, comments
// and blank lines left out.
func environFile(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path) // #nosec G304 -- the test's own file
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	var env []string
	s := bufio.NewScanner(f)
	for s.Scan() {
		l := strings.TrimSpace(s.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if !strings.Contains(l, "=") {
			t.Fatalf("%s: line %q is no KEY=VALUE", path, l)
		}
		env = append(env, l)
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return env
}

// The example configuration passes `wf-engine config check`, and with the
// example environment file and the unit's own Environment= the engine
// loads and validates the whole configuration as the service would start
// it (`wf-engine config print`), every variable known and no secret shown.
func TestExamplesPassTheEnginesChecks(t *testing.T) {
	bin := wfEngine(t)
	out, err := command(t, []string{}, bin, "config", "check", cfgExample)
	if err != nil || !strings.Contains(out, "configuration OK") {
		t.Fatalf("wf-engine config check %s: %v\n%s", cfgExample, err, out)
	}
	env := environFile(t, envExample)
	env = append(env, directives(t)["Environment"]...)
	out, err = command(t, env, bin, "config", "print", "--config", cfgExample)
	if err != nil {
		t.Fatalf("wf-engine config print with %s: %v\n%s", envExample, err, out)
	}
	for _, w := range []string{"data_dir: /var/lib/wf-engine", "url: postgres://wf:", "mode: oidc", "address: 0.0.0.0:8443"} {
		if !strings.Contains(out, w) {
			t.Errorf("config print does not show %q:\n%s", w, out)
		}
	}
	if strings.Contains(out, "change-me") {
		t.Errorf("config print shows a secret:\n%s", out)
	}
	// Every commented variable of the example, uncommented, is known too.
	b, err := os.ReadFile(envExample)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "#"); ok && regexp.MustCompile(`^[A-Z][A-Z0-9_]*=`).MatchString(v) {
			env = append(env, v)
		}
	}
	if out, err := command(t, env, bin, "config", "print", "--config", cfgExample); err != nil {
		t.Errorf("with the commented variables of %s: %v\n%s", envExample, err, out)
	}
}
