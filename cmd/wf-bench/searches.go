package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"slices"
	"time"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/pgstore"
	"github.com/example/wf-engine/core/store/sqlitestore"
	"github.com/example/wf-engine/elements/standard"
)

// searchStore is what `wf-bench searches` reads: every documented search.
type searchStore interface {
	store.Store
	store.Loader
	store.Querier
	store.UserTaskQuerier
	store.MessageSubscriptionQuerier
	store.StatisticsQuerier
	store.SequenceFlowQuerier
	store.CorrelatedMessageSubscriptionQuerier
	store.UsageQuerier
}

// SearchTiming is one search's figures in milliseconds.
type SearchTiming struct {
	Name string  `json:"name"`
	Runs int     `json:"runs"`
	P50  float64 `json:"p50_ms"`
	P99  float64 `json:"p99_ms"`
	Max  float64 `json:"max_ms"`
	// Total is what the search counted (capped at store.TotalCap), or the
	// rows it returned for searches without a count.
	Total  int64 `json:"total"`
	Capped bool  `json:"total_capped,omitempty"`
}

// SearchesResult is what `wf-bench searches` prints.
type SearchesResult struct {
	Store    string         `json:"store"`
	Runs     int            `json:"runs_per_search"`
	Searches []SearchTiming `json:"searches"`
	// Over lists the searches whose p99 is at or above the budget.
	BudgetMillis float64  `json:"budget_p99_ms"`
	Over         []string `json:"over_budget"`
	// Restore is what an engine's start-up reads: the store's Load and
	// the state rebuilt from it (engine.RestoreState), timed -restores
	// times; RestoredJobs counts the open jobs it holds.
	RestoreMillis []float64 `json:"restore_ms"`
	RestoredJobs  int       `json:"restored_jobs"`
	// RolledUp counts the process instances -roll-up counted for the usage
	// metrics before the searches ran, in RollUpMillis.
	RolledUp     int     `json:"rolled_up_instances,omitempty"`
	RollUpMillis float64 `json:"roll_up_ms,omitempty"`
	// SearchesRolledUp counts the rows -roll-up rolled up for the
	// start-date ranges (store.SearchRoller), in SearchesRollUpMillis.
	SearchesRolledUp     int     `json:"searches_rolled_up_rows,omitempty"`
	SearchesRollUpMillis float64 `json:"searches_roll_up_ms,omitempty"`
}

// namedSearch runs one search and returns its count and whether it was
// capped.
type namedSearch struct {
	name string
	run  func(ctx context.Context) (int64, bool, error)
}

func page[T any](f func(context.Context, store.Query) (store.Page[T], error), q store.Query) func(context.Context) (int64, bool, error) {
	return func(ctx context.Context) (int64, bool, error) {
		p, err := f(ctx, q)
		return p.Total, p.TotalCapped, err
	}
}

// nextPage times the page after q's first page, through the first page's
// end cursor (read once, on the untimed run). When the first page is empty
// there is no cursor, and the first page is what is timed.
func nextPage[T any](f func(context.Context, store.Query) (store.Page[T], error), q store.Query) func(context.Context) (int64, bool, error) {
	var cursor string
	read := false
	return func(ctx context.Context) (int64, bool, error) {
		if !read {
			first, err := f(ctx, q)
			if err != nil {
				return 0, false, err
			}
			cursor, read = first.EndCursor, true
		}
		q := q
		q.After = cursor
		p, err := f(ctx, q)
		return p.Total, p.TotalCapped, err
	}
}

func eqc(field string, v any) store.Condition { return store.Condition{Field: field, Value: v} }

