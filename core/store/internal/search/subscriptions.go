package search

import "github.com/example/wf-engine/core/store"

// subscriptionState is a message subscription's Camunda state: live rows
// wait, ended rows keep the key of the message that correlated them (0 when
// none did).
const subscriptionState = "(CASE WHEN live = 1 THEN 'CREATED' WHEN message_key > 0 THEN 'CORRELATED' ELSE 'DELETED' END)"

// MessageSubscriptions are the message subscriptions of element instances,
// ended ones included.
var MessageSubscriptions = (&Entity[store.MessageSubscription]{
	Name: "message subscriptions",
	From: "message_subscriptions",
	Columns: "key, bpmn_process_id, process_definition_key, process_instance_key, element_id, element_instance_key, " +
		subscriptionState + ", message_name, correlation_key, tenant_id",
	Scan: func(scan func(...any) error) (store.MessageSubscription, error) {
		var r store.MessageSubscription
		err := scan(&r.MessageSubscriptionKey, &r.ProcessDefinitionID, &r.ProcessDefinitionKey, &r.ProcessInstanceKey, &r.ElementID,
			&r.ElementInstanceKey, &r.State, &r.MessageName, &r.CorrelationKey, &r.TenantID)
		return r, err
	},
	Key: "messageSubscriptionKey",
	Fields: []*Field[store.MessageSubscription]{
		{Name: "messageSubscriptionKey", Kind: KindKey, Expr: "key", Get: func(r *store.MessageSubscription) any { return r.MessageSubscriptionKey }},
		{Name: "processDefinitionId", Kind: KindString, Expr: "bpmn_process_id", Get: func(r *store.MessageSubscription) any { return r.ProcessDefinitionID }},
		{Name: "processDefinitionKey", Kind: KindKey, Expr: "process_definition_key", Get: func(r *store.MessageSubscription) any { return r.ProcessDefinitionKey }},
		{Name: "processInstanceKey", Kind: KindKey, Expr: "process_instance_key", Get: func(r *store.MessageSubscription) any { return r.ProcessInstanceKey }},
		{Name: "elementId", Kind: KindString, Expr: "element_id", Get: func(r *store.MessageSubscription) any { return r.ElementID }},
		{Name: "elementInstanceKey", Kind: KindKey, Expr: "element_instance_key", Get: func(r *store.MessageSubscription) any { return r.ElementInstanceKey }},
		{Name: "messageSubscriptionState", Kind: KindState, Expr: subscriptionState,
			Enum: []string{store.SubscriptionCorrelated, store.SubscriptionCreated, store.SubscriptionDeleted, store.SubscriptionMigrated},
			Get:  func(r *store.MessageSubscription) any { return r.State }},
		{Name: "messageName", Kind: KindString, Expr: "message_name", Get: func(r *store.MessageSubscription) any { return r.MessageName }},
		{Name: "correlationKey", Kind: KindString, Expr: "correlation_key", Optional: true, Get: func(r *store.MessageSubscription) any { return r.CorrelationKey }},
		{Name: "tenantId", Kind: KindString, Expr: "tenant_id", Get: func(r *store.MessageSubscription) any { return r.TenantID }},
	},
}).index()
