package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// userTask is what W6 needs of a user task found by search.
type userTask struct {
	Key      string `json:"userTaskKey"`
	Instance string `json:"processInstanceKey"`
}

// searchTasks searches for the workload's open, unassigned user tasks,
// oldest first, and hands each one it has not handed out yet to the task
// handlers; it searches again at once while searches find new tasks.
func (s *runState) searchTasks(ctx context.Context, tasks chan<- userTask) {
	body, _ := json.Marshal(map[string]any{
		"filter": map[string]any{"processDefinitionId": s.w.processID, "state": "CREATED", "assignee": map[string]bool{"$exists": false}},
		"sort":   []map[string]string{{"field": "creationDate", "order": "ASC"}},
		"page":   map[string]int{"limit": max(100, 4*s.o.Completers)},
	})
	seen := newRecent(30 * time.Second)
	for ctx.Err() == nil {
		var res struct {
			Items []userTask `json:"items"`
		}
		status, _, err := s.post(ctx, "/v2/user-tasks/search", body, &res)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			s.fail("search: " + err.Error())
			continue
		case status != http.StatusOK:
			s.fail("search: " + strconv.Itoa(status))
			time.Sleep(5 * time.Millisecond)
			continue
		}
		s.activates.Add(1)
		fresh := 0
		for _, t := range res.Items {
			if !seen.add(t.Key, time.Now()) {
				continue
			}
			fresh++
			select {
			case tasks <- t:
			case <-ctx.Done():
				return
			}
		}
		if fresh == 0 { // nothing new: do not spin on the engine
			select {
			case <-ctx.Done():
			case <-time.After(10 * time.Millisecond):
			}
		}
	}
}

// handleTasks assigns each user task to wf-bench and completes it.
func (s *runState) handleTasks(ctx context.Context, tasks <-chan userTask) {
	assign := []byte(`{"assignee":"wf-bench"}`)
	complete := []byte(`{"variables":{"approved":true}}`)
	for t := range tasks {
		if !s.call(ctx, "assign", "/v2/user-tasks/"+t.Key+"/assignment", assign, nil, http.StatusNoContent) {
			continue
		}
		if s.call(ctx, "complete", "/v2/user-tasks/"+t.Key+"/completion", complete, nil, http.StatusNoContent) {
			s.done(t.Instance, time.Now())
		}
	}
}

// recent is a set of keys that forgets a key between one and two ttl
// after it was added (two generations), so a long run's set stays small.
type recent struct {
	ttl       time.Duration
	since     time.Time
	cur, prev map[string]struct{}
}

func newRecent(ttl time.Duration) *recent {
	return &recent{ttl: ttl, cur: map[string]struct{}{}, prev: map[string]struct{}{}}
}

// add adds key and reports whether it was new.
func (r *recent) add(key string, now time.Time) bool {
	if r.since.IsZero() {
		r.since = now
	}
	if now.Sub(r.since) >= r.ttl {
		r.prev, r.cur, r.since = r.cur, map[string]struct{}{}, now
	}
	if _, ok := r.cur[key]; ok {
		return false
	}
	if _, ok := r.prev[key]; ok {
		return false
	}
	r.cur[key] = struct{}{}
	return true
}
