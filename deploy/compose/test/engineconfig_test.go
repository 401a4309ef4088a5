package test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
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

// startEngine starts the built wf-engine with env and args, waits for its
// "wf-engine started" log line and returns the address it listens on; the
// engine is stopped (SIGTERM) when the test ends.
func startEngine(t *testing.T, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(wfEngine(t), args...) // #nosec G204 -- the test's own build and arguments
	cmd.Env = env
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		var err error
		select {
		case err = <-exited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			err = <-exited
		}
		if err != nil {
			t.Logf("wf-engine stopped: %v", err)
		}
	})
	started := make(chan string, 1)
	var logged bytes.Buffer
	var mu sync.Mutex
	go func() {
		s := bufio.NewScanner(stdout)
		s.Buffer(make([]byte, 1<<20), 1<<20)
		for s.Scan() {
			mu.Lock()
			logged.Write(s.Bytes())
			logged.WriteByte('\n')
			mu.Unlock()
			var line struct {
				Msg     string `json:"msg"`
				Address string `json:"address"`
			}
			if json.Unmarshal(s.Bytes(), &line) == nil && line.Msg == "wf-engine started" {
				started <- line.Address
			}
		}
		exited <- cmd.Wait()
	}()
	select {
	case addr := <-started:
		return addr
	case err := <-exited:
		exited <- err
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("wf-engine exited before it started: %v\n%s%s", err, logged.String(), stderr.String())
	case <-time.After(time.Minute):
		t.Fatal("wf-engine did not start within a minute")
	}
	return ""
}

// replaceEnv returns env with k set to v.
func replaceEnv(env []string, k, v string) []string {
	out := slices.DeleteFunc(slices.Clone(env), func(kv string) bool { return strings.HasPrefix(kv, k+"=") })
	return append(out, k+"="+v)
}

// The engine starts with the configuration compose gives it, and the
// compose health check's command (the same --config, the same
// environment) finds it ready, over HTTP and over HTTPS with the TLS
// settings .env names. Two things differ from compose: the store is the
// in-memory one (there is no PostgreSQL service here) and the engine
// listens on a free loopback port.
func TestHealthCheckFindsTheEngineReady(t *testing.T) {
	const password = "correct horse battery staple"
	hashOut, err := run(t, nil, password+"\n", "user", "hash", "--cost", "10")
	if err != nil {
		t.Fatalf("wf-engine user hash: %v\n%s", err, hashOut)
	}
	basic := set(t, readEnvExample(t), "WF_ADMIN_PASSWORD_HASH", "'"+strings.TrimSpace(hashOut)+"'")

	certDir := t.TempDir()
	certFile, keyFile := selfSigned(t, certDir)
	tlsEnv := set(t, basic, "WF_HTTP_TLS_CERT_FILE", certFile)
	tlsEnv = set(t, tlsEnv, "WF_HTTP_TLS_KEY_FILE", keyFile)

	p := mustLoad(t, exampleEnv(t))
	s, err := p.GetService(engine)
	if err != nil {
		t.Fatal(err)
	}
	check := []string(s.HealthCheck.Test)
	if len(check) < 3 || check[0] != "CMD" || check[1] != "/wf-engine" {
		t.Fatalf("health check %v is not [CMD /wf-engine ...]", check)
	}
	for _, c := range []struct{ name, dotEnv, scheme string }{{"http", basic, "http"}, {"https", tlsEnv, "https"}} {
		t.Run(c.name, func(t *testing.T) {
			env, file := engineSetup(t, c.dotEnv)
			env = replaceEnv(env, "WF_DATABASE_URL", "memory:")
			args := slices.Clone([]string(s.Command))
			args = slices.Replace(args, slices.Index(args, configTarget), slices.Index(args, configTarget)+1, file)
			addr := startEngine(t, replaceEnv(env, "WF_HTTP_ADDRESS", "127.0.0.1:0"), args...)
			checkArgs := slices.Clone(check[2:])
			checkArgs = slices.Replace(checkArgs, slices.Index(checkArgs, configTarget), slices.Index(checkArgs, configTarget)+1, file)
			out, err := run(t, replaceEnv(env, "WF_HTTP_ADDRESS", addr), "", checkArgs...)
			if err != nil {
				t.Fatalf("the compose health check (%v) fails: %v\n%s", checkArgs, err, out)
			}
			if want := c.scheme + "://" + addr + "/readyz: ready"; !strings.Contains(out, want) {
				t.Errorf("the health check said %q, want %q", out, want)
			}
			if c.scheme != "http" {
				return
			}
			// The admin of .env logs in with the password whose hash .env
			// holds; nobody gets in without it.
			for _, a := range []struct {
				user, password string
				want           int
			}{{"", "", http.StatusUnauthorized}, {"admin", "wrong", http.StatusUnauthorized}, {"admin", password, http.StatusOK}} {
				req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, "http://"+addr+"/v2/topology", nil)
				if err != nil {
					t.Fatal(err)
				}
				if a.user != "" {
					req.SetBasicAuth(a.user, a.password)
				}
				res, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
				if err != nil {
					t.Fatal(err)
				}
				_ = res.Body.Close()
				if res.StatusCode != a.want {
					t.Errorf("GET /v2/topology as %q: %d, want %d", a.user, res.StatusCode, a.want)
				}
			}
		})
	}
}

// selfSigned writes a self-signed certificate for 127.0.0.1 and its key
// into dir and returns their paths.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "wf-engine"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}
