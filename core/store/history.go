package store

import (
	"context"
	"time"
	"unicode/utf16"

	"github.com/example/wf-engine/core/record"
)

// History is what a batch adds to the store's histories, projected from
// its events as it commits: rows written once and never changed, which
// the engine never loads (they serve searches only).
type History struct {
	SequenceFlows []SequenceFlow
	Correlations  []CorrelatedMessageSubscription
	Assignments   []TaskAssignment
	Tags          []InstanceTags
	// IncidentHashes hold the hash of each new incident's error message.
	IncidentHashes []IncidentHash
}

// IncidentHash is the hash of an incident's error message, as Camunda's
// exporter computes it.
type IncidentHash struct {
	IncidentKey        int64
	ProcessInstanceKey int64
	Hash               int32
	TenantID           string
}

// JavaHash is Java's String.hashCode of s (over its UTF-16 code units),
// which Camunda's exporter stores as an incident's errorMessageHash and
// its incidentErrorHashCode filter compares.
func JavaHash(s string) int32 {
	var h int32
	for _, u := range utf16.Encode([]rune(s)) {
		h = 31*h + int32(u)
	}
	return h
}

// InstanceTags are the tags a process instance was created with.
type InstanceTags struct {
	ProcessInstanceKey int64
	Tags               []string
	TenantID           string
}

// SequenceFlow is one sequence flow taken in a process instance.
type SequenceFlow struct {
	// Key is the key of the SEQUENCE_FLOW_TAKEN event.
	Key                  int64
	ProcessInstanceKey   int64
	SequenceFlowID       string
	ProcessDefinitionKey int64
	ProcessDefinitionID  string
	TenantID             string
}

// CorrelatedMessageSubscription is one message delivered to a subscription
// of an element instance or to a message start event (Camunda 8.8's
// correlated message subscription).
type CorrelatedMessageSubscription struct {
	// Position is the log position of the CORRELATED event; it tells two
	// correlations of one subscription apart.
	Position             int64
	SubscriptionKey      int64
	MessageKey           int64
	MessageName          string
	CorrelationKey       string
	ProcessInstanceKey   int64
	ProcessDefinitionKey int64
	ProcessDefinitionID  string
	ElementID            string
	// ElementInstanceKey is 0 for a message start event.
	ElementInstanceKey int64
	CorrelationTime    time.Time
	TenantID           string
}

// TaskAssignment is a user task given to an assignee: created with one or
// assigned later.
type TaskAssignment struct {
	Position    int64
	UserTaskKey int64
	Assignee    string
	Time        time.Time
	TenantID    string
}

