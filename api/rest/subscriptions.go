package rest

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/example/wf-engine/core/store"
)

// MessageSubscriptionResult is a message subscription in searches, as
// Camunda 8.8 has it without lastUpdatedDate, which the store does not keep.
type MessageSubscriptionResult struct {
	MessageSubscriptionKey   Key    `json:"messageSubscriptionKey"`
	ProcessDefinitionID      string `json:"processDefinitionId"`
	ProcessDefinitionKey     Key    `json:"processDefinitionKey"`
	ProcessInstanceKey       Key    `json:"processInstanceKey"`
	ElementID                string `json:"elementId"`
	ElementInstanceKey       Key    `json:"elementInstanceKey"`
	MessageSubscriptionState string `json:"messageSubscriptionState"`
	MessageName              string `json:"messageName"`
	CorrelationKey           string `json:"correlationKey"`
	TenantID                 string `json:"tenantId"`
}

// messageSubscriptionSearch has Camunda 8.8's fields but lastUpdatedDate.
var messageSubscriptionSearch = &searchSpec{
	name: "message subscription",
	filters: map[string]filterField{
		"messageSubscriptionKey": key, "processDefinitionId": text, "processDefinitionKey": key, "processInstanceKey": key,
		"elementId": text, "elementInstanceKey": key, "messageName": text, "correlationKey": text, "tenantId": text,
		"messageSubscriptionState": enum([]string{store.SubscriptionCorrelated, store.SubscriptionCreated, store.SubscriptionDeleted, store.SubscriptionMigrated}),
	},
	sorts: []string{"messageSubscriptionKey", "processDefinitionId", "processInstanceKey", "elementId", "elementInstanceKey",
		"messageSubscriptionState", "messageName", "correlationKey", "tenantId"},
}

// searchMessageSubscriptions serves POST /v2/message-subscriptions/search.
func (s *Server) searchMessageSubscriptions(c *gin.Context) {
	q, ok := s.parseSearch(c, messageSubscriptionSearch)
	if !ok {
		return
	}
	mq, ok := s.q.(store.MessageSubscriptionQuerier)
	if !ok {
		writeProblem(c, http.StatusNotImplemented, "NOT_IMPLEMENTED", "This store cannot search message subscriptions.")
		return
	}
	page, err := mq.SearchMessageSubscriptions(c.Request.Context(), q)
	if err != nil {
		s.fail(c, "", err)
		return
	}
	out := SearchResult[MessageSubscriptionResult]{Items: make([]MessageSubscriptionResult, 0, len(page.Items)), Page: pageOf(page)}
	for _, m := range page.Items {
		out.Items = append(out.Items, MessageSubscriptionResult{
			MessageSubscriptionKey: Key(m.MessageSubscriptionKey), ProcessDefinitionID: m.ProcessDefinitionID,
			ProcessDefinitionKey: Key(m.ProcessDefinitionKey), ProcessInstanceKey: Key(m.ProcessInstanceKey),
			ElementID: m.ElementID, ElementInstanceKey: Key(m.ElementInstanceKey), MessageSubscriptionState: m.State,
			MessageName: m.MessageName, CorrelationKey: m.CorrelationKey, TenantID: tenantOr(m.TenantID),
		})
	}
	c.PureJSON(http.StatusOK, out)
}
