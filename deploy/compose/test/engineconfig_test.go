package test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/dotenv"
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

// wfEngine builds cmd/wf-engine of the repository once for the package's
// tests and returns the binary's path.
func wfEngine(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "wf-engine-compose-test-")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "wf-engine")
		cmd := exec.Command("go", "build", "-o", binary, "./cmd/wf-engine")
		cmd.Dir = repoRoot
		buildOut, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("build wf-engine: %v\n%s", buildErr, buildOut)
	}
	return binary
}

// run runs the built wf-engine with args, the environment env only, and
// stdin; it returns the combined output and the error.
func run(t *testing.T, env []string, stdin string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, wfEngine(t), args...) // #nosec G204 -- the test's own build and arguments
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// engineSetup loads compose.yaml with the .env that dotEnv holds (as
// `docker compose` reads it) and returns the engine's environment and the
// path of its configuration file, written as compose would put it in the
// container.
func engineSetup(t *testing.T, dotEnv string) (env []string, configFile string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(path, []byte(dotEnv), 0o600); err != nil {
		t.Fatal(err)
	}
	vars, err := dotenv.GetEnvFromFile(map[string]string{}, []string{path})
	if err != nil {
		t.Fatalf("read the .env: %v", err)
	}
	p := mustLoad(t, vars)
	s, err := p.GetService(engine)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range s.Environment {
		if v != nil {
			env = append(env, k+"="+*v)
		}
	}
	sort.Strings(env)
	source := s.Configs[0].Source
	c, ok := p.Configs[source]
	if !ok || c.Content == "" {
		t.Fatalf("config %s has no content", source)
	}
	configFile = filepath.Join(t.TempDir(), "wf-engine.yaml")
	if err := os.WriteFile(configFile, []byte(c.Content), 0o600); err != nil {
		t.Fatal(err)
	}
	return env, configFile
}

// readEnvExample returns .env.example's text.
func readEnvExample(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(envExample)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// set replaces the line of variable k in a .env text.
func set(t *testing.T, dotEnv, k, v string) string {
	t.Helper()
	lines := strings.Split(dotEnv, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, k+"=") {
			lines[i] = k + "=" + v
			return strings.Join(lines, "\n")
		}
	}
	t.Fatalf(".env.example has no %s", k)
	return ""
}

// The configuration compose gives the engine (its WF_* variables and the
// file of the config, filled from .env) passes the engine's own checks
// (`wf-engine config print` loads it as the server does and validates it),
// in basic mode with a hash from `wf-engine user hash` pasted into .env as
// .env.example says, with TLS, and in OIDC mode; and the engine never
// prints the hash or the client secret. With .env.example as it is (no
// hash yet) the engine refuses to start and says why.
func TestEngineAcceptsTheConfiguration(t *testing.T) {
	hashOut, err := run(t, nil, "correct horse battery staple\n", "user", "hash", "--cost", "10")
	if err != nil {
		t.Fatalf("wf-engine user hash: %v\n%s", err, hashOut)
	}
	hash := strings.TrimSpace(hashOut)
	if !strings.HasPrefix(hash, "$2") {
		t.Fatalf("wf-engine user hash printed %q", hash)
	}
	example := readEnvExample(t)

	basic := set(t, example, "WF_ADMIN_PASSWORD_HASH", "'"+hash+"'")
	basicTLS := set(t, basic, "WF_HTTP_TLS_CERT_FILE", "/etc/wf-engine/tls/cert.pem")
	basicTLS = set(t, basicTLS, "WF_HTTP_TLS_KEY_FILE", "/etc/wf-engine/tls/key.pem")
	basicTLS = set(t, basicTLS, "WF_HTTP_PUBLIC_URL", "https://wf.example.com")
	const clientSecret = "s3cr3t-of-the-client"
	oidc := set(t, example, "WF_AUTH_MODE", "oidc")
	oidc = set(t, oidc, "WF_AUTH_OIDC_ISSUER", "https://idp.example.com/realms/wf")
	oidc = set(t, oidc, "WF_AUTH_OIDC_AUDIENCE", "wf-engine")
	oidc = set(t, oidc, "WF_AUTH_OIDC_CLIENT_ID", "wf-engine-web")
	oidc = set(t, oidc, "WF_AUTH_OIDC_CLIENT_SECRET", clientSecret)
	oidc = set(t, oidc, "WF_HTTP_PUBLIC_URL", "https://wf.example.com")

	for _, c := range []struct {
		name, dotEnv string
		want         []string // in config print's output
	}{
		{"basic", basic, []string{"mode: basic", "url: postgres://wf:", "@postgres:5432/wf"}},
		{"basic with TLS", basicTLS, []string{"tls_cert_file: /etc/wf-engine/tls/cert.pem", "public_url: https://wf.example.com"}},
		{"oidc", oidc, []string{"mode: oidc", "issuer: https://idp.example.com/realms/wf", "client_id: wf-engine-web"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			env, file := engineSetup(t, c.dotEnv)
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if c.name != "oidc" && !strings.Contains(string(b), hash) {
				t.Fatalf("the hash did not reach the configuration file intact:\n%s", b)
			}
			out, err := run(t, env, "", "config", "print", "--config", file)
			if err != nil {
				t.Fatalf("wf-engine config print refuses the compose configuration: %v\n%s", err, out)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("config print does not show %q:\n%s", w, out)
				}
			}
			for _, secret := range []string{hash, clientSecret, "change-me"} {
				if strings.Contains(out, secret) {
					t.Errorf("config print shows a secret (%.6s...)", secret)
				}
			}
		})
	}

	t.Run(".env.example as it is", func(t *testing.T) {
		env, file := engineSetup(t, example)
		out, err := run(t, env, "", "config", "print", "--config", file)
		if err == nil || !strings.Contains(out, "auth.basic.users") {
			t.Errorf("the engine accepts basic mode without a password hash, or does not say so: %v\n%s", err, out)
		}
	})
}
