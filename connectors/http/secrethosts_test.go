package http

import (
	"context"
	"errors"
	"io"
	nethttp "net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/example/wf-engine/sdk/connector"
)

func execWithSecretHosts(t *testing.T, c *Connector, hosts map[string][]string, input map[string]any) (map[string]any, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := c.Execute(ctx, connector.Request{JobType: JobType, Input: input, SecretHosts: hosts})
	if err != nil {
		return nil, err
	}
	m, _ := res.Response.(map[string]any)
	return m, nil
}

// counting is a test server that counts the requests it gets.
func counting(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		n.Add(1)
		_, _ = io.WriteString(w, "reached")
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// viaLocalhost is the server's URL with the host name localhost instead of
// 127.0.0.1: another host for the checks, the same server.
func viaLocalhost(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return "http://localhost:" + u.Port()
}

func wantSecretRefused(t *testing.T, err error, field, secret, host string) {
	t.Helper()
	var ie *connector.InputError
	if !errors.As(err, &ie) || ie.Field != field {
		t.Fatalf("got %v, want an input error on %s", err, field)
	}
	if !strings.Contains(ie.Reason, "secret "+secret+" ") || !strings.Contains(ie.Reason, "host "+host+":") {
		t.Fatalf("the refusal %q should name secret %s and host %s", ie.Reason, secret, host)
	}
}

func TestSecretGoesOnlyToItsAllowedHosts(t *testing.T) {
	srv, got := server(t, 200, "application/json", `{"ok":true}`)
	c := newConnector(t, allowLoopback)
	hosts := map[string][]string{"TOKEN": {"127.0.0.1"}, "OTHER": {"127.0.0.0/8", "api.example.com"}}
	input := func(u string) map[string]any {
		return map[string]any{"url": u, "authentication": map[string]any{"type": "bearer", "token": "tok-value"}}
	}
	res, err := execWithSecretHosts(t, c, hosts, input(srv.URL))
	if err != nil || res["status"] != 200 || got.get().authHdr != "Bearer tok-value" {
		t.Fatalf("an allowed host: %v %v, the server got %q", res, err, got.get().authHdr)
	}
	other, n := counting(t)
	_, err = execWithSecretHosts(t, c, hosts, input(viaLocalhost(t, other)))
	wantSecretRefused(t, err, "url", "OTHER", "localhost")
	if n.Load() != 0 {
		t.Fatal("the refused host was reached")
	}
	// Without a restriction the same request goes out.
	if _, err := execWithSecretHosts(t, c, nil, input(viaLocalhost(t, other))); err != nil || n.Load() != 1 {
		t.Fatalf("no restriction: %v, %d requests", err, n.Load())
	}
}

func TestSecretIsNotCarriedByARedirectToAnotherHost(t *testing.T) {
	other, n := counting(t)
	for _, status := range []int{nethttp.StatusFound, nethttp.StatusTemporaryRedirect} {
		redirector := httptest.NewServer(nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
			if r.URL.Path == "/same" {
				nethttp.Redirect(w, r, "/landed", status)
				return
			}
			if r.URL.Path == "/landed" {
				_, _ = io.WriteString(w, "landed")
				return
			}
			nethttp.Redirect(w, r, viaLocalhost(t, other)+"/steal", status)
		}))
		t.Cleanup(redirector.Close)
		c := newConnector(t, allowLoopback)
		hosts := map[string][]string{"TOKEN": {"127.0.0.1"}}
		_, err := execWithSecretHosts(t, c, hosts, map[string]any{"url": redirector.URL + "/start", "method": "POST", "body": map[string]any{"k": "v"}})
		wantSecretRefused(t, err, "url", "TOKEN", "localhost")
		if n.Load() != 0 {
			t.Fatalf("redirect %d: the other host was reached", status)
		}
		res, err := execWithSecretHosts(t, c, hosts, map[string]any{"url": redirector.URL + "/same"})
		if err != nil || res["body"] != "landed" {
			t.Fatalf("redirect %d within the allowed host: %v %v", status, res, err)
		}
	}
}

