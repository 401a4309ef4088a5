package http

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	nethttp "net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/example/wf-engine/sdk/connector"
)

// JobType is the task type of Camunda's REST connector.
const JobType = "io.camunda:http-json:1"

// DefaultMaxResponseBytes bounds a response body when Config leaves it zero.
const DefaultMaxResponseBytes = 10 << 20

// maxRedirects bounds the redirects one request follows.
const maxRedirects = 10

// Config configures the connector.
type Config struct {
	// AllowPrivateAddresses lets requests reach loopback, private,
	// link-local and unspecified addresses. Cloud metadata addresses stay
	// refused unless listed in AllowedHosts.
	AllowPrivateAddresses bool
	// AllowedHosts are reachable whatever their address: host names
	// (matched exactly, case-insensitively, as written in the URL),
	// *.example.com wildcards (any name below example.com), IP addresses
	// and CIDR prefixes (10.0.0.0/8).
	AllowedHosts []string
	// MaxResponseBytes bounds a response body (and an OAuth token
	// response); 0 is DefaultMaxResponseBytes.
	MaxResponseBytes int64
}

// Connector is the REST connector. It is safe for concurrent use.
type Connector struct {
	client   *nethttp.Client
	maxBytes int64
}

// New makes the connector.
func New(cfg Config) (*Connector, error) {
	if cfg.MaxResponseBytes < 0 {
		return nil, fmt.Errorf("http connector: max response bytes must not be negative, got %d", cfg.MaxResponseBytes)
	}
	if cfg.MaxResponseBytes == 0 {
		cfg.MaxResponseBytes = DefaultMaxResponseBytes
	}
	g, err := newGuard(cfg.AllowPrivateAddresses, cfg.AllowedHosts)
	if err != nil {
		return nil, fmt.Errorf("http connector: %w", err)
	}
	transport := &nethttp.Transport{
		Proxy:                 nil, // a proxy would dial the target for us, past the address checks
		DialContext:           g.dialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	client := &nethttp.Client{Transport: transport, CheckRedirect: checkRedirect}
	return &Connector{client: client, maxBytes: cfg.MaxResponseBytes}, nil
}

type noRedirectsKey struct{}

// secretHostsKey carries a request's *secretHosts to every request made for
// it: the redirects and the OAuth token request.
type secretHostsKey struct{}

func checkRedirect(req *nethttp.Request, via []*nethttp.Request) error {
	if off, _ := req.Context().Value(noRedirectsKey{}).(bool); off {
		return nethttp.ErrUseLastResponse
	}
	if len(via) >= maxRedirects {
		return fmt.Errorf("stopped after %d redirects", maxRedirects)
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return fmt.Errorf("redirect to a %q URL refused", req.URL.Scheme)
	}
	// A redirect may carry the secrets on (in the URL, the body of a 307
	// or 308, custom headers): it goes only where every secret may go.
	sh, _ := req.Context().Value(secretHostsKey{}).(*secretHosts)
	return sh.check("url", "a redirect from "+via[len(via)-1].URL.Host+": ", req.URL.Hostname())
}

// Describe implements connector.Connector.
func (c *Connector) Describe() connector.Descriptor {
	return connector.Descriptor{ID: "io.camunda:http-json", Version: "1.0.0", JobTypes: []string{JobType}}
}

// Execute implements connector.Connector: it sends the request the input
// describes and answers {status, headers, body}.
func (c *Connector) Execute(ctx context.Context, req connector.Request) (connector.Result, error) {
	r, err := parseRequest(req.Input)
	if err != nil {
		return connector.Result{}, err
	}
	sh, err := parseSecretHosts(req.SecretHosts)
	if err != nil {
		return connector.Result{}, err
	}
	// Checked before anything is resolved or sent, so that no request (not
	// even a DNS query, which could carry a secret in a host name) leaves.
	if err := sh.check("url", "", r.url.Hostname()); err != nil {
		return connector.Result{}, err
	}
	if r.auth.tokenEndpoint != nil {
		if err := sh.check("authentication.oauthTokenEndpoint", "", r.auth.tokenEndpoint.Hostname()); err != nil {
			return connector.Result{}, err
		}
	}
	if sh != nil {
		ctx = context.WithValue(ctx, secretHostsKey{}, sh)
	}
	if r.connectTimeout > 0 {
		ctx = context.WithValue(ctx, connectTimeoutKey{}, r.connectTimeout)
	}
	if !r.followRedirects {
		ctx = context.WithValue(ctx, noRedirectsKey{}, true)
	}
	if r.readTimeout > 0 {
		// The connection timeout covers connecting; the read timeout what
		// follows. Together they bound the whole exchange.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, r.connectTimeout+r.readTimeout)
		defer cancel()
	}
	hreq, err := c.build(ctx, r)
	if err != nil {
		return connector.Result{}, err
	}
	res, err := c.client.Do(hreq)
	if err != nil {
		return connector.Result{}, c.sendError(r.method, r.url, err)
	}
	defer func() { _ = res.Body.Close() }()
	response, err := c.read(res, r.returnText)
	if err != nil {
		return connector.Result{}, fmt.Errorf("%s %s: %w", r.method, r.url.Redacted(), err)
	}
	if res.StatusCode >= 400 {
		return connector.Result{}, statusError(r.method, r.url, res, response)
	}
	return connector.Result{Response: response}, nil
}

// build makes the HTTP request, authentication included.
func (c *Connector) build(ctx context.Context, r *request) (*nethttp.Request, error) {
	u := *r.url
	var body io.Reader
	contentType := ""
	for _, h := range r.headers {
		if strings.EqualFold(h[0], "Content-Type") {
			contentType = h[1]
		}
	}
	if r.hasBody && r.method != "GET" && r.method != "HEAD" {
		b, ct, err := encodeBody(r.body, contentType, r.ignoreNullValues)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(b)
		if contentType == "" {
			contentType = ct
		}
	}
	if r.auth.apiKeyInQuery {
		q := u.Query()
		q.Set(r.auth.apiKeyName, r.auth.apiKeyValue)
		u.RawQuery = q.Encode()
	}
	hreq, err := nethttp.NewRequestWithContext(ctx, r.method, u.String(), body)
	if err != nil {
		return nil, inputErr("url", "cannot make a request: %s", urlErrReason(err))
	}
	for _, h := range r.headers {
		hreq.Header.Add(h[0], h[1])
	}
	if contentType != "" {
		hreq.Header.Set("Content-Type", contentType)
	}
	switch a := r.auth; a.kind {
	case "basic":
		hreq.SetBasicAuth(a.username, a.password)
	case "bearer":
		hreq.Header.Set("Authorization", "Bearer "+a.token)
	case "apiKey":
		if !a.apiKeyInQuery {
			if !validHeaderName(a.apiKeyName) {
				return nil, inputErr("authentication.name", "%q is not a valid header name", a.apiKeyName)
			}
			hreq.Header.Set(a.apiKeyName, a.apiKeyValue)
		}
	case "oauth-client-credentials-flow":
		token, err := c.fetchToken(ctx, a)
		if err != nil {
			return nil, err
		}
		hreq.Header.Set("Authorization", "Bearer "+token)
	}
	return hreq, nil
}

// encodeBody writes the body: JSON for contexts, lists, numbers and
// booleans (a form for application/x-www-form-urlencoded), a string as is.
func encodeBody(v any, contentType string, ignoreNulls bool) ([]byte, string, error) {
	if ignoreNulls {
		v = dropNulls(v)
	}
	mediaType, _, _ := mime.ParseMediaType(contentType)
	if s, ok := v.(string); ok {
		if json.Valid([]byte(s)) {
			return []byte(s), "application/json", nil
		}
		return []byte(s), "text/plain; charset=utf-8", nil
	}
	if mediaType == "application/x-www-form-urlencoded" {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, "", inputErr("body", "a form body must be a context, got %s", show(v))
		}
		form := url.Values{}
		for _, k := range sortedKeys(m) {
			if m[k] == nil {
				continue
			}
			s, err := scalar(m[k], "body."+k)
			if err != nil {
				return nil, "", err
			}
			form.Set(k, s)
		}
		return []byte(form.Encode()), mediaType, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, "", inputErr("body", "cannot be written as JSON: %v", err)
	}
	return b, "application/json", nil
}

