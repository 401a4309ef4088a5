package pgstore_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/example/wf-engine/conformance/storesuite"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/pgstore"
	"github.com/example/wf-engine/core/store/pgstore/pgtest"
)

// rlsTables are the tables with a tenant_id column that migration 0010
// names; TenantBatch writes rows of both tenants to each.
var rlsTables = []string{
	"compensation_subscriptions", "element_instances", "forms", "incidents", "jobs", "message_start_subscriptions",
	"message_subscriptions", "messages", "process_definitions", "signal_subscriptions", "timers", "user_tasks", "variables",
}

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

// tenantTables lists the tables of the connection's schema that have a
// tenant_id column.
func tenantTables(t *testing.T, conn *pgx.Conn) []string {
	t.Helper()
	rows, err := conn.Query(context.Background(), `SELECT table_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND column_name = 'tenant_id' ORDER BY table_name`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return tables
}

// rowsByTenant reads table as its owner, which row-level security does not
// restrict, and returns the ctid of every row by tenant. A variable's
// tenant is its process instance's.
func rowsByTenant(t *testing.T, conn *pgx.Conn, table string) map[string][]string {
	t.Helper()
	q := "SELECT ctid::text, tenant_id FROM " + pgx.Identifier{table}.Sanitize()
	if table == "variables" {
		q = "SELECT v.ctid::text, coalesce(p.tenant_id, '') FROM variables v LEFT JOIN element_instances p ON p.key = v.process_instance_key"
	}
	rows, err := conn.Query(context.Background(), q)
	if err != nil {
		t.Fatalf("%s: %v", table, err)
	}
	out := map[string][]string{}
	var ctid, tenant string
	if _, err := pgx.ForEachRow(rows, []any{&ctid, &tenant}, func() error {
		out[tenant] = append(out[tenant], ctid)
		return nil
	}); err != nil {
		t.Fatalf("%s: %v", table, err)
	}
	for _, ids := range out {
		slices.Sort(ids)
	}
	return out
}

// readAs reads every row of table with no WHERE clause in a read-only
// transaction that switched to role and, unless setting is nil, set
// wf.tenants to it: what row-level security lets through.
func readAs(t *testing.T, conn *pgx.Conn, role string, setting *string, table string) []string {
	t.Helper()
	ctx := context.Background()
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, "SET LOCAL ROLE "+pgx.Identifier{role}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	if setting != nil {
		if _, err := tx.Exec(ctx, "SELECT set_config('wf.tenants', $1, true)", *setting); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := tx.Query(ctx, "SELECT ctid::text FROM "+pgx.Identifier{table}.Sanitize())
	if err != nil {
		t.Fatalf("%s as %s: %v", table, role, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("%s as %s: %v", table, role, err)
	}
	slices.Sort(ids)
	return ids
}

// TestRowLevelSecurityRestrictsEveryTenantTable commits rows of two tenants
// through the store, then reads each table with a tenant_id column as the
// read role with no WHERE clause: only the rows of the tenants set come
// back, all of them with "*", none with the setting unset or empty.
func TestRowLevelSecurityRestrictsEveryTenantTable(t *testing.T) {
	role := pgtest.ReadRole(t)
	url := pgtest.URL(t)
	s, err := pgstore.Open(context.Background(), url, pgstore.Options{ReadRole: role})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	if err := s.Commit(context.Background(), storesuite.TenantBatch()); err != nil {
		t.Fatal(err)
	}
	// A connection that has never set wf.tenants: current_setting is NULL.
	fresh := connect(t, url)
	conn := connect(t, url)
	tables := tenantTables(t, conn)
	for _, want := range rlsTables {
		if !slices.Contains(tables, want) {
			t.Errorf("table %s has no tenant_id column any more: update the test", want)
		}
	}
	a, b := storesuite.TenantA, storesuite.TenantB
	str := func(s string) *string { return &s }
	for _, table := range tables {
		truth := rowsByTenant(t, conn, table)
		if len(truth) > 0 || slices.Contains(rlsTables, table) {
			// TenantBatch writes rows of both tenants wherever it writes.
			if len(truth[a]) == 0 || len(truth[b]) == 0 {
				t.Errorf("%s: the store wrote no rows of %s or of %s (%v): the test would prove nothing", table, a, b, truth)
				continue
			}
		}
		var every []string
		for _, ids := range truth {
			every = append(every, ids...)
		}
		slices.Sort(every)
		both := slices.Sorted(slices.Values(append(slices.Clone(truth[a]), truth[b]...)))
		cases := []struct {
			name    string
			setting *string
			want    []string
		}{
			{"tenant A", str(a), truth[a]},
			{"tenant B", str(b), truth[b]},
			{"tenants A and B", str(b + "," + a), both},
			{"every tenant", str("*"), every},
			{"the default tenant", str(record.DefaultTenant), truth[record.DefaultTenant]},
			{"empty", str(""), nil},
			{"a tenant that is a prefix", str("tenant-"), nil},
		}
		for _, tc := range cases {
			if got := readAs(t, conn, role, tc.setting, table); !slices.Equal(got, tc.want) {
				t.Errorf("%s with %s: got rows %v, want %v", table, tc.name, got, tc.want)
			}
		}
		if got := readAs(t, fresh, role, nil, table); len(got) != 0 {
			t.Errorf("%s with wf.tenants never set: got rows %v, want none", table, got)
		}
	}
	// The owner is not subject to row-level security: commits and loads
	// see everything.
	snap, err := s.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Jobs) != 3 || len(snap.Variables) != 3 {
		t.Errorf("load as the owner: %d jobs and %d variables, want 3 and 3", len(snap.Jobs), len(snap.Variables))
	}
}

// TestRowLevelSecurityHoldsWithoutTheSearchFilter runs searches whose SQL
// lost its tenant condition: as the read role they still see only the
// query's tenants; as the owner (no read role) the same searches see
// every tenant, which shows that the condition really is gone.
func TestRowLevelSecurityHoldsWithoutTheSearchFilter(t *testing.T) {
	role := pgtest.ReadRole(t)
	url := pgtest.URL(t)
	ctx := context.Background()
	guarded, err := pgstore.Open(ctx, url, pgstore.Options{ReadRole: role})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = guarded.Close() }()
	if err := guarded.Commit(ctx, storesuite.TenantBatch()); err != nil {
		t.Fatal(err)
	}
	open, err := pgstore.Open(ctx, url, pgstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = open.Close() }()

	tenantsOf := func(q store.Querier, tenants []string) map[string][]string {
		t.Helper()
		query := store.Query{Tenants: tenants}
		out := map[string][]string{}
		add := func(entity string, n int, err error, tenant func(int) string) {
			if err != nil {
				t.Fatalf("%s: %v", entity, err)
			}
			for i := range n {
				out[entity] = append(out[entity], tenant(i))
			}
			slices.Sort(out[entity])
		}
		d, err := q.SearchProcessDefinitions(ctx, query)
		add("process definitions", len(d.Items), err, func(i int) string { return d.Items[i].TenantID })
		p, err := q.SearchProcessInstances(ctx, query)
		add("process instances", len(p.Items), err, func(i int) string { return p.Items[i].TenantID })
		e, err := q.SearchElementInstances(ctx, query)
		add("element instances", len(e.Items), err, func(i int) string { return e.Items[i].TenantID })
		v, err := q.SearchVariables(ctx, query)
		add("variables", len(v.Items), err, func(i int) string { return v.Items[i].TenantID })
		j, err := q.SearchJobs(ctx, query)
		add("jobs", len(j.Items), err, func(i int) string { return j.Items[i].TenantID })
		n, err := q.SearchIncidents(ctx, query)
		add("incidents", len(n.Items), err, func(i int) string { return n.Items[i].TenantID })
		u, err := q.(store.UserTaskQuerier).SearchUserTasks(ctx, query)
		add("user tasks", len(u.Items), err, func(i int) string { return u.Items[i].TenantID })
		return out
	}
	a, b := storesuite.TenantA, storesuite.TenantB
	for entity, tenants := range tenantsOf(pgstore.Unfiltered{S: open}, []string{a}) {
		if !slices.Contains(tenants, b) {
			t.Fatalf("%s: the unfiltered search as the owner did not see tenant B (%v): the hook does not drop the filter", entity, tenants)
		}
	}
	for _, tc := range []struct {
		tenants []string
		want    []string
	}{
		{[]string{a}, []string{a}},
		{[]string{b}, []string{b}},
		{[]string{a, b}, []string{a, b}},
		{[]string{}, nil},
	} {
		got := tenantsOf(pgstore.Unfiltered{S: guarded}, tc.tenants)
		for _, entity := range []string{"process definitions", "process instances", "element instances", "variables", "jobs", "incidents", "user tasks"} {
			want := tc.want
			if entity == "element instances" {
				want = nil
				for _, tenant := range tc.want {
					want = append(want, tenant, tenant)
				}
			}
			if !slices.Equal(got[entity], want) {
				t.Errorf("%s with tenants %v and no filter, as the read role: got tenants %v, want %v", entity, tc.tenants, got[entity], want)
			}
		}
	}
	// Nil tenants (no restriction) read every tenant: as the owner.
	all := tenantsOf(guarded, nil)
	if want := []string{record.DefaultTenant, a, b}; !slices.Equal(all["jobs"], want) {
		t.Errorf("jobs with no restriction as the read role: got %v, want %v", all["jobs"], want)
	}
}

// TestReadRoleMustNotBypassRowLevelSecurity checks that Open refuses read
// roles to which row-level security would not apply.
func TestReadRoleMustNotBypassRowLevelSecurity(t *testing.T) {
	pgtest.ReadRole(t)
	url := pgtest.URL(t)
	ctx := context.Background()
	conn := connect(t, url)
	var owner string
	if err := conn.QueryRow(ctx, "SELECT current_user").Scan(&owner); err != nil {
		t.Fatal(err)
	}
	var superuser string
	if err := conn.QueryRow(ctx, "SELECT rolname FROM pg_roles WHERE rolsuper ORDER BY rolname LIMIT 1").Scan(&superuser); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		role, want string
	}{
		{"wf_no_such_role", "does not exist"},
		{owner, "owns table"},
		{superuser, "is a superuser"},
	} {
		s, err := pgstore.Open(ctx, url, pgstore.Options{ReadRole: tc.role})
		if err == nil {
			_ = s.Close()
			t.Errorf("read role %q accepted", tc.role)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("read role %q: got %v, want an error saying %q", tc.role, err, tc.want)
		}
	}
	// Reopening with a good role grants nothing twice and still works.
	role := pgtest.ReadRole(t)
	for range 2 {
		s, err := pgstore.Open(ctx, url, pgstore.Options{ReadRole: role})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SearchJobs(ctx, store.Query{Tenants: []string{}}); err != nil {
			t.Fatal(err)
		}
		_ = s.Close()
	}
	var qe *store.QueryError
	s, err := pgstore.Open(ctx, url, pgstore.Options{ReadRole: role})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	if _, err := s.SearchJobs(ctx, store.Query{Tenants: []string{"*"}}); !errors.As(err, &qe) {
		t.Errorf("tenant *: got %v, want a *store.QueryError", err)
	}
}

