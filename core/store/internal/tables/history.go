package tables

import (
	"encoding/json"
	"fmt"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store"
)

// The history tables (migrations postgres/0019, sqlite/0018): rows
// projected from a batch's events (store.HistoryOf), written once with the
// batch and never loaded. Their first column is the event's key or log
// position; they are upserts only so that writing a batch again is
// harmless. They stay out of State: a position is not a key, and Prepare's
// highest-key bookkeeping must not see one.
var (
	SequenceFlows = &Table{Name: "sequence_flows", Upsert: true, Columns: []Column{
		{"key", Int}, {"process_instance_key", Int}, {"element_id", Text}, {"process_definition_key", Int},
		{"bpmn_process_id", Text}, {"tenant_id", Text},
	}}
	CorrelatedMessageSubscriptions = &Table{Name: "correlated_message_subscriptions", Upsert: true, Columns: []Column{
		{"position", Int}, {"subscription_key", Int}, {"message_key", Int}, {"message_name", Text},
		{"correlation_key", Text}, {"process_instance_key", Int}, {"process_definition_key", Int},
		{"bpmn_process_id", Text}, {"element_id", Text}, {"element_instance_key", Int}, {"correlation_time", Int},
		{"tenant_id", Text},
	}}
	UserTaskAssignments = &Table{Name: "user_task_assignments", Upsert: true, Columns: []Column{
		{"position", Int}, {"user_task_key", Int}, {"assignee", Text}, {"assign_time", Int}, {"tenant_id", Text},
	}}
)

// ProcessInstanceTags holds the tags of tagged process instances as a
// JSON array (migrations postgres/0021, sqlite/0020).
var ProcessInstanceTags = &Table{Name: "process_instance_tags", Upsert: true, Columns: []Column{
	{"process_instance_key", Int}, {"tags", Text}, {"tenant_id", Text},
}}

// IncidentErrorHashes holds the hash of each incident's error message
// (migrations postgres/0022, sqlite/0021).
var IncidentErrorHashes = &Table{Name: "incident_error_hashes", Upsert: true, Columns: []Column{
	{"incident_key", Int}, {"process_instance_key", Int}, {"error_hash", Int}, {"tenant_id", Text},
}}

// History lists the history tables in the order Commit writes them.
var History = []*Table{SequenceFlows, CorrelatedMessageSubscriptions, UserTaskAssignments, ProcessInstanceTags, IncidentErrorHashes,
	IdempotencyKeys}

// EncodeHistory returns the history rows of a batch's records, one Rows
// per table that has any.
func EncodeHistory(recs []*record.Record) ([]*Rows, error) {
	h := store.HistoryOf(recs)
	var out []*Rows
	if len(h.SequenceFlows) > 0 {
		r := newRows(SequenceFlows, len(h.SequenceFlows))
		for _, f := range h.SequenceFlows {
			r.i(f.Key)
			r.i(f.ProcessInstanceKey)
			r.s(f.SequenceFlowID)
			r.i(f.ProcessDefinitionKey)
			r.s(f.ProcessDefinitionID)
			r.s(tenantOrDefault(f.TenantID))
			r.end()
		}
		out = append(out, r)
	}
	if len(h.Correlations) > 0 {
		r := newRows(CorrelatedMessageSubscriptions, len(h.Correlations))
		for _, c := range h.Correlations {
			r.i(c.Position)
			r.i(c.SubscriptionKey)
			r.i(c.MessageKey)
			r.s(c.MessageName)
			r.s(c.CorrelationKey)
			r.i(c.ProcessInstanceKey)
			r.i(c.ProcessDefinitionKey)
			r.s(c.ProcessDefinitionID)
			r.s(c.ElementID)
			r.i(c.ElementInstanceKey)
			r.i(c.CorrelationTime.UnixMilli())
			r.s(tenantOrDefault(c.TenantID))
			r.end()
		}
		out = append(out, r)
	}
	if len(h.Assignments) > 0 {
		r := newRows(UserTaskAssignments, len(h.Assignments))
		for _, a := range h.Assignments {
			r.i(a.Position)
			r.i(a.UserTaskKey)
			r.s(a.Assignee)
			r.i(a.Time.UnixMilli())
			r.s(tenantOrDefault(a.TenantID))
			r.end()
		}
		out = append(out, r)
	}
	if len(h.Tags) > 0 {
		r := newRows(ProcessInstanceTags, len(h.Tags))
		for _, t := range h.Tags {
			b, err := json.Marshal(t.Tags)
			if err != nil {
				return nil, fmt.Errorf("encode the tags of process instance %d: %w", t.ProcessInstanceKey, err)
			}
			r.i(t.ProcessInstanceKey)
			r.s(string(b))
			r.s(tenantOrDefault(t.TenantID))
			r.end()
		}
		out = append(out, r)
	}
	if len(h.IncidentHashes) > 0 {
		r := newRows(IncidentErrorHashes, len(h.IncidentHashes))
		for _, ih := range h.IncidentHashes {
			r.i(ih.IncidentKey)
			r.i(ih.ProcessInstanceKey)
			r.i(int64(ih.Hash))
			r.s(tenantOrDefault(ih.TenantID))
			r.end()
		}
		out = append(out, r)
	}
	if r := encodeIdempotencyKeys(recs); r != nil {
		out = append(out, r)
	}
	for _, r := range out {
		if err := r.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// tenantOrDefault is the tenant a row is stored under: events of the
// default tenant may carry none.
func tenantOrDefault(t string) string {
	if t == "" {
		return record.DefaultTenant
	}
	return t
}
