package pgstore

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/example/wf-engine/conformance/storesuite"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/internal/search"
	"github.com/example/wf-engine/core/store/internal/tables"
	"github.com/example/wf-engine/core/store/pgstore/pgtest"
)

// shortV2 is storesuite.NewRetentionFixture's process "short" again, under
// a name: a second version with the same elements.
const shortV2 = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="short" isExecutable="true" name="v2">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:serviceTask id="work"><bpmn:extensionElements><zeebe:taskDefinition type="short-work" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="approve" />
    <bpmn:userTask id="approve"><bpmn:extensionElements><zeebe:userTask /></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="approve" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`

// elementCount is one definition, element and tenant's counts.
type elementCount struct {
	Def                                               int64
	Element, Tenant                                   string
	Instances, Active, Canceled, Incidents, Completed int64
}

// TestElementCountsMatchTheRows checks migration 38's counts (and 42's,
// by process instance state) against a count of the rows after inserts,
// updates, upserts (a store that does not know its highest key, as after
// a failed commit, looks every row up) and removals.
func TestElementCountsMatchTheRows(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	s := openTest(t, url)
	read := func(sql string) []elementCount {
		t.Helper()
		rows, err := s.pool.Query(ctx, sql)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[elementCount])
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return out
	}
	check := func(stage string) {
		t.Helper()
		checkCountsByState(t, s, stage)
		counted := read(`SELECT process_definition_key, element_id, tenant_id, CAST(sum(instances) AS BIGINT), CAST(sum(active) AS BIGINT),
			CAST(sum(canceled) AS BIGINT), CAST(sum(incidents) AS BIGINT), CAST(sum(completed) AS BIGINT) FROM element_counts
			GROUP BY 1, 2, 3 HAVING sum(instances) <> 0 OR sum(active) <> 0 OR sum(canceled) <> 0 OR sum(incidents) <> 0 OR sum(completed) <> 0
			ORDER BY 1, 2, 3`)
		rows := read(`SELECT process_definition_key, element_id, tenant_id, count(*), count(*) FILTER (WHERE state = 'ACTIVE' AND incident_key <= 0),
			count(*) FILTER (WHERE state = 'TERMINATED'), count(*) FILTER (WHERE state = 'ACTIVE' AND incident_key > 0),
			count(*) FILTER (WHERE state = 'COMPLETED') FROM element_instances WHERE flow_scope_key <> -1 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`)
		if len(rows) == 0 {
			t.Fatalf("%s: no element instances", stage)
		}
		if len(counted) != len(rows) {
			t.Fatalf("%s: counts\n%+v\nwant\n%+v", stage, counted, rows)
		}
		for i := range rows {
			if counted[i] != rows[i] {
				t.Errorf("%s: counts\n%+v\nwant\n%+v", stage, counted[i], rows[i])
			}
		}
	}
	m0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f := storesuite.NewRetentionFixture(t, s, m0)
	done := f.Start("short")
	f.StartWithIncident("short")
	waiting := f.StartWaiting("long")
	check("inserted and updated")
	if n := s.countedRows(); n == 0 {
		t.Fatal("after Load, Prepare computes no instance's counts")
	}

	// Every row upserted from here, each looked up before.
	s.forgetStored()
	f.End(waiting)
	f.End(done)
	f.Start("long")
	check("upserted")

	f.Clock.Advance(time.Hour)
	res, err := s.RemoveFinished(ctx, store.RetentionPolicy{Cutoff: m0.Add(time.Minute)}, 100)
	if err != nil || res.Instances != 2 {
		t.Fatalf("remove: %+v %v, want 2 instances removed", res, err)
	}
	check("removed")

	// An instance moved to version 2: its finished element instances stay
	// at version 1, which the migrated list corrects for.
	moved := f.Start("short")
	dep, err := f.E.Deploy(ctx, engine.DeployRequest{Resources: []record.Resource{{Name: "short.bpmn", Content: []byte(shortV2)}}})
	if err != nil || len(dep.Processes) != 1 {
		t.Fatalf("deploy version 2: %+v %v", dep, err)
	}
	if err := f.E.MigrateInstance(ctx, engine.MigrateInstanceRequest{ProcessInstanceKey: moved, TargetProcessDefinitionKey: dep.Processes[0].ProcessDefinitionKey,
		Mappings: []record.MappingInstruction{{SourceElementID: "approve", TargetElementID: "approve"}}}); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	check("migrated")
	listed := func() int {
		t.Helper()
		var n int
		if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM element_counts_migrated WHERE process_instance_key = $1", moved).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if listed() != 1 {
		t.Fatal("the migrated instance is not listed")
	}

	// Migration 38 again, on these rows: it fills the counts and the
	// migrated list from them. "down" undoes one migration at a time.
	for v := uint(1 << 31); v != 37; {
		var err error
		if v, _, err = Migrate(ctx, url, "down"); err != nil || v < 37 {
			t.Fatalf("down: %d %v", v, err)
		}
	}
	if v, _, err := Migrate(ctx, url, "up"); err != nil || v < 38 {
		t.Fatalf("up: %d %v", v, err)
	}
	check("filled by the migration")
	if listed() != 1 {
		t.Fatal("the migration did not list the migrated instance")
	}
}

// instantXML is a process that ends where it starts: an instance starts and
// ends in one batch.
const instantXML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:process id="instant" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`

