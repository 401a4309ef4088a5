package rest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
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
	var qe *store.QueryError
	var be *bindError
	var nf *errNotFound
	var fe *forbiddenError
	switch {
	case errors.As(err, &fe):
		writeProblem(c, http.StatusForbidden, titleForbidden, fe.msg)
	case errors.As(err, &nf):
		notFound(c, "%s", nf.Error())
	case errors.As(err, &be):
		badRequest(c, "%s", be.msg)
	case errors.As(err, &qe):
		badRequest(c, "%s", qe.Error())
	case errors.Is(err, engine.ErrOverloaded):
		c.Header("Retry-After", retryAfterSeconds(s.cfg.RetryAfter))
		writeProblem(c, http.StatusTooManyRequests, titleResourceExhausted,
			"Expected to handle the request, but the engine's command queue is full. Retry later.")
	case errors.Is(err, engine.ErrUnavailable), errors.Is(err, engine.ErrStopped):
		c.Header("Retry-After", retryAfterSeconds(s.cfg.RetryAfter))
		writeProblem(c, http.StatusServiceUnavailable, titleUnavailable, "The engine is unavailable: "+err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		writeProblem(c, http.StatusGatewayTimeout, titleDeadlineExceeded, "The request timed out before the engine answered.")
	case errors.Is(err, context.Canceled):
		// The client went away; nobody reads this answer.
		writeProblem(c, 499, "CANCELED", "The request was canceled.")
	default:
		s.log.Error("request failed", "route", c.FullPath(), "error", err)
		writeProblem(c, http.StatusInternalServerError, titleInternal, "The server failed to handle the request.")
	}
}

// bindError is input that could not be read into a request.
type bindError struct{ msg string }

func (e *bindError) Error() string { return e.msg }

func bindErrorf(format string, args ...any) error {
	return &bindError{msg: fmt.Sprintf(format, args...)}
}

// retryAfterSeconds is a Retry-After header value: whole seconds, rounded.
func retryAfterSeconds(d time.Duration) string { return strconv.Itoa(int(d.Seconds() + 0.5)) }
