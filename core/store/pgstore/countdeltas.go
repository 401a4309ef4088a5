package pgstore

import (
	"cmp"
	"slices"
	"sync"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/internal/tables"
)

// The element counts' deltas of the process instances the store saw start
// (ADR 43): for those, Prepare computes what the count statement
// (elementcounts.go) would, from what it remembers of their element
// instance rows, and the commit only adds the deltas. The count statement
// stays for every other instance: one that started before the store last
// read its highest key (Load), one that ended, one moved to another
// definition, and every instance while the store does not know its
// highest key (after a failed commit, until Load).
//
// An instance is remembered from the batch that writes its process
// instance row with a fresh key (no row of it can be stored before) until
// a batch ends it. Its element instance rows reach the store only through
// this store's commits, so what it remembers is what is stored once the
// batches prepared before have committed; a failed commit forgets
// everything. Rows deleted by hand (not by retention, which deletes ended
// instances only) are not seen: an operator must not delete the rows of a
// running instance (docs/runbook.md).

// maxCountedRows bounds the element instance rows remembered (about 140
// bytes each): instances that start beyond it are counted by the
// statement.
const maxCountedRows = 1 << 18

// countClass is the counter a row adds to besides instances.
type countClass uint8

const (
	countNone countClass = iota
	countActive
	countIncident
	countCanceled
	countCompleted
)

func classOf(state string, incidentKey int64) countClass {
	switch state {
	case store.StateActive:
		if incidentKey > 0 {
			return countIncident
		}
		return countActive
	case store.StateTerminated:
		return countCanceled
	case store.StateCompleted:
		return countCompleted
	}
	return countNone
}

// countedRow is what one stored element instance row counts.
type countedRow struct {
	def             int64
	element, tenant string
	class           countClass
}

// in returns the element_counts row that r, with key, counts in while its
// process instance is in state.
func (r countedRow) in(state string, key int64) countGroup {
	return countGroup{r.def, state, r.element, r.tenant, key >> 51}
}

// countedInstance is a remembered process instance: the state of its
// process instance row and the keys of its other element instance rows.
type countedInstance struct {
	state string
	def   int64
	keys  []int64
}

// countGroup is an element_counts row's primary key.
type countGroup struct {
	def                    int64
	state, element, tenant string
	partition              int64
}

// countDelta is what a batch adds to one element_counts row.
type countDelta struct {
	instances, active, canceled, incidents, completed int64
}

func (d *countDelta) add(c countClass, sign int64) {
	d.instances += sign
	switch c {
	case countActive:
		d.active += sign
	case countIncident:
		d.incidents += sign
	case countCanceled:
		d.canceled += sign
	case countCompleted:
		d.completed += sign
	}
}

// countDeltas are a batch's deltas by element_counts row.
type countDeltas map[countGroup]*countDelta

func (ds countDeltas) add(g countGroup, c countClass, sign int64) {
	d := ds[g]
	if d == nil {
		d = &countDelta{}
		ds[g] = d
	}
	d.add(c, sign)
}

// elementCounter remembers the instances whose counts Prepare computes.
type elementCounter struct {
	mu sync.Mutex
	// instances and rows (the instances' element instance rows but their
	// own, by key) are nil while the counter does not count (before Load,
	// after a failed commit).
	instances map[int64]*countedInstance
	rows      map[int64]countedRow
	// limit, when above zero, replaces maxCountedRows (tests).
	limit int
}

// restart forgets every instance; counting starts again when on is set.
func (c *elementCounter) restart(on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.instances, c.rows = nil, nil
	if on {
		c.instances, c.rows = map[int64]*countedInstance{}, map[int64]countedRow{}
	}
}

// forget forgets instance pi and its rows.
func (c *elementCounter) forget(pi int64, inst *countedInstance) {
	for _, k := range inst.keys {
		delete(c.rows, k)
	}
	delete(c.instances, pi)
}

