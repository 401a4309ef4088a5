package rest

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
)

// Reasons a request is shed before it reaches the engine, as the
// wf_http_requests_shed_total metric names them.
const (
	shedHeld   = "held"
	shedBytes  = "bytes"
	shedEngine = "engine"
)

// startsWork lists the routes, by method and path template, that send the
// engine commands starting new work at a high rate; while the engine's
// backpressure limit is reached they are refused before authentication,
// body and validation cost anything. (The engine refuses every other
// command that starts work itself.)
var startsWork = map[string]bool{
	"POST /v2/process-instances":                              true,
	"POST /v2/messages/publication":                           true,
	"POST /v2/messages/correlation":                           true,
	"POST /v2/signals/broadcast":                              true,
	"PUT /v2/element-instances/:elementInstanceKey/variables": true,
}

// shedWhenSaturated answers 429 while the engine would refuse the
// request's command anyway. The answer waits ShedDelay first: a client
// that retries at once instead of honouring Retry-After then sends a few
// requests a second, not thousands, and the CPU they would take goes to
// the work in the engine.
func (s *Server) shedWhenSaturated(c *gin.Context) {
	err := s.eng.Saturated()
	if err == nil {
		return
	}
	s.shed.shedEngine.Add(1)
	if s.cfg.ShedDelay > 0 {
		s.shed.delayed.Add(1)
		defer s.shed.delayed.Add(-1)
		t := time.NewTimer(s.cfg.ShedDelay)
		select {
		case <-t.C:
		case <-c.Request.Context().Done():
			t.Stop()
		case <-s.quit.Done():
			t.Stop()
		}
	}
	s.fail(c, "", err)
}

// shedder bounds what requests hold in the server besides the engine's
// commands in flight (which the engine's adaptive limit bounds): requests
// held waiting (job activation long polls, creates awaiting completion)
// and request body bytes being read or decoded. Beyond either bound a
// request gets 429 with Retry-After before it costs anything more.
type shedder struct {
	maxHeld  int64
	maxBytes int64

	held    atomic.Int64
	delayed atomic.Int64 // shed requests waiting for their 429; not bounded by maxHeld
	bytes   atomic.Int64

	shedHeld   atomic.Uint64
	shedBytes  atomic.Uint64
	shedEngine atomic.Uint64
}

// Held returns how many requests are held waiting: long polls, awaited
// creates, and shed requests waiting for their 429.
func (s *Server) Held() int { return int(s.shed.held.Load() + s.shed.delayed.Load()) }

// Shed returns how many requests were answered 429 before reaching the
// engine, by reason.
func (s *Server) Shed() map[string]uint64 {
	return map[string]uint64{shedHeld: s.shed.shedHeld.Load(), shedBytes: s.shed.shedBytes.Load(), shedEngine: s.shed.shedEngine.Load()}
}

// hold reserves a place for a request that will wait (a long poll, an
// awaited create); false means it answered 429 and the handler stops.
// A true answer must be followed by unhold.
func (s *Server) hold(c *gin.Context) bool {
	if n := s.shed.held.Add(1); n > s.shed.maxHeld {
		s.shed.held.Add(-1)
		s.shed.shedHeld.Add(1)
		s.tooMany(c, fmt.Sprintf("%d requests are already waiting (long polls and creates awaiting completion), the limit of http.max_held_requests", s.shed.maxHeld))
		return false
	}
	return true
}

func (s *Server) unhold() { s.shed.held.Add(-1) }

// reserveBody reserves the bytes a request's body may take while it is
// read and handled: its Content-Length, or the body limit when it sends
// none. false means it answered 429.
func (s *Server) reserveBody(c *gin.Context) (int64, bool) {
	n := c.Request.ContentLength
	if n < 0 {
		n = s.bodyLimit(c)
	}
	if n == 0 {
		return 0, true
	}
	if total := s.shed.bytes.Add(n); total > s.shed.maxBytes {
		s.shed.bytes.Add(-n)
		s.shed.shedBytes.Add(1)
		s.tooMany(c, fmt.Sprintf("the request bodies being handled already take the %d bytes of http.max_buffered_bytes", s.shed.maxBytes))
		return 0, false
	}
	return n, true
}

// tooMany answers 429 RESOURCE_EXHAUSTED with Retry-After.
func (s *Server) tooMany(c *gin.Context, why string) {
	c.Header("Retry-After", retryAfterSeconds(s.cfg.RetryAfter))
	writeProblem(c, http.StatusTooManyRequests, titleResourceExhausted, "The server refused the request to keep its latency and memory bounded: "+why+". Retry later.")
}
