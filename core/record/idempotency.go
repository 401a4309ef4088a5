package record

import "encoding/json"

// IdempotencyKeyValue is the final answer to a command sent with an
// Idempotency-Key, written by the engine as the last record of the
// command's own batch: the answer is durable exactly when the command is.
// The stores keep the latest one per KeyHash (the idempotency_keys
// table), so that a retry after a restart or a failover gets the answer
// instead of running the command again. It changes no state.
type IdempotencyKeyValue struct {
	// KeyHash is the SHA-256 (hex) of the key and the principal that sent
	// it: one caller's key never finds another's answer.
	KeyHash string `json:"keyHash"`
	// Fingerprint identifies the request: the SHA-256 (hex) of its method,
	// path and body. A retry with another fingerprint is refused.
	Fingerprint string `json:"fingerprint"`
	// CommandPosition is the log position of the command.
	CommandPosition int64 `json:"commandPosition"`
	// RejectionType and RejectionReason are set when the command was
	// rejected (a rejection is a final answer too).
	RejectionType   RejectionType `json:"rejectionType,omitempty"`
	RejectionReason string        `json:"rejectionReason,omitempty"`
	// Response is the engine's answer to an accepted command as JSON (the
	// engine's own result type for the command's intent), empty when the
	// command answers nothing.
	Response json.RawMessage `json:"response,omitempty"`
}

// ValueType implements Value.
func (*IdempotencyKeyValue) ValueType() ValueType { return TypeIdempotencyKey }
