package auditlog

import (
	"context"
	"errors"
	"fmt"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store"
)

// ReadLog is a store's ReadLog.
type ReadLog func(ctx context.Context, from int64, fn func(*record.Record) error) error

// errFull stops the scan once the page is full.
var errFull = errors.New("the page is full")

// Search returns the page of commands from outside that match q, reading
// the log from the position after q.After on until the page is full or the
// log ends. It reads every record on the way: its cost grows with the log
// between the cursor and the last match, not with the matches.
func Search(ctx context.Context, read ReadLog, q store.AuditQuery) (store.AuditPage, error) {
	limit := q.PageLimit()
	var page store.AuditPage
	var cur *store.AuditEntry // the command whose records are being read
	followed := false         // an event of cur was read
	finish := func() bool {
		if cur != nil && (q.Key == 0 || cur.Key == q.Key || cur.ResultKey == q.Key) {
			page.Items = append(page.Items, *cur)
		}
		cur = nil
		return len(page.Items) >= limit
	}
	err := read(ctx, q.After+1, func(r *record.Record) error {
		if r.SourcePosition == 0 { // the next command, from outside or the engine's own
			if finish() {
				return errFull
			}
			if r.Kind == record.KindCommand && r.Principal != nil && matches(&q, r) {
				cur = &store.AuditEntry{Position: r.Position, Timestamp: r.Timestamp, Principal: *r.Principal,
					ValueType: r.ValueType, Intent: r.Intent, Key: r.Key}
				followed = false
			}
			return nil
		}
		if cur == nil || r.SourcePosition != cur.Position {
			return nil
		}
		switch r.Kind {
		case record.KindRejection:
			cur.Rejected, cur.RejectionType, cur.RejectionReason = true, r.RejectionType, r.RejectionReason
		case record.KindEvent:
			if !followed && r.Key != cur.Key {
				cur.ResultKey = r.Key
			}
			followed = true
		}
		return nil
	})
	switch {
	case errors.Is(err, errFull):
	case err != nil:
		return store.AuditPage{}, fmt.Errorf("search the audit log after position %d: %w", q.After, err)
	default:
		finish() // the log ended
	}
	if n := len(page.Items); n > 0 {
		page.EndCursor = page.Items[n-1].Position
	}
	return page, nil
}

// matches applies the filters that the command alone decides.
func matches(q *store.AuditQuery, r *record.Record) bool {
	p := r.Principal
	switch {
	case q.Subject != "" && p.Subject != q.Subject,
		q.ClientID != "" && p.ClientID != q.ClientID,
		q.ValueType != "" && r.ValueType.String() != q.ValueType,
		q.Intent != "" && r.Intent.String() != q.Intent,
		q.From != 0 && r.Timestamp < q.From,
		q.To != 0 && r.Timestamp > q.To:
		return false
	}
	return true
}
