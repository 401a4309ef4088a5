package forward

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/example/wf-engine/core/store"
)

// HopHeader carries the cluster's shared secret on a forwarded request.
const HopHeader = "Wf-Cluster-Hop"

// Config configures a standby's handler.
type Config struct {
	// Secret is the cluster's shared secret (cluster.secret). Empty:
	// nothing is forwarded, every request is answered 503.
	Secret string
	// Self is this node's id: once the lease's holder is this node, it is
	// taking over, and requests are answered 503 until its engine serves.
	Self string
	// Holder returns the partition's lease as the node last read it.
	Holder func() (store.Lease, bool)
	// RetryAfter is what callers are told to wait; default 1s.
	RetryAfter time.Duration
	// Transport carries the hop; nil: a transport that dials within 2s.
	Transport http.RoundTripper
	// Logger records failed hops; nil discards.
	Logger *slog.Logger
}

// Handler is a standby's http.Handler.
type Handler struct {
	cfg   Config
	proxy *httputil.ReverseProxy
}

// target is the context key of the URL a request is forwarded to.
type target struct{}

// New returns a standby's handler.
func New(cfg Config) *Handler {
	if cfg.RetryAfter <= 0 {
		cfg.RetryAfter = time.Second
	}
	if cfg.Transport == nil {
		cfg.Transport = &http.Transport{
			Proxy:               nil, // the hop goes straight to the holder
			DialContext:         (&net.Dialer{Timeout: 2 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConnsPerHost: 64,
			IdleConnTimeout:     90 * time.Second,
			TLSHandshakeTimeout: 5 * time.Second,
		}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{cfg: cfg}
	h.proxy = &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			u, _ := r.In.Context().Value(target{}).(*url.URL)
			r.SetURL(u)
			r.Out.Host = r.In.Host // the holder checks origins against the caller's host
			r.SetXForwarded()
			r.Out.Header.Set(HopHeader, cfg.Secret)
		},
		Transport:     cfg.Transport,
		FlushInterval: -1, // long polls and event streams pass through as they come
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			if errors.Is(err, context.Canceled) {
				return // the caller went away
			}
			cfg.Logger.Warn("forward a request to the partition's lease holder", "method", r.Method, "path", r.URL.Path, "error", err)
			if notSent(err) || retryable(r) {
				h.unavailable(w, r, "the node that holds the partition's lease did not answer; retry")
				return
			}
			h.outcomeUnknown(w, r)
		},
	}
	return h
}

// Close closes the hop's idle connections.
func (h *Handler) Close() {
	if t, ok := h.cfg.Transport.(interface{ CloseIdleConnections() }); ok {
		t.CloseIdleConnections()
	}
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/healthz":
		writeJSON(w, http.StatusOK, map[string]string{"status": "UP"})
		return
	case "/readyz":
		h.readyz(w)
		return
	}
	if r.Header.Get(HopHeader) != "" {
		// Forwarded by a node that took this one for the holder: its view
		// is out of date. Never forward twice (no loops).
		h.unavailable(w, r, "the request was forwarded to a node that does not hold the partition's lease; retry")
		return
	}
	if h.cfg.Secret == "" {
		h.unavailable(w, r, "this node does not hold the partition's lease and cannot forward (cluster.secret is not set); retry on another node")
		return
	}
	l, ok := h.cfg.Holder()
	switch {
	case !ok || !l.Live():
		h.unavailable(w, r, "no node holds the partition's lease at the moment; retry")
		return
	case l.NodeID == h.cfg.Self:
		h.unavailable(w, r, "this node is taking the partition over and loads its state; retry")
		return
	}
	u, err := url.Parse(l.Address)
	if err != nil || u.Host == "" {
		h.unavailable(w, r, "the partition's lease holder advertises no usable address; retry")
		return
	}
	h.proxy.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), target{}, u)))
}

// readyz answers ready while a node holds the lease and this node can
// forward to it: a standby takes requests.
func (h *Handler) readyz(w http.ResponseWriter) {
	l, ok := h.cfg.Holder()
	switch {
	case h.cfg.Secret == "":
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "DOWN", "role": "standby",
			"reason": "this node does not hold the partition's lease and cannot forward (cluster.secret is not set)"})
	case !ok || !l.Live():
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "DOWN", "role": "standby",
			"reason": "no node holds the partition's lease"})
	case l.NodeID == h.cfg.Self:
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "DOWN", "role": "starting",
			"reason": "this node is taking the partition over and loads its state"})
	default:
		writeJSON(w, http.StatusOK, map[string]string{"status": "UP", "role": "standby"})
	}
}

// problem is an RFC 9457 answer in the shape the API uses.
type problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail"`
	Instance string `json:"instance"`
	// CommandOutcomeUnknown: the command may have been written (as
	// api/rest's answer of the same name).
	CommandOutcomeUnknown bool `json:"commandOutcomeUnknown,omitempty"`
}

// unavailable answers 503 UNAVAILABLE with Retry-After.
func (h *Handler) unavailable(w http.ResponseWriter, r *http.Request, detail string) {
	w.Header().Set("Retry-After", strconv.Itoa(max(1, int(h.cfg.RetryAfter.Round(time.Second)/time.Second))))
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(http.StatusServiceUnavailable)
	_ = json.NewEncoder(w).Encode(problem{Type: "about:blank", Title: "UNAVAILABLE", Status: http.StatusServiceUnavailable, Detail: detail, Instance: r.URL.Path})
}

// notSent reports whether a hop failed before the request reached the
// holder: it could not connect.
func notSent(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// retryable reports whether a request may be sent again although the
// holder may have acted on it: it reads only, or it carries an
// Idempotency-Key, whose answer the holder stores in the command's own
// commit (ADR 28).
func retryable(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	return r.Header.Get("Idempotency-Key") != "" || strings.HasSuffix(r.URL.Path, "/search")
}

// outcomeUnknown answers a command whose hop broke after it was sent: the
// holder may have committed it. 503 without Retry-After, as the holder
// answers a command whose commit it cannot confirm (docs/ha.md).
func (h *Handler) outcomeUnknown(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(http.StatusServiceUnavailable)
	_ = json.NewEncoder(w).Encode(problem{Type: "about:blank", Title: "UNAVAILABLE", Status: http.StatusServiceUnavailable,
		Detail: "The connection to the node that holds the partition's lease was lost after the command was sent to it, so it may have been written. " +
			"Do not send the command again before checking its effect, or send commands with an Idempotency-Key header, which makes such a retry safe.",
		Instance: r.URL.Path, CommandOutcomeUnknown: true})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func constantTimeEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// Guard wraps the lease holder's handler: a request that carries
// HopHeader with the cluster's secret is served without the header; one
// with a wrong secret (or any, when the node has no secret) is refused
// with 403, so that nobody outside the cluster passes for a node.
func Guard(secret string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hop := r.Header.Get(HopHeader)
		if hop == "" {
			next.ServeHTTP(w, r)
			return
		}
		if secret == "" || !constantTimeEqual(hop, secret) {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusForbidden)
			_ = json.NewEncoder(w).Encode(problem{Type: "about:blank", Title: "FORBIDDEN", Status: http.StatusForbidden,
				Detail: "the request carries the cluster's internal hop header with a wrong secret", Instance: r.URL.Path})
			return
		}
		r.Header.Del(HopHeader)
		next.ServeHTTP(w, r)
	})
}
