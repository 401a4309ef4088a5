package client

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"time"
)

// maxAnswerBytes bounds an answer body the client reads.
const maxAnswerBytes = 64 << 20

// answer is an answer, read whole, and the request it answers.
type answer struct {
	status int
	header http.Header
	body   []byte
	req    *http.Request
}

// send makes the attempts of one call: it retries 429 and 503 answers of
// calls that are safe to repeat, waiting Retry-After or an exponential
// back-off, sends a call answered 401 once more when the Auth renews its
// credentials, and returns a *Problem for any other non-2xx answer.
func (c *Client) send(ctx context.Context, r call) (res *answer, err error) {
	ctx, span := c.startSpan(ctx, &r)
	defer func() { endSpan(span, res, err) }()
	var idemKey string
	if r.retry == retryWithKey {
		var err error
		if idemKey, err = newIdempotencyKey(); err != nil {
			return nil, fmt.Errorf("%s %s: %w", r.method, r.path, err)
		}
	}
	attempts := c.retry.MaxAttempts
	if r.retry == retryNever {
		attempts = 1
	}
	renewed := false
	for attempt := 1; ; attempt++ {
		res, err := c.attempt(ctx, &r, idemKey)
		if err != nil {
			return nil, err
		}
		if res.status >= 200 && res.status < 300 {
			return res, nil
		}
		if res.status == http.StatusUnauthorized && !renewed && c.renew(res.req) {
			// The engine ran nothing: send the call again, once, with
			// fresh credentials. It does not count as an attempt.
			renewed = true
			attempt--
			continue
		}
		p := problemFrom(&r, res)
		if !retryStatus(res.status) || p.CommandAccepted || attempt >= attempts {
			return nil, p
		}
		wait := c.retry.backoff(attempt)
		if _, ok := parseRetryAfter(res.header.Get("Retry-After"), time.Now()); ok {
			if p.RetryAfter > c.retry.MaxRetryAfter {
				return nil, p
			}
			wait = p.RetryAfter
		}
		if err := sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("%s %s: waiting to retry after %d: %w", r.method, r.path, res.status, err)
		}
	}
}

// attempt sends one HTTP request of a call.
func (c *Client) attempt(ctx context.Context, r *call, idemKey string) (*answer, error) {
	u := *c.base
	u.Path += r.path
	if len(r.query) > 0 {
		u.RawQuery = r.query.Encode()
	}
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", r.method, r.path, err)
	}
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	if r.accept != "" {
		req.Header.Set("Accept", r.accept+", application/problem+json")
	}
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	if idemKey != "" {
		req.Header.Set(IdempotencyHeader, idemKey)
	}
	c.inject(ctx, req.Header)
	if c.auth != nil {
		if err := c.auth.Authorize(ctx, req); err != nil {
			return nil, &CredentialsError{Method: r.method, Path: r.path, Err: err}
		}
	}
	res, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", r.method, r.path, err)
	}
	defer func() { _ = res.Body.Close() }()
	b, err := io.ReadAll(io.LimitReader(res.Body, maxAnswerBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s %s: read answer (%d): %w", r.method, r.path, res.StatusCode, err)
	}
	if len(b) > maxAnswerBytes {
		return nil, fmt.Errorf("%s %s: the answer is larger than %d bytes", r.method, r.path, maxAnswerBytes)
	}
	return &answer{status: res.StatusCode, header: res.Header, body: b, req: req}, nil
}

// renew asks the Auth for fresh credentials after req was answered 401.
func (c *Client) renew(req *http.Request) bool {
	r, ok := c.auth.(Renewer)
	return ok && r.Renew(req)
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// newIdempotencyKey returns 128 random bits in hex.
func newIdempotencyKey() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("make an idempotency key: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}
