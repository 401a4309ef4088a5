package pgstore

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/example/wf-engine/conformance/storesuite"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store"
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

// TestElementCountsMatchTheRows checks migration 38's counts against a
// count of the rows after inserts, updates, upserts (a store that does not
// know its highest key, as after a failed commit, looks every row up) and
// removals.
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

	// Every row upserted from here, each looked up before.
	s.keyMu.Lock()
	s.maxKey = -1
	s.keyMu.Unlock()
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
