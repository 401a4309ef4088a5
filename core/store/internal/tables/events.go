package tables

import (
	"encoding/json"
	"fmt"

	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
)

func flag(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func timerRows(ts []state.TimerRow) *Rows {
	ts = lastOfEachKey(ts, func(t *state.TimerRow) int64 { return t.Key })
	r := newRows(Timers, len(ts))
	for i := range ts {
		t := &ts[i]
		v := &t.Value
		r.i(t.Key)
		r.i(flag(t.Live))
		r.s(v.ElementID)
		r.i(v.ElementInstanceKey)
		r.i(v.ProcessInstanceKey)
		r.i(v.ProcessDefinitionKey)
		r.s(v.BPMNProcessID)
		r.i(v.DueDate)
		r.i(int64(v.Repetitions))
		r.s(v.Cycle)
		r.s(v.TenantID)
		r.end()
	}
	return r
}

func messageRows(ms []state.MessageRow) (*Rows, error) {
	ms = lastOfEachKey(ms, func(m *state.MessageRow) int64 { return m.Key })
	r := newRows(Messages, len(ms))
	for i := range ms {
		m := &ms[i]
		v := &m.Value
		vars, err := store.EncodeJSON(v.Variables)
		if err != nil {
			return nil, fmt.Errorf("encode variables of message %d: %w", m.Key, err)
		}
		correlated, err := store.EncodeJSON(m.Correlated)
		if err != nil {
			return nil, fmt.Errorf("encode correlations of message %d: %w", m.Key, err)
		}
		r.i(m.Key)
		r.i(flag(m.Live))
		r.s(v.Name)
		r.s(v.CorrelationKey)
		r.i(v.TimeToLive)
		r.i(v.Deadline)
		r.s(v.MessageID)
		r.s(vars)
		r.i(v.ProcessInstanceKey)
		r.s(correlated)
		r.s(v.TenantID)
		r.end()
	}
	return r, nil
}

func subscriptionRows(ss []state.MessageSubscriptionRow) (*Rows, error) {
	ss = lastOfEachKey(ss, func(m *state.MessageSubscriptionRow) int64 { return m.Key })
	r := newRows(MessageSubscriptions, len(ss))
	for i := range ss {
		m := &ss[i]
		v := &m.Value
		vars, err := store.EncodeJSON(v.Variables)
		if err != nil {
			return nil, fmt.Errorf("encode variables of message subscription %d: %w", m.Key, err)
		}
		r.i(m.Key)
		r.i(flag(m.Live))
		r.s(v.ElementID)
		r.i(v.ElementInstanceKey)
		r.i(v.ProcessInstanceKey)
		r.i(v.ProcessDefinitionKey)
		r.s(v.BPMNProcessID)
		r.s(v.MessageName)
		r.s(v.CorrelationKey)
		r.i(flag(v.Interrupting))
		r.i(v.MessageKey)
		r.s(vars)
		r.s(v.TenantID)
		r.end()
	}
	return r, nil
}

func startRows(ss []state.StartSubscriptionRow) (*Rows, error) {
	ss = lastOfEachKey(ss, func(m *state.StartSubscriptionRow) int64 { return m.Key })
	r := newRows(MessageStartSubscriptions, len(ss))
	for i := range ss {
		m := &ss[i]
		v := &m.Value
		vars, err := store.EncodeJSON(v.Variables)
		if err != nil {
			return nil, fmt.Errorf("encode variables of message start subscription %d: %w", m.Key, err)
		}
		r.i(m.Key)
		r.i(flag(m.Live))
		r.i(v.ProcessDefinitionKey)
		r.s(v.BPMNProcessID)
		r.s(v.StartEventID)
		r.s(v.MessageName)
		r.i(v.MessageKey)
		r.s(v.CorrelationKey)
		r.i(v.ProcessInstanceKey)
		r.s(vars)
		r.s(v.TenantID)
		r.end()
	}
	return r, nil
}

// ScanTimer reads a timers row.
func ScanTimer(scan Scan) (state.Timer, error) {
	var t state.Timer
	v := &t.Value
	var live, reps int64
	if err := scan(&t.Key, &live, &v.ElementID, &v.ElementInstanceKey, &v.ProcessInstanceKey, &v.ProcessDefinitionKey,
		&v.BPMNProcessID, &v.DueDate, &reps, &v.Cycle, &v.TenantID); err != nil {
		return t, fmt.Errorf("read timer: %w", err)
	}
	var err error
	v.Repetitions = narrow[int32](reps, "repetitions", &err)
	if err != nil {
		return t, fmt.Errorf("read timer %d: %w", t.Key, err)
	}
	return t, nil
}

// ScanMessage reads a messages row.
func ScanMessage(scan Scan) (state.Message, error) {
	var m state.Message
	v := &m.Value
	var live int64
	var vars, correlated string
	if err := scan(&m.Key, &live, &v.Name, &v.CorrelationKey, &v.TimeToLive, &v.Deadline, &v.MessageID, &vars,
		&v.ProcessInstanceKey, &correlated, &v.TenantID); err != nil {
		return m, fmt.Errorf("read message: %w", err)
	}
	if err := json.Unmarshal([]byte(vars), &v.Variables); err != nil {
		return m, fmt.Errorf("decode variables of message %d: %w", m.Key, err)
	}
	if err := json.Unmarshal([]byte(correlated), &m.Correlated); err != nil {
		return m, fmt.Errorf("decode correlations of message %d: %w", m.Key, err)
	}
	return m, nil
}

// ScanSubscription reads a message_subscriptions row.
func ScanSubscription(scan Scan) (state.MessageSubscription, error) {
	var m state.MessageSubscription
	v := &m.Value
	var live, interrupting int64
	var vars string
	if err := scan(&m.Key, &live, &v.ElementID, &v.ElementInstanceKey, &v.ProcessInstanceKey, &v.ProcessDefinitionKey,
		&v.BPMNProcessID, &v.MessageName, &v.CorrelationKey, &interrupting, &v.MessageKey, &vars, &v.TenantID); err != nil {
		return m, fmt.Errorf("read message subscription: %w", err)
	}
	v.Interrupting = interrupting != 0
	if err := json.Unmarshal([]byte(vars), &v.Variables); err != nil {
		return m, fmt.Errorf("decode variables of message subscription %d: %w", m.Key, err)
	}
	return m, nil
}

// ScanStart reads a message_start_subscriptions row.
func ScanStart(scan Scan) (state.StartSubscription, error) {
	var m state.StartSubscription
	v := &m.Value
	var live int64
	var vars string
	if err := scan(&m.Key, &live, &v.ProcessDefinitionKey, &v.BPMNProcessID, &v.StartEventID, &v.MessageName,
		&v.MessageKey, &v.CorrelationKey, &v.ProcessInstanceKey, &vars, &v.TenantID); err != nil {
		return m, fmt.Errorf("read message start subscription: %w", err)
	}
	if err := json.Unmarshal([]byte(vars), &v.Variables); err != nil {
		return m, fmt.Errorf("decode variables of message start subscription %d: %w", m.Key, err)
	}
	return m, nil
}
