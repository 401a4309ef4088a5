package engine

import (
	"context"

	"github.com/example/wf-engine/core/record"
)

// TenantClient manages tenants as Camunda 8.8 does: tenants with an id, a
// name and a description, and the users and clients assigned to them. The
// default tenant (record.DefaultTenant) always exists; it cannot be
// created, changed or deleted, but users and clients can be assigned to it.
// A refused command returns a *Rejection.
type TenantClient interface {
	CreateTenant(ctx context.Context, req TenantRequest) (*CreatedTenant, error)
	UpdateTenant(ctx context.Context, req TenantRequest) error
	// DeleteTenant deletes a tenant and, first, every membership it has.
	DeleteTenant(ctx context.Context, tenantID string) error
	AddTenantMember(ctx context.Context, req TenantMemberRequest) error
	RemoveTenantMember(ctx context.Context, req TenantMemberRequest) error
}

// TenantRequest creates a tenant or sets its name and description.
type TenantRequest struct {
	TenantID    string
	Name        string
	Description string
}

// TenantMemberRequest names a user (record.TenantEntityUser) or a client
// (record.TenantEntityClient) of a tenant.
type TenantMemberRequest struct {
	TenantID   string
	EntityType string
	EntityID   string
}

// CreatedTenant is the answer to CreateTenant.
type CreatedTenant struct {
	Key         int64
	TenantID    string
	Name        string
	Description string
}

// MaxTenantIDLength is the longest tenant id (Camunda 8.8's limit), and the
// longest member id.
const MaxTenantIDLength = 256

// ValidTenantID reports whether id is a tenant id a tenant may be created
// with: 1 to 256 letters, digits and _ @ . + - (the default tenant's id is
// valid elsewhere, but it is never created).
func ValidTenantID(id string) bool {
	if id == "" || len(id) > MaxTenantIDLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '_' || c == '@' || c == '.' || c == '+' || c == '-':
		default:
			return false
		}
	}
	return true
}

// CreateTenant implements TenantClient.
func (e *Engine) CreateTenant(ctx context.Context, req TenantRequest) (*CreatedTenant, error) {
	res, err := e.submit(ctx, &record.Record{ValueType: record.TypeTenant, Intent: record.IntentTenantCreate, Version: 1,
		Value: &record.TenantValue{TenantID: req.TenantID, Name: req.Name, Description: req.Description}})
	if err != nil {
		return nil, err
	}
	return res.Response.(*CreatedTenant), nil
}

// UpdateTenant implements TenantClient.
func (e *Engine) UpdateTenant(ctx context.Context, req TenantRequest) error {
	_, err := e.submit(ctx, &record.Record{ValueType: record.TypeTenant, Intent: record.IntentTenantUpdate, Version: 1,
		Value: &record.TenantValue{TenantID: req.TenantID, Name: req.Name, Description: req.Description}})
	return err
}

// DeleteTenant implements TenantClient.
func (e *Engine) DeleteTenant(ctx context.Context, tenantID string) error {
	_, err := e.submit(ctx, &record.Record{ValueType: record.TypeTenant, Intent: record.IntentTenantDelete, Version: 1,
		Value: &record.TenantValue{TenantID: tenantID}})
	return err
}

// AddTenantMember implements TenantClient.
func (e *Engine) AddTenantMember(ctx context.Context, req TenantMemberRequest) error {
	return e.tenantMember(ctx, record.IntentTenantAddEntity, req)
}

// RemoveTenantMember implements TenantClient.
func (e *Engine) RemoveTenantMember(ctx context.Context, req TenantMemberRequest) error {
	return e.tenantMember(ctx, record.IntentTenantRemoveEntity, req)
}

func (e *Engine) tenantMember(ctx context.Context, intent record.Intent, req TenantMemberRequest) error {
	_, err := e.submit(ctx, &record.Record{ValueType: record.TypeTenant, Intent: intent, Version: 1,
		Value: &record.TenantValue{TenantID: req.TenantID, EntityType: req.EntityType, EntityID: req.EntityID}})
	return err
}

// processTenant handles a tenant command.
func (p *Processor) processTenant(intent record.Intent, v *record.TenantValue) (any, error) {
	switch intent {
	case record.IntentTenantCreate:
		return p.createTenant(v)
	case record.IntentTenantUpdate:
		return nil, p.updateTenant(v)
	case record.IntentTenantDelete:
		return nil, p.deleteTenant(v)
	case record.IntentTenantAddEntity:
		return nil, p.addTenantMember(v)
	case record.IntentTenantRemoveEntity:
		return nil, p.removeTenantMember(v)
	case record.IntentTenantDistribute:
		return nil, p.distributeTenant(v)
	case record.IntentTenantEntityDistribute:
		return nil, p.distributeTenantMember(p.cmd.Key, v)
	}
	return nil, reject(record.RejectionInvalidArgument, "no processor for TENANT command %s", intent)
}

