package store

import "context"

// Message subscription states, as Camunda 8.8 names them. A subscription is
// CREATED while its element instance waits, CORRELATED once a message
// reached it and DELETED when it ended without one (its element instance
// ended otherwise). MIGRATED is never stored: a migrated subscription is
// CREATED again.
const (
	SubscriptionCreated    = "CREATED"
	SubscriptionCorrelated = "CORRELATED"
	SubscriptionDeleted    = "DELETED"
	SubscriptionMigrated   = "MIGRATED"
)

// MessageSubscription is an element instance's subscription to a message
// (an intermediate catch event, a receive task, a boundary event or an event
// of an event-based gateway), open or ended.
type MessageSubscription struct {
	MessageSubscriptionKey int64
	ProcessDefinitionID    string
	ProcessDefinitionKey   int64
	ProcessInstanceKey     int64
	ElementID              string
	ElementInstanceKey     int64
	State                  string
	MessageName            string
	CorrelationKey         string
	TenantID               string
}

// MessageSubscriptionQuerier searches message subscriptions, ended ones
// included; Query.Tenants restricts it as it does every search.
type MessageSubscriptionQuerier interface {
	SearchMessageSubscriptions(ctx context.Context, q Query) (Page[MessageSubscription], error)
}
