package history

import (
	"context"
	"errors"
	"fmt"

	"github.com/example/wf-engine/core/record"
)

// ReadLog is a store's ReadLog: it calls fn for every record from position
// from on, in order, until fn returns an error.
type ReadLog func(ctx context.Context, from int64, fn func(*record.Record) error) error

// Query asks for one page of an instance's records.
type Query struct {
	ProcessInstanceKey int64
	// Start is the position of the command that created the instance; 0
	// (unknown, rows stored before it was kept) reads from the log's start.
	Start int64
	// After is the position the page before ended at (Page.End); 0 for the
	// first page.
	After int64
	// Limit bounds the records of the page (0: DefaultLimit, at most
	// MaxLimit).
	Limit int
	// Budget bounds the records read to fill the page, the instance's and
	// others' (0: DefaultBudget).
	Budget int
}

// Page is one stretch of an instance's records.
type Page struct {
	Records []*record.Record
	// End is the position of the last record read (the instance's or
	// not), the After of the next page; After when nothing was read.
	End int64
	// More is true when the page stopped at its limit or its budget before
	// the instance's end or the log's: records of the instance may follow
	// End. After the log's end, a running instance's later records come
	// with a later call.
	More bool
}

// Bounds of a page.
const (
	DefaultLimit  = 100
	MaxLimit      = 1000
	DefaultBudget = 100000
)

// errStop ends the log read once the page is complete.
var errStop = errors.New("page complete")

// Read returns the page of q's instance's records after q.After.
func Read(ctx context.Context, read ReadLog, q Query) (Page, error) {
	limit := q.Limit
	switch {
	case limit <= 0:
		limit = DefaultLimit
	case limit > MaxLimit:
		limit = MaxLimit
	}
	budget := q.Budget
	if budget <= 0 {
		budget = DefaultBudget
	}
	from := max(q.After+1, q.Start, 1)
	page := Page{End: q.After}
	scanned := 0
	err := read(ctx, from, func(r *record.Record) error {
		page.End = r.Position
		scanned++
		if Belongs(r, q.ProcessInstanceKey) {
			page.Records = append(page.Records, r)
			if ends(r, q.ProcessInstanceKey) {
				return errStop
			}
			if len(page.Records) >= limit {
				page.More = true
				return errStop
			}
		}
		if scanned >= budget {
			page.More = true
			return errStop
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return Page{}, fmt.Errorf("read the history of process instance %d from position %d: %w", q.ProcessInstanceKey, from, err)
	}
	return page, nil
}

// ends reports whether r ends the process instance itself.
func ends(r *record.Record, pi int64) bool {
	return r.Key == pi && r.ValueType == record.TypeProcessInstance &&
		(r.Intent == record.IntentElementCompleted || r.Intent == record.IntentElementTerminated)
}

// Belongs reports whether r is an event about process instance pi: its
// elements, their jobs, variables, incidents, timers, message
// subscriptions and user tasks, its creation and its modifications.
func Belongs(r *record.Record, pi int64) bool {
	if r.Kind != record.KindEvent {
		return false
	}
	switch v := r.Value.(type) {
	case *record.ProcessInstanceValue:
		return v.ProcessInstanceKey == pi
	case *record.ProcessInstanceCreationValue:
		return v.ProcessInstanceKey == pi
	case *record.JobValue:
		return v.ProcessInstanceKey == pi
	case *record.VariableValue:
		return v.ProcessInstanceKey == pi
	case *record.IncidentValue:
		return v.ProcessInstanceKey == pi
	case *record.TimerValue:
		return v.ProcessInstanceKey == pi
	case *record.MessageSubscriptionValue:
		return v.ProcessInstanceKey == pi
	case *record.UserTaskValue:
		return v.ProcessInstanceKey == pi
	case *record.ProcessInstanceModificationValue:
		return v.ProcessInstanceKey == pi
	}
	return false
}
