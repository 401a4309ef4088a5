package client

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// PublishMessageRequest publishes a message.
type PublishMessageRequest struct {
	Name           string
	CorrelationKey string
	// TimeToLive buffers the message this long when nothing waits for it.
	TimeToLive time.Duration
	// MessageID makes the publication unique: a second message with the
	// same id and name is refused while the first is buffered.
	MessageID string
	// Variables are anything that encodes to a JSON object, or nil.
	Variables any
	TenantID  string
}

// MessagePublication is the answer to a publication.
type MessagePublication struct {
	MessageKey int64  `json:"messageKey,string"`
	TenantID   string `json:"tenantId"`
}

// PublishMessage publishes a message (POST /v2/messages/publication).
func (c *Client) PublishMessage(ctx context.Context, req PublishMessageRequest) (*MessagePublication, error) {
	vars, err := variablesJSON(req.Variables)
	if err != nil {
		return nil, fmt.Errorf("publish message %s: %w", req.Name, err)
	}
	body := struct {
		Name           string          `json:"name"`
		CorrelationKey string          `json:"correlationKey,omitempty"`
		TimeToLive     int64           `json:"timeToLive,omitempty"`
		MessageID      string          `json:"messageId,omitempty"`
		Variables      json.RawMessage `json:"variables,omitempty"`
		TenantID       string          `json:"tenantId,omitempty"`
	}{req.Name, req.CorrelationKey, millis(req.TimeToLive), req.MessageID, vars, req.TenantID}
	r, err := c.post("/v2/messages/publication", body)
	if err != nil {
		return nil, err
	}
	var out MessagePublication
	if err := c.doJSON(ctx, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CorrelateMessageRequest correlates a message.
type CorrelateMessageRequest struct {
	Name           string
	CorrelationKey string
	// Variables are anything that encodes to a JSON object, or nil.
	Variables any
	TenantID  string
}

// MessageCorrelation is the answer to a correlation.
type MessageCorrelation struct {
	MessageKey int64  `json:"messageKey,string"`
	TenantID   string `json:"tenantId"`
	// ProcessInstanceKey is the instance the message reached or started.
	ProcessInstanceKey int64 `json:"processInstanceKey,omitempty,string"`
}

// CorrelateMessage correlates a message to a waiting instance or starts
// one (POST /v2/messages/correlation); it is never buffered, and answers
// 404 when nothing took it.
func (c *Client) CorrelateMessage(ctx context.Context, req CorrelateMessageRequest) (*MessageCorrelation, error) {
	vars, err := variablesJSON(req.Variables)
	if err != nil {
		return nil, fmt.Errorf("correlate message %s: %w", req.Name, err)
	}
	body := struct {
		Name           string          `json:"name"`
		CorrelationKey string          `json:"correlationKey,omitempty"`
		Variables      json.RawMessage `json:"variables,omitempty"`
		TenantID       string          `json:"tenantId,omitempty"`
	}{req.Name, req.CorrelationKey, vars, req.TenantID}
	r, err := c.post("/v2/messages/correlation", body)
	if err != nil {
		return nil, err
	}
	var out MessageCorrelation
	if err := c.doJSON(ctx, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