// rewritingStore writes a batch's element instance rows a second time
// right after its commit when again is set, with their count statement,
// every row looked up and upserted as after a commit whose outcome was
// unknown.
type rewritingStore struct {
	*Store
	again bool
}

func (r *rewritingStore) Commit(ctx context.Context, b *store.Batch) error {
	if err := r.Store.Commit(ctx, b); err != nil || !r.again {
		return err
	}
	s := r.Store
	p, ok := b.Prepared.(*prepared)
	if !ok {
		return fmt.Errorf("batch prepared as %T", b.Prepared)
	}
	wire := &pgconn.Batch{}
	for _, r := range p.rows.State {
		if r.T == tables.ElementInstances && r.Len() > 0 {
			queueElementCounts(wire, r, math.MaxInt64)
			params, formats := encodeRows(r)
			wire.ExecPrepared("wf_upsert_"+r.T.Name, params, formats, nil)
		}
	}
	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	conn, err := s.writer.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	_, err = conn.Conn().PgConn().ExecBatch(ctx, wire).ReadAll()
	return err
}

// stateFilters are the process instance state conditions whose statistics
// the counts answer.
var stateFilters = [][]store.Condition{
	nil,
	{eq("state", "ACTIVE")},
	{eq("state", "COMPLETED")},
	{eq("state", "TERMINATED")},
	{cond("state", store.OpIn, []any{"ACTIVE", "TERMINATED"})},
	{cond("state", store.OpIn, []any{"COMPLETED", "TERMINATED", "COMPLETED"})},
	{cond("state", store.OpIn, []any{"ACTIVE", "COMPLETED"}), eq("state", "COMPLETED")},
	{eq("state", "ACTIVE"), eq("state", "COMPLETED")},
}

