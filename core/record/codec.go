package record

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// wire is the JSON shape of a record with its value left raw for decoding.
type wire struct {
	Position        int64           `json:"position"`
	SourcePosition  int64           `json:"sourceRecordPosition"`
	Key             int64           `json:"key"`
	Kind            Kind            `json:"recordType"`
	ValueType       ValueType       `json:"valueType"`
	Intent          Intent          `json:"intent"`
	Version         uint16          `json:"recordVersion"`
	Timestamp       int64           `json:"timestamp"`
	RejectionType   RejectionType   `json:"rejectionType,omitempty"`
	RejectionReason string          `json:"rejectionReason,omitempty"`
	Value           json.RawMessage `json:"value"`
	Principal       *Principal      `json:"principal,omitempty"`
}

// Marshal encodes a record as JSON. Map keys are sorted, so equal records
// always encode to equal bytes.
func Marshal(r *Record) ([]byte, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode record %d (%s %s): %w", r.Position, r.ValueType, r.Intent, err)
	}
	return b, nil
}

// Unmarshal decodes a record written by Marshal.
func Unmarshal(b []byte) (*Record, error) {
	var w wire
	if err := json.Unmarshal(b, &w); err != nil {
		return nil, fmt.Errorf("decode record: %w", err)
	}
	v, err := NewValue(w.ValueType)
	if err != nil {
		return nil, fmt.Errorf("decode record %d: %w", w.Position, err)
	}
	if len(w.Value) > 0 && string(w.Value) != "null" {
		if err := json.Unmarshal(w.Value, v); err != nil {
			return nil, fmt.Errorf("decode record %d value (%s): %w", w.Position, w.ValueType, err)
		}
	}
	return &Record{
		Position: w.Position, SourcePosition: w.SourcePosition, Key: w.Key, Kind: w.Kind,
		ValueType: w.ValueType, Intent: w.Intent, Version: w.Version, Timestamp: w.Timestamp,
		RejectionType: w.RejectionType, RejectionReason: w.RejectionReason, Value: v, Principal: w.Principal,
	}, nil
}

// NewValue returns an empty value of the given type.
func NewValue(t ValueType) (Value, error) {
	switch t {
	case TypeDeployment:
		return &DeploymentValue{}, nil
	case TypeProcess:
		return &ProcessValue{}, nil
	case TypeProcessInstance:
		return &ProcessInstanceValue{}, nil
	case TypeProcessInstanceCreation:
		return &ProcessInstanceCreationValue{}, nil
	case TypeJob:
		return &JobValue{}, nil
	case TypeJobBatch:
		return &JobBatchValue{}, nil
	case TypeVariable:
		return &VariableValue{}, nil
	case TypeIncident:
		return &IncidentValue{}, nil
	case TypeVariableDocument:
		return &VariableDocumentValue{}, nil
	case TypeTimer:
		return &TimerValue{}, nil
	case TypeMessage:
		return &MessageValue{}, nil
	case TypeMessageSubscription:
		return &MessageSubscriptionValue{}, nil
	case TypeMessageStartSubscription:
		return &MessageStartSubscriptionValue{}, nil
	case TypeUserTask:
		return &UserTaskValue{}, nil
	case TypeTenant:
		return &TenantValue{}, nil
	case TypeForm:
		return &FormValue{}, nil
	case TypeKeyRange:
		return &KeyRangeValue{}, nil
	case TypeProcessInstanceMigration:
		return &ProcessInstanceMigrationValue{}, nil
	case TypeProcessInstanceModification:
		return &ProcessInstanceModificationValue{}, nil
	case TypeResourceDeletion:
		return &ResourceDeletionValue{}, nil
	case TypeSignal:
		return &SignalValue{}, nil
	case TypeSignalSubscription:
		return &SignalSubscriptionValue{}, nil
	case TypeEscalation:
		return &EscalationValue{}, nil
	case TypeCompensationSubscription:
		return &CompensationSubscriptionValue{}, nil
	case TypeAdHocSubProcessInstruction:
		return &AdHocSubProcessInstructionValue{}, nil
	case TypeIdempotencyKey:
		return &IdempotencyKeyValue{}, nil
	case TypePartitionInbox:
		return &InboxValue{}, nil
	case TypePartitionMessageSubscription:
		return &PartitionSubscriptionValue{}, nil
	}
	return nil, fmt.Errorf("unknown value type %d", uint16(t))
}

