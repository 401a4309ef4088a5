package tables

import (
	"fmt"
	"sync"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
)

// QueryFunc runs a query in the store's read snapshot and calls each for
// every row it returns.
type QueryFunc func(query string, each func(Scan) error) error

// collectChunk is how many rows collect gathers before it starts another
// chunk.
const collectChunk = 4096

// collect reads every row of query with scan. Rows are gathered in chunks
// and copied once into a slice of the exact size: growing one slice by
// doubling copied and left for the collector about as many bytes again as
// a hundred thousand running instances' rows take.
func collect[T any](q QueryFunc, query string, scan func(Scan) (T, error)) ([]T, error) {
	var chunks [][]T
	cur := make([]T, 0, 64)
	n := 0
	err := q(query, func(s Scan) error {
		v, err := scan(s)
		if err != nil {
			return err
		}
		if len(cur) == cap(cur) && cap(cur) >= collectChunk {
			chunks = append(chunks, cur)
			cur = make([]T, 0, collectChunk)
		}
		cur = append(cur, v)
		n++
		return nil
	})
	if err != nil || n == 0 {
		return nil, err
	}
	if len(chunks) == 0 {
		return cur, nil
	}
	out := make([]T, 0, n)
	for _, c := range chunks {
		out = append(out, c...)
	}
	return append(out, cur...), nil
}

// Load reads the live rows and the counters of one snapshot of the
// database.
type Load struct {
	// Queries read from one snapshot, all of them from the same one. With
	// more than one, the three big tables (variables, element instances,
	// jobs) are read concurrently, each through its own QueryFunc, and the
	// rest through the last one; a QueryFunc is only ever used by one
	// goroutine at a time.
	Queries []QueryFunc
	// Variables reads the variables of the active process instances in key
	// order (LoadVariables when empty); rows of scopes that are not live
	// are dropped here. It must read Part's only.
	Variables string
	// Part is the partition read: its meta row, the rows of the
	// per-instance tables it owns and every row of the cluster-wide
	// tables (store.OwnSnapshot). The zero Part reads the whole store.
	Part Part
}

// LoadSnapshot reads the live rows and the counters through q, which must
// read from one snapshot of the database.
func LoadSnapshot(q QueryFunc) (*state.Snapshot, error) {
	return Load{Queries: []QueryFunc{q}}.Snapshot()
}

// loadPart reads some of a snapshot's fields; parts write distinct fields.
type loadPart func(q QueryFunc, snap *state.Snapshot) error

// part returns the loadPart that collects query's rows into the field
// that field returns.
func part[T any](query string, scan func(Scan) (T, error), field func(*state.Snapshot) *[]T) loadPart {
	return func(q QueryFunc, snap *state.Snapshot) error {
		rows, err := collect(q, query, scan)
		*field(snap) = rows
		return err
	}
}

// Snapshot reads the snapshot (see Load).
func (l Load) Snapshot() (*state.Snapshot, error) {
	if len(l.Queries) == 0 {
		return nil, fmt.Errorf("load: no query function")
	}
	variables := l.Variables
	if variables == "" {
		variables = l.Part.loadQuery(LoadVariables)
	}
	own := l.Part.loadQuery
	// The big tables first, each to its own QueryFunc when there are
	// enough; the small ones after them on the last.
	big := []loadPart{
		part(variables, ScanVariable, func(s *state.Snapshot) *[]state.VariableRow { return &s.Variables }),
		part(own(LoadElements), ScanElement, func(s *state.Snapshot) *[]state.ElementRow { return &s.Elements }),
		part(own(LoadJobs), ScanJob, func(s *state.Snapshot) *[]state.Job { return &s.Jobs }),
	}
	small := []loadPart{
		readMeta(l.Part.queries().meta),
		part(LoadProcesses, ScanProcess, func(s *state.Snapshot) *[]record.ProcessValue { return &s.Processes }),
		part(own(LoadIncidents), ScanIncident, func(s *state.Snapshot) *[]state.IncidentRow { return &s.Incidents }),
		part(own(LoadTimers), ScanTimer, func(s *state.Snapshot) *[]state.Timer { return &s.Timers }),
		part(own(LoadSubs), ScanSubscription, func(s *state.Snapshot) *[]state.MessageSubscription { return &s.MessageSubscriptions }),
		part(own(LoadMessages), ScanMessage, func(s *state.Snapshot) *[]state.Message { return &s.Messages }),
		part(own(LoadStarts), ScanStart, func(s *state.Snapshot) *[]state.StartSubscription { return &s.StartSubscriptions }),
		part(own(LoadSignals), ScanSignalSubscription, func(s *state.Snapshot) *[]state.SignalSubscription { return &s.SignalSubscriptions }),
		part(own(LoadCompensations), ScanCompensationSubscription, func(s *state.Snapshot) *[]state.CompensationSubscription {
			return &s.CompensationSubscriptions
		}),
		part(own(LoadUserTasks), ScanUserTask, func(s *state.Snapshot) *[]state.UserTask { return &s.UserTasks }),
		part(LoadTenants, ScanTenant, func(s *state.Snapshot) *[]state.Tenant { return &s.Tenants }),
		part(LoadTenantMembers, ScanTenantMember, func(s *state.Snapshot) *[]state.TenantMember { return &s.TenantMembers }),
		part(LoadForms, ScanForm, func(s *state.Snapshot) *[]record.FormValue { return &s.Forms }),
		part(LoadDeletedProcesses, ScanProcess, func(s *state.Snapshot) *[]record.ProcessValue { return &s.DeletedProcesses }),
		part(LoadDeletedForms, ScanForm, func(s *state.Snapshot) *[]record.FormValue { return &s.DeletedForms }),
	}
	small = append(small, l.Part.crossingParts()...)
	n := len(l.Queries)
	work := make([][]loadPart, n)
	for i, p := range big {
		work[i%n] = append(work[i%n], p)
	}
	work[n-1] = append(work[n-1], small...)
	snap := &state.Snapshot{}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range work {
		run := func() {
			for _, p := range work[i] {
				if errs[i] = p(l.Queries[i], snap); errs[i] != nil {
					return
				}
			}
		}
		if i == n-1 {
			run() // on the caller's goroutine
			continue
		}
		wg.Add(1)
		go func() { defer wg.Done(); run() }()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	snap.Variables = liveVariables(snap.Variables, snap.Elements)
	return snap, nil
}

// readMeta reads the counters with query.
func readMeta(query string) loadPart {
	return func(q QueryFunc, snap *state.Snapshot) error {
		found := false
		err := q(query, func(s Scan) error {
			found = true
			return s(&snap.LastKey, &snap.LastPosition)
		})
		if err != nil {
			return fmt.Errorf("read meta: %w", err)
		}
		if !found {
			return fmt.Errorf("read meta: the meta row is missing")
		}
		return nil
	}
}

// liveVariables keeps, in place and in order, the variables whose scope is
// one of elements: the variables of the active process instances include
// those of scopes that ended.
func liveVariables(vars []state.VariableRow, elements []state.ElementRow) []state.VariableRow {
	live := make(map[int64]struct{}, len(elements))
	for i := range elements {
		live[elements[i].Key] = struct{}{}
	}
	out := vars[:0]
	for _, v := range vars {
		if _, ok := live[v.ScopeKey]; ok {
			out = append(out, v)
		}
	}
	if len(out) == 0 {
		return nil // as collect leaves a table without rows
	}
	return out
}
