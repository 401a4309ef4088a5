package engine

import (
	"context"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
)

// DeleteResourceRequest deletes a deployed process definition or form by
// its key. TenantID, when set, is the tenant the caller works in: a
// resource of another tenant is not found.
type DeleteResourceRequest struct {
	Key      int64
	TenantID string
}

// DeleteResource deletes a deployed resource, as Camunda's delete resource
// command does: a process definition version with no active instance, or a
// form version. New instances of a deleted definition are not found; when
// it was the latest version, the previous one becomes the latest and its
// timer and message start events open again. Versions are never reused.
func (e *Engine) DeleteResource(ctx context.Context, req DeleteResourceRequest) error {
	_, err := e.submit(ctx, &record.Record{Key: req.Key, ValueType: record.TypeResourceDeletion, Intent: record.IntentResourceDelete, Version: 1,
		Value: &record.ResourceDeletionValue{ResourceKey: req.Key, TenantID: req.TenantID}})
	return err
}

func (p *Processor) deleteResource(v *record.ResourceDeletionValue) error {
	tenant, err := requestTenant(v.TenantID)
	if err != nil {
		return err
	}
	inCallersTenant := func(owner string) bool { return v.TenantID == "" || state.TenantOrDefault(owner) == tenant }
	if def := p.st.Process(v.ResourceKey); def != nil && inCallersTenant(def.TenantID) {
		if err := p.deleteProcess(def); err != nil {
			return err
		}
	} else if f := p.st.Form(v.ResourceKey); f != nil && inCallersTenant(f.TenantID) {
		if err := p.write(f.FormKey, record.IntentFormDeleted, &record.FormValue{FormID: f.FormID, Version: f.Version, VersionTag: f.VersionTag,
			FormKey: f.FormKey, ResourceName: f.ResourceName, Checksum: f.Checksum, DeploymentKey: f.DeploymentKey, TenantID: f.TenantID}); err != nil {
			return err
		}
	} else {
		// The same answer whether the key is unknown or another tenant's.
		return reject(record.RejectionNotFound, "expected to delete resource with key '%d'%s, but no such resource was found", v.ResourceKey, inTenant(v.TenantID))
	}
	done := *v
	done.TenantID = tenant
	return p.write(v.ResourceKey, record.IntentResourceDeleted, &done)
}

// deleteProcess deletes a process definition version that has no active
// instance: its start events close, and when it was the latest version
// the previous one's open again.
func (p *Processor) deleteProcess(def *state.ProcessDefinition) error {
	if n := p.st.ActiveInstancesOf(def.ProcessDefinitionKey); n > 0 {
		return reject(record.RejectionInvalidState, "expected to delete process definition '%d' (process '%s' version %d) with no active process instance, but %d %s active",
			def.ProcessDefinitionKey, def.BPMNProcessID, def.Version, n, plural(n, "is", "are"))
	}
	// The previous version's start events are evaluated before anything
	// is written: one that cannot open refuses the deletion.
	reopen := func() error { return nil }
	if p.st.LatestProcess(def.TenantID, def.BPMNProcessID) == def {
		if prev := p.st.PreviousVersion(def); prev != nil {
			open, problem, err := p.planStartEvents(prev)
			if err != nil {
				return err
			}
			if problem != "" {
				return reject(record.RejectionInvalidState, "expected to open the start events of process '%s' version %d again, which becomes the latest, but %s",
					prev.BPMNProcessID, prev.Version, problem)
			}
			reopen = open
		}
	}
	if err := p.closeStartEvents(def); err != nil {
		return err
	}
	gone := def.ProcessValue
	gone.Resource = nil // the log has it from the creation; the row keeps it
	if err := p.write(def.ProcessDefinitionKey, record.IntentProcessDeleted, &gone); err != nil {
		return err
	}
	return reopen()
}

func plural(n int32, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
