package engine

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/model"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
)

// Deployment is the answer to a deployment command.
type Deployment struct {
	Key       int64
	Processes []record.ProcessMetadata
	Forms     []record.FormMetadata
}

func (p *Processor) deploy(v *record.DeploymentValue) (*Deployment, error) {
	if len(v.Resources) == 0 {
		return nil, reject(record.RejectionInvalidArgument, "expected at least one resource to deploy, but none was given")
	}
	tenant, err := requestTenant(v.TenantID)
	if err != nil {
		return nil, err
	}
	type parsed struct {
		res      record.Resource
		defs     *model.Definitions
		checksum string
	}
	var all []parsed
	var forms []parsedForm
	var problems []string
	formIDs := map[string]string{}
	for i, res := range v.Resources {
		if IsForm(res.Name) {
			f, err := parseForm(res)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s: %v", res.Name, err))
				continue
			}
			if other, dup := formIDs[f.id]; dup {
				problems = append(problems, fmt.Sprintf("%s: form '%s' is in both %s and %s", res.Name, f.id, other, res.Name))
				continue
			}
			formIDs[f.id] = res.Name
			forms = append(forms, f)
			continue
		}
		var c checkedResource
		if i < len(p.checked) && len(res.Content) > 0 && len(p.checked[i].content) == len(res.Content) && &p.checked[i].content[0] == &res.Content[0] {
			c = p.checked[i] // parsed and validated off the loop
		} else {
			c = checkResource(p.reg, res.Content)
		}
		defs, checks, parseErr := c.defs, c.checks, c.parseErr
		if defs != nil && len(defs.Processes) > p.limits.MaxProcessesPerResource {
			problems = append(problems, fmt.Sprintf("%s: expected at most %d processes in one resource (limit engine.max_processes_per_resource), but it holds %d",
				res.Name, p.limits.MaxProcessesPerResource, len(defs.Processes)))
			continue
		}
		if parseErr != nil {
			var ps model.Problems
			if errors.As(parseErr, &ps) {
				for _, pr := range ps {
					problems = append(problems, fmt.Sprintf("%s: %s", res.Name, pr.String()))
				}
			} else {
				problems = append(problems, fmt.Sprintf("%s: %v", res.Name, parseErr))
			}
		}
		for _, pr := range checks {
			problems = append(problems, fmt.Sprintf("%s: %s", res.Name, pr))
		}
		if parseErr != nil || len(checks) > 0 {
			continue
		}
		sum := sha256.Sum256(res.Content)
		all = append(all, parsed{res: res, defs: defs, checksum: hex.EncodeToString(sum[:])})
	}
	if len(problems) > 0 {
		return nil, reject(record.RejectionInvalidArgument, "the deployment is invalid:\n%s", strings.Join(problems, "\n"))
	}
	seen := map[string]string{}
	for _, pr := range all {
		for _, proc := range pr.defs.Processes {
			if !proc.Executable {
				continue
			}
			if other, dup := seen[proc.ID]; dup {
				return nil, reject(record.RejectionInvalidArgument, "the deployment is invalid: process '%s' is in both %s and %s", proc.ID, other, pr.res.Name)
			}
			seen[proc.ID] = pr.res.Name
		}
	}
	// A new definition's start events open as it is created: one that
	// cannot (a timer or a message name that does not evaluate) rejects
	// the deployment before anything is written.
	for _, pr := range all {
		for _, proc := range pr.defs.Processes {
			problem, err := p.startEventProblem(proc, pr.res, pr.checksum, tenant)
			if err != nil {
				return nil, err
			}
			if problem != "" {
				problems = append(problems, fmt.Sprintf("%s: %s", pr.res.Name, problem))
			}
		}
	}
	if len(problems) > 0 {
		return nil, reject(record.RejectionInvalidArgument, "the deployment is invalid:\n%s", strings.Join(problems, "\n"))
	}
	out := &Deployment{Key: p.newKey()}
	for _, pr := range all {
		for _, proc := range pr.defs.Processes {
			if !proc.Executable {
				continue
			}
			meta := record.ProcessMetadata{BPMNProcessID: proc.ID, VersionTag: proc.VersionTag, ResourceName: pr.res.Name, Checksum: pr.checksum, TenantID: tenant}
			latest := p.st.LatestProcess(tenant, proc.ID)
			if latest != nil && latest.Checksum == pr.checksum {
				meta.Version, meta.ProcessDefinitionKey, meta.Duplicate = latest.Version, latest.ProcessDefinitionKey, true
				out.Processes = append(out.Processes, meta)
				continue
			}
			// Versions of deleted definitions are not handed out again.
			meta.Version = p.st.LastVersion(tenant, proc.ID) + 1
			meta.ProcessDefinitionKey = p.newKey()
			pv := &record.ProcessValue{
				BPMNProcessID: proc.ID, Name: proc.Name, Version: meta.Version, VersionTag: proc.VersionTag,
				ProcessDefinitionKey: meta.ProcessDefinitionKey, ResourceName: pr.res.Name, Resource: pr.res.Content,
				Checksum: pr.checksum, DeploymentKey: out.Key, TenantID: tenant,
			}
			if err := p.write(meta.ProcessDefinitionKey, record.IntentProcessCreated, pv); err != nil {
				return nil, err
			}
			if err := p.openStartEvents(p.st.Process(meta.ProcessDefinitionKey), latest); err != nil {
				return nil, err
			}
			out.Processes = append(out.Processes, meta)
		}
	}
	created := false
	for _, m := range out.Processes {
		created = created || !m.Duplicate
	}
	if out.Forms, err = p.deployForms(forms, tenant, out.Key, created); err != nil {
		return nil, err
	}
	done := &record.DeploymentValue{Resources: v.Resources, Processes: out.Processes, Forms: out.Forms, TenantID: tenant}
	if err := p.write(out.Key, record.IntentDeploymentCreated, done); err != nil {
		return nil, err
	}
	return out, nil
}

