package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// Problem is an error answer of the API: an RFC 9457 problem detail. Every
// non-2xx answer is returned as a *Problem; when the server sent no problem
// document (a proxy's page, an empty body) Title is the HTTP status text and
// Detail the start of the body.
type Problem struct {
	// Type is a URI naming the kind of problem ("about:blank" when it is
	// only the status).
	Type string `json:"type"`
	// Title is a short name, for example NOT_FOUND or INVALID_STATE.
	Title string `json:"title"`
	// Status is the HTTP status code.
	Status int `json:"status"`
	// Detail says what went wrong with this request.
	Detail string `json:"detail"`
	// Instance is the path of the request that failed.
	Instance string `json:"instance"`
	// CommandAccepted is set when the command committed although the answer
	// is an error: the result of a create with AwaitCompletion could not be
	// read (503) or did not come in time (504). Do not send the command
	// again; ProcessInstanceKey names the instance it created. The client
	// never retries such an answer.
	CommandAccepted    bool  `json:"commandAccepted,omitempty"`
	ProcessInstanceKey int64 `json:"processInstanceKey,omitempty,string"`
	// RetryAfter is the server's Retry-After advice (429 and 503), zero
	// when it gave none. It is not part of the problem document.
	RetryAfter time.Duration `json:"-"`
	// Method and Path name the request, for the error text.
	Method string `json:"-"`
	Path   string `json:"-"`
}

// Error implements error.
func (p *Problem) Error() string {
	var b strings.Builder
	if p.Method != "" {
		fmt.Fprintf(&b, "%s %s: ", p.Method, p.Path)
	}
	fmt.Fprintf(&b, "%d", p.Status)
	if p.Title != "" {
		b.WriteString(" " + p.Title)
	}
	if p.Detail != "" {
		b.WriteString(": " + p.Detail)
	}
	return b.String()
}

// IsNotFound reports whether err is a problem with status 404.
func IsNotFound(err error) bool { return IsStatus(err, http.StatusNotFound) }

// IsConflict reports whether err is a problem with status 409: the entity
// is not in a state that allows the command (a job already completed, a
// task assigned to someone else, an Idempotency-Key used for another
// request).
func IsConflict(err error) bool { return IsStatus(err, http.StatusConflict) }

// IsStatus reports whether err is a problem with the given HTTP status.
func IsStatus(err error, status int) bool {
	var p *Problem
	return errors.As(err, &p) && p.Status == status
}

// maxDetail bounds the body text kept in a problem that is no problem
// document.
const maxDetail = 512

// problemFrom builds the problem of a non-2xx answer.
func problemFrom(r *call, res *answer) *Problem {
	p := &Problem{}
	if err := json.Unmarshal(res.body, p); err != nil || p.Status == 0 && p.Title == "" {
		detail := strings.TrimSpace(string(res.body))
		if len(detail) > maxDetail {
			cut := maxDetail
			for cut > 0 && !utf8.RuneStart(detail[cut]) {
				cut--
			}
			detail = detail[:cut] + "…"
		}
		p = &Problem{Type: "about:blank", Title: http.StatusText(res.status), Detail: detail}
	}
	if p.Status == 0 {
		p.Status = res.status
	}
	if p.Instance == "" {
		p.Instance = r.path
	}
	p.Method, p.Path = r.method, r.path
	if d, ok := parseRetryAfter(res.header.Get("Retry-After"), time.Now()); ok {
		p.RetryAfter = d
	}
	return p
}
