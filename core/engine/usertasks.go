package engine

import (
	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
)

func (p *Processor) createUserTask(in *instance, spec *element.UserTaskSpec) error {
	v := &record.UserTaskValue{
		ElementID: in.el.ID, Name: in.el.Name, ElementInstanceKey: in.ei.Key, ProcessInstanceKey: in.ei.Value.ProcessInstanceKey,
		ProcessDefinitionKey: in.def.ProcessDefinitionKey, ProcessDefinitionVersion: in.def.Version, BPMNProcessID: in.def.BPMNProcessID,
		Assignee: spec.Assignee, CandidateGroups: nonNil(spec.CandidateGroups), CandidateUsers: nonNil(spec.CandidateUsers),
		DueDate: spec.DueDate, FollowUpDate: spec.FollowUpDate, FormKey: spec.FormKey, FormID: spec.FormID,
		ExternalFormReference: spec.ExternalFormReference, Priority: spec.Priority, CustomHeaders: spec.CustomHeaders,
		CreationTimestamp: p.cmd.Timestamp, TenantID: in.def.TenantID,
	}
	if v.CustomHeaders == nil {
		v.CustomHeaders = map[string]string{}
	}
	return p.write(p.newKey(), record.IntentUserTaskCreated, v)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (p *Processor) userTaskFor(key int64, action string) (*state.UserTask, error) {
	t := p.st.UserTask(key)
	if t == nil {
		return nil, reject(record.RejectionNotFound, "expected to %s user task with key '%d', but no such user task was found", action, key)
	}
	return t, nil
}

func (p *Processor) assignUserTask(key int64, v *record.UserTaskValue) error {
	t, err := p.userTaskFor(key, "assign")
	if err != nil {
		return err
	}
	if t.Value.Assignee != "" && v.Assignee != "" && t.Value.Assignee != v.Assignee && !v.AllowOverride {
		return reject(record.RejectionInvalidState, "expected to assign user task with key '%d' to '%s', but it is assigned to '%s' and the assignment may not override it", key, v.Assignee, t.Value.Assignee)
	}
	out := t.Value
	out.Assignee, out.Action = v.Assignee, v.Action
	return p.write(key, record.IntentUserTaskAssigned, &out)
}

func (p *Processor) updateUserTask(key int64, v *record.UserTaskValue) error {
	t, err := p.userTaskFor(key, "update")
	if err != nil {
		return err
	}
	out := t.Value
	out.Action, out.ChangedAttributes = v.Action, nil
	for _, a := range v.ChangedAttributes {
		switch a {
		case "candidateGroups":
			out.CandidateGroups = nonNil(v.CandidateGroups)
		case "candidateUsers":
			out.CandidateUsers = nonNil(v.CandidateUsers)
		case "dueDate":
			out.DueDate = v.DueDate
		case "followUpDate":
			out.FollowUpDate = v.FollowUpDate
		case "priority":
			if v.Priority < 0 || v.Priority > 100 {
				return reject(record.RejectionInvalidArgument, "expected a priority from 0 to 100, but it is %d", v.Priority)
			}
			out.Priority = v.Priority
		default:
			return reject(record.RejectionInvalidArgument, "user task attribute '%s' cannot be updated", a)
		}
		out.ChangedAttributes = append(out.ChangedAttributes, a)
	}
	return p.write(key, record.IntentUserTaskUpdated, &out)
}

func (p *Processor) completeUserTask(key int64, v *record.UserTaskValue) error {
	t, err := p.userTaskFor(key, "complete")
	if err != nil {
		return err
	}
	in, err := p.instance(t.Value.ElementInstanceKey)
	if err != nil {
		return err
	}
	if in == nil || in.ei.State != state.ElementActivated {
		return reject(record.RejectionInvalidState, "expected to complete user task with key '%d', but its element instance is not active", key)
	}
	out := t.Value
	out.Variables, out.Action, out.CompletionTimestamp = v.Variables, v.Action, p.cmd.Timestamp
	if err := p.write(key, record.IntentUserTaskCompleted, &out); err != nil {
		return err
	}
	if len(v.Variables) > 0 {
		p.pendingVars[in.ei.Key] = v.Variables
	}
	p.push(step{kind: stepComplete, key: in.ei.Key})
	return nil
}
