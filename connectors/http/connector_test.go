package http

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	nethttp "net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/example/wf-engine/sdk/connector"
)

// received is what a test server received.
type received struct {
	method  string
	path    string
	query   url.Values
	header  nethttp.Header
	body    string
	authHdr string
}

// seen records the last request a test server received.
type seen struct {
	mu   sync.Mutex
	last received
}

func (s *seen) get() received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

// server answers every request with status, content type and body, and
// records it.
func server(t *testing.T, status int, contentType, body string) (*httptest.Server, *seen) {
	t.Helper()
	s := &seen{}
	srv := httptest.NewServer(nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.last = received{method: r.Method, path: r.URL.Path, query: r.URL.Query(), header: r.Header.Clone(), body: string(b), authHdr: r.Header.Get("Authorization")}
		s.mu.Unlock()
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.Header().Add("X-Multi", "a")
		w.Header().Add("X-Multi", "b")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, s
}

func newConnector(t *testing.T, cfg Config) *Connector {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func exec(t *testing.T, c *Connector, input map[string]any) (map[string]any, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := c.Execute(ctx, connector.Request{JobType: JobType, Input: input})
	if err != nil {
		return nil, err
	}
	m, ok := res.Response.(map[string]any)
	if !ok {
		t.Fatalf("response is %T", res.Response)
	}
	return m, nil
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var allowLoopback = Config{AllowPrivateAddresses: true}

func TestGetWithQueryHeadersAndBearer(t *testing.T) {
	srv, got := server(t, 200, "application/json", `{"order":{"id":"o-1","n":12345678901234567890}}`)
	res, err := exec(t, newConnector(t, allowLoopback), map[string]any{
		"method": "get", "url": srv.URL + "/orders?x=1",
		"queryParameters": map[string]any{"q": "a b", "n": 2.0, "tags": []any{"t1", "t2"}, "skip": nil},
		"headers":         map[string]any{"X-Trace": "abc", "X-Num": 3.0},
		"authentication":  map[string]any{"type": "bearer", "token": "tok-1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := got.get()
	if r.method != "GET" || r.path != "/orders" || r.query.Encode() != "n=2&q=a+b&tags=t1&tags=t2&x=1" {
		t.Fatalf("server saw %s %s ?%s", r.method, r.path, r.query.Encode())
	}
	if r.authHdr != "Bearer tok-1" || r.header.Get("X-Trace") != "abc" || r.header.Get("X-Num") != "3" {
		t.Fatalf("server saw headers %v", r.header)
	}
	if res["status"] != 200 {
		t.Fatalf("status %v", res["status"])
	}
	if body := jsonOf(t, res["body"]); body != `{"order":{"id":"o-1","n":12345678901234567890}}` {
		t.Fatalf("body %s (large numbers must keep their digits)", body)
	}
	h := res["headers"].(map[string]any)
	if h["Content-Type"] != "application/json" || jsonOf(t, h["X-Multi"]) != `["a","b"]` {
		t.Fatalf("headers %v", h)
	}
}

func TestBodies(t *testing.T) {
	cases := []struct {
		name     string
		input    map[string]any
		wantType string
		wantBody string
	}{
		{"a context is sent as JSON", map[string]any{"method": "POST", "body": map[string]any{"a": 1.0, "b": nil}},
			"application/json", `{"a":1,"b":null}`},
		{"ignoreNullValues drops nulls", map[string]any{"method": "PUT", "body": map[string]any{"a": []any{1.0, nil}, "b": nil}, "ignoreNullValues": true},
			"application/json", `{"a":[1]}`},
		{"a JSON string is sent as is", map[string]any{"method": "POST", "body": `{"raw":true}`},
			"application/json", `{"raw":true}`},
		{"other text is plain text", map[string]any{"method": "PATCH", "body": "hello"},
			"text/plain; charset=utf-8", `hello`},
		{"a form body", map[string]any{"method": "POST", "body": map[string]any{"a": "x y", "n": 1.0}, "headers": map[string]any{"Content-Type": "application/x-www-form-urlencoded"}},
			"application/x-www-form-urlencoded", `a=x+y&n=1`},
		{"a given content type is kept", map[string]any{"method": "POST", "body": map[string]any{"a": 1.0}, "headers": map[string]any{"Content-Type": "application/vnd.api+json"}},
			"application/vnd.api+json", `{"a":1}`},
		{"GET sends no body", map[string]any{"method": "GET", "body": map[string]any{"a": 1.0}},
			"", ``},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, got := server(t, 201, "", "")
			tc.input["url"] = srv.URL
			res, err := exec(t, newConnector(t, allowLoopback), tc.input)
			if err != nil {
				t.Fatal(err)
			}
			r := got.get()
			if r.header.Get("Content-Type") != tc.wantType || r.body != tc.wantBody {
				t.Fatalf("server saw %q %q, want %q %q", r.header.Get("Content-Type"), r.body, tc.wantType, tc.wantBody)
			}
			if res["status"] != 201 || res["body"] != nil {
				t.Fatalf("response %v", res)
			}
		})
	}
}

func TestAuthentication(t *testing.T) {
	cases := []struct {
		name  string
		auth  map[string]any
		check func(received) bool
	}{
		{"basic", map[string]any{"type": "basic", "username": "u", "password": "p"},
			func(s received) bool { return s.authHdr == "Basic dTpw" }},
		{"api key in a header", map[string]any{"type": "apiKey", "name": "X-Key", "value": "k1"},
			func(s received) bool { return s.header.Get("X-Key") == "k1" }},
		{"api key in the query", map[string]any{"type": "apiKey", "name": "key", "value": "k2", "apiKeyLocation": "query"},
			func(s received) bool { return s.query.Get("key") == "k2" }},
		{"no authentication", map[string]any{"type": "noAuth"},
			func(s received) bool { return s.authHdr == "" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, got := server(t, 200, "text/plain", "ok")
			res, err := exec(t, newConnector(t, allowLoopback), map[string]any{"url": srv.URL, "authentication": tc.auth})
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(got.get()) {
				t.Fatalf("server saw %+v", got.get())
			}
			if res["body"] != "ok" {
				t.Fatalf("body %v", res["body"])
			}
		})
	}
}

func TestOAuthClientCredentials(t *testing.T) {
	for _, inHeader := range []bool{true, false} {
		t.Run(fmt.Sprintf("credentials in header %t", inHeader), func(t *testing.T) {
			var form url.Values
			var tokenAuth string
			var mu sync.Mutex
			tokens := httptest.NewServer(nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
				_ = r.ParseForm()
				mu.Lock()
				form, tokenAuth = r.PostForm, r.Header.Get("Authorization")
				mu.Unlock()
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, `{"access_token":"at-9","token_type":"Bearer","expires_in":300}`)
			}))
			defer tokens.Close()
			srv, got := server(t, 200, "application/json", `{}`)
			ca := "credentialsBody"
			if inHeader {
				ca = "basicAuthHeader"
			}
			_, err := exec(t, newConnector(t, allowLoopback), map[string]any{"url": srv.URL, "authentication": map[string]any{
				"type": "oauth-client-credentials-flow", "oauthTokenEndpoint": tokens.URL + "/token", "clientId": "cid", "clientSecret": "cs",
				"scopes": "read write", "audience": "api", "clientAuthentication": ca,
			}})
			if err != nil {
				t.Fatal(err)
			}
			if got.get().authHdr != "Bearer at-9" {
				t.Fatalf("the request carried %q", got.get().authHdr)
			}
			mu.Lock()
			defer mu.Unlock()
			if form.Get("grant_type") != "client_credentials" || form.Get("scope") != "read write" || form.Get("audience") != "api" {
				t.Fatalf("token request form %v", form)
			}
			if inHeader && (tokenAuth != "Basic Y2lkOmNz" || form.Get("client_secret") != "") {
				t.Fatalf("credentials should be in the header: %q %v", tokenAuth, form)
			}
			if !inHeader && (tokenAuth != "" || form.Get("client_id") != "cid" || form.Get("client_secret") != "cs") {
				t.Fatalf("credentials should be in the body: %q %v", tokenAuth, form)
			}
		})
	}
}

func TestErrorStatusIsACodedError(t *testing.T) {
	for _, status := range []int{400, 404, 500, 503} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			srv, _ := server(t, status, "application/json", `{"message":"no order 9"}`)
			_, err := exec(t, newConnector(t, allowLoopback), map[string]any{"url": srv.URL + "/orders/9"})
			var ce *connector.Error
			if !errors.As(err, &ce) {
				t.Fatalf("got %T %v, want a *connector.Error", err, err)
			}
			want := fmt.Sprintf("/orders/9 answered %d %s", status, nethttp.StatusText(status))
			if ce.Code != strconv.Itoa(status) || !strings.HasSuffix(ce.Message, want) || err.Error() != ce.Message {
				t.Fatalf("code %q, message %q, error %q", ce.Code, ce.Message, err)
			}
			resp, _ := ce.Variables["response"].(map[string]any)
			if resp["status"] != status || jsonOf(t, resp["body"]) != `{"message":"no order 9"}` || resp["headers"].(map[string]any)["Content-Type"] != "application/json" {
				t.Fatalf("response %v", resp)
			}
			var re *connector.RetryableError
			if errors.As(err, &re) {
				t.Fatalf("a %d without Retry-After is not retryable: %v", status, err)
			}
		})
	}
}

