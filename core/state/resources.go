package state

import (
	"fmt"
	"strconv"

	"github.com/example/wf-engine/core/record"
)

// deletions keeps what resource deletion needs besides the definitions:
// the highest version ever deployed of each process and form (a deleted
// version is never handed out again, as in Zeebe) and how many process
// instances of each definition are active (a definition with active
// instances is not deleted).
type deletions struct {
	// versions and formVersions are keyed by inTenant(tenant, id).
	versions     map[string]int32
	formVersions map[string]int32
	// instances counts the active process instances of each definition,
	// called ones included.
	instances map[int64]int32
}

func newDeletions() deletions {
	return deletions{versions: map[string]int32{}, formVersions: map[string]int32{}, instances: map[int64]int32{}}
}

// LastVersion returns the highest version of a process ever deployed in a
// tenant, deleted versions included; 0 when it was never deployed.
func (s *State) LastVersion(tenantID, bpmnProcessID string) int32 {
	return s.dl.versions[inTenant(tenantID, bpmnProcessID)]
}

// LastFormVersion returns the highest version of a form ever deployed in a
// tenant, deleted versions included; 0 when it was never deployed.
func (s *State) LastFormVersion(tenantID, formID string) int32 {
	return s.dl.formVersions[inTenant(tenantID, formID)]
}

// ActiveInstancesOf returns how many process instances of a definition
// are active.
func (s *State) ActiveInstancesOf(definitionKey int64) int32 { return s.dl.instances[definitionKey] }

// PreviousVersion returns the highest version of a definition's process
// in its tenant below the definition's own, or nil.
func (s *State) PreviousVersion(p *ProcessDefinition) *ProcessDefinition {
	k := inTenant(p.TenantID, p.BPMNProcessID)
	var best *ProcessDefinition
	for _, key := range sortedKeys(s.processes) {
		o := s.processes[key]
		if o.Version < p.Version && inTenant(o.TenantID, o.BPMNProcessID) == k && (best == nil || best.Version < o.Version) {
			best = o
		}
	}
	return best
}

func noteVersion(m map[string]int32, k string, version int32) {
	if m[k] < version {
		m[k] = version
	}
}

// instanceStarted and instanceGone count a definition's process instances.
func (s *State) instanceStarted(definitionKey int64) { s.dl.instances[definitionKey]++ }

func (s *State) instanceGone(definitionKey int64) {
	if n := s.dl.instances[definitionKey]; n > 1 {
		s.dl.instances[definitionKey] = n - 1
	} else {
		delete(s.dl.instances, definitionKey)
	}
}

// applyProcessDeleted removes a process definition: it is no longer found
// by key, version or as the latest version, whose place the highest
// remaining version takes. Its row stays in the store, marked deleted.
func applyProcessDeleted(s *State, r *record.Record) error {
	p := s.processes[r.Key]
	if p == nil {
		return fmt.Errorf("process definition %d does not exist", r.Key)
	}
	if n := s.dl.instances[r.Key]; n > 0 {
		return fmt.Errorf("process definition %d has %d active process instances", r.Key, n)
	}
	delete(s.processes, r.Key)
	k := inTenant(p.TenantID, p.BPMNProcessID)
	if s.latest[k] == p {
		delete(s.latest, k)
		for _, key := range sortedKeys(s.processes) {
			if o := s.processes[key]; inTenant(o.TenantID, o.BPMNProcessID) == k {
				s.indexLatest(o)
			}
		}
	}
	delete(s.changes.processes, r.Key)
	s.changes.deletedProcesses[r.Key] = p.ProcessValue
	s.changes.dirty = true
	return nil
}

// applyFormDeleted removes a form version from every index it is in; the
// highest remaining version takes its place where it was the latest.
func applyFormDeleted(s *State, r *record.Record) error {
	f := s.fm.byKey[r.Key]
	if f == nil {
		return fmt.Errorf("form %d does not exist", r.Key)
	}
	delete(s.fm.byKey, r.Key)
	latest := inTenant(f.TenantID, f.FormID)
	byDeployment := inTenant(f.TenantID, f.FormID+"\x00"+strconv.FormatInt(f.DeploymentKey, 10))
	tag := inTenant(f.TenantID, f.FormID+"\x00"+f.VersionTag)
	if s.fm.byDeployment[byDeployment] == f {
		delete(s.fm.byDeployment, byDeployment)
	}
	wasLatest := s.fm.latest[latest] == f
	wasTagged := f.VersionTag != "" && s.fm.byTag[tag] == f
	if wasLatest {
		delete(s.fm.latest, latest)
	}
	if wasTagged {
		delete(s.fm.byTag, tag)
	}
	if wasLatest || wasTagged {
		for _, key := range sortedKeys(s.fm.byKey) {
			o := s.fm.byKey[key]
			if inTenant(o.TenantID, o.FormID) != latest {
				continue
			}
			if cur := s.fm.latest[latest]; wasLatest && (cur == nil || cur.Version < o.Version) {
				s.fm.latest[latest] = o
			}
			if cur := s.fm.byTag[tag]; wasTagged && o.VersionTag == f.VersionTag && (cur == nil || cur.Version < o.Version) {
				s.fm.byTag[tag] = o
			}
		}
	}
	delete(s.changes.forms, r.Key)
	s.changes.deletedForms[r.Key] = *f
	s.changes.dirty = true
	return nil
}

// checkDeletions verifies the instance counts against the element
// instances and that no deployed version is above the highest one noted.
func (s *State) checkDeletions() error {
	want := map[int64]int32{}
	for _, k := range sortedKeys(s.elements) {
		if e := s.elements[k]; e.Value.FlowScopeKey <= 0 {
			want[e.Value.ProcessDefinitionKey]++
		}
	}
	if len(want) != len(s.dl.instances) {
		return fmt.Errorf("active instances are counted for %d definitions, but %d have some", len(s.dl.instances), len(want))
	}
	for k, n := range want {
		if s.dl.instances[k] != n {
			return fmt.Errorf("definition %d has %d active instances, but %d are counted", k, n, s.dl.instances[k])
		}
	}
	for _, k := range sortedKeys(s.processes) {
		p := s.processes[k]
		if v := s.dl.versions[inTenant(p.TenantID, p.BPMNProcessID)]; v < p.Version {
			return fmt.Errorf("process %s version %d is deployed, but the highest version noted is %d", p.BPMNProcessID, p.Version, v)
		}
	}
	for _, k := range sortedKeys(s.fm.byKey) {
		f := s.fm.byKey[k]
		if v := s.dl.formVersions[inTenant(f.TenantID, f.FormID)]; v < f.Version {
			return fmt.Errorf("form %s version %d is deployed, but the highest version noted is %d", f.FormID, f.Version, v)
		}
	}
	return nil
}

// versionsAboveLatest returns the highest versions that are above the
// latest deployed one (their versions were deleted), for the dump: a
// state without deletions dumps as it always did.
func (s *State) versionsAboveLatest() (procs, forms map[string]int32) {
	for k, v := range s.dl.versions {
		if p := s.latest[k]; p == nil || p.Version < v {
			if procs == nil {
				procs = map[string]int32{}
			}
			procs[k] = v
		}
	}
	for k, v := range s.dl.formVersions {
		if f := s.fm.latest[k]; f == nil || f.Version < v {
			if forms == nil {
				forms = map[string]int32{}
			}
			forms[k] = v
		}
	}
	return procs, forms
}
