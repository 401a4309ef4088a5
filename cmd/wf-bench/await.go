package main

import (
	"bytes"
	"time"
)

// With -await, creators send awaitCompletion (Camunda's create-with-result)
// and an instance counts as done when its create is answered, with its
// final variables; the workers still activate and complete its jobs.

// awaitBody returns a create body that also asks to await the instance's
// end (for at most a minute).
func awaitBody(body []byte) []byte {
	i := bytes.LastIndexByte(body, '}')
	if i < 0 {
		return body
	}
	out := append([]byte(nil), body[:i]...)
	out = append(out, `,"awaitCompletion":true,"requestTimeout":60000`...)
	return append(out, body[i:]...)
}

// answeredEnd records an instance whose create, sent at t0, answered with
// its end.
func (s *runState) answeredEnd(t0 time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.record(t0, time.Now())
}