func TestRetryAfterMakesAStatusRetryable(t *testing.T) {
	srv := httptest.NewServer(nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(503)
	}))
	defer srv.Close()
	_, err := exec(t, newConnector(t, allowLoopback), map[string]any{"url": srv.URL})
	var re *connector.RetryableError
	var ce *connector.Error
	if !errors.As(err, &re) || re.Backoff != 7*time.Second || !errors.As(err, &ce) || ce.Code != "503" {
		t.Fatalf("got %v, want a retryable 503 with a 7s back-off", err)
	}
}

func TestAddressesAreCheckedWhenDialling(t *testing.T) {
	srv, got := server(t, 200, "", "ok")
	u, _ := url.Parse(srv.URL)
	port := u.Port()
	cases := []struct {
		name string
		cfg  Config
		url  string
		kind string // "" allowed
	}{
		{"loopback by address is refused", Config{}, srv.URL, "loopback"},
		{"loopback by name is refused after resolution", Config{}, "http://localhost:" + port, "loopback"},
		{"loopback allowed with private addresses", allowLoopback, srv.URL, ""},
		{"loopback allowed by host name", Config{AllowedHosts: []string{"LOCALHOST"}}, "http://localhost:" + port, ""},
		{"loopback allowed by address", Config{AllowedHosts: []string{"127.0.0.1"}}, srv.URL, ""},
		{"loopback allowed by prefix", Config{AllowedHosts: []string{"127.0.0.0/8"}}, srv.URL, ""},
		{"a name allowed does not allow its address", Config{AllowedHosts: []string{"localhost"}}, srv.URL, "loopback"},
		{"the metadata address stays refused with private addresses", allowLoopback, "http://169.254.169.254/latest/meta-data", "metadata"},
		{"the metadata host name is refused before resolution", allowLoopback, "http://metadata.google.internal/computeMetadata/v1", "metadata"},
		{"the IPv6 metadata address is refused", allowLoopback, "http://[fd00:ec2::254]/", "metadata"},
		{"an IPv4-mapped loopback is refused", Config{}, "http://[::ffff:127.0.0.1]:" + port, "loopback"},
		{"a private address is refused", Config{}, "http://10.0.0.1:1/", "private"},
		{"a link-local address is refused", Config{}, "http://169.254.1.1:1/", "link-local"},
		{"the unspecified address is refused", Config{}, "http://0.0.0.0:" + port, "unspecified"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := exec(t, newConnector(t, tc.cfg), map[string]any{"url": tc.url})
			if tc.kind == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var ae *AddressError
			if !errors.As(err, &ae) || ae.Kind != tc.kind {
				t.Fatalf("got %v, want a refused %s address", err, tc.kind)
			}
			if !strings.Contains(err.Error(), "is refused: it is a "+tc.kind+" address") {
				t.Fatalf("message %q", err.Error())
			}
		})
	}
	if got.get().method != "GET" {
		t.Fatal("the allowed requests did not reach the server")
	}
}

