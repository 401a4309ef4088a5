package pgstore

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/example/wf-engine/conformance/storesuite"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/pgstore/pgtest"
)

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
	s := openTest(t, pgtest.URL(t))
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
}
