package record

// ResourceDeletionValue asks for (command) or reports (event) the deletion
// of a deployed resource: a process definition or a form, named by its key.
type ResourceDeletionValue struct {
	ResourceKey int64 `json:"resourceKey"`
	// TenantID is the tenant the command works in; "" (any tenant the
	// caller may use, as checked before the command) or the resource's.
	TenantID string `json:"tenantId"`
}

// ValueType implements Value.
func (*ResourceDeletionValue) ValueType() ValueType { return TypeResourceDeletion }

// Interface guards
var _ Value = (*ResourceDeletionValue)(nil)