func TestRedirectsAreCheckedToo(t *testing.T) {
	target, got := server(t, 200, "", "secret internal")
	redirector := httptest.NewServer(nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		nethttp.Redirect(w, r, target.URL+"/inside", nethttp.StatusFound)
	}))
	defer redirector.Close()
	u, _ := url.Parse(redirector.URL)
	start := "http://localhost:" + u.Port()
	c := newConnector(t, Config{AllowedHosts: []string{"localhost"}})
	_, err := exec(t, c, map[string]any{"url": start})
	var ae *AddressError
	if !errors.As(err, &ae) || ae.Kind != "loopback" {
		t.Fatalf("got %v, want the redirect's target refused", err)
	}
	if got.get().method != "" {
		t.Fatal("the redirect's target was reached")
	}
	res, err := exec(t, c, map[string]any{"url": start, "followRedirects": false})
	if err != nil || res["status"] != 302 {
		t.Fatalf("without following: %v %v", res, err)
	}
	res, err = exec(t, newConnector(t, allowLoopback), map[string]any{"url": redirector.URL})
	if err != nil || res["body"] != "secret internal" {
		t.Fatalf("an allowed redirect: %v %v", res, err)
	}
}

func TestResponseSizeLimit(t *testing.T) {
	srv, _ := server(t, 200, "text/plain", strings.Repeat("x", 2000))
	_, err := exec(t, newConnector(t, Config{AllowPrivateAddresses: true, MaxResponseBytes: 1000}), map[string]any{"url": srv.URL})
	var tl *ResponseTooLargeError
	if !errors.As(err, &tl) || !strings.Contains(err.Error(), "larger than the limit of 1000 bytes") {
		t.Fatalf("got %v", err)
	}
	res, err := exec(t, newConnector(t, Config{AllowPrivateAddresses: true, MaxResponseBytes: 2000}), map[string]any{"url": srv.URL})
	if err != nil || len(res["body"].(string)) != 2000 {
		t.Fatalf("a body at the limit: %v", err)
	}
}

