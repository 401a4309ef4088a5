package tables

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
)

func lastPosition(recs []*record.Record) int64 {
	var p int64
	for _, r := range recs {
		if r != nil {
			p = r.Position
		}
	}
	return p
}

// lastOfEachKey drops all but the last row of every key, keeping order:
// an upsert statement may touch a row only once.
func lastOfEachKey[T any](rows []T, key func(*T) int64) []T {
	if len(rows) < 2 {
		return rows
	}
	last := make(map[int64]int, len(rows))
	for i := range rows {
		last[key(&rows[i])] = i
	}
	if len(last) == len(rows) {
		return rows
	}
	out := make([]T, 0, len(last))
	for i := range rows {
		if last[key(&rows[i])] == i {
			out = append(out, rows[i])
		}
	}
	return out
}

// Encoded is a batch made into rows: its log segment and state rows.
type Encoded struct {
	Log   *Rows
	State []*Rows
	prev  Hash // the hash the log segment is linked to
}

// Prepare encodes a batch into b.Prepared (store.Preparer for the SQL
// stores), its log segment linked to the last one c prepared.
func Prepare(b *store.Batch, c *Chain) error {
	if b == nil {
		return errors.New("commit: nil batch")
	}
	stateRows, err := EncodeChanges(&b.Changes)
	if err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	e := &Encoded{State: stateRows}
	if err := c.encode(e, b.Records); err != nil { // last: a failure leaves the chain as it was
		return fmt.Errorf("commit: %w", err)
	}
	b.Prepared = e
	return nil
}

// Prepared returns the rows of a batch, encoding it unless Prepare did.
func Prepared(b *store.Batch, c *Chain) (*Encoded, error) {
	if b == nil {
		return nil, errors.New("commit: nil batch")
	}
	if b.Prepared == nil {
		if err := Prepare(b, c); err != nil {
			return nil, err
		}
	}
	e, ok := b.Prepared.(*Encoded)
	if !ok {
		return nil, fmt.Errorf("commit: the batch was prepared by another kind of store (%T)", b.Prepared)
	}
	return e, nil
}

// EncodeChanges returns the state rows of a batch, one Rows per table that
// has any, in the order of State.
func EncodeChanges(c *state.Changes) ([]*Rows, error) {
	var out []*Rows
	add := func(r *Rows, err error) error {
		if err != nil {
			return err
		}
		if err := r.Err(); err != nil {
			return err
		}
		if r.Len() > 0 {
			out = append(out, r)
		}
		return nil
	}
	if err := add(processRows(c.Processes, c.DeletedProcesses), nil); err != nil {
		return nil, err
	}
	if err := add(elementRows(c.Elements)); err != nil {
		return nil, err
	}
	if err := add(variableRows(c.Variables)); err != nil {
		return nil, err
	}
	if err := add(jobRows(c.Jobs)); err != nil {
		return nil, err
	}
	if err := add(incidentRows(c.Incidents), nil); err != nil {
		return nil, err
	}
	if err := add(timerRows(c.Timers), nil); err != nil {
		return nil, err
	}
	if err := add(messageRows(c.Messages)); err != nil {
		return nil, err
	}
	if err := add(subscriptionRows(c.MessageSubscriptions)); err != nil {
		return nil, err
	}
	if err := add(startRows(c.StartSubscriptions)); err != nil {
		return nil, err
	}
	if err := add(userTaskRows(c.UserTasks)); err != nil {
		return nil, err
	}
	if err := add(tenantRows(c.Tenants), nil); err != nil {
		return nil, err
	}
	if err := add(tenantMemberRows(c.TenantMembers), nil); err != nil {
		return nil, err
	}
	if err := add(formRows(c.Forms, c.DeletedForms), nil); err != nil {
		return nil, err
	}
	if err := add(signalRows(c.SignalSubscriptions), nil); err != nil {
		return nil, err
	}
	if err := add(compensationRows(c.CompensationSubscriptions), nil); err != nil {
		return nil, err
	}
	return out, nil
}

// processRows encodes the created definitions, then the deleted ones; a
// definition in both (batches merged) is written once, deleted.
func processRows(created, deleted []record.ProcessValue) *Rows {
	type row struct {
		record.ProcessValue
		deleted bool
	}
	rows := make([]row, 0, len(created)+len(deleted))
	for _, p := range created {
		rows = append(rows, row{p, false})
	}
	for _, p := range deleted {
		rows = append(rows, row{p, true})
	}
	rows = lastOfEachKey(rows, func(p *row) int64 { return p.ProcessDefinitionKey })
	r := newRows(ProcessDefinitions, len(rows))
	for i := range rows {
		p := &rows[i]
		r.i(p.ProcessDefinitionKey)
		r.s(p.BPMNProcessID)
		r.s(p.Name)
		r.i(int64(p.Version))
		r.s(p.VersionTag)
		r.s(p.ResourceName)
		r.b(p.Resource)
		r.s(p.Checksum)
		r.i(p.DeploymentKey)
		r.s(p.TenantID)
		r.i(flag(p.deleted))
		r.end()
	}
	return r
}