// TestElementCountsByStateMatchThePlainStatement runs random work (instances
// that start, fail, recover, complete, are canceled, start and end in one
// batch, move to another version, are removed; commits that look every row
// up, batches written twice) and checks after each step that the counts
// (migration 42) give, for every definition and process instance state
// filter, the plain statement's statistics, and hold what the rows count
// by their process instance's state. Then deletes outside retention and
// the migration's own fill.
func TestElementCountsByStateMatchThePlainStatement(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	rw := &rewritingStore{Store: openTest(t, url)}
	s := rw.Store
	m0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f := storesuite.NewRetentionFixture(t, rw, m0)
	var defs []int64
	for _, xml := range []string{shortV2, instantXML} {
		dep, err := f.E.Deploy(ctx, engine.DeployRequest{Resources: []record.Resource{{Name: "p.bpmn", Content: []byte(xml)}}})
		if err != nil || len(dep.Processes) != 1 {
			t.Fatalf("deploy: %+v %v", dep, err)
		}
		defs = append(defs, dep.Processes[0].ProcessDefinitionKey)
	}
	var v1, long int64
	if err := s.pool.QueryRow(ctx, "SELECT min(key) FILTER (WHERE bpmn_process_id = 'short'), min(key) FILTER (WHERE bpmn_process_id = 'long') FROM process_definitions").
		Scan(&v1, &long); err != nil {
		t.Fatal(err)
	}
	defs = append(defs, v1, long)

	plain := func(q store.Query) []store.ElementStatistics {
		t.Helper()
		st, err := search.ElementStatisticsSQL(q, search.Postgres)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := s.pool.Query(ctx, st.SQL, st.Args...)
		if err != nil {
			t.Fatalf("%s: %v", st.SQL, err)
		}
		defer rows.Close()
		out := []store.ElementStatistics{}
		for rows.Next() {
			r, err := search.ScanElementStatistics(rows.Scan)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, r)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	check := func(stage string) {
		t.Helper()
		checkCountsByState(t, s, stage)
		for _, def := range defs {
			for _, filter := range stateFilters {
				for _, tenants := range [][]string{nil, {record.DefaultTenant}, {"other"}} {
					q := store.Query{Conditions: append([]store.Condition{eq("processDefinitionKey", def)}, filter...), Tenants: tenants}
					if _, counted, err := search.ElementStatisticsCountedSQL(q, search.Postgres); err != nil || !counted {
						t.Fatalf("%s: %+v is not counted (%v)", stage, q, err)
					}
					got, err := s.ElementStatistics(ctx, q)
					if err != nil {
						t.Fatalf("%s: %v", stage, err)
					}
					if want := plain(q); !reflect.DeepEqual(got, want) {
						t.Fatalf("%s: statistics of %+v (tenants %v) =\n%+v\nwant\n%+v", stage, q.Conditions, tenants, got, want)
					}
				}
			}
		}
	}

	userTask := func(pi int64) int64 {
		t.Helper()
		page, err := s.SearchUserTasks(ctx, store.Query{Conditions: []store.Condition{eq("processInstanceKey", pi)}})
		if err != nil || len(page.Items) != 1 {
			t.Fatalf("user task of %d: %v (%d found)", pi, err, len(page.Items))
		}
		return page.Items[0].UserTaskKey
	}
	rnd := rand.New(rand.NewPCG(47, 1))
	pick := func(keys []int64) ([]int64, int64) {
		i := rnd.IntN(len(keys))
		k := keys[i]
		return slices.Delete(keys, i, i+1), k
	}
	// Live instances by where they wait (atShort: of short's latest
	// version, version 2, at the user task); finished ones wait for
	// retention. No job can be activated between two steps.
	var atTask, atShort, failed, waiting []int64
	for step := range 70 {
		rw.again = rnd.IntN(4) == 0
		op := rnd.IntN(10)
		switch {
		case op == 0:
			pi := f.Start("short")
			atTask, atShort = append(atTask, pi), append(atShort, pi)
		case op == 1:
			atTask = append(atTask, f.Start("long"))
		case op == 2:
			waiting = append(waiting, f.StartWaiting("long"))
		case op == 3:
			failed = append(failed, f.StartWithIncident("short"))
		case op == 4:
			if _, err := f.E.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "instant"}); err != nil {
				t.Fatal(err)
			}
		case op == 5 && len(atTask) > 0:
			var pi int64
			atTask, pi = pick(atTask)
			atShort = slices.DeleteFunc(atShort, func(k int64) bool { return k == pi })
			if err := f.E.CompleteUserTask(ctx, engine.CompleteUserTaskRequest{Key: userTask(pi)}); err != nil {
				t.Fatalf("complete the user task of %d: %v", pi, err)
			}
		case op == 6 && len(atTask)+len(failed)+len(waiting) > 0:
			all := slices.Concat(atTask, failed, waiting)
			pi := all[rnd.IntN(len(all))]
			del := func(k int64) bool { return k == pi }
			atTask, atShort = slices.DeleteFunc(atTask, del), slices.DeleteFunc(atShort, del)
			failed, waiting = slices.DeleteFunc(failed, del), slices.DeleteFunc(waiting, del)
			f.End(pi)
		case op == 7 && len(failed) > 0:
			var pi int64
			failed, pi = pick(failed)
			page, err := s.SearchIncidents(ctx, store.Query{Conditions: []store.Condition{eq("processInstanceKey", pi), eq("state", "ACTIVE")}})
			if err != nil || len(page.Items) != 1 {
				t.Fatalf("incident of %d: %v (%d found)", pi, err, len(page.Items))
			}
			if err := f.E.UpdateJobRetries(ctx, page.Items[0].JobKey, 1); err != nil {
				t.Fatal(err)
			}
			if err := f.E.ResolveIncident(ctx, page.Items[0].IncidentKey); err != nil {
				t.Fatal(err)
			}
			jobs, err := f.E.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: "short-work", Worker: "w", Timeout: 1000 * time.Hour, MaxJobs: 1})
			if err != nil || len(jobs) != 1 || jobs[0].Key != page.Items[0].JobKey {
				t.Fatalf("activate the job of %d again: %v (%d jobs)", pi, err, len(jobs))
			}
			waiting = append(waiting, pi)
		case op == 8 && len(atShort) > 0:
			// Back to version 1: the finished element instances stay at
			// version 2.
			var pi int64
			atShort, pi = pick(atShort)
			if err := f.E.MigrateInstance(ctx, engine.MigrateInstanceRequest{ProcessInstanceKey: pi, TargetProcessDefinitionKey: v1,
				Mappings: []record.MappingInstruction{{SourceElementID: "approve", TargetElementID: "approve"}}}); err != nil {
				t.Fatalf("migrate %d: %v", pi, err)
			}
		case op == 9:
			f.Clock.Advance(time.Minute)
			if _, err := s.RemoveFinished(ctx, store.RetentionPolicy{Cutoff: f.Clock.Now()}, 3); err != nil {
				t.Fatal(err)
			}
		case s.counting():
			// As after a failed commit: every row of the next commits is
			// upserted and counted by the count statement, looked up.
			s.forgetStored()
		default:
			// As Load does: the instances that start from here have
			// their counts computed by Prepare, the others by the count
			// statement.
			if err := s.readMaxKey(ctx); err != nil {
				t.Fatal(err)
			}
		}
		check(fmt.Sprintf("step %d (%d)", step, op))
	}
	rw.again = false

	// Deletes the engine never makes: one element instance of a live
	// process instance, and a process instance with all its rows in one
	// statement.
	all := slices.Concat(atTask, failed, waiting)
	if len(all) < 2 {
		t.Fatalf("%d live instances, the test needs 2", len(all))
	}
	if _, err := s.pool.Exec(ctx, "DELETE FROM element_instances WHERE key = (SELECT max(key) FROM element_instances WHERE process_instance_key = $1)", all[0]); err != nil {
		t.Fatal(err)
	}
	check("one element instance deleted")
	if _, err := s.pool.Exec(ctx, "DELETE FROM element_instances WHERE process_instance_key = $1", all[1]); err != nil {
		t.Fatal(err)
	}
	check("a process instance and its element instances deleted at once")

	// Migration 42 again on these rows: it fills the counts from them.
	if v, _, err := Migrate(ctx, url, "down"); err != nil || v != 41 {
		t.Fatalf("down: %d %v", v, err)
	}
	if v, _, err := Migrate(ctx, url, "up"); err != nil || v < 42 {
		t.Fatalf("up: %d %v", v, err)
	}
	check("filled by the migration")
}

