package rest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/example/wf-engine/api/auth"
	"github.com/example/wf-engine/api/idempotency"
	"github.com/example/wf-engine/core/engine"
)

// observe records every answer in the HTTP metrics, by route template.
func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	s.metrics.ObserveHTTP(route, c.Request.Method, loggedStatus(c), time.Since(start))
}

// loggedStatus is the status a request is counted and logged with: the one
// written, except a 5xx written after the caller went away (an awaited
// instance's create whose client gave up), which reached nobody and is no
// failure of the server: 499, "client closed request".
func loggedStatus(c *gin.Context) int {
	status := c.Writer.Status()
	if status >= 500 && c.Request.Context().Err() != nil {
		return statusCanceled
	}
	return status
}

// recoverPanic turns a panic into a 500 problem: a bug, never an answer to
// input, but it must not take the server down.
func (s *Server) recoverPanic(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler { //nolint:errorlint // the sentinel value itself is what net/http panics with
				panic(v)
			}
			s.log.Error("handler panicked", "route", c.FullPath(), "panic", fmt.Sprint(v))
			writeProblem(c, http.StatusInternalServerError, titleInternal, "The server failed to handle the request.")
		}
	}()
	c.Next()
}

// limitBody bounds the request body, and the bytes of all bodies being
// handled at once.
func (s *Server) limitBody(c *gin.Context) {
	limit := s.bodyLimit(c)
	if c.Request.ContentLength > limit {
		s.tooLarge(c)
		return
	}
	n, ok := s.reserveBody(c)
	if !ok {
		return
	}
	defer s.shed.bytes.Add(-n)
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	c.Next()
}

// bodyLimit is the largest body the route takes: MaxBodyBytes, or more for
// document uploads (documents.max_size).
func (s *Server) bodyLimit(c *gin.Context) int64 {
	return max(s.cfg.MaxBodyBytes, s.docs.bodyLimit(c.FullPath()))
}

func (s *Server) tooLarge(c *gin.Context) {
	writeProblem(c, http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE",
		fmt.Sprintf("The request body is larger than the limit of %d bytes", s.bodyLimit(c)))
}

// idempotencyHeader names the header that makes a POST command idempotent.
const idempotencyHeader = "Idempotency-Key"

// idempotent answers a POST command that repeats an earlier one (same
// Idempotency-Key, method, path and body) with the earlier answer.
func (s *Server) idempotent(c *gin.Context) {
	key := c.GetHeader(idempotencyHeader)
	if s.idem == nil || key == "" || c.Request.Method != http.MethodPost || strings.HasSuffix(c.FullPath(), "/search") {
		c.Next()
		return
	}
	if len(key) > 255 {
		badRequest(c, "header %s: must be at most 255 characters", idempotencyHeader)
		return
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		s.tooLarge(c)
		return
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(body))
	sum := sha256.Sum256(body)
	fingerprint := c.Request.Method + " " + c.Request.URL.Path + " " + hex.EncodeToString(sum[:])
	// Keys are per principal: one caller never sees another's answer.
	if p := auth.FromContext(c.Request.Context()); p != nil {
		key = p.Subject + "\x00" + p.ClientID + "\x00" + key
	}
	outcome, resp := s.idem.Begin(key, fingerprint)
	s.metrics.CountIdempotency(idempotencyOutcome(outcome))
	switch outcome {
	case idempotency.Replay:
		c.Header("Idempotent-Replayed", "true")
		if len(resp.Body) == 0 {
			c.Status(resp.Status)
			c.Writer.WriteHeaderNow()
		} else {
			c.Data(resp.Status, resp.ContentType, resp.Body)
		}
		c.Abort()
		return
	case idempotency.Mismatch:
		writeProblem(c, http.StatusConflict, "IDEMPOTENCY_KEY_REUSED",
			fmt.Sprintf("The %s was already used for a different request", idempotencyHeader))
		return
	case idempotency.InFlight:
		writeProblem(c, http.StatusConflict, "IDEMPOTENCY_KEY_IN_USE",
			fmt.Sprintf("A request with this %s is still being handled; retry later", idempotencyHeader))
		return
	}
	// The engine records the command's answer durably with the command
	// and replays it to a retry after a restart (see engine.IdempotencyKey).
	c.Request = c.Request.WithContext(engine.WithIdempotencyKey(c.Request.Context(),
		engine.IdempotencyKey{Key: key, Fingerprint: fingerprint, TTL: s.cfg.IdempotencyTTL}))
	ctx := c.Request.Context()
	rec := &recorder{ResponseWriter: c.Writer, replayed: func() bool { return engine.IdempotentReplay(ctx) }}
	c.Writer = rec
	c.Next()
	status := rec.Status()
	if c.GetBool(keyReusedKey) {
		s.idem.Abandon(key) // the key belongs to the earlier request, recorded by the engine
		return
	}
	if (status >= 500 || status == http.StatusTooManyRequests || status == statusCanceled) && !c.GetBool(acceptedKey) {
		// Not a final answer: a retry may run the command. 499: the caller
		// went away (a node that forwarded it died); whether the command
		// committed, the engine's durable record of the key answers a retry.
		s.idem.Abandon(key)
		return
	}
	s.idem.Finish(key, idempotency.Response{Status: status, ContentType: rec.Header().Get("Content-Type"), Body: rec.body.Bytes()})
}

// statusCanceled is the answer to a request whose caller went away.
const statusCanceled = 499

// keyReusedKey marks, in a request's context, a command the engine refused
// because its Idempotency-Key was recorded for another request.
const keyReusedKey = "wf.idempotencyKeyReused"

// acceptedKey marks, in a request's context, an error answer to a command
// that committed: it is final, so a retry with the same Idempotency-Key
// gets it again instead of running the command a second time.
const acceptedKey = "wf.commandAccepted"

// markAccepted marks the request's answer as one to a committed command.
func (s *Server) markAccepted(c *gin.Context) { c.Set(acceptedKey, true) }

// recorder keeps a copy of what a handler writes, and marks an answer the
// engine replayed from its record as Idempotent-Replayed.
type recorder struct {
	gin.ResponseWriter
	body     bytes.Buffer
	replayed func() bool
}

func (r *recorder) WriteHeader(code int) {
	if r.replayed() {
		r.Header().Set("Idempotent-Replayed", "true")
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

func (r *recorder) WriteString(s string) (int, error) {
	r.body.WriteString(s)
	return r.ResponseWriter.WriteString(s)
}
