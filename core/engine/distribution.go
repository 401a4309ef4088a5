package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
)

// Distribution: definitions and tenants are deployed and managed on
// partition 1 and reach every other partition as commands in that
// partition's own log (docs/scaling.md, "Cluster-wide state"):
//
//   - a process definition or form as PROCESS DISTRIBUTE / FORM DISTRIBUTE,
//     carrying the value partition 1 created, key included, so that every
//     partition holds the same definitions under the same keys. Its start
//     events stay with partition 1: timer and signal start events fire
//     there only, and message start events are found there (Router).
//   - a tenant or a membership that partition 1 created as TENANT
//     DISTRIBUTE / TENANT ENTITY_DISTRIBUTE, with partition 1's key, so
//     that its rows are partition 1's everywhere (a partition writes only
//     the rows of its own keys); a changed name, a deleted tenant or a
//     removed member as the ordinary tenant command, which names the row by
//     that key.
//
// The router compares each partition with partition 1 and sends what it
// lacks, after every deployment and tenant command and when it starts, so
// that a distribution a crash cut off (partition 1 committed, another
// partition did not) is made up at the next start. Sending one twice is
// harmless: a partition that has the key already writes nothing.

// distributeProcess handles PROCESS DISTRIBUTE: the definition is created
// under its key unless the partition has it.
func (p *Processor) distributeProcess(v *record.ProcessValue) error {
	if v.ProcessDefinitionKey == 0 || v.BPMNProcessID == "" {
		return reject(record.RejectionInvalidArgument, "expected a process definition with a key and a process id to distribute, but key is %d and id '%s'",
			v.ProcessDefinitionKey, v.BPMNProcessID)
	}
	if p.st.Process(v.ProcessDefinitionKey) != nil {
		return nil
	}
	previous := p.st.LatestProcess(v.TenantID, v.BPMNProcessID)
	out := *v
	if err := p.write(out.ProcessDefinitionKey, record.IntentProcessCreated, &out); err != nil {
		return err
	}
	return p.distributeStarts(p.st.Process(out.ProcessDefinitionKey), previous)
}

// distributeForm handles FORM DISTRIBUTE: the form is created under its key
// unless the partition has it.
func (p *Processor) distributeForm(v *record.FormValue) error {
	if v.FormKey == 0 || v.FormID == "" {
		return reject(record.RejectionInvalidArgument, "expected a form with a key and a form id to distribute, but key is %d and id '%s'", v.FormKey, v.FormID)
	}
	if p.st.Form(v.FormKey) != nil {
		return nil
	}
	out := *v
	return p.write(out.FormKey, record.IntentFormCreated, &out)
}

// distributeTenant handles TENANT DISTRIBUTE: the tenant is created under
// its key unless the partition has it.
func (p *Processor) distributeTenant(v *record.TenantValue) error {
	if v.TenantKey == 0 || v.TenantID == "" || v.TenantID == record.DefaultTenant {
		return reject(record.RejectionInvalidArgument, "expected a tenant with a key and an id other than the default tenant's to distribute, but key is %d and id '%s'",
			v.TenantKey, v.TenantID)
	}
	if p.st.Tenant(v.TenantID) != nil {
		return nil
	}
	return p.write(v.TenantKey, record.IntentTenantCreated, &record.TenantValue{TenantKey: v.TenantKey, TenantID: v.TenantID, Name: v.Name, Description: v.Description})
}

// distributeTenantMember handles TENANT ENTITY_DISTRIBUTE: the membership
// is added under key unless the partition has it.
func (p *Processor) distributeTenantMember(key int64, v *record.TenantValue) error {
	if key == 0 {
		return reject(record.RejectionInvalidArgument, "expected a membership key to distribute, but it is 0")
	}
	t := p.st.Tenant(v.TenantID)
	if t == nil {
		return reject(record.RejectionNotFound, "expected to distribute a member of tenant with id '%s', but no tenant with this id exists", v.TenantID)
	}
	if p.st.TenantMember(v.TenantID, v.EntityType, v.EntityID) != nil {
		return nil
	}
	return p.write(key, record.IntentTenantEntityAdded,
		&record.TenantValue{TenantKey: t.Key, TenantID: v.TenantID, EntityType: v.EntityType, EntityID: v.EntityID})
}

// clusterState is what partition 1 holds of the cluster-wide state, or
// what another partition has of it.
type clusterState struct {
	processes []record.ProcessValue // in key order
	forms     []record.FormValue    // in key order
	tenants   []record.TenantValue  // in id order, the default tenant left out
	members   []state.TenantMember  // by tenant, then entity type and id
}