// checkedResource is one resource parsed and checked by CheckResource.
type checkedResource struct {
	content  []byte // the resource checked (the same slice the command carries)
	defs     *model.Definitions
	checks   []string
	parseErr error
}

func checkResource(reg *element.Registry, content []byte) checkedResource {
	defs, checks, parseErr := CheckResource(reg, content)
	return checkedResource{content: content, defs: defs, checks: checks, parseErr: parseErr}
}

// CheckResource parses one BPMN resource and checks it as a deployment
// does. parseErr is the parser's error: model.Problems when the file was
// readable enough to list its problems, in which case defs is the partial
// model. checks are the element handlers' problems in document order
// ("line N: element 'id': ..."), leaving out the elements the parser already
// complained about. The resource deploys when both are empty.
func CheckResource(reg *element.Registry, content []byte) (defs *model.Definitions, checks []string, parseErr error) {
	defs, parseErr = model.Parse(bytes.NewReader(content))
	if defs == nil {
		return nil, nil, parseErr
	}
	reported := map[string]bool{}
	var ps model.Problems
	if errors.As(parseErr, &ps) {
		for _, pr := range ps {
			reported[pr.ElementID] = true
		}
	}
	return defs, validate(reg, defs, reported), parseErr
}

// validate is Validate leaving out the elements in skip and those whose
// outgoing flows are in skip.
func validate(reg *element.Registry, defs *model.Definitions, skip map[string]bool) []string {
	var problems []string
	for _, proc := range defs.Processes {
		if !proc.Executable {
			continue
		}
		problems = append(problems, validateElement(reg, proc.Root)...)
		ids := make([]*model.Element, 0, len(proc.Elements))
		for _, el := range proc.Elements {
			ids = append(ids, el)
		}
		sort.Slice(ids, func(i, j int) bool {
			if ids[i].Line != ids[j].Line {
				return ids[i].Line < ids[j].Line
			}
			return ids[i].ID < ids[j].ID
		})
		for _, el := range ids {
			if skip[el.ID] || touches(el, skip) {
				continue
			}
			problems = append(problems, validateElement(reg, el)...)
		}
		problems = append(problems, checkConditions(proc, skip)...)
	}
	return problems
}

// checkConditions checks the constant conditions of a process's sequence
// flows (element.CheckCondition), in document order.
func checkConditions(proc *model.Process, skip map[string]bool) []string {
	flows := make([]*model.SequenceFlow, 0, len(proc.Flows))
	for _, f := range proc.Flows {
		if f.Condition != nil && !skip[f.ID] {
			flows = append(flows, f)
		}
	}
	sort.Slice(flows, func(i, j int) bool {
		if flows[i].Line != flows[j].Line {
			return flows[i].Line < flows[j].Line
		}
		return flows[i].ID < flows[j].ID
	})
	var out []string
	for _, f := range flows {
		if pr := element.CheckCondition(f); pr != nil {
			out = append(out, fmt.Sprintf("line %d: element '%s': attribute '%s': %s", f.Line, f.ID, pr.Attribute, pr.Msg))
		}
	}
	return out
}

