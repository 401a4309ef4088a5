package engine

import (
	"github.com/example/wf-engine/core/model"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
)

// startEventProblem evaluates the start events of a process about to be
// deployed as openStartEvents will (at the command's time, without
// variables) and returns why one cannot open, or "". An identical
// resource (a duplicate, nothing is created) and a process that is not
// executable have nothing to check.
func (p *Processor) startEventProblem(proc *model.Process, res record.Resource, checksum, tenant string) (string, error) {
	if !proc.Executable {
		return "", nil
	}
	if latest := p.st.LatestProcess(tenant, proc.ID); latest != nil && latest.Checksum == checksum {
		return "", nil
	}
	probe := &state.ProcessDefinition{ProcessValue: record.ProcessValue{BPMNProcessID: proc.ID, Resource: res.Content, TenantID: tenant}}
	_, problem, err := p.planStartEvents(probe)
	return problem, err
}