func elementRows(es []state.ElementRow) (*Rows, error) {
	es = lastOfEachKey(es, func(e *state.ElementRow) int64 { return e.Key })
	r := newRows(ElementInstances, len(es))
	for i := range es {
		e := &es[i]
		waiting := ""
		if len(e.Waiting) > 0 {
			b, err := json.Marshal(e.Waiting)
			if err != nil {
				return nil, fmt.Errorf("encode waiting tokens of element instance %d: %w", e.Key, err)
			}
			waiting = string(b)
		}
		v := &e.Value
		r.i(e.Key)
		r.i(int64(e.State))
		r.s(store.ElementStateName(e.State))
		r.i(v.ProcessInstanceKey)
		r.i(v.ProcessDefinitionKey)
		r.s(v.BPMNProcessID)
		r.i(int64(v.Version))
		r.s(v.ElementID)
		r.s(v.BPMNElementType)
		r.s(v.BPMNEventType)
		r.i(v.FlowScopeKey)
		r.i(v.ParentProcessInstanceKey)
		r.i(v.ParentElementInstanceKey)
		r.i(int64(e.ActiveChildren))
		r.s(waiting)
		r.i(e.JobKey)
		r.i(e.IncidentKey)
		r.i(e.StartTime)
		r.i(e.EndTime)
		r.s(v.TenantID)
		r.s(e.StartedByKey)
		instanceState := "" // changes only on process instances, see migration 7
		if v.FlowScopeKey == -1 {
			instanceState = store.ElementStateName(e.State)
		}
		r.s(instanceState)
		r.i(e.StartPosition)
		r.s(e.TraceParent)
		r.end()
	}
	return r, nil
}

func variableRows(vs []state.VariableRow) (*Rows, error) {
	vs = lastOfEachKey(vs, func(v *state.VariableRow) int64 { return v.Key })
	r := newRows(Variables, len(vs))
	for i := range vs {
		v := &vs[i]
		val, err := store.EncodeJSON(v.Value)
		if err != nil {
			return nil, fmt.Errorf("encode variable %s of scope %d: %w", v.Name, v.ScopeKey, err)
		}
		r.i(v.Key)
		r.i(v.ScopeKey)
		r.i(v.ProcessInstanceKey)
		r.s(v.Name)
		r.s(val)
		r.end()
	}
	return r, nil
}

func jobRows(js []state.Job) (*Rows, error) {
	js = lastOfEachKey(js, func(j *state.Job) int64 { return j.Key })
	r := newRows(Jobs, len(js))
	for i := range js {
		j := &js[i]
		v := &j.Value
		headers, err := store.EncodeJSON(v.CustomHeaders)
		if err != nil {
			return nil, fmt.Errorf("encode custom headers of job %d: %w", j.Key, err)
		}
		vars, err := store.EncodeJSON(v.Variables)
		if err != nil {
			return nil, fmt.Errorf("encode variables of job %d: %w", j.Key, err)
		}
		r.i(j.Key)
		r.i(int64(j.State))
		r.s(store.JobStateName(j.State))
		r.s(v.Type)
		r.s(v.Worker)
		r.i(int64(v.Retries))
		r.i(v.RetryBackoff)
		r.i(v.RecurringTime)
		r.i(v.Deadline)
		r.i(v.Timeout)
		r.s(v.ErrorMessage)
		r.s(v.ErrorCode)
		r.s(headers)
		r.s(vars)
		r.s(v.ElementID)
		r.i(v.ElementInstanceKey)
		r.s(v.BPMNProcessID)
		r.i(int64(v.ProcessDefinitionVersion))
		r.i(v.ProcessDefinitionKey)
		r.i(v.ProcessInstanceKey)
		r.s(v.TenantID)
		r.end()
	}
	return r, nil
}

func incidentRows(is []state.IncidentRow) *Rows {
	is = lastOfEachKey(is, func(i *state.IncidentRow) int64 { return i.Key })
	r := newRows(Incidents, len(is))
	for k := range is {
		in := &is[k]
		v := &in.Value
		r.i(in.Key)
		r.s(store.IncidentStateName(in.Resolved))
		r.s(string(v.ErrorType))
		r.s(v.ErrorMessage)
		r.s(v.BPMNProcessID)
		r.i(v.ProcessDefinitionKey)
		r.i(v.ProcessInstanceKey)
		r.s(v.ElementID)
		r.i(v.ElementInstanceKey)
		r.i(v.JobKey)
		r.i(v.VariableScopeKey)
		r.i(in.CreationTime)
		r.s(v.TenantID)
		r.end()
	}
	return r
}
