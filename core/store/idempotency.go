package store

import (
	"context"
	"time"

	"github.com/example/wf-engine/core/record"
)

// IdempotencyAnswer is the recorded final answer to a command sent with an
// Idempotency-Key: one row of the idempotency_keys table, projected from
// the IDEMPOTENCY_KEY RECORDED event the engine writes in the command's
// own batch (see record.IdempotencyKeyValue). Since the row commits with
// the command, an answer exists exactly when its command committed, and
// replaying the log rebuilds the table.
type IdempotencyAnswer struct {
	KeyHash     string
	Fingerprint string
	// Created is the command's timestamp; expiry counts from it.
	Created         time.Time
	CommandPosition int64
	RejectionType   record.RejectionType
	RejectionReason string
	// Response is the engine's answer as JSON; empty for none.
	Response []byte
}

// IdempotencyKeys is a store that keeps the answers of commands sent with
// an Idempotency-Key (core/engine replays them to retries). Expired
// answers are removed in small batches off the processing loop
// (core/retention).
type IdempotencyKeys interface {
	// IdempotencyAnswer returns the answer recorded for keyHash, or nil
	// when there is none.
	IdempotencyAnswer(ctx context.Context, keyHash string) (*IdempotencyAnswer, error)
	// ExpireIdempotencyKeys removes, in one transaction, up to limit
	// answers created before before, oldest first, and returns how many
	// it removed.
	ExpireIdempotencyKeys(ctx context.Context, before time.Time, limit int) (int, error)
}

// IdempotencyAnswersOf projects a batch's IDEMPOTENCY_KEY RECORDED events
// into answers, one per key hash. A key recorded again (its earlier answer
// had expired, or two nodes raced) keeps its latest answer, in one batch
// as across batches, so that committing a log in any split of batches
// gives the same table; and one statement must not write a row twice.
func IdempotencyAnswersOf(recs []*record.Record) []IdempotencyAnswer {
	var out []IdempotencyAnswer
	for _, r := range recs {
		if r == nil || r.Kind != record.KindEvent || r.Intent != record.IntentIdempotencyKeyRecorded {
			continue
		}
		v, ok := r.Value.(*record.IdempotencyKeyValue)
		if !ok {
			continue
		}
		a := IdempotencyAnswer{KeyHash: v.KeyHash, Fingerprint: v.Fingerprint,
			Created: time.UnixMilli(r.Timestamp).UTC(), CommandPosition: v.CommandPosition,
			RejectionType: v.RejectionType, RejectionReason: v.RejectionReason, Response: v.Response}
		if i := indexOf(out, v.KeyHash); i >= 0 {
			out[i] = a
			continue
		}
		out = append(out, a)
	}
	return out
}

// indexOf returns the index of keyHash's answer in answers, or -1; batches
// hold few keyed commands, so a scan is enough.
func indexOf(answers []IdempotencyAnswer, keyHash string) int {
	for i, a := range answers {
		if a.KeyHash == keyHash {
			return i
		}
	}
	return -1
}
