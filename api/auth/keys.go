package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
)

// Bounds on what the key set reads from the issuer.
const (
	maxJWKSBytes = 1 << 20
	maxJWKSKeys  = 100
)

// Why a signature was not verified. They become the error_description of
// the 401's challenge, so they name what was wrong and nothing the client
// sent.
var (
	errUnknownKey   = errors.New("unknown signing key")
	errBadSignature = errors.New("bad signature")
	errMalformedJWS = errors.New("malformed token")
	errNoKeys       = errors.New("the issuer's signing keys are not loaded")
	errKeysClosed   = errors.New("the authenticator is closed")
	errRateLimited  = errors.New("signing keys were fetched too recently")
)

// keySet holds the issuer's public signing keys (its JWKS) and implements
// oidc.KeySet. A token naming an unknown kid makes it refetch the JWKS, at
// most once per interval however many such tokens arrive (concurrent
// requests share one fetch); keys older than maxAge are refetched in the
// background when a token next needs them, and a failed refetch keeps the
// old keys. Nothing a client sends makes it call the issuer more often.
type keySet struct {
	client   *http.Client
	now      func() time.Time
	interval time.Duration
	maxAge   time.Duration
	algs     []jose.SignatureAlgorithm
	log      *slog.Logger
	base     context.Context // cancelled by close; fetches run under it
	wg       sync.WaitGroup

	mu          sync.Mutex
	url         string
	keys        []jose.JSONWebKey
	fetchedAt   time.Time // of the keys
	lastAttempt time.Time
	attempted   bool
	inflight    *keyFetch
	closed      bool
}

// keyFetch is one JWKS fetch that several requests may wait for.
type keyFetch struct {
	done chan struct{}
	err  error
}

// verifyNote lets Authenticate learn from the key set, through the
// context, why a signature was refused, or that it was accepted (go-oidc
// flattens the key set's errors to text).
type verifyNote struct {
	err     error
	payload []byte
}

type verifyNoteKey struct{}

func newKeySet(base context.Context, cfg OIDCConfig, log *slog.Logger) *keySet {
	algs := make([]jose.SignatureAlgorithm, len(cfg.Algorithms))
	for i, a := range cfg.Algorithms {
		algs[i] = jose.SignatureAlgorithm(a)
	}
	return &keySet{
		client:   cfg.HTTPClient,
		now:      cfg.Now,
		interval: cfg.KeyRefreshInterval,
		maxAge:   cfg.KeyMaxAge,
		algs:     algs,
		log:      log,
		base:     base,
	}
}

// VerifySignature verifies jwt's signature with one of the issuer's keys
// and returns its payload.
func (k *keySet) VerifySignature(ctx context.Context, jwt string) ([]byte, error) {
	payload, err := k.verify(ctx, jwt)
	if n, ok := ctx.Value(verifyNoteKey{}).(*verifyNote); ok {
		n.err, n.payload = err, payload
	}
	return payload, err
}

func (k *keySet) verify(ctx context.Context, jwt string) ([]byte, error) {
	jws, err := jose.ParseSignedCompact(jwt, k.algs)
	if err != nil || len(jws.Signatures) != 1 {
		return nil, errMalformedJWS
	}
	h := jws.Signatures[0].Protected
	keys, loaded := k.candidates(h.KeyID, h.Algorithm)
	if !loaded {
		return nil, errNoKeys
	}
	if len(keys) == 0 {
		if h.KeyID == "" {
			return nil, errUnknownKey
		}
		if err := k.fetch(ctx, false); err != nil && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if keys, _ = k.candidates(h.KeyID, h.Algorithm); len(keys) == 0 {
			return nil, errUnknownKey
		}
	}
	for _, key := range keys {
		if payload, err := jws.Verify(key.Key); err == nil {
			return payload, nil
		}
	}
	return nil, errBadSignature
}

