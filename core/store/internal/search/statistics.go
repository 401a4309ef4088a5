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

// elementStatisticsColumns count an element's instances by Camunda's
// statistics: active without an open incident, canceled (terminated),
// active with one, completed.
const elementStatisticsColumns = "e.element_id, " +
	"sum(CASE WHEN e.state = 'ACTIVE' AND e.incident_key <= 0 THEN 1 ELSE 0 END), " +
	"sum(CASE WHEN e.state = 'TERMINATED' THEN 1 ELSE 0 END), " +
	"sum(CASE WHEN e.state = 'ACTIVE' AND e.incident_key > 0 THEN 1 ELSE 0 END), " +
	"sum(CASE WHEN e.state = 'COMPLETED' THEN 1 ELSE 0 END)"

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