func TestCancellationIsHonoured(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(block)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := newConnector(t, allowLoopback).Execute(ctx, connector.Request{Input: map[string]any{"url": srv.URL}})
		done <- err
	}()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Execute did not return after its context was cancelled")
	}
}

func TestInputErrors(t *testing.T) {
	cases := []struct {
		name  string
		input map[string]any
		field string
		in    string
	}{
		{"no url", map[string]any{}, "url", "expected an http or https URL, got null"},
		{"a url of another scheme", map[string]any{"url": "ftp://x/y"}, "url", `expected an http or https URL with a host, got "ftp://x/y"`},
		{"a url with credentials is not echoed", map[string]any{"url": "file://u:pw@x/"}, "url", `"file://u:xxxxx@x/"`},
		{"an unknown method", map[string]any{"url": "http://x", "method": "TRACE"}, "method", `expected one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, got "TRACE"`},
		{"headers of the wrong type", map[string]any{"url": "http://x", "headers": []any{1.0}}, "headers", "got a list"},
		{"a bad header name", map[string]any{"url": "http://x", "headers": map[string]any{"a b": "c"}}, "headers", `"a b" is not a valid header name`},
		{"a header value with a line break", map[string]any{"url": "http://x", "headers": map[string]any{"A": "b\r\nC: d"}}, "headers.A", "line breaks"},
		{"query values of the wrong type", map[string]any{"url": "http://x", "queryParameters": map[string]any{"a": map[string]any{}}}, "queryParameters.a", "got a context"},
		{"an unknown authentication type", map[string]any{"url": "http://x", "authentication": map[string]any{"type": "kerberos"}}, "authentication.type", `got "kerberos"`},
		{"basic without a user name", map[string]any{"url": "http://x", "authentication": map[string]any{"type": "basic"}}, "authentication.username", "is required for authentication type basic"},
		{"bearer without a token", map[string]any{"url": "http://x", "authentication": map[string]any{"type": "bearer", "token": ""}}, "authentication.token", "is required"},
		{"oauth without an endpoint", map[string]any{"url": "http://x", "authentication": map[string]any{"type": "oauth-client-credentials-flow", "clientId": "a", "clientSecret": "b"}}, "authentication.oauthTokenEndpoint", "expected an http or https URL"},
		{"a timeout that is not a number", map[string]any{"url": "http://x", "connectionTimeoutInSeconds": "soon"}, "connectionTimeoutInSeconds", `got "soon"`},
		{"a negative timeout", map[string]any{"url": "http://x", "readTimeoutInSeconds": -1.0}, "readTimeoutInSeconds", "between 0 and 1000000"},
		{"followRedirects not a boolean", map[string]any{"url": "http://x", "followRedirects": "yes"}, "followRedirects", "expected true or false"},
		{"a document response", map[string]any{"url": "http://x", "documentReturnFormat": map[string]any{"choice": "DOCUMENT"}}, "documentReturnFormat.choice", "documents are not supported"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := newConnector(t, Config{}).Execute(context.Background(), connector.Request{Input: tc.input})
			var ie *connector.InputError
			if !errors.As(err, &ie) || ie.Field != tc.field || !strings.Contains(ie.Reason, tc.in) {
				t.Fatalf("got %v, want an input error on %s containing %q", err, tc.field, tc.in)
			}
		})
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{MaxResponseBytes: -1}, "max response bytes must not be negative"},
		{Config{AllowedHosts: []string{"10.0.0.0/33"}}, `"10.0.0.0/33" is not a CIDR prefix`},
		{Config{AllowedHosts: []string{""}}, "an entry is empty"},
		{Config{AllowedHosts: []string{"u@x"}}, "is not a host name, an IP address or a CIDR prefix"},
	} {
		if _, err := New(tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%+v) = %v, want an error containing %q", tc.cfg, err, tc.want)
		}
	}
}

func TestTextResponseFormat(t *testing.T) {
	srv, _ := server(t, 200, "application/json", `{"a":1}`)
	res, err := exec(t, newConnector(t, allowLoopback), map[string]any{"url": srv.URL, "documentReturnFormat": map[string]any{"choice": "TEXT"}})
	if err != nil || res["body"] != `{"a":1}` {
		t.Fatalf("%v %v", res, err)
	}
}
