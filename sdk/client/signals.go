package client

import (
	"context"
	"encoding/json"
	"fmt"
)

// BroadcastSignalRequest broadcasts a signal.
type BroadcastSignalRequest struct {
	SignalName string
	// Variables are anything that encodes to a JSON object, or nil.
	Variables any
	TenantID  string
}

// SignalBroadcast is the answer to a broadcast.
type SignalBroadcast struct {
	SignalKey int64  `json:"signalKey,string"`
	TenantID  string `json:"tenantId"`
}

// BroadcastSignal broadcasts a signal to every signal catch, boundary and
// start event of its tenant waiting at that moment (POST
// /v2/signals/broadcast); it is never buffered.
func (c *Client) BroadcastSignal(ctx context.Context, req BroadcastSignalRequest) (*SignalBroadcast, error) {
	vars, err := variablesJSON(req.Variables)
	if err != nil {
		return nil, fmt.Errorf("broadcast signal %s: %w", req.SignalName, err)
	}
	body := struct {
		SignalName string          `json:"signalName"`
		Variables  json.RawMessage `json:"variables,omitempty"`
		TenantID   string          `json:"tenantId,omitempty"`
	}{req.SignalName, vars, req.TenantID}
	r, err := c.post("/v2/signals/broadcast", body)
	if err != nil {
		return nil, err
	}
	var out SignalBroadcast
	if err := c.doJSON(ctx, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