// TestStoreSuiteWithReadRole runs the store suite with every search read as
// the read role, with row-level security on.
func TestStoreSuiteWithReadRole(t *testing.T) {
	role := pgtest.ReadRole(t)
	var mu sync.Mutex
	urls := map[store.Store]string{}
	open := func(t *testing.T, url string) store.Store {
		t.Helper()
		s, err := pgstore.Open(context.Background(), url, pgstore.Options{ReadRole: role})
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		urls[s] = url
		mu.Unlock()
		return s
	}
	storesuite.Run(t, func(t *testing.T) store.Store {
		return open(t, pgtest.URL(t))
	}, storesuite.Reopen(func(t *testing.T, s store.Store) store.Store {
		mu.Lock()
		url := urls[s]
		mu.Unlock()
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		return open(t, url)
	}))
}

// BenchmarkSearchReadRole compares searches read as the owner (no read
// role) with the same searches read as the read role under row-level
// security, over 30,000 process instances, variables and jobs of three
// tenants:
//
//	WF_TEST_POSTGRES_URL=... WF_TEST_POSTGRES_READ_ROLE=wf_reader go test -run '^$' -bench SearchReadRole ./core/store/pgstore/
func BenchmarkSearchReadRole(b *testing.B) {
	role := pgtest.ReadRole(b)
	url := pgtest.URL(b)
	ctx := context.Background()
	owner, err := pgstore.Open(ctx, url, pgstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = owner.Close() }()
	tenants := []string{storesuite.TenantA, storesuite.TenantB, record.DefaultTenant}
	const n = 30000
	for from := int64(0); from < n; from += 1000 {
		var c state.Changes
		for k := from; k < from+1000; k++ {
			key, tenant := 10*k+10, tenants[k%3]
			c.Elements = append(c.Elements, state.ElementRow{Key: key, State: state.ElementActivated, Value: record.ProcessInstanceValue{
				BPMNProcessID: "p", Version: 1, ProcessDefinitionKey: 1, ProcessInstanceKey: key, ElementID: "p",
				BPMNElementType: "PROCESS", FlowScopeKey: -1, ParentProcessInstanceKey: -1, ParentElementInstanceKey: -1, TenantID: tenant}})
			c.Variables = append(c.Variables, state.VariableRow{Key: key + 1, ScopeKey: key, ProcessInstanceKey: key, Name: "v", Value: float64(k)})
			c.Jobs = append(c.Jobs, state.Job{Key: key + 2, State: state.JobActivated, Value: record.JobValue{Type: "t", Retries: 3,
				CustomHeaders: map[string]string{}, ProcessInstanceKey: key, ElementInstanceKey: key, ElementID: "p", TenantID: tenant}})
		}
		c.LastKey, c.LastPosition = 10*(from+1000)+10, from/1000+1
		if err := owner.Commit(ctx, &store.Batch{Changes: c}); err != nil {
			b.Fatal(err)
		}
	}
	reader, err := pgstore.Open(ctx, url, pgstore.Options{ReadRole: role})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = reader.Close() }()
	a := []string{storesuite.TenantA}
	searches := []struct {
		name string
		run  func(q store.Querier) error
	}{
		{"jobs of a tenant, first page", func(q store.Querier) error {
			_, err := q.SearchJobs(ctx, store.Query{Tenants: a, Limit: 50})
			return err
		}},
		{"jobs of a tenant by key", func(q store.Querier) error {
			_, err := q.SearchJobs(ctx, store.Query{Tenants: a, Conditions: []store.Condition{{Field: "jobKey", Value: 12}}})
			return err
		}},
		{"variables of a tenant, first page", func(q store.Querier) error {
			_, err := q.SearchVariables(ctx, store.Query{Tenants: a, Limit: 50})
			return err
		}},
		{"variables of an instance", func(q store.Querier) error {
			_, err := q.SearchVariables(ctx, store.Query{Tenants: a, Conditions: []store.Condition{{Field: "processInstanceKey", Value: 10}}})
			return err
		}},
		{"process instances, no restriction", func(q store.Querier) error {
			_, err := q.SearchProcessInstances(ctx, store.Query{Limit: 50})
			return err
		}},
	}
	// Each op runs the search once as the owner and once as the read role,
	// in turn, so that load on the machine hits both alike; the medians of
	// each are reported.
	for _, sc := range searches {
		b.Run(sc.name, func(b *testing.B) {
			var times [2][]time.Duration
			for b.Loop() {
				for i, s := range []*pgstore.Store{owner, reader} {
					start := time.Now()
					if err := sc.run(s); err != nil {
						b.Fatal(err)
					}
					times[i] = append(times[i], time.Since(start))
				}
			}
			median := func(d []time.Duration) float64 {
				slices.Sort(d)
				return float64(d[len(d)/2].Microseconds())
			}
			b.ReportMetric(median(times[0]), "owner-µs")
			b.ReportMetric(median(times[1]), "role-µs")
		})
	}
}
