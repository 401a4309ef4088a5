package main

import (
	"errors"
	"time"
)

// TimerRun describes a W5 run: Count timers due evenly from DueFrom to
// DueTo, and what the workers observed of their firing.
type TimerRun struct {
	Count   int       `json:"count"`
	DueFrom time.Time `json:"due_from"`
	DueTo   time.Time `json:"due_to"`
	// CreatedLate counts the instances whose create was answered after
	// their timer's due date: their lag includes that lateness.
	CreatedLate int64 `json:"created_after_due"`
	// Fired counts the timers whose following job a worker received;
	// FirstFired and LastFired are when the first and last were received.
	Fired      int64     `json:"fired_observed"`
	FirstFired time.Time `json:"first_fired,omitzero"`
	LastFired  time.Time `json:"last_fired,omitzero"`
	// Target is the bound on lag_ms.p99.
	Target string `json:"target"`

	dueFrom, dueTo time.Time
}

// planTimers places the run's due dates: -timer-lead after the start,
// spread over -timer-window.
func (s *runState) planTimers() error {
	if s.o.Timers < 1 {
		return errors.New("-timers: must be at least 1")
	}
	from := s.start.Add(s.o.TimerLead)
	s.timers = &TimerRun{Count: s.o.Timers, DueFrom: from.UTC(), DueTo: from.Add(s.o.TimerWindow).UTC(),
		Target: "lag_ms.p99 < 1000", dueFrom: from, dueTo: from.Add(s.o.TimerWindow)}
	return nil
}

// due returns timer n's due date, in milliseconds (the engine's timers
// are kept in milliseconds).
func (t *TimerRun) due(n int64) time.Time {
	at := t.dueFrom.Add(time.Duration(n) * t.dueTo.Sub(t.dueFrom) / time.Duration(t.Count))
	return at.Truncate(time.Millisecond)
}

// timerCreated counts a W5 instance whose create was answered after its
// due date.
func (s *runState) timerCreated(due time.Time) {
	if time.Now().After(due) {
		s.mu.Lock()
		s.timers.CreatedLate++
		s.mu.Unlock()
	}
}

// observed records that a timer due at due fired and a worker received its
// job at at; the caller holds s.mu.
func (t *TimerRun) observed(due, at time.Time) {
	_ = due
	t.Fired++
	if t.FirstFired.IsZero() || at.Before(t.FirstFired) {
		t.FirstFired = at.UTC()
	}
	if at.After(t.LastFired) {
		t.LastFired = at.UTC()
	}
}