func dropNulls(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if e != nil {
				out[k] = dropNulls(e)
			}
		}
		return out
	case []any:
		out := make([]any, 0, len(x))
		for _, e := range x {
			if e != nil {
				out = append(out, dropNulls(e))
			}
		}
		return out
	}
	return v
}

// sendError describes a request that got no answer, without the URL's
// credentials; a refused address keeps its type for errors.As.
func (c *Connector) sendError(method string, u *url.URL, err error) error {
	var ae *AddressError
	if errors.As(err, &ae) {
		return fmt.Errorf("%s %s: %w", method, u.Redacted(), ae)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s %s: no answer in time: %w", method, u.Redacted(), err)
	}
	return fmt.Errorf("%s %s: %w", method, u.Redacted(), err)
}

// read reads a response within the size limit, the body parsed when it is
// JSON.
func (c *Connector) read(res *nethttp.Response, asText bool) (map[string]any, error) {
	raw, err := readLimited(res.Body, c.maxBytes)
	if err != nil {
		return nil, err
	}
	headers := map[string]any{}
	for k, vs := range res.Header {
		if len(vs) == 1 {
			headers[k] = vs[0]
			continue
		}
		l := make([]any, len(vs))
		for i, v := range vs {
			l[i] = v
		}
		headers[k] = l
	}
	return map[string]any{"status": res.StatusCode, "headers": headers, "body": parseBody(raw, res.Header.Get("Content-Type"), asText)}, nil
}

