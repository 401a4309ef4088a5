package record

import (
	"encoding/json"
	"fmt"
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
		RejectionType: w.RejectionType, RejectionReason: w.RejectionReason, Value: v,
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
	}
	return nil, fmt.Errorf("unknown value type %d", uint16(t))
}