// count takes a batch's element instance rows r, prepared when every key
// up to known may be stored (-1: unknown). It returns the deltas of the
// rows of remembered instances and the other rows, for the count
// statement (nil: none), and remembers what the batch writes.
func (c *elementCounter) count(r *tables.Rows, known int64) (countDeltas, *tables.Rows) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if known < 0 || c.instances == nil {
		c.instances, c.rows = nil, nil
		return nil, r
	}
	a := r.Arrays()
	col := func(i int) []int64 { return a[elementCountParams[i]].([]int64) }
	text := func(i int) []string { return a[elementCountParams[i]].([]string) }
	keys, instances, defs, elements := col(0), col(1), col(2), text(3)
	tenants, scopes, states, incidents := text(4), col(5), text(6), col(7)

	// The batch's rows by process instance, in the order they first appear.
	var order []int64
	byInstance := map[int64][]int{}
	for i, pi := range instances {
		if _, ok := byInstance[pi]; !ok {
			order = append(order, pi)
		}
		byInstance[pi] = append(byInstance[pi], i)
	}
	deltas := countDeltas{}
	var statement map[int64]bool // instances left to the count statement
	for _, pi := range order {
		rows := byInstance[pi]
		root := -1
		for _, i := range rows {
			if scopes[i] == -1 {
				root = i
			}
		}
		inst, fresh := c.instances[pi], false
		if inst == nil && root >= 0 && keys[root] > known {
			inst, fresh = &countedInstance{def: defs[root]}, true
		}
		if inst == nil || !c.rowsKnown(inst, rows, keys, defs, scopes, known) {
			if inst != nil {
				c.forget(pi, inst)
			}
			if statement == nil {
				statement = map[int64]bool{}
			}
			statement[pi] = true
			continue
		}
		ps := inst.state
		if root >= 0 {
			ps = states[root]
		}
		if !fresh && ps != inst.state {
			// The instance ends: its stored rows move to the new state.
			for _, k := range inst.keys {
				row := c.rows[k]
				deltas.add(row.in(inst.state, k), row.class, -1)
				deltas.add(row.in(ps, k), row.class, 1)
			}
		}
		for _, i := range rows {
			if scopes[i] == -1 {
				continue
			}
			k := keys[i]
			if old, ok := c.rows[k]; ok {
				deltas.add(old.in(ps, k), old.class, -1)
			} else {
				inst.keys = append(inst.keys, k)
			}
			row := countedRow{def: defs[i], element: elements[i], tenant: tenants[i], class: classOf(states[i], incidents[i])}
			deltas.add(row.in(ps, k), row.class, 1)
			c.rows[k] = row
		}
		inst.state = ps
		switch {
		case ps != store.StateActive, fresh && len(c.rows) > cmp.Or(c.limit, maxCountedRows):
			// Ended, or not remembered: its next rows count in the statement.
			c.forget(pi, inst)
		case fresh:
			c.instances[pi] = inst
		}
	}
	if statement == nil {
		return deltas, nil
	}
	return deltas, r.Filter(func(i int) bool { return statement[instances[i]] })
}

// rowsKnown reports whether the counter knows every stored row the
// batch's rows of inst replace: a row it does not remember must have a
// fresh key, and no row moves the instance to another definition.
func (c *elementCounter) rowsKnown(inst *countedInstance, rows []int, keys, defs, scopes []int64, known int64) bool {
	for _, i := range rows {
		if defs[i] != inst.def {
			return false
		}
		if _, ok := c.rows[keys[i]]; !ok && scopes[i] != -1 && keys[i] <= known {
			return false
		}
	}
	return true
}

// addCounts adds a batch's deltas to element_counts.
const addCounts = `INSERT INTO element_counts AS c (process_definition_key, instance_state, element_id, tenant_id, partition_id,
		instances, active, canceled, incidents, completed)
	SELECT d, s, e, t, p::integer, n, a, x, i, f
	FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[],
		$9::bigint[], $10::bigint[]) AS u(d, s, e, t, p, n, a, x, i, f)` + addToCounts

func init() {
	statements["wf_count_add"] = addCounts
}

// queueCountDeltas queues the statement that adds ds, in the order of
// element_counts' primary key; deltas of zero are left out.
func queueCountDeltas(wire *pgconn.Batch, ds countDeltas) {
	groups := make([]countGroup, 0, len(ds))
	for g, d := range ds {
		if *d != (countDelta{}) {
			groups = append(groups, g)
		}
	}
	if len(groups) == 0 {
		return
	}
	slices.SortFunc(groups, func(x, y countGroup) int {
		return cmp.Or(cmp.Compare(x.def, y.def), cmp.Compare(x.state, y.state), cmp.Compare(x.element, y.element),
			cmp.Compare(x.tenant, y.tenant), cmp.Compare(x.partition, y.partition))
	})
	var defs, parts, n, a, x, i, f []int64
	var states, elements, tenants []string
	for _, g := range groups {
		d := ds[g]
		defs, states, elements, tenants, parts = append(defs, g.def), append(states, g.state), append(elements, g.element),
			append(tenants, g.tenant), append(parts, g.partition)
		n, a, x, i, f = append(n, d.instances), append(a, d.active), append(x, d.canceled), append(i, d.incidents), append(f, d.completed)
	}
	params := [][]byte{int8Array(defs), textArray(states), textArray(elements), textArray(tenants), int8Array(parts),
		int8Array(n), int8Array(a), int8Array(x), int8Array(i), int8Array(f)}
	formats := make([]int16, len(params))
	for k := range formats {
		formats[k] = pgtype.BinaryFormatCode
	}
	wire.ExecPrepared("wf_count_add", params, formats, nil)
}