// readClusterState copies st's cluster-wide state.
func readClusterState(st *state.State) clusterState {
	var c clusterState
	for _, k := range st.ProcessKeys() {
		c.processes = append(c.processes, st.Process(k).ProcessValue)
	}
	for _, k := range st.FormKeys() {
		c.forms = append(c.forms, *st.Form(k))
	}
	for _, t := range st.Tenants() {
		if t.Value.TenantID != record.DefaultTenant {
			v := t.Value
			v.TenantKey = t.Key
			c.tenants = append(c.tenants, v)
		}
		for _, m := range st.TenantMembers(t.Value.TenantID) {
			c.members = append(c.members, *m)
		}
	}
	return c
}

type memberOf struct{ tenant, entityType, entityID string }

// distributeTo sends partition e what it lacks of want (partition 1's
// cluster-wide state) and undoes what it has that want has not (a tenant
// deleted, a member removed), one command at a time in want's order.
func distributeTo(ctx context.Context, e *Engine, want clusterState) error {
	var have clusterState
	if err := e.Read(ctx, func(st *state.State) { have = readClusterState(st) }); err != nil {
		return fmt.Errorf("read partition %d: %w", e.cfg.Partition, err)
	}
	send := func(cmd *record.Record) error {
		_, err := e.submit(ctx, cmd)
		return err
	}
	var errs []error
	keep := func(what string, err error) {
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", what, err))
		}
	}
	haveTenants := map[string]record.TenantValue{}
	for _, t := range have.tenants {
		haveTenants[t.TenantID] = t
	}
	wantTenants := map[string]bool{}
	for i := range want.tenants {
		t := want.tenants[i]
		wantTenants[t.TenantID] = true
		h, ok := haveTenants[t.TenantID]
		switch {
		case !ok:
			keep("distribute tenant "+t.TenantID,
				send(&record.Record{Key: t.TenantKey, ValueType: record.TypeTenant, Intent: record.IntentTenantDistribute, Version: 1, Value: &t}))
		case h.Name != t.Name || h.Description != t.Description:
			keep("update tenant "+t.TenantID, e.UpdateTenant(ctx, TenantRequest{TenantID: t.TenantID, Name: t.Name, Description: t.Description}))
		}
	}
	haveMembers := map[memberOf]bool{}
	for _, m := range have.members {
		haveMembers[memberOf{m.Value.TenantID, m.Value.EntityType, m.Value.EntityID}] = true
	}
	wantMembers := map[memberOf]bool{}
	for _, m := range want.members {
		v := m.Value
		id := memberOf{v.TenantID, v.EntityType, v.EntityID}
		wantMembers[id] = true
		if !haveMembers[id] {
			keep("distribute member "+v.EntityID+" of tenant "+v.TenantID,
				send(&record.Record{Key: m.Key, ValueType: record.TypeTenant, Intent: record.IntentTenantEntityDistribute, Version: 1, Value: &v}))
		}
	}
	for _, m := range have.members {
		v := m.Value
		if !wantMembers[memberOf{v.TenantID, v.EntityType, v.EntityID}] && (v.TenantID == record.DefaultTenant || wantTenants[v.TenantID]) {
			keep("remove member "+v.EntityID+" from tenant "+v.TenantID,
				e.RemoveTenantMember(ctx, TenantMemberRequest{TenantID: v.TenantID, EntityType: v.EntityType, EntityID: v.EntityID}))
		}
	}
	for _, t := range have.tenants {
		if !wantTenants[t.TenantID] { // its members go with it
			keep("delete tenant "+t.TenantID, e.DeleteTenant(ctx, t.TenantID))
		}
	}
	haveKeys := map[int64]bool{}
	for _, v := range have.processes {
		haveKeys[v.ProcessDefinitionKey] = true
	}
	for _, v := range have.forms {
		haveKeys[v.FormKey] = true
	}
	for i := range want.processes {
		if v := want.processes[i]; !haveKeys[v.ProcessDefinitionKey] {
			keep(fmt.Sprintf("distribute process definition %d", v.ProcessDefinitionKey),
				send(&record.Record{Key: v.ProcessDefinitionKey, ValueType: record.TypeProcess, Intent: record.IntentProcessDistribute, Version: 1, Value: &v}))
		}
	}
	for i := range want.forms {
		if v := want.forms[i]; !haveKeys[v.FormKey] {
			keep(fmt.Sprintf("distribute form %d", v.FormKey),
				send(&record.Record{Key: v.FormKey, ValueType: record.TypeForm, Intent: record.IntentFormDistribute, Version: 1, Value: &v}))
		}
	}
	return errors.Join(errs...)
}