// checkCountsByState checks element_counts against a count of the rows by
// definition, process instance state, element and tenant.
func checkCountsByState(t *testing.T, s *Store, stage string) {
	t.Helper()
	type count struct {
		Def                                               int64
		State, Element, Tenant                            string
		Instances, Active, Canceled, Incidents, Completed int64
	}
	read := func(sql string) []count {
		t.Helper()
		rows, err := s.pool.Query(context.Background(), sql)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[count])
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return out
	}
	counted := read(`SELECT process_definition_key, instance_state, element_id, tenant_id, CAST(sum(instances) AS BIGINT), CAST(sum(active) AS BIGINT),
		CAST(sum(canceled) AS BIGINT), CAST(sum(incidents) AS BIGINT), CAST(sum(completed) AS BIGINT) FROM element_counts
		GROUP BY 1, 2, 3, 4 HAVING sum(instances) <> 0 OR sum(active) <> 0 OR sum(canceled) <> 0 OR sum(incidents) <> 0 OR sum(completed) <> 0
		ORDER BY 1, 2, 3, 4`)
	rows := read(`SELECT e.process_definition_key, r.instance_state, e.element_id, e.tenant_id, count(*),
		count(*) FILTER (WHERE e.state = 'ACTIVE' AND e.incident_key <= 0), count(*) FILTER (WHERE e.state = 'TERMINATED'),
		count(*) FILTER (WHERE e.state = 'ACTIVE' AND e.incident_key > 0), count(*) FILTER (WHERE e.state = 'COMPLETED')
		FROM element_instances e JOIN element_instances r ON r.key = e.process_instance_key AND r.flow_scope_key = -1
		WHERE e.flow_scope_key <> -1 GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`)
	if !reflect.DeepEqual(counted, rows) {
		t.Fatalf("%s: counts\n%+v\nwant\n%+v", stage, counted, rows)
	}
}

