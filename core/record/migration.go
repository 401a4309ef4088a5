package record

// ProcessInstanceMigrationValue moves a running process instance to another
// process definition (Camunda's process instance migration): the command
// names the target and maps the ids of the elements the instance waits at
// (and of catch events whose subscriptions it keeps) to elements of the
// target. The event repeats the command with the target's process id and
// the instance's tenant.
type ProcessInstanceMigrationValue struct {
	ProcessInstanceKey         int64                `json:"processInstanceKey"`
	TargetProcessDefinitionKey int64                `json:"targetProcessDefinitionKey"`
	MappingInstructions        []MappingInstruction `json:"mappingInstructions"`
	// OperationReference is the caller's reference, echoed (0 when none).
	OperationReference int64 `json:"operationReference,omitempty"`
	// BPMNProcessID is the target's process id, set on the event.
	BPMNProcessID string `json:"bpmnProcessId,omitempty"`
	TenantID      string `json:"tenantId,omitempty"`
}

// ValueType implements Value.
func (*ProcessInstanceMigrationValue) ValueType() ValueType { return TypeProcessInstanceMigration }

// MappingInstruction maps an element of the instance's process definition
// to an element of the target process definition.
type MappingInstruction struct {
	SourceElementID string `json:"sourceElementId"`
	TargetElementID string `json:"targetElementId"`
}

// Interface guards
var _ Value = (*ProcessInstanceMigrationValue)(nil)
