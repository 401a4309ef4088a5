package rest

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store"
)

// AuditSearchRequest is the body of POST /v2/x/audit/search; every field is
// optional and unknown fields are refused.
type AuditSearchRequest struct {
	Filter struct {
		Subject   string `json:"subject"`
		ClientID  string `json:"clientId"`
		ValueType string `json:"valueType"`
		Intent    string `json:"intent"`
		// Key matches the command's key or the key of what it created.
		Key *Key `json:"key"`
		// From and To bound the command's time (RFC 3339, both included).
		From string `json:"from"`
		To   string `json:"to"`
	} `json:"filter"`
	Page struct {
		// After is the endCursor of the page before.
		After string `json:"after"`
		Limit *int   `json:"limit"`
	} `json:"page"`
}

// AuditEntry is one command sent from outside: who sent it, when, what it
// was and to which key.
type AuditEntry struct {
	Position        Key            `json:"position"`
	Timestamp       string         `json:"timestamp"`
	Principal       AuditPrincipal `json:"principal"`
	ValueType       string         `json:"valueType"`
	Intent          string         `json:"intent"`
	Key             Key            `json:"key"`
	ResultKey       *Key           `json:"resultKey,omitempty"`
	Rejected        bool           `json:"rejected"`
	RejectionType   string         `json:"rejectionType,omitempty"`
	RejectionReason string         `json:"rejectionReason,omitempty"`
}

// AuditPrincipal is who sent a command, as the log recorded it.
type AuditPrincipal struct {
	Subject  string   `json:"subject,omitempty"`
	ClientID string   `json:"clientId,omitempty"`
	Roles    []string `json:"roles"`
	Tenants  []string `json:"tenants"`
}

// AuditSearchResult is a page of an audit search; EndCursor is null when
// the page is empty.
type AuditSearchResult struct {
	Items []AuditEntry `json:"items"`
	Page  struct {
		EndCursor *string `json:"endCursor"`
	} `json:"page"`
}

// searchAudit serves POST /v2/x/audit/search: who did what, when, to which
// key, read from the log's command records.
func (s *Server) searchAudit(c *gin.Context) {
	aq, ok := s.q.(store.AuditQuerier)
	if !ok {
		writeProblem(c, http.StatusNotImplemented, "NOT_IMPLEMENTED", "This store cannot search the audit log.")
		return
	}
	var req AuditSearchRequest
	if !s.bind(c, &req, true) {
		return
	}
	q, err := auditQuery(&req)
	if err != nil {
		s.fail(c, "", err)
		return
	}
	page, err := aq.SearchAudit(c.Request.Context(), q)
	if err != nil {
		s.fail(c, "", err)
		return
	}
	out := AuditSearchResult{Items: make([]AuditEntry, 0, len(page.Items))}
	for _, e := range page.Items {
		out.Items = append(out.Items, auditEntry(e))
	}
	if page.EndCursor != 0 {
		cursor := strconv.FormatInt(page.EndCursor, 10)
		out.Page.EndCursor = &cursor
	}
	c.PureJSON(http.StatusOK, out)
}

// auditQuery turns an audit search body (bound strictly: unknown fields
// are refused there) into a store query: unknown value types or intents,
// bad times and limits are bindErrors.
func auditQuery(req *AuditSearchRequest) (store.AuditQuery, error) {
	var q store.AuditQuery
	f := &req.Filter
	q.Subject, q.ClientID, q.ValueType, q.Intent = f.Subject, f.ClientID, f.ValueType, f.Intent
	if q.ValueType != "" && !auditNames().valueTypes[q.ValueType] {
		return q, bindErrorf("filter.valueType: unknown value type '%s'", q.ValueType)
	}
	if q.Intent != "" && !auditNames().intents[q.Intent] {
		return q, bindErrorf("filter.intent: unknown intent '%s'", q.Intent)
	}
	if f.Key != nil {
		q.Key = int64(*f.Key)
	}
	var err error
	if q.From, err = auditTime("filter.from", f.From); err != nil {
		return q, err
	}
	if q.To, err = auditTime("filter.to", f.To); err != nil {
		return q, err
	}
	if req.Page.After != "" {
		if q.After, err = strconv.ParseInt(req.Page.After, 10, 64); err != nil || q.After < 0 {
			return q, bindErrorf("page.after: expected the endCursor of a page, got '%s'", req.Page.After)
		}
	}
	if l := req.Page.Limit; l != nil {
		if *l < 1 || *l > store.MaxAuditLimit {
			return q, bindErrorf("page.limit: expected 1 to %d, got %d", store.MaxAuditLimit, *l)
		}
		q.Limit = *l
	}
	return q, nil
}

// auditTime reads an RFC 3339 time as Unix milliseconds; "" is 0 (no
// bound).
func auditTime(field, s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, bindErrorf("%s: expected an RFC 3339 date-time, got '%s'", field, s)
	}
	return t.UnixMilli(), nil
}

func auditEntry(e store.AuditEntry) AuditEntry {
	p := e.Principal
	out := AuditEntry{
		Position: Key(e.Position), Timestamp: dateTime(time.UnixMilli(e.Timestamp)),
		Principal: AuditPrincipal{Subject: p.Subject, ClientID: p.ClientID, Roles: nonNil(p.Roles), Tenants: nonNil(p.Tenants)},
		ValueType: e.ValueType.String(), Intent: e.Intent.String(), Key: Key(e.Key), Rejected: e.Rejected,
		RejectionReason: e.RejectionReason,
	}
	if e.ResultKey != 0 {
		k := Key(e.ResultKey)
		out.ResultKey = &k
	}
	if e.Rejected {
		out.RejectionType = e.RejectionType.String()
	}
	return out
}

// auditNameSet holds the value type and intent names the log knows.
type auditNameSet struct{ valueTypes, intents map[string]bool }

// auditNames lists the names record's String methods give to known codes
// (codes are below 1000; an unknown code prints as VALUE_TYPE(n) or
// INTENT(n)).
var auditNames = sync.OnceValue(func() auditNameSet {
	n := auditNameSet{valueTypes: map[string]bool{}, intents: map[string]bool{}}
	for c := range 1000 {
		if v := record.ValueType(c).String(); !strings.HasPrefix(v, "VALUE_TYPE(") {
			n.valueTypes[v] = true
		}
		if i := record.Intent(c).String(); !strings.HasPrefix(i, "INTENT(") {
			n.intents[i] = true
		}
	}
	return n
})
