package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-plugin"
	"go.uber.org/goleak"

	connectorsuite "github.com/example/wf-engine/conformance/connectors"
	httpconn "github.com/example/wf-engine/connectors/http"
	"github.com/example/wf-engine/connectors/http/httpsuite"
	"github.com/example/wf-engine/plugins/host"
	"github.com/example/wf-engine/sdk/connector"
)

// pluginPath and pluginSum are this plugin, built once for the package.
var pluginPath, pluginSum string

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "http-plugin-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = os.RemoveAll(dir) }()
	pluginPath, pluginSum, err = connectorsuite.BuildPluginIn(dir, "github.com/example/wf-engine/plugins/examples/http")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if code := m.Run(); code != 0 {
		return code
	}
	if err := goleak.Find(); err != nil {
		fmt.Fprintln(os.Stderr, "goleak: goroutines left after the tests:", err)
		return 1
	}
	return 0
}

// loopbackAllowed is the environment that lets the connector reach the
// tests' loopback server.
var loopbackAllowed = map[string]string{envAllowPrivate: "true"}

// startBinary runs the built plugin under the host with env and returns its
// connector.
func startBinary(t *testing.T, env map[string]string) connector.Connector {
	t.Helper()
	h, err := host.Start(t.Context(), []host.PluginConfig{{Name: "http", Path: pluginPath, SHA256: pluginSum, Env: env}}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Close() })
	return h.Connectors()[0]
}

func TestHTTPConformsThroughGRPCShims(t *testing.T) {
	t.Parallel()
	s, err := fromEnv(func(name string) string { return loopbackAllowed[name] })
	if err != nil {
		t.Fatal(err)
	}
	client, _ := plugin.TestPluginGRPCConn(t, false, connector.PluginSet(s))
	t.Cleanup(func() { _ = client.Close() })
	raw, err := client.Dispense(connector.PluginName)
	if err != nil {
		t.Fatal(err)
	}
	connectorsuite.Run(t, raw.(connector.Connector), httpsuite.Start(t).Cases())
}

func TestHTTPConformsAsAPluginBinary(t *testing.T) {
	t.Parallel()
	connectorsuite.Run(t, startBinary(t, loopbackAllowed), httpsuite.Start(t).Cases())
}

// TestHTTPPluginErrorsReachTheHostTyped checks what the runtime's
// errorExpression needs from a plugin: the status as the code and the
// response in the variables, also inside a retryable error.
func TestHTTPPluginErrorsReachTheHostTyped(t *testing.T) {
	t.Parallel()
	a := httpsuite.Start(t)
	c := startBinary(t, loopbackAllowed)
	_, err := c.Execute(t.Context(), connector.Request{JobKey: 1, JobType: httpconn.JobType, Input: map[string]any{"url": a.URL + "/missing"}})
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Code != "404" || !strings.HasSuffix(ce.Message, "/missing answered 404 Not Found") {
		t.Fatalf("got %T %v, want a *connector.Error 404", err, err)
	}
	resp, _ := ce.Variables["response"].(map[string]any)
	if resp["status"] != 404.0 || !reflect.DeepEqual(resp["body"], map[string]any{"message": "no order 9"}) {
		t.Fatalf("response in the variables %#v", ce.Variables)
	}

	_, err = c.Execute(t.Context(), connector.Request{JobKey: 2, JobType: httpconn.JobType, Input: map[string]any{"url": a.URL + "/busy"}})
	var re *connector.RetryableError
	if !errors.As(err, &re) || re.Backoff != time.Second || !errors.As(err, &ce) || ce.Code != "503" {
		t.Fatalf("got %v, want a retryable 503 after 1s holding a *connector.Error", err)
	}
}