func (p *Processor) createTenant(v *record.TenantValue) (*CreatedTenant, error) {
	if v.TenantID == record.DefaultTenant || p.st.Tenant(v.TenantID) != nil {
		return nil, reject(record.RejectionAlreadyExists, "expected to create tenant with id '%s', but a tenant with this id already exists", v.TenantID)
	}
	if !ValidTenantID(v.TenantID) {
		return nil, reject(record.RejectionInvalidArgument, "expected a tenant id of 1 to %d letters, digits or _@.+-, but it is '%s'", MaxTenantIDLength, v.TenantID)
	}
	if v.Name == "" {
		return nil, reject(record.RejectionInvalidArgument, "expected to create tenant with id '%s' with a name, but the name is empty", v.TenantID)
	}
	key := p.newKey()
	out := &record.TenantValue{TenantKey: key, TenantID: v.TenantID, Name: v.Name, Description: v.Description}
	if err := p.write(key, record.IntentTenantCreated, out); err != nil {
		return nil, err
	}
	return &CreatedTenant{Key: key, TenantID: out.TenantID, Name: out.Name, Description: out.Description}, nil
}

// changeableTenant returns the key of a tenant that may be updated or
// deleted.
func (p *Processor) changeableTenant(action, id string) (int64, error) {
	if id == record.DefaultTenant {
		return 0, reject(record.RejectionInvalidArgument, "expected to %s tenant with id '%s', but the default tenant cannot be %sd", action, id, action)
	}
	t := p.st.Tenant(id)
	if t == nil {
		return 0, reject(record.RejectionNotFound, "expected to %s tenant with id '%s', but no tenant with this id exists", action, id)
	}
	return t.Key, nil
}

func (p *Processor) updateTenant(v *record.TenantValue) error {
	key, err := p.changeableTenant("update", v.TenantID)
	if err != nil {
		return err
	}
	if v.Name == "" {
		return reject(record.RejectionInvalidArgument, "expected to update tenant with id '%s' with a name, but the name is empty", v.TenantID)
	}
	return p.write(key, record.IntentTenantUpdated, &record.TenantValue{TenantKey: key, TenantID: v.TenantID, Name: v.Name, Description: v.Description})
}

// deleteTenant removes the tenant's members, then the tenant, as Camunda does.
func (p *Processor) deleteTenant(v *record.TenantValue) error {
	key, err := p.changeableTenant("delete", v.TenantID)
	if err != nil {
		return err
	}
	t := p.st.Tenant(v.TenantID)
	for _, m := range p.st.TenantMembers(v.TenantID) {
		out := m.Value
		if err := p.write(m.Key, record.IntentTenantEntityRemoved, &out); err != nil {
			return err
		}
	}
	out := t.Value
	return p.write(key, record.IntentTenantDeleted, &out)
}

// checkMember validates a member command and returns its tenant's key.
func (p *Processor) checkMember(action string, v *record.TenantValue) (int64, error) {
	if v.EntityType != record.TenantEntityUser && v.EntityType != record.TenantEntityClient {
		return 0, reject(record.RejectionInvalidArgument, "expected to %s a %s or a %s, but the entity type is '%s'", action,
			record.TenantEntityUser, record.TenantEntityClient, v.EntityType)
	}
	if v.EntityID == "" || len(v.EntityID) > MaxTenantIDLength {
		return 0, reject(record.RejectionInvalidArgument, "expected to %s a %s id of 1 to %d characters, but it has %d", action,
			v.EntityType, MaxTenantIDLength, len(v.EntityID))
	}
	t := p.st.Tenant(v.TenantID)
	if t == nil {
		return 0, reject(record.RejectionNotFound, "expected to %s a member of tenant with id '%s', but no tenant with this id exists", action, v.TenantID)
	}
	return t.Key, nil
}

func entityNoun(entityType string) string {
	if entityType == record.TenantEntityClient {
		return "client"
	}
	return "user"
}

func (p *Processor) addTenantMember(v *record.TenantValue) error {
	tenantKey, err := p.checkMember("add", v)
	if err != nil {
		return err
	}
	if p.st.TenantMember(v.TenantID, v.EntityType, v.EntityID) != nil {
		return reject(record.RejectionAlreadyExists, "expected to add %s with id '%s' to tenant with id '%s', but the %s is already assigned to the tenant",
			entityNoun(v.EntityType), v.EntityID, v.TenantID, entityNoun(v.EntityType))
	}
	return p.write(p.newKey(), record.IntentTenantEntityAdded,
		&record.TenantValue{TenantKey: tenantKey, TenantID: v.TenantID, EntityType: v.EntityType, EntityID: v.EntityID})
}

func (p *Processor) removeTenantMember(v *record.TenantValue) error {
	if _, err := p.checkMember("remove", v); err != nil {
		return err
	}
	m := p.st.TenantMember(v.TenantID, v.EntityType, v.EntityID)
	if m == nil {
		return reject(record.RejectionNotFound, "expected to remove %s with id '%s' from tenant with id '%s', but the %s is not assigned to this tenant",
			entityNoun(v.EntityType), v.EntityID, v.TenantID, entityNoun(v.EntityType))
	}
	out := m.Value
	return p.write(m.Key, record.IntentTenantEntityRemoved, &out)
}

// Interface guards
var _ TenantClient = (*Engine)(nil)