// AppendValueJSON appends v's JSON, byte for byte what json.Marshal writes.
// Element-instance values, about four in five records, and job and
// variable values, most of the rest, are written without reflection
// (their maps and variable values of other kinds than strings through
// encoding/json); the others go through encoding/json.
func AppendValueJSON(dst []byte, v Value) ([]byte, error) {
	switch x := v.(type) {
	case *JobValue:
		if x != nil {
			return appendJobJSON(dst, x)
		}
	case *VariableValue:
		if x != nil {
			return appendVariableJSON(dst, x)
		}
	}
	pi, ok := v.(*ProcessInstanceValue)
	if !ok || pi == nil {
		b, err := json.Marshal(v)
		return append(dst, b...), err
	}
	dst = append(dst, `{"bpmnProcessId":`...)
	dst = appendJSONString(dst, pi.BPMNProcessID)
	dst = append(dst, `,"version":`...)
	dst = strconv.AppendInt(dst, int64(pi.Version), 10)
	dst = append(dst, `,"processDefinitionKey":`...)
	dst = strconv.AppendInt(dst, pi.ProcessDefinitionKey, 10)
	dst = append(dst, `,"processInstanceKey":`...)
	dst = strconv.AppendInt(dst, pi.ProcessInstanceKey, 10)
	dst = append(dst, `,"elementId":`...)
	dst = appendJSONString(dst, pi.ElementID)
	dst = append(dst, `,"bpmnElementType":`...)
	dst = appendJSONString(dst, pi.BPMNElementType)
	if pi.BPMNEventType != "" {
		dst = append(dst, `,"bpmnEventType":`...)
		dst = appendJSONString(dst, pi.BPMNEventType)
	}
	dst = append(dst, `,"flowScopeKey":`...)
	dst = strconv.AppendInt(dst, pi.FlowScopeKey, 10)
	dst = append(dst, `,"parentProcessInstanceKey":`...)
	dst = strconv.AppendInt(dst, pi.ParentProcessInstanceKey, 10)
	dst = append(dst, `,"parentElementInstanceKey":`...)
	dst = strconv.AppendInt(dst, pi.ParentElementInstanceKey, 10)
	dst = append(dst, `,"tenantId":`...)
	dst = appendJSONString(dst, pi.TenantID)
	return append(dst, '}'), nil
}

