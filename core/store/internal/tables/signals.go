package tables

import (
	"fmt"

	"github.com/example/wf-engine/core/state"
)

func signalRows(ss []state.SignalSubscriptionRow) *Rows {
	ss = lastOfEachKey(ss, func(m *state.SignalSubscriptionRow) int64 { return m.Key })
	r := newRows(SignalSubscriptions, len(ss))
	for i := range ss {
		m := &ss[i]
		v := &m.Value
		r.i(m.Key)
		r.i(flag(m.Live))
		r.i(v.ProcessDefinitionKey)
		r.s(v.BPMNProcessID)
		r.s(v.CatchEventID)
		r.i(v.CatchEventInstanceKey)
		r.i(v.ProcessInstanceKey)
		r.s(v.SignalName)
		r.i(flag(v.Interrupting))
		r.s(v.TenantID)
		r.end()
	}
	return r
}

// ScanSignalSubscription reads a signal_subscriptions row.
func ScanSignalSubscription(scan Scan) (state.SignalSubscription, error) {
	var m state.SignalSubscription
	v := &m.Value
	var live, interrupting int64
	if err := scan(&m.Key, &live, &v.ProcessDefinitionKey, &v.BPMNProcessID, &v.CatchEventID, &v.CatchEventInstanceKey,
		&v.ProcessInstanceKey, &v.SignalName, &interrupting, &v.TenantID); err != nil {
		return m, fmt.Errorf("read signal subscription: %w", err)
	}
	v.Interrupting = interrupting != 0
	return m, nil
}
