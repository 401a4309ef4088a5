package tables

import (
	"fmt"

	"github.com/example/wf-engine/core/state"
)

func compensationRows(cs []state.CompensationSubscriptionRow) *Rows {
	cs = lastOfEachKey(cs, func(m *state.CompensationSubscriptionRow) int64 { return m.Key })
	r := newRows(CompensationSubscriptions, len(cs))
	for i := range cs {
		m := &cs[i]
		v := &m.Value
		r.i(m.Key)
		r.i(flag(m.Live))
		r.i(v.ProcessInstanceKey)
		r.i(v.ProcessDefinitionKey)
		r.s(v.CompensableActivityID)
		r.i(v.CompensableActivityScopeKey)
		r.i(v.CompensableActivityInstanceKey)
		r.s(v.ThrowEventID)
		r.i(v.ThrowEventInstanceKey)
		r.s(v.CompensationHandlerID)
		r.i(v.CompensationHandlerInstanceKey)
		r.s(v.TenantID)
		r.end()
	}
	return r
}

// ScanCompensationSubscription reads a compensation_subscriptions row.
func ScanCompensationSubscription(scan Scan) (state.CompensationSubscription, error) {
	var m state.CompensationSubscription
	v := &m.Value
	var live int64
	if err := scan(&m.Key, &live, &v.ProcessInstanceKey, &v.ProcessDefinitionKey, &v.CompensableActivityID,
		&v.CompensableActivityScopeKey, &v.CompensableActivityInstanceKey, &v.ThrowEventID, &v.ThrowEventInstanceKey,
		&v.CompensationHandlerID, &v.CompensationHandlerInstanceKey, &v.TenantID); err != nil {
		return m, fmt.Errorf("read compensation subscription: %w", err)
	}
	return m, nil
}