func touches(el *model.Element, skip map[string]bool) bool {
	for _, f := range el.Outgoing {
		if skip[f.ID] {
			return true
		}
	}
	return false
}

func validateElement(reg *element.Registry, el *model.Element) []string {
	where := fmt.Sprintf("line %d: ", el.Line)
	if el.Line == 0 {
		where = ""
	}
	var out []string
	h, ok := reg.Handler(el.Kind)
	if !ok {
		return []string{fmt.Sprintf("%sunsupported element %s '%s'", where, el.Kind, el.ID)}
	}
	for _, f := range el.Unsupported {
		out = append(out, fmt.Sprintf("%selement '%s': unsupported %s", where, el.ID, f))
	}
	for _, pr := range h.Validate(el) {
		if pr.Attribute != "" {
			out = append(out, fmt.Sprintf("%selement '%s': attribute '%s': %s", where, el.ID, pr.Attribute, pr.Msg))
		} else {
			out = append(out, fmt.Sprintf("%selement '%s': %s", where, el.ID, pr.Msg))
		}
	}
	return out
}

// CreatedInstance is the answer to a create-instance command.
type CreatedInstance struct {
	ProcessInstanceKey   int64
	ProcessDefinitionKey int64
	BPMNProcessID        string
	Version              int32
	TenantID             string
	// End is set when the instance ended within the creation command: its
	// final variables, for an awaiting caller.
	End *InstanceEnd
	// Ended, with CreateInstanceRequest.AwaitEnd and no End, receives the
	// instance's end once committed; StopAwaiting stops watching it.
	Ended        <-chan InstanceEnd `json:"-"`
	StopAwaiting func()             `json:"-"`
}

func (p *Processor) createInstance(v *record.ProcessInstanceCreationValue) (*CreatedInstance, error) {
	def, err := p.findProcess(v)
	if err != nil {
		return nil, err
	}
	m, err := p.st.Model(def)
	if err != nil {
		return nil, err
	}
	if p.plainStart(m.Root) == nil {
		return nil, reject(record.RejectionInvalidState, "expected process '%s' to have a none start event, but it has none", def.BPMNProcessID)
	}
	ci, err := p.startInstance(def, nil, v.Variables, nil)
	if err == nil {
		p.ends.created = ci.ProcessInstanceKey
	}
	return ci, err
}

// plainStart is the start event a plain creation of root's process starts
// at (element.Starter), or nil.
func (p *Processor) plainStart(root *model.Element) *model.Element {
	h, ok := p.reg.Handler(root.Kind)
	if !ok {
		return nil
	}
	s, ok := h.(element.Starter)
	if !ok {
		return nil
	}
	return s.PlainStart(root)
}

// startInstance creates an instance of def: at start (a timer or message
// start event), or at the none start event when start is nil.
func (p *Processor) startInstance(def *state.ProcessDefinition, start *model.Element, vars map[string]any, parent *instance) (*CreatedInstance, error) {
	pi := p.newKey()
	root := &record.ProcessInstanceValue{
		BPMNProcessID: def.BPMNProcessID, Version: def.Version, ProcessDefinitionKey: def.ProcessDefinitionKey,
		ProcessInstanceKey: pi, ElementID: def.BPMNProcessID, BPMNElementType: model.ElementTypeProcess, FlowScopeKey: -1,
		ParentProcessInstanceKey: -1, ParentElementInstanceKey: -1, TenantID: def.TenantID,
	}
	if parent != nil {
		root.ParentProcessInstanceKey, root.ParentElementInstanceKey = parent.ei.Value.ProcessInstanceKey, parent.ei.Key
	}
	if err := p.write(pi, record.IntentElementActivating, root); err != nil {
		return nil, err
	}
	if err := p.setLocals(p.st.Element(pi), vars); err != nil {
		return nil, err
	}
	created := &record.ProcessInstanceCreationValue{
		BPMNProcessID: def.BPMNProcessID, Version: def.Version, ProcessDefinitionKey: def.ProcessDefinitionKey,
		ProcessInstanceKey: pi, Variables: vars, TenantID: def.TenantID, TraceParent: p.traceParentOf(parent),
	}
	if err := p.write(pi, record.IntentProcessInstanceCreated, created); err != nil {
		return nil, err
	}
	if start != nil {
		p.startAt[pi] = start
	}
	p.push(step{kind: stepActivate, key: pi})
	return &CreatedInstance{ProcessInstanceKey: pi, ProcessDefinitionKey: def.ProcessDefinitionKey, BPMNProcessID: def.BPMNProcessID, Version: def.Version, TenantID: def.TenantID}, nil
}