func TestSecretGoesToTheOAuthTokenEndpointOnlyWhenAllowed(t *testing.T) {
	tokens, n := counting(t)
	srv, got := server(t, 200, "application/json", `{}`)
	c := newConnector(t, allowLoopback)
	_, err := execWithSecretHosts(t, c, map[string][]string{"CLIENT_SECRET": {"127.0.0.1"}}, map[string]any{"url": srv.URL, "authentication": map[string]any{
		"type": "oauth-client-credentials-flow", "oauthTokenEndpoint": viaLocalhost(t, tokens) + "/token", "clientId": "cid", "clientSecret": "cs",
	}})
	wantSecretRefused(t, err, "authentication.oauthTokenEndpoint", "CLIENT_SECRET", "localhost")
	if n.Load() != 0 || got.get().method != "" {
		t.Fatal("a request went out")
	}
}

func TestBadSecretHostsAreInputErrors(t *testing.T) {
	srv, n := counting(t)
	c := newConnector(t, allowLoopback)
	for _, hosts := range [][]string{{}, {"10.0.0.0/99"}, {"*"}} {
		_, err := execWithSecretHosts(t, c, map[string][]string{"TOKEN": hosts}, map[string]any{"url": srv.URL})
		var ie *connector.InputError
		if !errors.As(err, &ie) || !strings.Contains(ie.Reason, "secret TOKEN") {
			t.Fatalf("%q: got %v, want an input error naming the secret", hosts, err)
		}
	}
	if n.Load() != 0 {
		t.Fatal("a request went out")
	}
}

func TestHostListMatching(t *testing.T) {
	l, err := parseHostList([]string{"API.example.com.", "*.corp.example", "10.1.0.0/16", "::1", "192.0.2.7"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		host string
		want bool
	}{
		{"api.example.com", true},
		{"Api.Example.Com.", true},
		{"www.example.com", false},
		{"example.com", false},
		{"a.corp.example", true},
		{"a.b.corp.example", true},
		{"corp.example", false},
		{"evilcorp.example", false},
		{"10.1.200.3", true},
		{"10.2.0.1", false},
		{"[::1]", true},
		{"::1", true},
		{"192.0.2.7", true},
		{"192.0.2.8", false},
		{"::ffff:192.0.2.7", true},
		{"", false},
	} {
		if got := l.allows(tc.host); got != tc.want {
			t.Errorf("allows(%q) = %t, want %t", tc.host, got, tc.want)
		}
	}
	for _, bad := range []string{"", "*", "*.com", "a.*.example", "*example.com", "10.0.0.0/99", "user@host", "host:80", "fe80::1%eth0"} {
		if _, err := parseHostList([]string{bad}); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}

func TestWildcardInAllowedHostsLetsTheNameBeDialled(t *testing.T) {
	g, err := newGuard(false, []string{"*.example.test"})
	if err != nil {
		t.Fatal(err)
	}
	if !g.hostAllowed("api.example.test") || g.hostAllowed("example.test") {
		t.Fatal("the wildcard does not match names below it only")
	}
}

func FuzzHostList(f *testing.F) {
	for _, s := range []string{"api.example.com", "*.example.com", "10.0.0.0/8", "::1", "[::1]", "*", "a.*.b"} {
		f.Add(s, "api.example.com")
	}
	f.Fuzz(func(t *testing.T, entry, host string) {
		l, err := parseHostList([]string{entry})
		if err != nil {
			return
		}
		_ = l.allows(host)
		if !strings.HasPrefix(entry, "*") && !strings.Contains(entry, "/") && l.allows(strings.TrimSpace(entry)) != true {
			t.Fatalf("entry %q does not allow itself", entry)
		}
	})
}
