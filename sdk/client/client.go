package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Client talks to one wf-engine over its REST API. It is safe for
// concurrent use; create one per engine and reuse it.
type Client struct {
	base        *url.URL
	http        *http.Client
	auth        Auth
	retry       RetryPolicy
	idempotency bool
	userAgent   string
	tracer      trace.TracerProvider          // nil: the global one (tracing.go)
	propagator  propagation.TextMapPropagator // nil: W3C trace context and baggage
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient sets the HTTP client that sends requests (default: a
// client with no overall timeout, as job activation long-polls; bound each
// call with its context instead).
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) {
		if hc != nil {
			c.http = hc
		}
	}
}

// WithAuth sets how requests are authenticated (default: not at all).
func WithAuth(a Auth) Option { return func(c *Client) { c.auth = a } }

// WithRetry sets the retry policy for answers 429 and 503 (default:
// DefaultRetryPolicy). RetryPolicy{MaxAttempts: 1} turns retries off.
func WithRetry(p RetryPolicy) Option { return func(c *Client) { c.retry = p.withDefaults() } }

// WithIdempotencyKeys turns the automatic Idempotency-Key header of
// mutating POST requests on or off (default on). Off, such requests are
// sent once and never retried.
func WithIdempotencyKeys(on bool) Option { return func(c *Client) { c.idempotency = on } }

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option { return func(c *Client) { c.userAgent = ua } }

// DefaultUserAgent is the User-Agent the client sends unless told otherwise.
const DefaultUserAgent = "wf-engine-go-sdk"

// IdempotencyHeader is the request header that makes a POST command
// idempotent on the server.
const IdempotencyHeader = "Idempotency-Key"

// New returns a client for the engine at baseURL, for example
// "http://127.0.0.1:8080" (without the /v2 suffix).
func New(baseURL string, opts ...Option) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	switch {
	case err != nil:
		return nil, fmt.Errorf("base URL %q: %w", baseURL, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("base URL %q: expected an http or https URL", baseURL)
	case u.Host == "":
		return nil, fmt.Errorf("base URL %q: the host is missing", baseURL)
	case u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("base URL %q: expected no query or fragment", baseURL)
	}
	c := &Client{base: u, http: &http.Client{}, retry: DefaultRetryPolicy, idempotency: true, userAgent: DefaultUserAgent}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// BaseURL returns the engine address the client talks to.
func (c *Client) BaseURL() string { return c.base.String() }

// Do sends a JSON request to any route of the API and decodes a JSON
// answer into out (which may be nil). It is the escape hatch for routes or
// fields this package does not cover; path starts with a slash, for
// example "/v2/topology". body is marshalled to JSON unless nil. Do retries
// as the typed methods do: searches, GET, PUT and DELETE, and POSTs that
// carry an automatic Idempotency-Key.
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	if !strings.HasPrefix(path, "/") {
		return fmt.Errorf("%s %s: expected a path starting with '/'", method, path)
	}
	r := call{method: method, path: path}
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("%s %s: encode request: %w", method, path, err)
		}
		r.body, r.contentType = b, "application/json"
	}
	r.retry = c.retryable(method, path)
	return c.doJSON(ctx, r, out)
}

// retryable says whether a request may be repeated: idempotent methods,
// searches, and POSTs that get an Idempotency-Key.
func (c *Client) retryable(method, path string) retryMode {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return retrySafe
	case http.MethodPost:
		if strings.HasSuffix(path, "/search") {
			return retrySafe
		}
		if c.idempotency {
			return retryWithKey
		}
	}
	return retryNever
}

// retryMode says whether and how a request may be repeated.
type retryMode uint8

const (
	retryNever   retryMode = iota // sent once
	retrySafe                     // safe to repeat as it is
	retryWithKey                  // repeated with one Idempotency-Key
)

// call is one logical API request; send may make several attempts of it.
type call struct {
	method, path string
	query        url.Values
	body         []byte
	contentType  string
	accept       string
	retry        retryMode
}

// post builds a POST call with a JSON body; mutating POSTs get an
// Idempotency-Key when the client sends them.
func (c *Client) post(path string, body any) (call, error) {
	r := call{method: http.MethodPost, path: path, retry: c.retryable(http.MethodPost, path)}
	return r, r.setJSON(body)
}

// setJSON sets the call's JSON body; nil sends none.
func (r *call) setJSON(body any) error {
	if body == nil {
		return nil
	}
	b, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("%s %s: encode request: %w", r.method, r.path, err)
	}
	r.body, r.contentType = b, "application/json"
	return nil
}

// doJSON sends r and decodes a JSON answer into out (nil: the answer has no
// body of interest).
func (c *Client) doJSON(ctx context.Context, r call, out any) error {
	if r.accept == "" {
		r.accept = "application/json"
	}
	res, err := c.send(ctx, r)
	if err != nil {
		return err
	}
	if out == nil || res.status == http.StatusNoContent || len(bytes.TrimSpace(res.body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(res.body, out); err != nil {
		return fmt.Errorf("%s %s: decode answer (%d): %w", r.method, r.path, res.status, err)
	}
	return nil
}

// variablesJSON encodes a variables document: nil is none; anything else
// must encode to a JSON object.
func variablesJSON(v any) (json.RawMessage, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("variables: %w", err)
	}
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		return nil, nil
	}
	if len(b) == 0 || b[0] != '{' {
		return nil, fmt.Errorf("variables: expected something that encodes to a JSON object (a map or a struct), got %T", v)
	}
	return b, nil
}

// errNoKey is returned for a key that cannot name anything.
var errNoKey = errors.New("expected a positive key")

// keyPath builds a route path with a key; keys must be positive.
func keyPath(format string, key int64) (string, error) {
	if key <= 0 {
		return "", fmt.Errorf("%s: %w, got %d", strings.Replace(format, "%d", "{key}", 1), errNoKey, key)
	}
	return fmt.Sprintf(format, key), nil
}
