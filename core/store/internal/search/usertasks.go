package search

import (
	"encoding/json"
	"fmt"

	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/internal/tables"
)

// userTaskStates are Camunda's; the kernel's tasks are CREATED, COMPLETED
// or CANCELED, the others match nothing yet.
var userTaskStates = []string{"CREATING", "CREATED", "ASSIGNING", "UPDATING", "COMPLETING", "COMPLETED", "CANCELING", "CANCELED", "FAILED"}

// UserTasks are the Camunda user tasks, finished ones included.
var UserTasks = (&Entity[store.UserTask]{
	Name: "user tasks",
	From: "user_tasks",
	Columns: "key, state, assignee, candidate_groups, candidate_users, process_instance_key, process_definition_key, " +
		"bpmn_process_id, process_definition_version, element_id, element_instance_key, priority, form_key, form_id, " +
		"external_form_reference, custom_headers, creation_time, due_date, follow_up_date, tenant_id, completion_time, name",
	Scan: func(scan func(...any) error) (store.UserTask, error) {
		var r store.UserTask
		var groups, users, headers string
		var created, completed int64
		if err := scan(&r.UserTaskKey, &r.State, &r.Assignee, &groups, &users, &r.ProcessInstanceKey, &r.ProcessDefinitionKey,
			&r.ProcessDefinitionID, &r.ProcessDefinitionVer, &r.ElementID, &r.ElementInstanceKey, &r.Priority, &r.FormKey,
			&r.FormID, &r.ExternalFormReference, &headers, &created, &r.DueDate, &r.FollowUpDate, &r.TenantID, &completed, &r.Name); err != nil {
			return r, err
		}
		r.CreationDate, r.CompletionDate = store.Millis(created), store.Millis(completed)
		for _, f := range []struct {
			text string
			into any
		}{{groups, &r.CandidateGroups}, {users, &r.CandidateUsers}, {headers, &r.CustomHeaders}} {
			if err := json.Unmarshal([]byte(f.text), f.into); err != nil {
				return r, fmt.Errorf("decode user task %d: %w", r.UserTaskKey, err)
			}
		}
		return r, nil
	},
	Key: "userTaskKey",
	Fields: []*Field[store.UserTask]{
		{Name: "userTaskKey", Kind: KindKey, Expr: "key", Get: func(r *store.UserTask) any { return r.UserTaskKey }},
		{Name: "state", Kind: KindState, Expr: "state", Enum: userTaskStates, Get: func(r *store.UserTask) any { return r.State }},
		{Name: "assignee", Kind: KindString, Expr: "assignee", Optional: true, Get: func(r *store.UserTask) any { return r.Assignee }},
		{Name: "candidateGroup", Kind: KindList, Expr: "candidate_groups", Get: func(r *store.UserTask) any { return r.CandidateGroups }},
		{Name: "candidateUser", Kind: KindList, Expr: "candidate_users", Get: func(r *store.UserTask) any { return r.CandidateUsers }},
		{Name: "processInstanceKey", Kind: KindKey, Expr: "process_instance_key", Get: func(r *store.UserTask) any { return r.ProcessInstanceKey }},
		{Name: "processDefinitionKey", Kind: KindKey, Expr: "process_definition_key", Get: func(r *store.UserTask) any { return r.ProcessDefinitionKey }},
		{Name: "processDefinitionId", Kind: KindString, Expr: "bpmn_process_id", Get: func(r *store.UserTask) any { return r.ProcessDefinitionID }},
		{Name: "name", Kind: KindString, Expr: "name", Optional: true, Get: func(r *store.UserTask) any { return r.Name }},
		{Name: "elementId", Kind: KindString, Expr: "element_id", Get: func(r *store.UserTask) any { return r.ElementID }},
		{Name: "elementInstanceKey", Kind: KindKey, Expr: "element_instance_key", Get: func(r *store.UserTask) any { return r.ElementInstanceKey }},
		{Name: "priority", Kind: KindInt, Expr: "priority", Get: func(r *store.UserTask) any { return int64(r.Priority) }},
		{Name: "creationDate", Kind: KindDate, Expr: "creation_time", Get: func(r *store.UserTask) any { return ms(r.CreationDate, r.CreationDate.IsZero()) }},
		{Name: "completionDate", Kind: KindDate, Expr: "completion_time", Optional: true, Get: func(r *store.UserTask) any { return ms(r.CompletionDate, r.CompletionDate.IsZero()) }},
		{Name: "dueDate", Kind: KindDate, Expr: "due_time", Optional: true, Get: func(r *store.UserTask) any { return tables.ISOMillis(r.DueDate) }},
		{Name: "followUpDate", Kind: KindDate, Expr: "follow_up_time", Optional: true, Get: func(r *store.UserTask) any { return tables.ISOMillis(r.FollowUpDate) }},
		{Name: "tenantId", Kind: KindString, Expr: "tenant_id", Get: func(r *store.UserTask) any { return r.TenantID }},
	},
	Variables: map[store.VariableScope]*VarLink[store.UserTask]{
		store.VariablesOfProcess: {Column: "scope_key", Outer: "user_tasks.process_instance_key",
			Key: func(r *store.UserTask) int64 { return r.ProcessInstanceKey }},
		store.VariablesLocal: {Column: "scope_key", Outer: "user_tasks.element_instance_key",
			Key: func(r *store.UserTask) int64 { return r.ElementInstanceKey }},
	},
}).index()