// appendJobJSON appends a job value's JSON as json.Marshal writes it.
func appendJobJSON(dst []byte, j *JobValue) ([]byte, error) {
	dst = append(dst, `{"type":`...)
	dst = appendJSONString(dst, j.Type)
	if j.Worker != "" {
		dst = append(dst, `,"worker":`...)
		dst = appendJSONString(dst, j.Worker)
	}
	dst = append(dst, `,"retries":`...)
	dst = strconv.AppendInt(dst, int64(j.Retries), 10)
	for _, f := range [...]struct {
		name string
		v    int64
	}{{`,"retryBackoff":`, j.RetryBackoff}, {`,"recurringTime":`, j.RecurringTime}, {`,"deadline":`, j.Deadline}, {`,"timeout":`, j.Timeout}} {
		if f.v != 0 {
			dst = append(dst, f.name...)
			dst = strconv.AppendInt(dst, f.v, 10)
		}
	}
	if j.ErrorMessage != "" {
		dst = append(dst, `,"errorMessage":`...)
		dst = appendJSONString(dst, j.ErrorMessage)
	}
	if j.ErrorCode != "" {
		dst = append(dst, `,"errorCode":`...)
		dst = appendJSONString(dst, j.ErrorCode)
	}
	dst = append(dst, `,"customHeaders":`...)
	var err error
	if dst, err = appendMapJSON(dst, j.CustomHeaders, len(j.CustomHeaders) == 0, j.CustomHeaders == nil); err != nil {
		return dst, err
	}
	dst = append(dst, `,"variables":`...)
	if dst, err = appendMapJSON(dst, j.Variables, len(j.Variables) == 0, j.Variables == nil); err != nil {
		return dst, err
	}
	dst = append(dst, `,"elementId":`...)
	dst = appendJSONString(dst, j.ElementID)
	dst = append(dst, `,"elementInstanceKey":`...)
	dst = strconv.AppendInt(dst, j.ElementInstanceKey, 10)
	dst = append(dst, `,"bpmnProcessId":`...)
	dst = appendJSONString(dst, j.BPMNProcessID)
	dst = append(dst, `,"processDefinitionVersion":`...)
	dst = strconv.AppendInt(dst, int64(j.ProcessDefinitionVersion), 10)
	dst = append(dst, `,"processDefinitionKey":`...)
	dst = strconv.AppendInt(dst, j.ProcessDefinitionKey, 10)
	dst = append(dst, `,"processInstanceKey":`...)
	dst = strconv.AppendInt(dst, j.ProcessInstanceKey, 10)
	dst = append(dst, `,"tenantId":`...)
	dst = appendJSONString(dst, j.TenantID)
	return append(dst, '}'), nil
}

// appendMapJSON appends a map field: null when nil, {} when empty, else
// what encoding/json writes (its keys sorted).
func appendMapJSON(dst []byte, m any, empty, isNil bool) ([]byte, error) {
	switch {
	case isNil:
		return append(dst, "null"...), nil
	case empty:
		return append(dst, "{}"...), nil
	}
	b, err := json.Marshal(m)
	return append(dst, b...), err
}

// appendVariableJSON appends a variable value's JSON as json.Marshal
// writes it; a value other than a string or a boolean goes through
// encoding/json.
func appendVariableJSON(dst []byte, v *VariableValue) ([]byte, error) {
	dst = append(dst, `{"name":`...)
	dst = appendJSONString(dst, v.Name)
	dst = append(dst, `,"value":`...)
	switch x := v.Value.(type) {
	case nil:
		dst = append(dst, "null"...)
	case string:
		dst = appendJSONString(dst, x)
	case bool:
		dst = strconv.AppendBool(dst, x)
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return dst, err
		}
		dst = append(dst, b...)
	}
	dst = append(dst, `,"scopeKey":`...)
	dst = strconv.AppendInt(dst, v.ScopeKey, 10)
	dst = append(dst, `,"processInstanceKey":`...)
	dst = strconv.AppendInt(dst, v.ProcessInstanceKey, 10)
	dst = append(dst, `,"processDefinitionKey":`...)
	dst = strconv.AppendInt(dst, v.ProcessDefinitionKey, 10)
	dst = append(dst, `,"bpmnProcessId":`...)
	dst = appendJSONString(dst, v.BPMNProcessID)
	dst = append(dst, `,"tenantId":`...)
	dst = appendJSONString(dst, v.TenantID)
	return append(dst, '}'), nil
}

// appendJSONString appends s quoted as encoding/json quotes it. Printable
// ASCII, the usual case (with HTML's <, > and & escaped, as in the default
// tenant "<default>"), is written here; anything else is left to
// encoding/json.
func appendJSONString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			b, _ := json.Marshal(s) // a string always encodes
			return append(dst, b...)
		}
	}
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '"':
			esc = `\"`
		case '\\':
			esc = `\\`
		case '<':
			esc = `\u003c`
		case '>':
			esc = `\u003e`
		case '&':
			esc = `\u0026`
		default:
			continue
		}
		dst = append(dst, s[start:i]...)
		dst = append(dst, esc...)
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
