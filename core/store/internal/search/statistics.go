package search

import (
	"slices"
	"strings"

	"github.com/example/wf-engine/core/store"
)

// compileStatistics checks a statistics query: conditions over process
// instances, without sort or paging.
func compileStatistics(q store.Query) (*Plan[store.ProcessInstance], error) {
	switch {
	case len(q.Sort) > 0:
		return nil, &store.QueryError{Field: "sort", Msg: "statistics are not sorted"}
	case q.From != 0 || q.Limit != 0 || q.After != "" || q.Before != "":
		return nil, &store.QueryError{Field: "page", Msg: "statistics are not paged"}
	}
	return Compile(ProcessInstances, q)
}

// ElementStatisticsSums count the element instances aliased e by Camunda's
// statistics: active without an open incident, canceled (terminated),
// active with one, completed (the counters of PostgreSQL's migrations 38
// and 42 count with the same rules).
const ElementStatisticsSums = "sum(CASE WHEN e.state = 'ACTIVE' AND e.incident_key <= 0 THEN 1 ELSE 0 END), " +
	"sum(CASE WHEN e.state = 'TERMINATED' THEN 1 ELSE 0 END), " +
	"sum(CASE WHEN e.state = 'ACTIVE' AND e.incident_key > 0 THEN 1 ELSE 0 END), " +
	"sum(CASE WHEN e.state = 'COMPLETED' THEN 1 ELSE 0 END)"

// elementStatisticsColumns count an element's instances (ElementStatisticsSums).
const elementStatisticsColumns = "e.element_id, " + ElementStatisticsSums

// ElementStatisticsSQL returns the one aggregate statement that answers
// store.StatisticsQuerier for q: the element instances (the outer table,
// aliased e) of the process instances the subquery selects, grouped by
// element id. The subquery is the process instance search's own WHERE, so
// its columns name the inner table.
func ElementStatisticsSQL(q store.Query, d Dialect) (Statement, error) {
	p, err := compileStatistics(q)
	if err != nil {
		return Statement{}, err
	}
	b := &builder{d: d}
	from := p.fromSQL(b)
	sql := "SELECT " + elementStatisticsColumns + " FROM element_instances e WHERE e.flow_scope_key <> -1 AND " +
		"e.process_instance_key IN (SELECT key FROM " + from + p.where(b) + ") GROUP BY e.element_id ORDER BY e.element_id"
	return Statement{SQL: sql, Args: b.args}, nil
}

// ElementStatisticsCountedSQL returns the statement that answers
// ElementStatisticsSQL's question from the live counters of PostgreSQL's
// migrations 38 and 42 when q selects the process instances of one
// definition, optionally by their state (equal to one, or in a list), and
// nothing else (its tenants aside): element_counts counts every non-root
// element instance by its own definition and its process instance's
// state, kept exact by each commit and a delete trigger in every snapshot.
// A process instance migration leaves its finished element instances at
// the old definition, so for the instances it moved
// (element_counts_migrated) whose state q selects, the statement adds the
// element instances whose process instance is of the definition but which
// are not, and subtracts those that are of it while their process
// instance is not. It reports false, and no statement, for any other q;
// the rows read as ScanElementStatistics reads ElementStatisticsSQL's.
func ElementStatisticsCountedSQL(q store.Query, d Dialect) (Statement, bool, error) {
	p, err := compileStatistics(q)
	if err != nil {
		return Statement{}, false, err
	}
	key, states, ok := p.countedFilter()
	if !ok {
		return Statement{}, false, nil
	}
	b := &builder{d: d}
	def := b.arg(key)
	// inTenants writes any list condition: nil tests nothing, an empty
	// list matches nothing.
	counted := "SELECT element_id, instances, active, canceled, incidents, completed FROM element_counts WHERE process_definition_key = " +
		def + inTenants(b, "instance_state", states) + inTenants(b, "tenant_id", q.Tenants)
	// Per migrated instance of the states, by key (OFFSET 0 keeps the
	// planner from joining every row to a table it cannot estimate):
	// +1 for element instances of other definitions in an instance of
	// this one, -1 for those of this one in an instance of another.
	sign := "(CASE WHEN m.def = " + def + " THEN 1 ELSE -1 END)"
	migrated := "SELECT e.element_id, " + sign + ", " + sign + " * (CASE WHEN e.state = 'ACTIVE' AND e.incident_key <= 0 THEN 1 ELSE 0 END), " +
		sign + " * (CASE WHEN e.state = 'TERMINATED' THEN 1 ELSE 0 END), " +
		sign + " * (CASE WHEN e.state = 'ACTIVE' AND e.incident_key > 0 THEN 1 ELSE 0 END), " +
		sign + " * (CASE WHEN e.state = 'COMPLETED' THEN 1 ELSE 0 END) " +
		"FROM (SELECT x.process_instance_key AS key, (SELECT p.process_definition_key FROM element_instances p WHERE p.key = x.process_instance_key) AS def " +
		"FROM element_counts_migrated x WHERE true" + inTenants(b, "x.tenant_id", q.Tenants) +
		inTenants(b, "(SELECT p.instance_state FROM element_instances p WHERE p.key = x.process_instance_key)", states) + " OFFSET 0) AS m " +
		"CROSS JOIN LATERAL (SELECT element_id, state, incident_key FROM element_instances i WHERE i.process_instance_key = m.key AND i.flow_scope_key <> -1 " +
		"AND (m.def = " + def + ") <> (i.process_definition_key = " + def + ") OFFSET 0) AS e"
	sql := "SELECT element_id, CAST(sum(a) AS BIGINT), CAST(sum(c) AS BIGINT), CAST(sum(i) AS BIGINT), CAST(sum(d) AS BIGINT) FROM (" +
		counted + " UNION ALL " + migrated + ") AS s (element_id, n, a, c, i, d) GROUP BY element_id HAVING sum(n) > 0 ORDER BY element_id"
	return Statement{SQL: sql, Args: b.args}, true, nil
}

