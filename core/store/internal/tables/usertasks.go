package tables

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
)

// UserTasks holds Camunda user tasks; live is 1 while a task is open.
var UserTasks = &Table{Name: "user_tasks", Upsert: true, Columns: []Column{
	{"key", Int}, {"live", Int}, {"lifecycle", Int}, {"state", Text}, {"element_id", Text}, {"element_instance_key", Int},
	{"process_instance_key", Int}, {"process_definition_key", Int}, {"process_definition_version", Int},
	{"bpmn_process_id", Text}, {"assignee", Text}, {"candidate_groups", Text}, {"candidate_users", Text},
	{"due_date", Text}, {"due_time", Int}, {"follow_up_date", Text}, {"follow_up_time", Int}, {"form_key", Text},
	{"form_id", Text}, {"external_form_reference", Text}, {"priority", Int}, {"custom_headers", Text},
	{"variables", Text}, {"action", Text}, {"changed_attributes", Text}, {"allow_override", Int},
	{"creation_time", Int}, {"tenant_id", Text}, {"completion_time", Int}, {"name", Text},
}}

// LoadUserTasks reads the open user tasks in key order.
var LoadUserTasks = UserTasks.Select("WHERE live = 1 ORDER BY key")

// ISOMillis returns an RFC 3339 date as Unix ms, or 0 when s is empty or
// not such a date: how due and follow-up dates are filtered and sorted.
func ISOMillis(s string) int64 {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0
	}
	return t.UnixMilli()
}

func userTaskRows(us []state.UserTaskRow) (*Rows, error) {
	us = lastOfEachKey(us, func(u *state.UserTaskRow) int64 { return u.Key })
	r := newRows(UserTasks, len(us))
	for i := range us {
		u := &us[i]
		v := &u.Value
		var texts [6]string
		for k, doc := range []any{v.CandidateGroups, v.CandidateUsers, v.CustomHeaders, v.Variables, v.ChangedAttributes} {
			s, err := store.EncodeJSON(doc)
			if err != nil {
				return nil, fmt.Errorf("encode user task %d: %w", u.Key, err)
			}
			texts[k] = s
		}
		r.i(u.Key)
		r.i(flag(u.Live))
		r.i(int64(u.State))
		r.s(u.State.String())
		r.s(v.ElementID)
		r.i(v.ElementInstanceKey)
		r.i(v.ProcessInstanceKey)
		r.i(v.ProcessDefinitionKey)
		r.i(int64(v.ProcessDefinitionVersion))
		r.s(v.BPMNProcessID)
		r.s(v.Assignee)
		r.s(texts[0])
		r.s(texts[1])
		r.s(v.DueDate)
		r.i(ISOMillis(v.DueDate))
		r.s(v.FollowUpDate)
		r.i(ISOMillis(v.FollowUpDate))
		r.s(v.FormKey)
		r.s(v.FormID)
		r.s(v.ExternalFormReference)
		r.i(int64(v.Priority))
		r.s(texts[2])
		r.s(texts[3])
		r.s(v.Action)
		r.s(texts[4])
		r.i(flag(v.AllowOverride))
		r.i(v.CreationTimestamp)
		r.s(v.TenantID)
		r.i(v.CompletionTimestamp)
		r.s(v.Name)
		r.end()
	}
	return r, nil
}

// ScanUserTask reads a user_tasks row.
func ScanUserTask(scan Scan) (state.UserTask, error) {
	var u state.UserTask
	v := &u.Value
	var live, lifecycle, version, dueTime, followTime, priority, override int64
	var stateName, groups, users, headers, vars, changed string
	if err := scan(&u.Key, &live, &lifecycle, &stateName, &v.ElementID, &v.ElementInstanceKey, &v.ProcessInstanceKey,
		&v.ProcessDefinitionKey, &version, &v.BPMNProcessID, &v.Assignee, &groups, &users, &v.DueDate, &dueTime,
		&v.FollowUpDate, &followTime, &v.FormKey, &v.FormID, &v.ExternalFormReference, &priority, &headers, &vars,
		&v.Action, &changed, &override, &v.CreationTimestamp, &v.TenantID, &v.CompletionTimestamp, &v.Name); err != nil {
		return u, fmt.Errorf("read user task: %w", err)
	}
	var err error
	u.State = narrow[state.UserTaskState](lifecycle, "state", &err)
	v.ProcessDefinitionVersion = narrow[int32](version, "process definition version", &err)
	v.Priority = narrow[int32](priority, "priority", &err)
	v.AllowOverride = override != 0
	if err != nil {
		return u, fmt.Errorf("read user task %d: %w", u.Key, err)
	}
	for _, f := range []struct {
		text string
		into any
	}{{groups, &v.CandidateGroups}, {users, &v.CandidateUsers}, {headers, &v.CustomHeaders}, {vars, &v.Variables}, {changed, &v.ChangedAttributes}} {
		if err := json.Unmarshal([]byte(f.text), f.into); err != nil {
			return u, fmt.Errorf("decode user task %d: %w", u.Key, err)
		}
	}
	return u, nil
}