// candidates returns the keys that may have signed a token with this kid
// and alg (every key when there is no kid), and whether keys are loaded at
// all. When the keys are older than maxAge it starts a background refetch.
func (k *keySet) candidates(kid, alg string) ([]jose.JSONWebKey, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.keys == nil {
		return nil, false
	}
	if now := k.now(); now.Sub(k.fetchedAt) >= k.maxAge && k.inflight == nil && now.Sub(k.lastAttempt) >= k.interval {
		k.startLocked(now)
	}
	var out []jose.JSONWebKey
	for _, key := range k.keys {
		if (kid == "" || key.KeyID == kid) && (key.Algorithm == "" || key.Algorithm == alg) {
			out = append(out, key)
		}
	}
	return out, true
}

// setURL sets where the JWKS is, once discovery has answered.
func (k *keySet) setURL(u string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.url = u
}

// fetch refetches the JWKS and waits for it, joining a fetch already under
// way. Unless force is set (discovery's own retries, never a request), it
// does not start a fetch within interval of the last one, and answers
// errRateLimited.
func (k *keySet) fetch(ctx context.Context, force bool) error {
	k.mu.Lock()
	if k.inflight == nil {
		now := k.now()
		if !force && k.attempted && now.Sub(k.lastAttempt) < k.interval {
			k.mu.Unlock()
			return errRateLimited
		}
		if !k.startLocked(now) {
			k.mu.Unlock()
			return errKeysClosed
		}
	}
	f := k.inflight
	k.mu.Unlock()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-f.done:
		return f.err
	}
}

// startLocked starts a background fetch; k.mu is held.
func (k *keySet) startLocked(now time.Time) bool {
	if k.closed || k.url == "" {
		return false
	}
	k.attempted, k.lastAttempt = true, now
	f := &keyFetch{done: make(chan struct{})}
	k.inflight = f
	url := k.url
	k.wg.Add(1)
	go func() {
		defer k.wg.Done()
		keys, err := k.get(k.base, url)
		k.mu.Lock()
		if err == nil {
			k.keys, k.fetchedAt = keys, k.now()
			k.log.Debug("oidc signing keys fetched", "jwks_uri", url, "keys", len(keys))
		} else if k.base.Err() == nil {
			if k.keys != nil {
				k.log.Warn("oidc signing keys could not be refetched; keeping the old ones", "jwks_uri", url, "error", shortError(err))
			} else {
				k.log.Warn("oidc signing keys could not be fetched", "jwks_uri", url, "error", shortError(err))
			}
		}
		f.err = err
		k.inflight = nil
		k.mu.Unlock()
		close(f.done)
	}()
	return true
}

// close stops fetches and waits for the running one.
func (k *keySet) close() {
	k.mu.Lock()
	k.closed = true
	k.mu.Unlock()
	k.wg.Wait()
}

// get fetches and parses the JWKS. Keys that are not public signature keys
// of a kind go-jose knows (symmetric "oct" keys, private keys, encryption
// keys, unknown curves) are skipped; a set without a usable key is an
// error.
func (k *keySet) get(ctx context.Context, url string) ([]jose.JSONWebKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("make the jwks request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := k.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("get jwks: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read jwks: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("get jwks: status %s", resp.Status)
	}
	if len(body) > maxJWKSBytes {
		return nil, fmt.Errorf("read jwks: larger than %d bytes", maxJWKSBytes)
	}
	keys, err := parseJWKS(body)
	if err != nil {
		return nil, fmt.Errorf("parse jwks: %w", err)
	}
	return keys, nil
}

func parseJWKS(body []byte) ([]jose.JSONWebKey, error) {
	var raw struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, err
	}
	keys := []jose.JSONWebKey{}
	for _, r := range raw.Keys {
		var key jose.JSONWebKey
		if err := key.UnmarshalJSON(r); err != nil {
			continue
		}
		if !key.IsPublic() || !key.Valid() || (key.Use != "" && key.Use != "sig") {
			continue
		}
		keys = append(keys, key)
		if len(keys) == maxJWKSKeys {
			break
		}
	}
	if len(keys) == 0 {
		return nil, errors.New("no usable public signing key")
	}
	return keys, nil
}

// shortError is err's text cut to a length fit for a log line: errors from
// the issuer's side may quote its response.
func shortError(err error) string {
	s := err.Error()
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// Interface guards
var _ oidc.KeySet = (*keySet)(nil)
