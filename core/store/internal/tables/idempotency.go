package tables

import (
	"context"
	"fmt"
	"time"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store"
)

// IdempotencyKeys holds the answers to commands sent with an
// Idempotency-Key (migrations postgres/0027, sqlite/0026), projected from
// a batch's IDEMPOTENCY_KEY RECORDED events (store.IdempotencyAnswersOf)
// and written with the batch, like the history tables. Expired rows are
// deleted by the retention runner.
var IdempotencyKeys = &Table{Name: "idempotency_keys", Upsert: true, Columns: []Column{
	{"key_hash", Text}, {"fingerprint", Text}, {"created", Int}, {"command_position", Int},
	{"rejection_type", Int}, {"rejection_reason", Text}, {"response", Text},
}}

// encodeIdempotencyKeys returns the idempotency_keys rows of a batch's
// records, or nil when it recorded none.
func encodeIdempotencyKeys(recs []*record.Record) *Rows {
	answers := store.IdempotencyAnswersOf(recs)
	if len(answers) == 0 {
		return nil
	}
	r := newRows(IdempotencyKeys, len(answers))
	for _, a := range answers {
		r.s(a.KeyHash)
		r.s(a.Fingerprint)
		r.i(a.Created.UnixMilli())
		r.i(a.CommandPosition)
		r.i(int64(a.RejectionType))
		r.s(a.RejectionReason)
		r.s(string(a.Response))
		r.end()
	}
	return r
}

// ReadIdempotencyAnswer reads through fetch the answer recorded for
// keyHash, or nil when there is none; param is the store's placeholder
// (search.Dialect's Param).
func ReadIdempotencyAnswer(ctx context.Context, fetch Fetch, param func(n int) string, keyHash string) (*store.IdempotencyAnswer, error) {
	var a *store.IdempotencyAnswer
	err := fetch(ctx, `SELECT fingerprint, created, command_position, rejection_type, rejection_reason, response
		FROM idempotency_keys WHERE key_hash = `+param(1), []any{keyHash}, func(scan Scan) error {
		var created, rejection int64
		var response string
		v := store.IdempotencyAnswer{KeyHash: keyHash}
		if err := scan(&v.Fingerprint, &created, &v.CommandPosition, &rejection, &v.RejectionReason, &response); err != nil {
			return err
		}
		if rejection < 0 || rejection > 255 {
			return fmt.Errorf("rejection type %d out of range", rejection)
		}
		v.Created, v.RejectionType = time.UnixMilli(created).UTC(), record.RejectionType(rejection)
		if response != "" {
			v.Response = []byte(response)
		}
		a = &v
		return nil
	})
	return a, err
}

// ExpireIdempotencyKeys is the statement of store.IdempotencyKeys'
// ExpireIdempotencyKeys, taking (before in Unix ms, limit): it deletes the
// oldest answers created before before. param is the store's placeholder.
func ExpireIdempotencyKeys(param func(n int) string) string {
	return `DELETE FROM idempotency_keys WHERE key_hash IN (
		SELECT key_hash FROM idempotency_keys WHERE created < ` + param(1) + ` ORDER BY created LIMIT ` + param(2) + `)`
}