// TestCountStatementPlans pins the plans of the commit's count statement,
// custom and generic (the writer's prepared statement may run either), on
// empty tables, as a writer plans it after its first start, and on rows
// like an engine's (fillForPlans): element_instances is read only by index
// conditions (by key, by process instance), never whole. The batch ends
// process instance 20, which has five stored element instances.
func TestCountStatementPlans(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	s := openTest(t, url)
	check := func(stage string) {
		t.Helper()
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = conn.Close(ctx) }()
		if _, err := conn.Exec(ctx, "PREPARE count_plan AS "+countRows); err != nil {
			t.Fatal(err)
		}
		for _, mode := range []string{"force_custom_plan", "force_generic_plan"} {
			if _, err := conn.Exec(ctx, "SET plan_cache_mode = "+mode); err != nil {
				t.Fatal(err)
			}
			var text string
			if err := conn.QueryRow(ctx, `EXPLAIN (FORMAT JSON) EXECUTE count_plan('{20, 100096, 900001}', '{20, 20, 20}',
				'{1000020, 1000020, 1000020}', '{p0, task15, end}', '{<default>, <default>, <default>}', '{-1, 20, 20}',
				'{COMPLETED, COMPLETED, COMPLETED}', '{0, 0, 0}', 900000)`).Scan(&text); err != nil {
				t.Fatal(err)
			}
			var plans []struct {
				Plan planNode `json:"Plan"`
			}
			if err := json.Unmarshal([]byte(text), &plans); err != nil || len(plans) != 1 {
				t.Fatalf("read plan: %v: %s", err, text)
			}
			used := map[string]bool{}
			plans[0].Plan.walk(func(n *planNode) {
				if n.RelationName != "element_instances" {
					return
				}
				used[n.IndexName] = true
				if n.IndexCond == "" {
					t.Errorf("%s, %s: element_instances read by %s %s without an index condition:\n%s", stage, mode, n.NodeType, n.IndexName, text)
				}
			})
			for _, want := range []string{"element_instances_pkey", "element_instances_process_instance"} {
				if !used[want] {
					t.Errorf("%s, %s: plan reads %v, want %s among them\n%s", stage, mode, used, want, text)
				}
			}
		}
	}
	check("empty tables")
	fillForPlans(t, s)
	check("filled tables")
}