func TestHTTPPluginRefusesLoopbackUnlessItsEnvironmentAllows(t *testing.T) {
	t.Parallel()
	a := httpsuite.Start(t)
	_, err := startBinary(t, nil).Execute(t.Context(), connector.Request{JobKey: 1, JobType: httpconn.JobType, Input: map[string]any{"url": a.URL + "/ok"}})
	if err == nil || !strings.Contains(err.Error(), "it is a loopback address") {
		t.Fatalf("got %v, want the loopback address refused", err)
	}
	host, _, _ := strings.Cut(strings.TrimPrefix(a.URL, "http://"), ":")
	res, err := startBinary(t, map[string]string{envAllowedHosts: "192.0.2.1, " + host}).Execute(t.Context(),
		connector.Request{JobKey: 2, JobType: httpconn.JobType, Input: map[string]any{"url": a.URL + "/ok"}})
	if err != nil || fmt.Sprint(res.Response.(map[string]any)["status"]) != "200" {
		t.Fatalf("with %s allowed: %v, %v", host, res, err)
	}
}

func TestHTTPPluginBoundsResponsesByItsEnvironment(t *testing.T) {
	t.Parallel()
	a := httpsuite.Start(t)
	_, err := startBinary(t, map[string]string{envAllowPrivate: "true", envMaxResponse: "4"}).Execute(t.Context(),
		connector.Request{JobKey: 1, JobType: httpconn.JobType, Input: map[string]any{"url": a.URL + "/ok"}})
	if err == nil || !strings.Contains(err.Error(), "the response body is larger than the limit of 4 bytes") {
		t.Fatalf("got %v, want the 11-byte body refused by a 4-byte limit", err)
	}
}

func TestHTTPPluginDeclaresTheSecretsOfItsEnvironment(t *testing.T) {
	t.Parallel()
	d := startBinary(t, map[string]string{envSecrets: "API_TOKEN, OTHER"}).Describe()
	if d.ID != "io.camunda:http-json" || !reflect.DeepEqual(d.JobTypes, []string{httpconn.JobType}) || !reflect.DeepEqual(d.Secrets, []string{"API_TOKEN", "OTHER"}) {
		t.Fatalf("descriptor %+v", d)
	}
}

func TestFromEnv(t *testing.T) {
	cases := []struct {
		name    string
		env     map[string]string
		secrets []string
		problem string // "" when the environment is valid
	}{
		{"an empty environment is the default configuration", nil, nil, ""},
		{"every variable set", map[string]string{envAllowPrivate: "true", envAllowedHosts: "api.internal,10.0.0.0/8", envMaxResponse: "2048", envSecrets: "A,B"},
			[]string{"A", "B"}, ""},
		{"a bad boolean", map[string]string{envAllowPrivate: "yes please"}, nil, `HTTP_ALLOW_PRIVATE_ADDRESSES: expected true or false, got "yes please"`},
		{"a bad size", map[string]string{envMaxResponse: "-1"}, nil, `HTTP_MAX_RESPONSE_BYTES: expected a positive number of bytes, got "-1"`},
		{"every bad value is named", map[string]string{envAllowPrivate: "x", envMaxResponse: "lots"}, nil, "HTTP_ALLOW_PRIVATE_ADDRESSES: expected true or false, got \"x\"; HTTP_MAX_RESPONSE_BYTES"},
		{"a bad host", map[string]string{envAllowedHosts: "10.0.0.0/99"}, nil, `HTTP_ALLOWED_HOSTS: http connector: allowed hosts: "10.0.0.0/99" is not a CIDR prefix`},
		{"a bad secret name", map[string]string{envSecrets: "MY-TOKEN"}, nil, `HTTP_SECRETS: connector "io.camunda:http-json": secret name "MY-TOKEN" must match`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := fromEnv(func(name string) string { return tc.env[name] })
			if tc.problem != "" {
				if err == nil || !strings.Contains(err.Error(), tc.problem) {
					t.Fatalf("got %v, want an error containing %q", err, tc.problem)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := s.Describe(); !reflect.DeepEqual(d.Secrets, tc.secrets) {
				t.Fatalf("secrets %v, want %v", d.Secrets, tc.secrets)
			}
		})
	}
}