// HistoryOf projects a batch's events into history rows, in log order.
// Sequence flows are kept once per instance and flow id in the batch (the
// first taking, whose key is the lowest).
func HistoryOf(recs []*record.Record) History {
	var h History
	var tagged map[int64][]string // create commands with tags, by position
	// A flow taken again in the same instance (a loop) adds nothing: only
	// its first taking in the batch is kept.
	type flowOf struct {
		pi int64
		id string
	}
	var flows map[flowOf]bool
	for _, r := range recs {
		if r == nil {
			continue
		}
		if r.Kind == record.KindCommand && r.Intent == record.IntentProcessInstanceCreate {
			if v, ok := r.Value.(*record.ProcessInstanceCreationValue); ok && len(v.Tags) > 0 {
				if tagged == nil {
					tagged = map[int64][]string{}
				}
				tagged[r.Position] = v.Tags
			}
		}
		if r.Kind != record.KindEvent {
			continue
		}
		switch v := r.Value.(type) {
		case *record.ProcessInstanceCreationValue:
			// A command and its events commit in one batch.
			if tags := tagged[r.SourcePosition]; r.Intent == record.IntentProcessInstanceCreated && tags != nil {
				h.Tags = append(h.Tags, InstanceTags{ProcessInstanceKey: v.ProcessInstanceKey, Tags: tags, TenantID: v.TenantID})
			}
		case *record.ProcessInstanceValue:
			if r.Intent == record.IntentSequenceFlowTaken && !flows[flowOf{v.ProcessInstanceKey, v.ElementID}] {
				if flows == nil {
					flows = map[flowOf]bool{}
				}
				flows[flowOf{v.ProcessInstanceKey, v.ElementID}] = true
				h.SequenceFlows = append(h.SequenceFlows, SequenceFlow{Key: r.Key, ProcessInstanceKey: v.ProcessInstanceKey,
					SequenceFlowID: v.ElementID, ProcessDefinitionKey: v.ProcessDefinitionKey, ProcessDefinitionID: v.BPMNProcessID,
					TenantID: v.TenantID})
			}
		case *record.MessageSubscriptionValue:
			if r.Intent == record.IntentMessageSubscriptionCorrelated {
				h.Correlations = append(h.Correlations, CorrelatedMessageSubscription{Position: r.Position, SubscriptionKey: r.Key,
					MessageKey: v.MessageKey, MessageName: v.MessageName, CorrelationKey: v.CorrelationKey,
					ProcessInstanceKey: v.ProcessInstanceKey, ProcessDefinitionKey: v.ProcessDefinitionKey,
					ProcessDefinitionID: v.BPMNProcessID, ElementID: v.ElementID, ElementInstanceKey: v.ElementInstanceKey,
					CorrelationTime: time.UnixMilli(r.Timestamp).UTC(), TenantID: v.TenantID})
			}
		case *record.MessageStartSubscriptionValue:
			if r.Intent == record.IntentMessageStartSubscriptionCorrelated {
				h.Correlations = append(h.Correlations, CorrelatedMessageSubscription{Position: r.Position, SubscriptionKey: r.Key,
					MessageKey: v.MessageKey, MessageName: v.MessageName, CorrelationKey: v.CorrelationKey,
					ProcessInstanceKey: v.ProcessInstanceKey, ProcessDefinitionKey: v.ProcessDefinitionKey,
					ProcessDefinitionID: v.BPMNProcessID, ElementID: v.StartEventID,
					CorrelationTime: time.UnixMilli(r.Timestamp).UTC(), TenantID: v.TenantID})
			}
		case *record.IncidentValue:
			if r.Intent == record.IntentIncidentCreated {
				h.IncidentHashes = append(h.IncidentHashes, IncidentHash{IncidentKey: r.Key, ProcessInstanceKey: v.ProcessInstanceKey,
					Hash: JavaHash(v.ErrorMessage), TenantID: v.TenantID})
			}
		case *record.UserTaskValue:
			if (r.Intent == record.IntentUserTaskAssigned || r.Intent == record.IntentUserTaskCreated) && v.Assignee != "" {
				h.Assignments = append(h.Assignments, TaskAssignment{Position: r.Position, UserTaskKey: r.Key,
					Assignee: v.Assignee, Time: time.UnixMilli(r.Timestamp).UTC(), TenantID: v.TenantID})
			}
		}
	}
	return h
}

// SequenceFlowQuerier reads the sequence flows taken in a process instance.
type SequenceFlowQuerier interface {
	// SequenceFlows returns the distinct sequence flows taken in the
	// process instance, by flow id; tenants restricts it as Query.Tenants
	// does a search (nil: every tenant).
	SequenceFlows(ctx context.Context, processInstanceKey int64, tenants []string) ([]SequenceFlow, error)
}

// CorrelatedMessageSubscriptionQuerier searches the correlations of
// messages; Query.Tenants restricts it as it does every search.
type CorrelatedMessageSubscriptionQuerier interface {
	SearchCorrelatedMessageSubscriptions(ctx context.Context, q Query) (Page[CorrelatedMessageSubscription], error)
}

// UsageQuery selects the usage metrics of a time range, both ends
// included.
type UsageQuery struct {
	From, To time.Time
	// Tenant, if set, counts that tenant only.
	Tenant string
	// Tenants restricts the counts as Query.Tenants does a search.
	Tenants []string
}

// Usage is what was used in a time range, per tenant.
type Usage struct {
	// ProcessInstances counts the root process instances started (a call
	// activity's instances are not counted).
	ProcessInstances int64
	// Assignees counts the distinct users user tasks were assigned to.
	Assignees int64
}

// UsageQuerier counts usage metrics.
type UsageQuerier interface {
	// Usage returns the usage per tenant id, with the distinct assignees
	// over all tenants (a user assigned in two tenants counts once).
	Usage(ctx context.Context, q UsageQuery) (perTenant map[string]Usage, assignees int64, err error)
}