// findProcess finds the definition an instance is created of. By process id
// it looks only in the command's tenant (none named: the default tenant); by
// key, a definition of another tenant than the one the command names is not
// found, as in Camunda.
func (p *Processor) findProcess(v *record.ProcessInstanceCreationValue) (*state.ProcessDefinition, error) {
	tenant, err := requestTenant(v.TenantID)
	if err != nil {
		return nil, err
	}
	switch {
	case v.ProcessDefinitionKey > 0:
		def := p.st.Process(v.ProcessDefinitionKey)
		if def != nil && (v.TenantID == "" || state.TenantOrDefault(def.TenantID) == tenant) {
			return def, nil
		}
		// The same answer whether the key is unknown or another tenant's.
		return nil, reject(record.RejectionNotFound, "expected to find process definition with key '%d'%s, but none found", v.ProcessDefinitionKey, inTenant(v.TenantID))
	case v.BPMNProcessID == "":
		return nil, reject(record.RejectionInvalidArgument, "expected either a process definition key or a process id, but neither was given")
	case v.Version > 0:
		if def := p.st.ProcessVersion(tenant, v.BPMNProcessID, v.Version); def != nil {
			return def, nil
		}
		return nil, reject(record.RejectionNotFound, "expected to find process definition with process id '%s' and version '%d'%s, but none found", v.BPMNProcessID, v.Version, inTenant(tenant))
	default:
		if def := p.st.LatestProcess(tenant, v.BPMNProcessID); def != nil {
			return def, nil
		}
		return nil, reject(record.RejectionNotFound, "expected to find process definition with process id '%s'%s, but none found", v.BPMNProcessID, inTenant(tenant))
	}
}

func (p *Processor) cancelInstance(key int64) error {
	ei := p.st.Element(key)
	if ei == nil || ei.Value.FlowScopeKey > 0 || ei.Key != ei.Value.ProcessInstanceKey {
		return reject(record.RejectionNotFound, "expected to cancel a process instance with key '%d', but no such process instance was found", key)
	}
	if ei.Value.ParentProcessInstanceKey > 0 {
		return reject(record.RejectionInvalidState, "expected to cancel a root process instance, but '%d' was called by process instance '%d': cancel that one", key, ei.Value.ParentProcessInstanceKey)
	}
	if ei.State == state.ElementTerminating {
		return reject(record.RejectionInvalidState, "expected to cancel process instance '%d', but it is already being terminated", key)
	}
	p.push(step{kind: stepTerminate, key: key})
	return nil
}

func (p *Processor) resolveIncident(key int64) error {
	inc := p.st.Incident(key)
	if inc == nil {
		return reject(record.RejectionNotFound, "expected to resolve incident with key '%d', but no such incident was found", key)
	}
	if inc.Value.JobKey != 0 {
		if j := p.st.Job(inc.Value.JobKey); j != nil && j.Value.Retries <= 0 {
			return reject(record.RejectionInvalidState, "expected to resolve incident with key '%d', but job '%d' has no retries left: update its retries first", key, j.Key)
		}
	}
	v := inc.Value
	if err := p.write(key, record.IntentIncidentResolved, &v); err != nil {
		return err
	}
	if inc.Value.JobKey != 0 {
		return nil
	}
	ei := p.st.Element(inc.Value.ElementInstanceKey)
	if ei == nil {
		return nil
	}
	switch ei.State {
	case state.ElementActivating:
		p.push(step{kind: stepActivate, key: ei.Key})
	case state.ElementCompleting:
		p.push(step{kind: stepComplete, key: ei.Key})
	case state.ElementActivated:
		if in, err := p.instance(ei.Key); err == nil && in != nil {
			if _, ok := in.handler.(element.Container); ok {
				p.push(step{kind: stepChildCompleted, key: ei.Key})
			}
		}
	}
	return nil
}
