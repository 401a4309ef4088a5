package rest

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// defaultEventsHeartbeat is how often an idle event stream sends a comment,
// so that proxies and browsers keep it open.
const defaultEventsHeartbeat = 15 * time.Second

// userTaskEvents serves GET /v2/x/user-tasks/events, a server-sent event
// stream: "event: changed" with data {"position":N} after user-task records
// commit (no task data: the client queries again), a comment every
// heartbeat. It ends when the client goes or the server drains; beyond
// the hub's subscribers it answers 503.
func (s *Server) userTaskEvents(c *gin.Context) {
	hub := s.cfg.TaskEvents
	if hub == nil {
		writeProblem(c, http.StatusNotImplemented, "NOT_IMPLEMENTED", "This server does not stream user task events.")
		return
	}
	sub, err := hub.Subscribe()
	if err != nil {
		c.Header("Retry-After", retryAfterSeconds(s.cfg.RetryAfter))
		writeProblem(c, http.StatusServiceUnavailable, "UNAVAILABLE", "Too many clients listen to user task events; retry later or poll.")
		return
	}
	defer sub.Close()
	h := c.Writer.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	c.Status(http.StatusOK)
	heartbeat := time.NewTicker(s.cfg.EventsHeartbeat)
	defer heartbeat.Stop()
	send := func(text string) bool {
		if _, err := c.Writer.WriteString(text); err != nil {
			return false
		}
		c.Writer.Flush()
		return true
	}
	if !send("retry: 5000\n\n") {
		return
	}
	for {
		select {
		case <-c.Request.Context().Done():
			return
		case <-s.quit.Done():
			return
		case <-sub.Wake():
			if !send(fmt.Sprintf("event: changed\ndata: {\"position\":%d}\n\n", sub.Position())) {
				return
			}
		case <-heartbeat.C:
			if !send(": heartbeat\n\n") {
				return
			}
		}
	}
}