// ResponseTooLargeError is a response body beyond the configured limit.
type ResponseTooLargeError struct{ Limit int64 }

// Error implements the error interface.
func (e *ResponseTooLargeError) Error() string {
	return fmt.Sprintf("the response body is larger than the limit of %d bytes (max_response_bytes in the connectors configuration)", e.Limit)
}

func readLimited(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read the response body: %w", err)
	}
	if int64(len(b)) > limit {
		return nil, &ResponseTooLargeError{Limit: limit}
	}
	return b, nil
}

// parseBody gives nil for an empty body, the JSON value for a JSON body
// (by content type, or by its looks when the content type says nothing),
// else the text.
func parseBody(raw []byte, contentType string, asText bool) any {
	if len(bytes.TrimSpace(raw)) == 0 {
		if len(raw) == 0 {
			return nil
		}
		return string(raw)
	}
	if asText {
		return string(raw)
	}
	mediaType, _, _ := mime.ParseMediaType(contentType)
	isJSON := mediaType == "application/json" || strings.HasSuffix(mediaType, "+json")
	if isJSON || mediaType == "" || mediaType == "text/plain" {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err == nil && !dec.More() {
			if _, err := dec.Token(); err == io.EOF {
				return v
			}
		}
	}
	return string(raw)
}

// statusError makes the error of a 4xx or 5xx answer: a *connector.Error
// whose code is the status as a string (Camunda's error.code, "404") and
// whose variables hold the response ({response: {status, headers, body}}),
// so that an errorExpression can read error.response.body. 429 and 503 with
// a Retry-After in seconds are retryable after that wait, the coded error
// inside.
func statusError(method string, u *url.URL, res *nethttp.Response, response map[string]any) error {
	se := &connector.Error{
		Code:      strconv.Itoa(res.StatusCode),
		Message:   fmt.Sprintf("%s %s answered %d %s", method, u.Redacted(), res.StatusCode, nethttp.StatusText(res.StatusCode)),
		Variables: map[string]any{"response": response},
	}
	if res.StatusCode == nethttp.StatusTooManyRequests || res.StatusCode == nethttp.StatusServiceUnavailable {
		if s, err := strconv.Atoi(strings.TrimSpace(res.Header.Get("Retry-After"))); err == nil && s > 0 && s <= 86400 {
			return &connector.RetryableError{Err: se, Backoff: time.Duration(s) * time.Second}
		}
	}
	return se
}

// Interface guards
var _ connector.Connector = (*Connector)(nil)
