package rest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store"
)

// Problem is an RFC 9457 problem detail, as Camunda sends it.
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail"`
	Instance string `json:"instance"`
	// CommandAccepted and ProcessInstanceKey are extension members of an
	// error answer to a command that was committed nonetheless (the wait for
	// its result timed out, or the result could not be read): the command
	// must not be sent again, and the key names what it created.
	CommandAccepted    bool `json:"commandAccepted,omitempty"`
	ProcessInstanceKey Key  `json:"processInstanceKey,omitempty"`
	// CommandOutcomeUnknown is an extension member of an error answer to a
	// command that may or may not have been written (the store connection
	// was lost during its commit): check its effect before sending it again.
	CommandOutcomeUnknown bool `json:"commandOutcomeUnknown,omitempty"`
}

// Problem titles Camunda uses.
const (
	titleInvalidArgument   = "INVALID_ARGUMENT"
	titleNotFound          = "NOT_FOUND"
	titleResourceExhausted = "RESOURCE_EXHAUSTED"
	titleUnavailable       = "UNAVAILABLE"
	titleDeadlineExceeded  = "DEADLINE_EXCEEDED"
	titleInternal          = "INTERNAL"
)

// problemContentType is the media type of every error answer.
const problemContentType = "application/problem+json"

// writeProblem answers with a problem detail and stops the handler chain.
func writeProblem(c *gin.Context, status int, title, detail string) {
	c.Header("Content-Type", problemContentType)
	c.AbortWithStatusJSON(status, Problem{Type: "about:blank", Title: title, Status: status, Detail: detail, Instance: c.Request.URL.Path})
}

// badRequest answers 400 INVALID_ARGUMENT.
func badRequest(c *gin.Context, format string, args ...any) {
	writeProblem(c, http.StatusBadRequest, titleInvalidArgument, fmt.Sprintf(format, args...))
}

// notFound answers 404 NOT_FOUND.
func notFound(c *gin.Context, format string, args ...any) {
	writeProblem(c, http.StatusNotFound, titleNotFound, fmt.Sprintf(format, args...))
}

// rejectionStatus maps an engine rejection to its HTTP status; it is the
// only place that does.
func rejectionStatus(t record.RejectionType) int {
	switch t {
	case record.RejectionInvalidArgument:
		return http.StatusBadRequest
	case record.RejectionNotFound:
		return http.StatusNotFound
	case record.RejectionInvalidState, record.RejectionAlreadyExists:
		return http.StatusConflict
	}
	return http.StatusInternalServerError
}

// fail answers err as a problem detail. command names the engine command
// (CREATE, COMPLETE, ...) for rejection details; it may be empty.
func (s *Server) fail(c *gin.Context, command string, err error) {
	if rej, ok := engine.AsRejection(err); ok {
		detail := rej.Reason
		if command != "" {
			detail = fmt.Sprintf("Command '%s' rejected with code '%s': %s", command, rej.Type, rej.Reason)
		}
		writeProblem(c, rejectionStatus(rej.Type), rej.Type.String(), detail)
		return
	}
	var ae *acceptedError
	if errors.As(err, &ae) {
		s.failAccepted(c, command, ae)
		return
	}
	var qe *store.QueryError
	var be *bindError
	var nf *errNotFound
	var fe *forbiddenError
	var ce *store.CompactedError
	switch {
	case errors.As(err, &ce):
		writeProblem(c, http.StatusGone, "LOG_COMPACTED", fmt.Sprintf("Log records before position %d were compacted (retention.log_ttl) "+
			"and no archive holds them (retention.archive_dir); the log holds the records from position %d on (after=%d).",
			ce.FirstAvailable, ce.FirstAvailable, ce.FirstAvailable-1))
	case errors.As(err, &fe):
		writeProblem(c, http.StatusForbidden, titleForbidden, fe.msg)
	case errors.As(err, &nf):
		notFound(c, "%s", nf.Error())
	case errors.As(err, &be):
		badRequest(c, "%s", be.msg)
	case errors.As(err, &qe):
		badRequest(c, "%s", qe.Error())
	case errors.Is(err, engine.ErrRetryWithIdempotencyKey):
		// The key was recorded in the same commit as the command (ADR 25),
		// so a retry with it gets the recorded answer if the commit was
		// written and runs the command once if it was not: not final, and
		// not kept by the idempotency cache.
		c.Header("Retry-After", retryAfterSeconds(s.cfg.RetryAfter))
		writeProblem(c, http.StatusServiceUnavailable, titleUnavailable,
			"The store connection was lost while the command was being committed. Send it again with the same "+idempotencyHeader+
				": if it was written, the retry gets its original answer; if not, it runs once.")
	case errors.Is(err, engine.ErrOutcomeUnknown):
		// Final, also for the idempotency cache: a retry could apply it twice.
		s.markAccepted(c)
		c.Header("Content-Type", problemContentType)
		c.AbortWithStatusJSON(http.StatusServiceUnavailable, Problem{Type: "about:blank", Title: titleUnavailable, Status: http.StatusServiceUnavailable,
			Detail: "The store connection was lost while the command was being committed, and the engine could not find out whether it was written. " +
				"Do not send the command again before checking its effect (for example, search for what it creates), or send commands with an " +
				idempotencyHeader + " header, which makes such a retry safe.",
			Instance: c.Request.URL.Path, CommandOutcomeUnknown: true})
	case errors.Is(err, engine.ErrIdempotencyKeyReused):
		c.Set(keyReusedKey, true)
		writeProblem(c, http.StatusConflict, "IDEMPOTENCY_KEY_REUSED",
			fmt.Sprintf("The %s was already used for a different request", idempotencyHeader))
	case errors.Is(err, engine.ErrOverloaded):
		c.Header("Retry-After", retryAfterSeconds(s.cfg.RetryAfter))
		writeProblem(c, http.StatusTooManyRequests, titleResourceExhausted,
			"The engine refused the command to keep its latency and memory bounded: "+strings.TrimPrefix(err.Error(), engine.ErrOverloaded.Error()+": ")+". Retry later.")
	case errors.Is(err, engine.ErrUnavailable), errors.Is(err, engine.ErrStopped):
		c.Header("Retry-After", retryAfterSeconds(s.cfg.RetryAfter))
		writeProblem(c, http.StatusServiceUnavailable, titleUnavailable, "The engine is unavailable: "+err.Error())
	case storeUnavailable(err):
		s.log.Warn("store unavailable", "route", c.FullPath(), "error", err)
		c.Header("Retry-After", retryAfterSeconds(s.cfg.RetryAfter))
		writeProblem(c, http.StatusServiceUnavailable, titleUnavailable, "The store is unavailable. Retry later.")
	case errors.Is(err, context.DeadlineExceeded):
		writeProblem(c, http.StatusGatewayTimeout, titleDeadlineExceeded, "The request timed out before the engine answered.")
	case errors.Is(err, context.Canceled):
		// The client went away; nobody reads this answer.
		writeProblem(c, statusCanceled, "CANCELED", "The request was canceled.")
	default:
		s.log.Error("request failed", "route", c.FullPath(), "error", err)
		writeProblem(c, http.StatusInternalServerError, titleInternal, "The server failed to handle the request.")
	}
}

