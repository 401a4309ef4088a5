package model

import (
	"strings"
)

// extensions reads the Zeebe extension elements of a flow node or of the
// process root. Unknown extension elements are ignored.
func (b *builder) extensions(el *Element, n *node) {
	p := b.p
	root := el == b.proc.Root
	for _, z := range zeebeElements(n) {
		switch z.local {
		case "taskDefinition":
			el.Task = b.taskDefinition(el, z)
		case "taskHeaders":
			for _, h := range zeebeChildren(z, "header") {
				el.Headers = append(el.Headers, Header{Key: h.get("key"), Value: h.get("value")})
			}
		case "ioMapping":
			for _, m := range z.children {
				if m.space != nsZeebe || (m.local != "input" && m.local != "output") {
					continue
				}
				mapping, ok := b.mapping(el, m)
				if !ok {
					continue
				}
				if m.local == "input" {
					el.Inputs = append(el.Inputs, mapping)
				} else {
					el.Outputs = append(el.Outputs, mapping)
				}
			}
		case "properties":
			for _, prop := range zeebeChildren(z, "property") {
				el.Properties = append(el.Properties, Property{Name: prop.get("name"), Value: prop.get("value")})
			}
		case "script":
			s := &Script{ResultVariable: strings.TrimSpace(z.get("resultVariable"))}
			if v := z.get("expression"); strings.TrimSpace(v) == "" {
				p.problem(z.line, el.ID, "zeebe:script expression", "missing")
			} else {
				s.Expression = p.expression(z.line, el.ID, "zeebe:script expression", v)
			}
			el.Script = s
		case "calledElement":
			el.CalledElement = b.calledElement(el, z)
		case "userTask", "assignmentDefinition", "formDefinition", "taskSchedule", "priorityDefinition":
			switch {
			case el.UserTask != nil:
				b.userTask(el, z)
			case z.local == "formDefinition" && el.Kind == KindStartEvent:
				el.StartForm = &FormDefinition{FormKey: strings.TrimSpace(z.get("formKey")), FormID: strings.TrimSpace(z.get("formId")),
					BindingType: strings.TrimSpace(z.get("bindingType")), VersionTag: strings.TrimSpace(z.get("versionTag"))}
			}
		case "calledDecision":
			el.unsupported("zeebe:calledDecision")
		case "executionListeners":
			if len(zeebeChildren(z, "executionListener")) > 0 {
				el.unsupported("zeebe:executionListeners")
			}
		case "taskListeners":
			if len(zeebeChildren(z, "taskListener")) > 0 {
				el.unsupported("zeebe:taskListeners")
			}
		case "versionTag":
			if root {
				b.proc.VersionTag = strings.TrimSpace(z.get("value"))
			}
		case "userTaskForm":
			if id := z.get("id"); root && id != "" {
				b.proc.Forms[id] = strings.TrimSpace(string(z.text))
			}
		}
	}
}

func (b *builder) taskDefinition(el *Element, z *node) *TaskDefinition {
	p := b.p
	td := &TaskDefinition{}
	if v := z.get("type"); strings.TrimSpace(v) == "" {
		p.problem(z.line, el.ID, "zeebe:taskDefinition type", "missing")
	} else {
		td.Type = p.expression(z.line, el.ID, "zeebe:taskDefinition type", v)
	}
	retries := z.get("retries")
	if strings.TrimSpace(retries) == "" {
		retries = "3"
	}
	td.Retries = p.expression(z.line, el.ID, "zeebe:taskDefinition retries", retries)
	return td
}

// mapping reads one zeebe:input or zeebe:output. It reports false when the
// mapping has no target. A source that does not compile is reported and
// left nil.
func (b *builder) mapping(el *Element, m *node) (Mapping, bool) {
	prefix := "zeebe:" + m.local
	out := Mapping{Target: strings.TrimSpace(m.get("target"))}
	if v := m.get("source"); strings.TrimSpace(v) != "" {
		out.Source = b.p.expression(m.line, el.ID, prefix+" source", v)
	}
	if out.Target == "" {
		b.p.problem(m.line, el.ID, prefix+" target", "missing")
		return out, false
	}
	return out, true
}

func (b *builder) calledElement(el *Element, z *node) *CalledElement {
	p := b.p
	ce := &CalledElement{
		PropagateAllChildVariables:  p.boolean(z, el.ID, "zeebe:calledElement propagateAllChildVariables", "propagateAllChildVariables", true),
		PropagateAllParentVariables: p.boolean(z, el.ID, "zeebe:calledElement propagateAllParentVariables", "propagateAllParentVariables", true),
		BindingType:                 strings.TrimSpace(z.get("bindingType")),
		VersionTag:                  strings.TrimSpace(z.get("versionTag")),
	}
	if ce.BindingType == "" {
		ce.BindingType = "latest"
	}
	if v := z.get("processId"); strings.TrimSpace(v) == "" {
		p.problem(z.line, el.ID, "zeebe:calledElement processId", "missing")
	} else {
		ce.ProcessID = p.expression(z.line, el.ID, "zeebe:calledElement processId", v)
	}
	return ce
}

// userTask reads one of the user task extension elements into el.UserTask.
func (b *builder) userTask(el *Element, z *node) {
	p := b.p
	ut := el.UserTask
	attr := func(local string) string { return "zeebe:" + z.local + " " + local }
	switch z.local {
	case "userTask":
		ut.Native = true
	case "assignmentDefinition":
		ut.Assignee = p.optional(z, el.ID, attr("assignee"), "assignee")
		ut.CandidateGroups = p.optional(z, el.ID, attr("candidateGroups"), "candidateGroups")
		ut.CandidateUsers = p.optional(z, el.ID, attr("candidateUsers"), "candidateUsers")
	case "formDefinition":
		ut.FormKey = strings.TrimSpace(z.get("formKey"))
		ut.FormID = strings.TrimSpace(z.get("formId"))
		ut.ExternalReference = strings.TrimSpace(z.get("externalReference"))
		ut.FormBindingType = strings.TrimSpace(z.get("bindingType"))
		ut.FormVersionTag = strings.TrimSpace(z.get("versionTag"))
	case "taskSchedule":
		ut.DueDate = p.optional(z, el.ID, attr("dueDate"), "dueDate")
		ut.FollowUpDate = p.optional(z, el.ID, attr("followUpDate"), "followUpDate")
	case "priorityDefinition":
		ut.Priority = p.optional(z, el.ID, attr("priority"), "priority")
	}
}
