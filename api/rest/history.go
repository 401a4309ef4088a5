package rest

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/example/wf-engine/api/history"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store"
)

// HistoryRecord is one event of a process instance, as the command log
// holds it. Which fields are set depends on the value type: elements
// (PROCESS_INSTANCE) have elementId, elementInstanceKey (the record's key),
// flowScopeKey and bpmnElementType; variables name, value and scopeKey;
// incidents and failed jobs errorMessage; completions and creations the
// variables they carried.
type HistoryRecord struct {
	Position           int64               `json:"position"`
	Timestamp          string              `json:"timestamp"`
	ValueType          string              `json:"valueType"`
	Intent             string              `json:"intent"`
	Key                Key                 `json:"key"`
	ElementID          string              `json:"elementId,omitempty"`
	ElementInstanceKey *Key                `json:"elementInstanceKey,omitempty"`
	FlowScopeKey       *Key                `json:"flowScopeKey,omitempty"`
	ScopeKey           *Key                `json:"scopeKey,omitempty"`
	BPMNElementType    string              `json:"bpmnElementType,omitempty"`
	Variables          map[string]jsonText `json:"variables,omitempty"`
	Name               string              `json:"name,omitempty"`
	Value              jsonText            `json:"value,omitempty"`
	ErrorMessage       string              `json:"errorMessage,omitempty"`
}

// HistoryPage ends a page of history. TotalItems counts this page's items
// (the instance's total is not known without reading the whole log);
// HasMoreTotalItems is true when the page stopped at its limit or at the
// records it may read, and EndCursor is the position to ask for records
// after (?after=), even when the page holds none.
type HistoryPage struct {
	TotalItems        int    `json:"totalItems"`
	HasMoreTotalItems bool   `json:"hasMoreTotalItems"`
	EndCursor         string `json:"endCursor"`
}

// HistoryResult is a page of an instance's history.
type HistoryResult struct {
	Items []HistoryRecord `json:"items"`
	Page  HistoryPage     `json:"page"`
}

// logReader is a store whose log can be read, as every store's can.
type logReader interface {
	ReadLog(ctx context.Context, from int64, fn func(*record.Record) error) error
}

// instanceHistory serves GET /v2/x/process-instances/{processInstanceKey}/history:
// the instance's records from the command log, oldest first, paged by
// ?after=<position>&limit=.
func (s *Server) instanceHistory(c *gin.Context) {
	key, ok := pathKey(c, "processInstanceKey")
	if !ok {
		return
	}
	lr, ok := s.q.(logReader)
	if !ok {
		writeProblem(c, http.StatusNotImplemented, "NOT_IMPLEMENTED", "This store cannot read its log.")
		return
	}
	q := history.Query{ProcessInstanceKey: key}
	var err error
	if v := c.Query("after"); v != "" {
		if q.After, err = strconv.ParseInt(v, 10, 64); err != nil || q.After < 0 {
			badRequest(c, "query parameter 'after': expected a position (a non-negative integer), got '%s'", v)
			return
		}
	}
	if v := c.Query("limit"); v != "" {
		if q.Limit, err = strconv.Atoi(v); err != nil || q.Limit < 1 || q.Limit > history.MaxLimit {
			badRequest(c, "query parameter 'limit': expected 1 to %d, got '%s'", history.MaxLimit, v)
			return
		}
	}
	p, err := s.q.SearchProcessInstances(c.Request.Context(), byKey("processInstanceKey", key))
	pi, err := first(p, err, "Process instance", key)
	if err != nil {
		s.fail(c, "", err)
		return
	}
	q.Start = pi.StartPosition
	page, err := history.Read(c.Request.Context(), lr.ReadLog, q)
	if err != nil {
		s.fail(c, "", err)
		return
	}
	out := HistoryResult{Items: make([]HistoryRecord, 0, len(page.Records)),
		Page: HistoryPage{TotalItems: len(page.Records), HasMoreTotalItems: page.More, EndCursor: strconv.FormatInt(page.End, 10)}}
	for _, r := range page.Records {
		out.Items = append(out.Items, historyRecord(r))
	}
	c.PureJSON(http.StatusOK, out)
}

// historyRecord maps a log record to its wire form.
func historyRecord(r *record.Record) HistoryRecord {
	h := HistoryRecord{Position: r.Position, Timestamp: dateTime(time.UnixMilli(r.Timestamp)), ValueType: r.ValueType.String(),
		Intent: r.Intent.String(), Key: Key(r.Key)}
	switch v := r.Value.(type) {
	case *record.ProcessInstanceValue:
		h.ElementID, h.ElementInstanceKey, h.FlowScopeKey, h.BPMNElementType = v.ElementID, optKey(r.Key), optKey(v.FlowScopeKey), v.BPMNElementType
	case *record.ProcessInstanceCreationValue:
		h.Variables = historyVariables(v.Variables)
	case *record.JobValue:
		h.ElementID, h.ElementInstanceKey, h.ErrorMessage = v.ElementID, optKey(v.ElementInstanceKey), v.ErrorMessage
		h.Variables = historyVariables(v.Variables)
	case *record.VariableValue:
		h.Name, h.ScopeKey, h.Value = v.Name, optKey(v.ScopeKey), historyValue(v.Value)
	case *record.IncidentValue:
		h.ElementID, h.ElementInstanceKey, h.ErrorMessage = v.ElementID, optKey(v.ElementInstanceKey), v.ErrorMessage
	case *record.TimerValue:
		h.ElementID, h.ElementInstanceKey = v.ElementID, optKey(v.ElementInstanceKey)
	case *record.MessageSubscriptionValue:
		h.ElementID, h.ElementInstanceKey = v.ElementID, optKey(v.ElementInstanceKey)
		h.Variables = historyVariables(v.Variables)
	case *record.UserTaskValue:
		h.ElementID, h.ElementInstanceKey = v.ElementID, optKey(v.ElementInstanceKey)
		h.Variables = historyVariables(v.Variables)
	}
	return h
}

// historyValue is a value's JSON text; a value that cannot be encoded (the
// log decoded it from JSON, so none should) shows as null.
func historyValue(v any) jsonText {
	text, err := store.EncodeJSON(v)
	if err != nil {
		return jsonText("null")
	}
	return jsonText(text)
}

func historyVariables(vars map[string]any) map[string]jsonText {
	if len(vars) == 0 {
		return nil
	}
	out := make(map[string]jsonText, len(vars))
	for name, v := range vars {
		out[name] = historyValue(v)
	}
	return out
}
