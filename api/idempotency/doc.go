// Package idempotency remembers the answers to requests sent with an
// Idempotency-Key, so that a retried command gets the first answer instead
// of running twice. Keys live in memory for a fixed time (one node; see
// docs/adr/0004). It must never interpret the requests or answers it keeps.
package idempotency
