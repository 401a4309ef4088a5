package tables

import (
	"fmt"

	"github.com/example/wf-engine/core/state"
)

// QueryFunc runs a query in the store's read snapshot and calls each for
// every row it returns.
type QueryFunc func(query string, each func(Scan) error) error

// collect reads every row of query with scan.
func collect[T any](q QueryFunc, query string, scan func(Scan) (T, error)) ([]T, error) {
	var out []T
	err := q(query, func(s Scan) error {
		v, err := scan(s)
		if err != nil {
			return err
		}
		out = append(out, v)
		return nil
	})
	return out, err
}

// LoadSnapshot reads the live rows and the counters through q, which must
// read from one snapshot of the database.
func LoadSnapshot(q QueryFunc) (*state.Snapshot, error) {
	snap := &state.Snapshot{}
	found := false
	err := q(LoadMeta, func(s Scan) error {
		found = true
		return s(&snap.LastKey, &snap.LastPosition)
	})
	if err != nil {
		return nil, fmt.Errorf("read meta: %w", err)
	}
	if !found {
		return nil, fmt.Errorf("read meta: the meta row is missing")
	}
	if snap.Processes, err = collect(q, LoadProcesses, ScanProcess); err != nil {
		return nil, err
	}
	if snap.Elements, err = collect(q, LoadElements, ScanElement); err != nil {
		return nil, err
	}
	if snap.Variables, err = collect(q, LoadVariables, ScanVariable); err != nil {
		return nil, err
	}
	if snap.Jobs, err = collect(q, LoadJobs, ScanJob); err != nil {
		return nil, err
	}
	if snap.Incidents, err = collect(q, LoadIncidents, ScanIncident); err != nil {
		return nil, err
	}
	if snap.Timers, err = collect(q, LoadTimers, ScanTimer); err != nil {
		return nil, err
	}
	if snap.MessageSubscriptions, err = collect(q, LoadSubs, ScanSubscription); err != nil {
		return nil, err
	}
	if snap.Messages, err = collect(q, LoadMessages, ScanMessage); err != nil {
		return nil, err
	}
	if snap.StartSubscriptions, err = collect(q, LoadStarts, ScanStart); err != nil {
		return nil, err
	}
	if snap.SignalSubscriptions, err = collect(q, LoadSignals, ScanSignalSubscription); err != nil {
		return nil, err
	}
	if snap.CompensationSubscriptions, err = collect(q, LoadCompensations, ScanCompensationSubscription); err != nil {
		return nil, err
	}
	if snap.UserTasks, err = collect(q, LoadUserTasks, ScanUserTask); err != nil {
		return nil, err
	}
	if snap.Tenants, err = collect(q, LoadTenants, ScanTenant); err != nil {
		return nil, err
	}
	if snap.TenantMembers, err = collect(q, LoadTenantMembers, ScanTenantMember); err != nil {
		return nil, err
	}
	if snap.Forms, err = collect(q, LoadForms, ScanForm); err != nil {
		return nil, err
	}
	if snap.DeletedProcesses, err = collect(q, LoadDeletedProcesses, ScanProcess); err != nil {
		return nil, err
	}
	if snap.DeletedForms, err = collect(q, LoadDeletedForms, ScanForm); err != nil {
		return nil, err
	}
	return snap, nil
}
