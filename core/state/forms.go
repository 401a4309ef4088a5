package state

import (
	"strconv"

	"github.com/example/wf-engine/core/record"
)

// forms holds the deployed forms with the indexes linked forms are
// resolved by (zeebe:formDefinition bindingType latest, deployment and
// versionTag). A deleted form leaves them all (resources.go).
type forms struct {
	byKey map[int64]*record.FormValue
	// latest, byDeployment and byTag are keyed by inTenant(tenant, form id
	// [+ \x00 deployment key or version tag]).
	latest       map[string]*record.FormValue
	byDeployment map[string]*record.FormValue
	byTag        map[string]*record.FormValue
}

func newForms() forms {
	return forms{byKey: map[int64]*record.FormValue{}, latest: map[string]*record.FormValue{},
		byDeployment: map[string]*record.FormValue{}, byTag: map[string]*record.FormValue{}}
}

// Form returns the form with the given key, or nil.
func (s *State) Form(key int64) *record.FormValue { return s.fm.byKey[key] }

// LatestForm returns the newest version of a form in a tenant, or nil.
func (s *State) LatestForm(tenantID, formID string) *record.FormValue {
	return s.fm.latest[inTenant(tenantID, formID)]
}

// DeployedForm returns the version of a form that a deployment created, or
// nil (bindingType deployment).
func (s *State) DeployedForm(tenantID, formID string, deploymentKey int64) *record.FormValue {
	return s.fm.byDeployment[inTenant(tenantID, formID+"\x00"+strconv.FormatInt(deploymentKey, 10))]
}

// TaggedForm returns the newest version of a form with a version tag, or
// nil (bindingType versionTag).
func (s *State) TaggedForm(tenantID, formID, versionTag string) *record.FormValue {
	return s.fm.byTag[inTenant(tenantID, formID+"\x00"+versionTag)]
}

// applyFormCreated adds a form version.
func applyFormCreated(s *State, r *record.Record) error {
	v := *r.Value.(*record.FormValue)
	f := &v
	s.fm.byKey[f.FormKey] = f
	noteVersion(s.dl.formVersions, inTenant(f.TenantID, f.FormID), f.Version)
	if cur := s.fm.latest[inTenant(f.TenantID, f.FormID)]; cur == nil || cur.Version < f.Version {
		s.fm.latest[inTenant(f.TenantID, f.FormID)] = f
	}
	s.fm.byDeployment[inTenant(f.TenantID, f.FormID+"\x00"+strconv.FormatInt(f.DeploymentKey, 10))] = f
	if f.VersionTag != "" {
		k := inTenant(f.TenantID, f.FormID+"\x00"+f.VersionTag)
		if cur := s.fm.byTag[k]; cur == nil || cur.Version < f.Version {
			s.fm.byTag[k] = f
		}
	}
	s.changes.forms[f.FormKey] = struct{}{}
	s.changes.dirty = true
	return nil
}