// failAccepted answers a failure after the command committed: 504 when the
// wait for the result timed out, 503 when the result could not be read,
// each saying that the command was accepted and naming what it created. It
// sends no Retry-After: sending the command again would run it again.
func (s *Server) failAccepted(c *gin.Context, command string, ae *acceptedError) {
	status, title := http.StatusServiceUnavailable, titleUnavailable
	detail := fmt.Sprintf("The command was accepted: process instance %d was created, but its result could not be read. "+
		"Do not send the command again; read the instance by its processInstanceKey.", ae.key)
	switch {
	case errors.Is(ae.err, context.Canceled):
		// The client went away; the answer is still kept for a retry with
		// the same Idempotency-Key.
	case errors.Is(ae.err, context.DeadlineExceeded):
		status, title = http.StatusGatewayTimeout, titleDeadlineExceeded
		detail = fmt.Sprintf("The command was accepted: process instance %d was created, but it did not end before the request timed out. "+
			"Do not send the command again; read the instance by its processInstanceKey.", ae.key)
	case !storeUnavailable(ae.err) && !errors.Is(ae.err, engine.ErrUnavailable) && !errors.Is(ae.err, engine.ErrStopped) && !errors.Is(ae.err, engine.ErrOverloaded):
		s.log.Error("reading a command's result failed", "route", c.FullPath(), "command", command, "process_instance_key", ae.key, "error", ae.err)
	}
	s.markAccepted(c)
	c.Header("Content-Type", problemContentType)
	c.AbortWithStatusJSON(status, Problem{Type: "about:blank", Title: title, Status: status, Detail: detail, Instance: c.Request.URL.Path,
		CommandAccepted: true, ProcessInstanceKey: Key(ae.key)})
}

// storeUnavailable reports whether a store error means the database cannot
// be reached or is busy, rather than that the request or the server is
// wrong. It recognises the drivers' errors by their methods, so that the API
// does not import them: PostgreSQL's SQLSTATE classes 08 (connection), 53
// (insufficient resources) and 57P0x (shutdown), errors pgx knows are safe
// to retry, SQLite's BUSY and LOCKED, and network errors.
func storeUnavailable(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return false // a context error is a net.Error too, but the caller's own
	}
	for _, target := range []error{store.ErrClosed, io.EOF, io.ErrUnexpectedEOF, net.ErrClosed, syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.EPIPE} {
		if errors.Is(err, target) {
			return true
		}
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var pg interface{ SQLState() string }
	if errors.As(err, &pg) {
		code := pg.SQLState()
		return strings.HasPrefix(code, "08") || strings.HasPrefix(code, "53") || strings.HasPrefix(code, "57P0")
	}
	var retry interface{ SafeToRetry() bool }
	if errors.As(err, &retry) && retry.SafeToRetry() {
		return true
	}
	var lite interface{ Code() int }
	if errors.As(err, &lite) {
		const sqliteBusy, sqliteLocked = 5, 6 // extended codes keep the primary code in the low byte
		switch lite.Code() & 0xff {
		case sqliteBusy, sqliteLocked:
			return true
		}
	}
	return false
}

// bindError is input that could not be read into a request.
type bindError struct{ msg string }

func (e *bindError) Error() string { return e.msg }

func bindErrorf(format string, args ...any) error {
	return &bindError{msg: fmt.Sprintf(format, args...)}
}

// retryAfterSeconds is a Retry-After header value: whole seconds, rounded.
func retryAfterSeconds(d time.Duration) string { return strconv.Itoa(int(d.Seconds() + 0.5)) }
