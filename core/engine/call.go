package engine

import (
	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
)

// calledProcess finds the definition a call activity starts, or returns a
// CALLED_ELEMENT_ERROR failure.
func (p *Processor) calledProcess(in *instance, spec *element.CallSpec) (*state.ProcessDefinition, error) {
	// The called process runs in the caller's tenant; a deployment belongs
	// to one tenant, so binding "deployment" stays in it too.
	tenant := in.def.TenantID
	var def *state.ProcessDefinition
	switch spec.BindingType {
	case "deployment":
		def = p.st.ProcessInDeployment(spec.BPMNProcessID, in.def.DeploymentKey)
	case "versionTag":
		def = p.st.ProcessWithTag(tenant, spec.BPMNProcessID, spec.VersionTag)
	default:
		def = p.st.LatestProcess(tenant, spec.BPMNProcessID)
	}
	if def == nil {
		return nil, element.Failf(record.ErrorCalledElement, "expected process with BPMN process id '%s' to be deployed%s (binding %s), but not found", spec.BPMNProcessID, inTenant(tenant), bindingName(spec))
	}
	m, err := p.st.Model(def)
	if err != nil {
		return nil, err
	}
	if p.plainStart(m.Root) == nil {
		return nil, element.Failf(record.ErrorCalledElement, "expected process '%s' to have a none start event, but it has none", spec.BPMNProcessID)
	}
	return def, nil
}

func bindingName(spec *element.CallSpec) string {
	switch spec.BindingType {
	case "", "latest":
		return "latest"
	case "versionTag":
		return "versionTag " + spec.VersionTag
	}
	return spec.BindingType
}

// callProcess starts the called process with the variables the call
// activity hands over.
func (p *Processor) callProcess(in *instance, def *state.ProcessDefinition, spec *element.CallSpec) error {
	vars := map[string]any{}
	if spec.PropagateAllParentVariables {
		vars = p.jobVariables(in.ei.Key, nil)
	} else {
		for name, v := range p.st.LocalVariables(in.ei.Key) {
			vars[name] = v.Value
		}
	}
	_, err := p.startInstance(def, nil, vars, in)
	return err
}

// calledProcessCompleted completes the call activity whose process ended,
// with the child's variables as its result when they are to be returned.
func (p *Processor) calledProcessCompleted(callKey int64, childVars map[string]any) error {
	in, err := p.instance(callKey)
	if err != nil || in == nil || in.ei.State != state.ElementActivated {
		return err
	}
	ce := in.el.CalledElement
	if len(in.el.Outputs) > 0 || ce == nil || ce.PropagateAllChildVariables {
		p.pendingVars[callKey] = childVars
	}
	p.push(step{kind: stepComplete, key: callKey})
	return nil
}