func runSearches(ctx context.Context, args []string, out io.Writer, _ string) error {
	fs := flag.NewFlagSet("wf-bench searches", flag.ContinueOnError)
	fs.SetOutput(out)
	pgURL, sqlitePath := "", ""
	runs := 0
	budget := 0.0
	fs.StringVar(&pgURL, "pg-url", "", "PostgreSQL store to search (postgres://...); opening it applies pending migrations")
	fs.StringVar(&sqlitePath, "sqlite-path", "", "SQLite store file to search")
	fs.IntVar(&runs, "runs", 50, "times each search runs (after one untimed run)")
	fs.Float64Var(&budget, "budget", 50, "p99 budget in milliseconds; searches at or above it are listed")
	restores := 0
	fs.IntVar(&restores, "restores", 3, "times to time the start-up's Load and state restore")
	maxTime := time.Duration(0)
	fs.DurationVar(&maxTime, "max-time", 30*time.Second, "stop timing a search after this long, with fewer runs")
	match := ""
	fs.StringVar(&match, "match", "", "time only the searches whose name matches this regular expression")
	rollUp := false
	fs.BoolVar(&rollUp, "roll-up", false, "first count the instances for the usage metrics and bound the start minutes, as the engine's retention runner does (store.UsageRoller, store.SearchRoller)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if (pgURL == "") == (sqlitePath == "") {
		return errors.New("searches: give exactly one of -pg-url and -sqlite-path")
	}
	if runs < 1 {
		return errors.New("searches: -runs must be at least 1")
	}
	var s searchStore
	var err error
	res := SearchesResult{Runs: runs, BudgetMillis: budget, Over: []string{}}
	if pgURL != "" {
		s, err = pgstore.Open(ctx, pgURL, pgstore.Options{})
		res.Store = "postgres"
	} else {
		s, err = sqlitestore.Open(ctx, sqlitePath, sqlitestore.Options{})
		res.Store = "sqlite"
	}
	if err != nil {
		return err
	}
	defer func() { _ = s.Close() }()
	for range restores {
		start := time.Now()
		snap, err := s.Load(ctx)
		if err != nil {
			return err
		}
		if _, err := engine.RestoreState(standard.Registry(), snap); err != nil {
			return fmt.Errorf("searches: restore state: %w", err)
		}
		res.RestoreMillis = append(res.RestoreMillis, float64(time.Since(start).Milliseconds()))
		res.RestoredJobs = len(snap.Jobs)
	}
	if r, ok := s.(store.UsageRoller); ok && rollUp {
		start := time.Now()
		for {
			n, more, err := r.RollUpUsage(ctx, 100000)
			if err != nil {
				return err
			}
			res.RolledUp += n
			if !more {
				break
			}
		}
		res.RollUpMillis = float64(time.Since(start).Milliseconds())
	}
	if r, ok := s.(store.SearchRoller); ok && rollUp {
		start := time.Now()
		for {
			n, more, err := r.RollUpSearches(ctx, 100000)
			if err != nil {
				return err
			}
			res.SearchesRolledUp += n
			if !more {
				break
			}
		}
		res.SearchesRollUpMillis = float64(time.Since(start).Milliseconds())
	}
	list, err := documentedSearches(ctx, s)
	if err != nil {
		return err
	}
	var only *regexp.Regexp
	if match != "" {
		if only, err = regexp.Compile(match); err != nil {
			return fmt.Errorf("searches: -match: %w", err)
		}
	}
	for _, ns := range list {
		if only != nil && !only.MatchString(ns.name) {
			continue
		}
		t, err := timeSearch(ctx, ns, runs, maxTime)
		if err != nil {
			return fmt.Errorf("search %s: %w", ns.name, err)
		}
		res.Searches = append(res.Searches, t)
		if t.P99 >= budget {
			res.Over = append(res.Over, t.Name)
		}
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(res)
}

// timeSearch runs ns once untimed, then runs times or until maxTime has
// passed (at least once).
func timeSearch(ctx context.Context, ns namedSearch, runs int, maxTime time.Duration) (SearchTiming, error) {
	t := SearchTiming{Name: ns.name}
	if _, _, err := ns.run(ctx); err != nil {
		return t, err
	}
	ms := make([]float64, 0, runs)
	until := time.Now().Add(maxTime)
	for i := 0; i < runs && (i == 0 || time.Now().Before(until)); i++ {
		start := time.Now()
		total, capped, err := ns.run(ctx)
		if err != nil {
			return t, err
		}
		ms = append(ms, float64(time.Since(start).Microseconds())/1000)
		t.Total, t.Capped = total, capped
	}
	slices.Sort(ms)
	t.Runs = len(ms)
	t.P50, t.P99, t.Max = quantile(ms, 0.50), quantile(ms, 0.99), ms[len(ms)-1]
	return t, nil
}

// quantile returns the q-quantile of sorted values (nearest rank).
func quantile(sorted []float64, q float64) float64 {
	i := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// documentedSearches are docs/api.md's searches with their typical
// filters, parameterized with keys found in the store: a completed
// instance from the middle of the history and a running one.
func documentedSearches(ctx context.Context, s searchStore) ([]namedSearch, error) {
	first, err := s.SearchProcessInstances(ctx, store.Query{Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(first.Items) == 0 {
		return nil, errors.New("the store holds no process instances: seed it first (wf-bench seed)")
	}
	latest, err := s.SearchProcessInstances(ctx, store.Query{Limit: 1, Sort: []store.SortField{{Field: "processInstanceKey", Desc: true}}})
	if err != nil {
		return nil, err
	}
	// A completed instance about halfway through the keys, and its time.
	mid, err := s.SearchProcessInstances(ctx, store.Query{Limit: 1, Conditions: []store.Condition{
		eqc("state", "COMPLETED"),
		{Field: "startDate", Op: store.OpGte, Value: first.Items[0].StartDate.Add(latest.Items[0].StartDate.Sub(first.Items[0].StartDate) / 2)}},
		Sort: []store.SortField{{Field: "startDate"}}})
	if err != nil {
		return nil, err
	}
	if len(mid.Items) == 0 {
		mid = first
	}
	done := mid.Items[0]
	running, err := s.SearchProcessInstances(ctx, store.Query{Limit: 1, Conditions: []store.Condition{eqc("state", "ACTIVE")}})
	if err != nil {
		return nil, err
	}
	live := done
	if len(running.Items) > 0 {
		live = running.Items[0]
	}
	pid, defKey := done.ProcessDefinitionID, done.ProcessDefinitionKey
	hour := []store.Condition{{Field: "startDate", Op: store.OpGte, Value: done.StartDate}, {Field: "startDate", Op: store.OpLt, Value: done.StartDate.Add(time.Hour)}}
	endHour := []store.Condition{{Field: "endDate", Op: store.OpGte, Value: done.StartDate}, {Field: "endDate", Op: store.OpLt, Value: done.StartDate.Add(time.Hour)}}
	byStartDesc := []store.SortField{{Field: "startDate", Desc: true}}
	doneKey, liveKey := done.ProcessInstanceKey, live.ProcessInstanceKey
	orderID := "\"o-1\""
	list := []namedSearch{
		{"process instances: processInstanceKey", page(s.SearchProcessInstances, store.Query{Conditions: []store.Condition{eqc("processInstanceKey", doneKey)}})},
		{"process instances: first page", page(s.SearchProcessInstances, store.Query{Limit: 50})},
		{"process instances: first page by startDate desc", page(s.SearchProcessInstances, store.Query{Limit: 50, Sort: byStartDesc})},
		{"process instances: cursor page by startDate desc", nextPage(s.SearchProcessInstances, store.Query{Limit: 50, Sort: byStartDesc})},
		{"process instances: processDefinitionId", page(s.SearchProcessInstances, store.Query{Limit: 50, Conditions: []store.Condition{eqc("processDefinitionId", pid)}})},
		{"process instances: processDefinitionId cursor page", nextPage(s.SearchProcessInstances, store.Query{Limit: 50, Conditions: []store.Condition{eqc("processDefinitionId", pid)}})},
		{"process instances: processDefinitionKey and state ACTIVE", page(s.SearchProcessInstances, store.Query{Limit: 50, Conditions: []store.Condition{eqc("processDefinitionKey", defKey), eqc("state", "ACTIVE")}})},
		{"process instances: state ACTIVE by startDate desc", page(s.SearchProcessInstances, store.Query{Limit: 50, Conditions: []store.Condition{eqc("state", "ACTIVE")}, Sort: byStartDesc})},
		{"process instances: state COMPLETED", page(s.SearchProcessInstances, store.Query{Limit: 50, Conditions: []store.Condition{eqc("state", "COMPLETED")}})},
		{"process instances: state COMPLETED by startDate desc", page(s.SearchProcessInstances, store.Query{Limit: 50, Conditions: []store.Condition{eqc("state", "COMPLETED")}, Sort: byStartDesc})},
		{"process instances: state COMPLETED cursor page by startDate desc", nextPage(s.SearchProcessInstances, store.Query{Limit: 50, Conditions: []store.Condition{eqc("state", "COMPLETED")}, Sort: byStartDesc})},
		{"process instances: startDate hour", page(s.SearchProcessInstances, store.Query{Limit: 50, Conditions: hour, Sort: []store.SortField{{Field: "startDate"}}})},
		{"process instances: endDate hour by endDate", page(s.SearchProcessInstances, store.Query{Limit: 50, Conditions: endHour, Sort: []store.SortField{{Field: "endDate"}}})},
		{"process instances: processDefinitionId and startDate hour by startDate desc", page(s.SearchProcessInstances, store.Query{Limit: 50, Conditions: append([]store.Condition{eqc("processDefinitionId", pid)}, hour...), Sort: byStartDesc})},
		{"process instances: startDate hour by key", page(s.SearchProcessInstances, store.Query{Limit: 50, Conditions: hour})},
		{"process instances: hasIncident", page(s.SearchProcessInstances, store.Query{Limit: 50, Conditions: []store.Condition{eqc("hasIncident", true)}})},
		{"process instances: variable orderId", page(s.SearchProcessInstances, store.Query{Limit: 50, Variables: []store.VariableCondition{{Scope: store.VariablesOfInstance, Name: "orderId", Value: []store.Condition{eqc("value", orderID)}}}})},
		{"process instances: elementId and elementInstanceState ACTIVE", page(s.SearchProcessInstances, store.Query{Limit: 50, Elements: []store.Condition{eqc("elementId", "task"), eqc("state", "ACTIVE")}})},

		{"element instances: processInstanceKey", page(s.SearchElementInstances, store.Query{Conditions: []store.Condition{eqc("processInstanceKey", doneKey)}})},
		{"element instances: first page", page(s.SearchElementInstances, store.Query{Limit: 50})},
		{"element instances: state ACTIVE", page(s.SearchElementInstances, store.Query{Limit: 50, Conditions: []store.Condition{eqc("state", "ACTIVE")}})},
		{"element instances: state ACTIVE cursor page", nextPage(s.SearchElementInstances, store.Query{Limit: 50, Conditions: []store.Condition{eqc("state", "ACTIVE")}})},
		{"element instances: state COMPLETED", page(s.SearchElementInstances, store.Query{Limit: 50, Conditions: []store.Condition{eqc("state", "COMPLETED")}})},
		{"element instances: type SERVICE_TASK", page(s.SearchElementInstances, store.Query{Limit: 50, Conditions: []store.Condition{eqc("type", "SERVICE_TASK")}})},
		{"element instances: elementId and state ACTIVE", page(s.SearchElementInstances, store.Query{Limit: 50, Conditions: []store.Condition{eqc("elementId", "task"), eqc("state", "ACTIVE")}})},
		{"element instances: processDefinitionKey and elementId", page(s.SearchElementInstances, store.Query{Limit: 50, Conditions: []store.Condition{eqc("processDefinitionKey", defKey), eqc("elementId", "task")}})},
		{"element instances: startDate hour", page(s.SearchElementInstances, store.Query{Limit: 50, Conditions: hour})},

		{"variables: processInstanceKey", page(s.SearchVariables, store.Query{Conditions: []store.Condition{eqc("processInstanceKey", doneKey)}})},
		{"variables: name and value", page(s.SearchVariables, store.Query{Limit: 50, Conditions: []store.Condition{eqc("name", "orderId"), eqc("value", orderID)}})},
		{"variables: name", page(s.SearchVariables, store.Query{Limit: 50, Conditions: []store.Condition{eqc("name", "orderId")}})},
		{"variables: name cursor page", nextPage(s.SearchVariables, store.Query{Limit: 50, Conditions: []store.Condition{eqc("name", "orderId")}})},
		{"variables: scopeKey", page(s.SearchVariables, store.Query{Conditions: []store.Condition{eqc("scopeKey", liveKey)}})},

		{"jobs: processInstanceKey", page(s.SearchJobs, store.Query{Conditions: []store.Condition{eqc("processInstanceKey", doneKey)}})},
		{"jobs: type", page(s.SearchJobs, store.Query{Limit: 50, Conditions: []store.Condition{eqc("type", pid)}})},
		{"jobs: type and state CREATED", page(s.SearchJobs, store.Query{Limit: 50, Conditions: []store.Condition{eqc("type", pid), eqc("state", "CREATED")}})},
		{"jobs: state CREATED", page(s.SearchJobs, store.Query{Limit: 50, Conditions: []store.Condition{eqc("state", "CREATED")}})},
		{"jobs: state CREATED cursor page", nextPage(s.SearchJobs, store.Query{Limit: 50, Conditions: []store.Condition{eqc("state", "CREATED")}})},
		{"jobs: state COMPLETED", page(s.SearchJobs, store.Query{Limit: 50, Conditions: []store.Condition{eqc("state", "COMPLETED")}})},
		{"jobs: state FAILED", page(s.SearchJobs, store.Query{Limit: 50, Conditions: []store.Condition{eqc("state", "FAILED")}})},

		{"incidents: state ACTIVE", page(s.SearchIncidents, store.Query{Limit: 50, Conditions: []store.Condition{eqc("state", "ACTIVE")}})},
		{"incidents: processInstanceKey", page(s.SearchIncidents, store.Query{Conditions: []store.Condition{eqc("processInstanceKey", doneKey)}})},
		{"incidents: first page", page(s.SearchIncidents, store.Query{Limit: 50})},

		{"user tasks: state CREATED", page(s.SearchUserTasks, store.Query{Limit: 50, Conditions: []store.Condition{eqc("state", "CREATED")}, Sort: []store.SortField{{Field: "creationDate", Desc: true}}})},
		{"user tasks: processInstanceKey", page(s.SearchUserTasks, store.Query{Conditions: []store.Condition{eqc("processInstanceKey", doneKey)}})},
		{"user tasks: first page", page(s.SearchUserTasks, store.Query{Limit: 50})},

		{"message subscriptions: processInstanceKey", page(s.SearchMessageSubscriptions, store.Query{Conditions: []store.Condition{eqc("processInstanceKey", doneKey)}})},
		{"message subscriptions: state CREATED", page(s.SearchMessageSubscriptions, store.Query{Limit: 50, Conditions: []store.Condition{eqc("messageSubscriptionState", "CREATED")}})},
		{"correlated message subscriptions: processInstanceKey", page(s.SearchCorrelatedMessageSubscriptions, store.Query{Conditions: []store.Condition{eqc("processInstanceKey", doneKey)}})},
		{"correlated message subscriptions: first page", page(s.SearchCorrelatedMessageSubscriptions, store.Query{Limit: 50})},

		{"process definitions: processDefinitionId", page(s.SearchProcessDefinitions, store.Query{Conditions: []store.Condition{eqc("processDefinitionId", pid)}})},
		{"process definitions: isLatestVersion", page(s.SearchProcessDefinitions, store.Query{Conditions: []store.Condition{eqc("isLatestVersion", true)}})},

		{"sequence flows of an instance", func(ctx context.Context) (int64, bool, error) {
			f, err := s.SequenceFlows(ctx, doneKey, nil)
			return int64(len(f)), false, err
		}},
		{"statistics of an instance", func(ctx context.Context) (int64, bool, error) {
			st, err := s.ElementStatistics(ctx, store.Query{Conditions: []store.Condition{eqc("processInstanceKey", doneKey)}})
			return int64(len(st)), false, err
		}},
		{"statistics of a definition: state ACTIVE", func(ctx context.Context) (int64, bool, error) {
			st, err := s.ElementStatistics(ctx, store.Query{Conditions: []store.Condition{eqc("processDefinitionKey", defKey), eqc("state", "ACTIVE")}})
			return int64(len(st)), false, err
		}},
		{"statistics of a definition: all", func(ctx context.Context) (int64, bool, error) {
			st, err := s.ElementStatistics(ctx, store.Query{Conditions: []store.Condition{eqc("processDefinitionKey", defKey)}})
			return int64(len(st)), false, err
		}},
		{"usage metrics of an hour", func(ctx context.Context) (int64, bool, error) {
			u, _, err := s.Usage(ctx, store.UsageQuery{From: done.StartDate, To: done.StartDate.Add(time.Hour)})
			return u["<default>"].ProcessInstances, false, err
		}},
		{"usage metrics of a day", func(ctx context.Context) (int64, bool, error) {
			u, _, err := s.Usage(ctx, store.UsageQuery{From: done.StartDate, To: done.StartDate.Add(24 * time.Hour)})
			return u["<default>"].ProcessInstances, false, err
		}},
	}
	return list, nil
}
