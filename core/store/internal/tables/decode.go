package tables

import (
	"encoding/json"
	"fmt"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
)

// Scan reads one row's columns into dest, like sql.Rows.Scan and pgx.Rows.Scan.
type Scan func(dest ...any) error

type narrowInt interface {
	~int8 | ~int16 | ~int32 | ~uint8 | ~uint16
}

// narrow converts a column's int64 to a narrower type; a value that does not
// fit (a corrupt row) sets *err once.
func narrow[T narrowInt](v int64, what string, err *error) T {
	t := T(v)
	if int64(t) != v && *err == nil {
		*err = fmt.Errorf("%s %d is out of range", what, v)
	}
	return t
}

// ScanRecord reads a log row.
func ScanRecord(scan Scan) (*record.Record, error) {
	var pos, src, key, kind, vt, intent, version, ts, rt int64
	var reason, value []byte
	if err := scan(&pos, &src, &key, &kind, &vt, &intent, &version, &ts, &rt, &reason, &value); err != nil {
		return nil, fmt.Errorf("read log row: %w", err)
	}
	var nerr error
	r := &record.Record{
		Position: pos, SourcePosition: src, Key: key, Kind: narrow[record.Kind](kind, "kind", &nerr),
		ValueType: narrow[record.ValueType](vt, "value type", &nerr), Intent: narrow[record.Intent](intent, "intent", &nerr),
		Version: narrow[uint16](version, "version", &nerr), Timestamp: ts,
		RejectionType: narrow[record.RejectionType](rt, "rejection type", &nerr), RejectionReason: string(reason),
	}
	if nerr != nil {
		return nil, fmt.Errorf("decode record %d: %w", pos, nerr)
	}
	v, err := record.NewValue(r.ValueType)
	if err != nil {
		return nil, fmt.Errorf("decode record %d: %w", pos, err)
	}
	if len(value) > 0 && string(value) != "null" {
		if err := json.Unmarshal(value, v); err != nil {
			return nil, fmt.Errorf("decode record %d value (%s): %w", pos, r.ValueType, err)
		}
	}
	r.Value = v
	return r, nil
}

// ScanProcess reads a process_definitions row.
func ScanProcess(scan Scan) (record.ProcessValue, error) {
	var p record.ProcessValue
	var version, deleted int64
	if err := scan(&p.ProcessDefinitionKey, &p.BPMNProcessID, &p.Name, &version, &p.VersionTag, &p.ResourceName,
		&p.Resource, &p.Checksum, &p.DeploymentKey, &p.TenantID, &deleted); err != nil {
		return p, fmt.Errorf("read process definition: %w", err)
	}
	var err error
	p.Version = narrow[int32](version, "version", &err)
	if len(p.Resource) == 0 {
		p.Resource = nil
	}
	if err != nil {
		return p, fmt.Errorf("read process definition %d: %w", p.ProcessDefinitionKey, err)
	}
	return p, nil
}

// ScanElement reads an element_instances row.
func ScanElement(scan Scan) (state.ElementRow, error) {
	var e state.ElementRow
	v := &e.Value
	var lifecycle, version, children int64
	var stateName, waiting, instanceState string
	if err := scan(&e.Key, &lifecycle, &stateName, &v.ProcessInstanceKey, &v.ProcessDefinitionKey, &v.BPMNProcessID, &version,
		&v.ElementID, &v.BPMNElementType, &v.BPMNEventType, &v.FlowScopeKey, &v.ParentProcessInstanceKey,
		&v.ParentElementInstanceKey, &children, &waiting, &e.JobKey, &e.IncidentKey, &e.StartTime, &e.EndTime, &v.TenantID, &e.StartedByKey,
		&instanceState, &e.StartPosition, &e.TraceParent); err != nil {
		return e, fmt.Errorf("read element instance: %w", err)
	}
	var err error
	e.State = narrow[state.ElementState](lifecycle, "state", &err)
	v.Version = narrow[int32](version, "version", &err)
	e.ActiveChildren = narrow[int32](children, "active children", &err)
	if err != nil {
		return e, fmt.Errorf("read element instance %d: %w", e.Key, err)
	}
	if waiting != "" {
		if err := json.Unmarshal([]byte(waiting), &e.Waiting); err != nil {
			return e, fmt.Errorf("decode waiting tokens of element instance %d: %w", e.Key, err)
		}
	}
	return e, nil
}

// ScanVariable reads a variables row.
func ScanVariable(scan Scan) (state.VariableRow, error) {
	var v state.VariableRow
	var value string
	if err := scan(&v.Key, &v.ScopeKey, &v.ProcessInstanceKey, &v.Name, &value); err != nil {
		return v, fmt.Errorf("read variable: %w", err)
	}
	if err := json.Unmarshal([]byte(value), &v.Value); err != nil {
		return v, fmt.Errorf("decode variable %s of scope %d: %w", v.Name, v.ScopeKey, err)
	}
	return v, nil
}

// ScanJob reads a jobs row.
func ScanJob(scan Scan) (state.Job, error) {
	var j state.Job
	v := &j.Value
	var lifecycle, retries, version int64
	var stateName, headers, vars string
	if err := scan(&j.Key, &lifecycle, &stateName, &v.Type, &v.Worker, &retries, &v.RetryBackoff, &v.RecurringTime,
		&v.Deadline, &v.Timeout, &v.ErrorMessage, &v.ErrorCode, &headers, &vars, &v.ElementID, &v.ElementInstanceKey,
		&v.BPMNProcessID, &version, &v.ProcessDefinitionKey, &v.ProcessInstanceKey, &v.TenantID); err != nil {
		return j, fmt.Errorf("read job: %w", err)
	}
	var err error
	j.State = narrow[state.JobState](lifecycle, "state", &err)
	v.Retries = narrow[int32](retries, "retries", &err)
	v.ProcessDefinitionVersion = narrow[int32](version, "process definition version", &err)
	if err != nil {
		return j, fmt.Errorf("read job %d: %w", j.Key, err)
	}
	if err := json.Unmarshal([]byte(headers), &v.CustomHeaders); err != nil {
		return j, fmt.Errorf("decode custom headers of job %d: %w", j.Key, err)
	}
	if err := json.Unmarshal([]byte(vars), &v.Variables); err != nil {
		return j, fmt.Errorf("decode variables of job %d: %w", j.Key, err)
	}
	return j, nil
}

// ScanIncident reads an incidents row.
func ScanIncident(scan Scan) (state.IncidentRow, error) {
	var in state.IncidentRow
	v := &in.Value
	var stateName, errorType string
	if err := scan(&in.Key, &stateName, &errorType, &v.ErrorMessage, &v.BPMNProcessID, &v.ProcessDefinitionKey,
		&v.ProcessInstanceKey, &v.ElementID, &v.ElementInstanceKey, &v.JobKey, &v.VariableScopeKey, &in.CreationTime, &v.TenantID); err != nil {
		return in, fmt.Errorf("read incident: %w", err)
	}
	in.Resolved = stateName == "RESOLVED"
	v.ErrorType = record.ErrorType(errorType)
	return in, nil
}
