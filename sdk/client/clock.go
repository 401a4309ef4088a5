package client

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// PinClock fixes the engine's clock at t (PUT /v2/clock); timers and job
// deadlines due by then fire before it returns. The server must run with a
// controllable clock, else the answer is 403.
func (c *Client) PinClock(ctx context.Context, t time.Time) error {
	if t.UnixMilli() < 0 {
		return errors.New("pin clock: expected a time at or after 1970-01-01T00:00:00Z")
	}
	r := call{method: http.MethodPut, path: "/v2/clock", retry: retrySafe}
	if err := r.setJSON(struct {
		Timestamp int64 `json:"timestamp"`
	}{t.UnixMilli()}); err != nil {
		return err
	}
	return c.doJSON(ctx, r, nil)
}

// ResetClock returns the engine's clock to the system time (POST
// /v2/clock/reset).
func (c *Client) ResetClock(ctx context.Context) error {
	// Resetting twice is resetting once: safe to retry without a key.
	return c.doJSON(ctx, call{method: http.MethodPost, path: "/v2/clock/reset", retry: retrySafe}, nil)
}
