package store

import (
	"context"
	"sort"
	"time"
)

// RetentionPolicy says which finished process instances are due for
// removal: a COMPLETED or TERMINATED process instance whose end time is
// before the cutoff of its BPMN process id.
type RetentionPolicy struct {
	// Cutoff applies to the processes PerProcess does not name; the zero
	// time removes none of them.
	Cutoff time.Time
	// PerProcess overrides Cutoff by BPMN process id; the zero time keeps
	// that process's instances.
	PerProcess map[string]time.Time
}

// CutoffOf returns the cutoff of a process id; zero: keep.
func (p RetentionPolicy) CutoffOf(processID string) time.Time {
	if c, ok := p.PerProcess[processID]; ok {
		return c
	}
	return p.Cutoff
}

// Due reports whether a process instance of the process that ended at end
// is due. A live instance (zero end time or a state other than COMPLETED
// or TERMINATED) never is.
func (p RetentionPolicy) Due(processID string, instanceState string, end time.Time) bool {
	if instanceState != StateCompleted && instanceState != StateTerminated || end.IsZero() {
		return false
	}
	c := p.CutoffOf(processID)
	return !c.IsZero() && end.Before(c)
}

// Overrides returns the process ids of PerProcess, sorted.
func (p RetentionPolicy) Overrides() []string {
	ids := make([]string, 0, len(p.PerProcess))
	for id := range p.PerProcess {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// RemovalResult is what one RemoveFinished call removed.
type RemovalResult struct {
	// Instances is how many process instances were removed.
	Instances int
	// Rows counts the rows deleted in every table.
	Rows int
	// More is true when the limit stopped the batch: more may be due.
	More bool
	// Held is how long the batch's transaction took (for SQLite: how long
	// it held the writer, which commits wait for).
	Held time.Duration
}

// Retainer is a store that removes finished process instances after their
// history time to live (core/retention runs it). A removal unit is one
// process instance: its row and every row keyed by it (element instances,
// variables, jobs, incidents, user tasks, timers, message and signal
// subscriptions, compensation subscriptions, the histories projected at
// commit: sequence flows, correlated messages, tags, incident hashes). The
// log is not touched, nor messages, documents and user task assignments
// (they are not an instance's). Root instances removed are added to the
// usage counts (UsageQuerier), which survive removal.
//
// Each call is one transaction: a search never sees a half-removed
// instance and a crash removes all of an instance or none of it. A
// Retainer never removes a live instance, and never runs inside Commit:
// the rows it deletes are finished, so no commit writes them.
type Retainer interface {
	// RemoveFinished removes up to limit process instances due under p,
	// oldest keys first.
	RemoveFinished(ctx context.Context, p RetentionPolicy, limit int) (RemovalResult, error)
	// Overdue returns how long the oldest due instance has been due: its
	// process's cutoff minus its end time. It looks at the instance with
	// the lowest key of each process that is due (an estimate when keys
	// and end times are not in the same order); 0 when none is due.
	Overdue(ctx context.Context, p RetentionPolicy) (time.Duration, error)
}
