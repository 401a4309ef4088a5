package rest

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/example/wf-engine/core/store"
)

// CorrelatedMessageSubscriptionResult is one message correlated to a
// subscription or a message start event, as Camunda 8.8 has it.
type CorrelatedMessageSubscriptionResult struct {
	CorrelationKey       string `json:"correlationKey"`
	CorrelationTime      string `json:"correlationTime"`
	ElementID            string `json:"elementId"`
	ElementInstanceKey   *Key   `json:"elementInstanceKey,omitempty"`
	MessageKey           Key    `json:"messageKey"`
	MessageName          string `json:"messageName"`
	PartitionID          int32  `json:"partitionId"`
	ProcessDefinitionID  string `json:"processDefinitionId"`
	ProcessDefinitionKey Key    `json:"processDefinitionKey"`
	ProcessInstanceKey   Key    `json:"processInstanceKey"`
	SubscriptionKey      Key    `json:"subscriptionKey"`
	TenantID             string `json:"tenantId"`
}

// correlatedSubscriptionFields are Camunda 8.8's filter and sort fields.
var correlatedSubscriptionFields = []string{"correlationKey", "correlationTime", "elementId", "elementInstanceKey",
	"messageKey", "messageName", "partitionId", "processDefinitionId", "processDefinitionKey", "processInstanceKey",
	"subscriptionKey", "tenantId"}

// correlatedSubscriptionSearch has every field of Camunda 8.8.
var correlatedSubscriptionSearch = &searchSpec{
	name: "correlated message subscription",
	filters: map[string]filterField{
		"correlationKey": text, "correlationTime": date, "elementId": text, "elementInstanceKey": key,
		"messageKey": key, "messageName": text, "partitionId": integer, "processDefinitionId": text,
		"processDefinitionKey": key, "processInstanceKey": key, "subscriptionKey": key, "tenantId": text,
	},
	sorts: correlatedSubscriptionFields,
}

// searchCorrelatedSubscriptions serves POST
// /v2/correlated-message-subscriptions/search.
func (s *Server) searchCorrelatedSubscriptions(c *gin.Context) {
	q, ok := s.parseSearch(c, correlatedSubscriptionSearch)
	if !ok {
		return
	}
	cq, ok := s.q.(store.CorrelatedMessageSubscriptionQuerier)
	if !ok {
		writeProblem(c, http.StatusNotImplemented, "NOT_IMPLEMENTED", "This store does not keep correlated message subscriptions.")
		return
	}
	page, err := cq.SearchCorrelatedMessageSubscriptions(c.Request.Context(), q)
	if err != nil {
		s.fail(c, "", err)
		return
	}
	out := SearchResult[CorrelatedMessageSubscriptionResult]{Items: make([]CorrelatedMessageSubscriptionResult, 0, len(page.Items)), Page: pageOf(page)}
	for _, m := range page.Items {
		out.Items = append(out.Items, CorrelatedMessageSubscriptionResult{
			CorrelationKey: m.CorrelationKey, CorrelationTime: dateTime(m.CorrelationTime), ElementID: m.ElementID,
			ElementInstanceKey: optKey(m.ElementInstanceKey), MessageKey: Key(m.MessageKey), MessageName: m.MessageName,
			PartitionID: 1, ProcessDefinitionID: m.ProcessDefinitionID, ProcessDefinitionKey: Key(m.ProcessDefinitionKey),
			ProcessInstanceKey: Key(m.ProcessInstanceKey), SubscriptionKey: Key(m.SubscriptionKey), TenantID: tenantOr(m.TenantID),
		})
	}
	c.PureJSON(http.StatusOK, out)
}
