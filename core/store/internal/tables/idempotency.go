package tables

import (
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