// countedFilter reports whether the plan selects the process instances
// of one process definition key, optionally by their state, and tests
// nothing else but tenants; it returns the key and the states the state
// conditions (equal to one, or in a list; several narrow each other)
// allow, sorted, or nil without any.
func (p *Plan[T]) countedFilter() (key int64, states []string, ok bool) {
	if len(p.anyOf) > 0 || len(p.vars) > 0 || len(p.or) > 0 || p.elems != nil || p.incs != nil {
		return 0, nil, false
	}
	keys := 0
	for i := range p.conds {
		c := &p.conds[i]
		switch {
		case c.f.Name == "processDefinitionKey" && c.op == store.OpEq:
			v, isKey := c.val.(int64)
			if !isKey {
				return 0, nil, false
			}
			key = v
			keys++
		case c.f.Name == "state" && (c.op == store.OpEq || c.op == store.OpIn):
			vals := c.vals
			if c.op == store.OpEq {
				vals = []any{c.val}
			}
			allowed := []string{}
			for _, v := range vals {
				s, isText := v.(string)
				if !isText {
					return 0, nil, false
				}
				if (states == nil || slices.Contains(states, s)) && !slices.Contains(allowed, s) {
					allowed = append(allowed, s)
				}
			}
			states = allowed
		default:
			return 0, nil, false
		}
	}
	slices.Sort(states)
	return key, states, keys == 1
}

// ScanElementStatistics reads one row of ElementStatisticsSQL's statement.
func ScanElementStatistics(scan func(...any) error) (store.ElementStatistics, error) {
	var r store.ElementStatistics
	err := scan(&r.ElementID, &r.Active, &r.Canceled, &r.Incidents, &r.Completed)
	return r, err
}

// ElementStatistics answers store.StatisticsQuerier in memory: instances
// are the process instances, elements every element instance (process
// instances included, which it skips), vars every variable and incidents
// every incident (for q's variable and incident conditions).
func ElementStatistics(q store.Query, instances []store.ProcessInstance, elements []store.ElementInstance, vars []store.Variable, incidents []store.Incident) ([]store.ElementStatistics, error) {
	p, err := compileStatistics(q)
	if err != nil {
		return nil, err
	}
	if p.NeedsVariables() {
		p.WithVariables(vars)
	}
	if p.NeedsElements() {
		p.WithElements(elements)
	}
	if p.NeedsIncidents() {
		p.WithIncidents(incidents)
	}
	selected := map[int64]bool{}
	for i := range instances {
		if p.match(&instances[i]) {
			selected[instances[i].ProcessInstanceKey] = true
		}
	}
	byID := map[string]*store.ElementStatistics{}
	for i := range elements {
		e := &elements[i]
		if e.ElementInstanceScopeKey == -1 || !selected[e.ProcessInstanceKey] {
			continue
		}
		st := byID[e.ElementID]
		if st == nil {
			st = &store.ElementStatistics{ElementID: e.ElementID}
			byID[e.ElementID] = st
		}
		switch {
		case e.State == store.StateActive && e.IncidentKey > 0:
			st.Incidents++
		case e.State == store.StateActive:
			st.Active++
		case e.State == store.StateTerminated:
			st.Canceled++
		case e.State == store.StateCompleted:
			st.Completed++
		}
	}
	out := make([]store.ElementStatistics, 0, len(byID))
	for _, st := range byID {
		out = append(out, *st)
	}
	slices.SortFunc(out, func(a, b store.ElementStatistics) int { return strings.Compare(a.ElementID, b.ElementID) })
	return out, nil
}
