package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
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
	// Target is the bound on the firing lag's p99.
	Target string `json:"target"`
	// EngineLag is the firing lag as the engine recorded it: the timer
	// catch event's endDate (element instance search, after the run) minus
	// its due date, of the timers created before their due date;
	// EngineLagCount the timers it covers. EngineLagAll covers every timer
	// found, late-created ones too.
	EngineLag         Latency `json:"engine_fire_lag_ms"`
	EngineLagCount    int     `json:"engine_fire_lag_measured"`
	EngineLagAll      Latency `json:"engine_fire_lag_all_ms"`
	EngineLagAllCount int     `json:"engine_fire_lag_all_measured"`
	EngineLagMeans    string  `json:"engine_fire_lag_means"`

	dueFrom, dueTo time.Time
	dues           map[string]timerDue // instance key -> its due date
}

// timerDue is a W5 timer's due date and whether its create was answered
// after it.
type timerDue struct {
	at   time.Time
	late bool
}

// planTimers places the run's due dates: -timer-lead after the start,
// spread over -timer-window.
func (s *runState) planTimers() error {
	if s.o.Timers < 1 {
		return errors.New("-timers: must be at least 1")
	}
	from := s.start.Add(s.o.TimerLead)
	s.timers = &TimerRun{Count: s.o.Timers, DueFrom: from.UTC(), DueTo: from.Add(s.o.TimerWindow).UTC(),
		Target: "engine_fire_lag_ms.p99 < 1000", dueFrom: from, dueTo: from.Add(s.o.TimerWindow), dues: map[string]timerDue{},
		EngineLagMeans: "the timer catch event's endDate (POST /v2/element-instances/search after the run) minus the timer's due date, of the timers created before it (all: of every timer)"}
	return nil
}

// due returns timer n's due date, in milliseconds (the engine's timers
// are kept in milliseconds).
func (t *TimerRun) due(n int64) time.Time {
	at := t.dueFrom.Add(time.Duration(n) * t.dueTo.Sub(t.dueFrom) / time.Duration(t.Count))
	return at.Truncate(time.Millisecond)
}

// timerCreated remembers a W5 instance's due date and counts it if its
// create was answered after it.
func (s *runState) timerCreated(instance string, due time.Time) {
	late := time.Now().After(due)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.timers.dues[instance] = timerDue{at: due, late: late}
	if late {
		s.timers.CreatedLate++
	}
}

// engineFireLag reads when the engine completed the run's timer catch
// events (their element instances' endDate) and records each one's lag
// behind its due date in s.timers.
func (s *runState) engineFireLag(ctx context.Context) {
	filter := map[string]any{"processDefinitionId": s.w.processID, "elementId": "timer", "state": "COMPLETED",
		"startDate": map[string]string{"$gte": s.start.Add(-time.Second).UTC().Format(time.RFC3339Nano)}}
	var lags, all []float64
	after := ""
	for ctx.Err() == nil {
		page := map[string]any{"limit": 10000}
		if after != "" {
			page["after"] = after
		}
		body, _ := json.Marshal(map[string]any{"filter": filter, "page": page,
			"sort": []map[string]string{{"field": "elementInstanceKey", "order": "ASC"}}})
		var res struct {
			Items []struct {
				Instance string    `json:"processInstanceKey"`
				End      time.Time `json:"endDate"`
			} `json:"items"`
			Page struct {
				EndCursor string `json:"endCursor"`
			} `json:"page"`
		}
		if !s.call(ctx, "search timers", "/v2/element-instances/search", body, &res, http.StatusOK) {
			break
		}
		s.mu.Lock()
		for _, it := range res.Items {
			due, ok := s.timers.dues[it.Instance]
			if !ok {
				continue
			}
			ms := float64(it.End.Sub(due.at).Microseconds()) / 1000
			all = append(all, ms)
			if !due.late {
				lags = append(lags, ms)
			}
		}
		s.mu.Unlock()
		if len(res.Items) < 10000 || res.Page.EndCursor == "" {
			break
		}
		after = res.Page.EndCursor
	}
	slices.Sort(lags)
	slices.Sort(all)
	s.mu.Lock()
	s.timers.EngineLag, s.timers.EngineLagCount = latencyOf(lags), len(lags)
	s.timers.EngineLagAll, s.timers.EngineLagAllCount = latencyOf(all), len(all)
	s.mu.Unlock()
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
