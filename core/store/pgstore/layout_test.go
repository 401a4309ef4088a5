package pgstore_test

import (
	"context"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/example/wf-engine/core/store/pgstore/pgtest"
)

// An update whose changed columns no index covers is HOT: it writes no
// index entries. The columns below change while an element instance or a
// job lives (migration 7); an index on any of them makes every such update
// pay for every index of the table again.
func TestNoIndexCoversAColumnThatChangesWhileARowLives(t *testing.T) {
	url := pgtest.URL(t)
	s := open(t, url) // migrates
	_ = s.Close()
	mutable := map[string][]string{
		"element_instances": {"lifecycle", "state", "active_children", "waiting", "job_key", "incident_key", "end_time"},
		"jobs": {"lifecycle", "state", "worker", "retries", "retry_backoff", "recurring_time", "deadline", "timeout",
			"error_message", "error_code", "variables"},
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(ctx) }()
	// pg_depend links an index to every column it names, in its keys,
	// expressions and predicate alike.
	rows, err := conn.Query(ctx, `
		SELECT DISTINCT t.relname, x.relname, a.attname
		FROM pg_index i
		JOIN pg_class t ON t.oid = i.indrelid
		JOIN pg_class x ON x.oid = i.indexrelid
		JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = i.indexrelid
			AND d.refclassid = 'pg_class'::regclass AND d.refobjid = i.indrelid AND d.refobjsubid > 0
		JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = d.refobjsubid
		WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY($1)`,
		[]string{"element_instances", "jobs"})
	if err != nil {
		t.Fatal(err)
	}
	// The exceptions, each taken on purpose (migration 26, docs/stores.md
	// "Indexes"): the partial indexes of unfinished element instances and
	// jobs cost the one update that finishes a row its HOT-ness, and the end
	// time is indexed for process instances only, whose updates are not HOT
	// anyway (instance_state is indexed). Migration 29's index of unfinished
	// element instances by element id covers state as the first one does:
	// the update that finishes a row was not HOT already.
	accepted := map[string]bool{
		"element_instances_unfinished.state":      true,
		"element_instances_open_by_element.state": true,
		"jobs_unfinished.state":                   true,
		"process_instances_end.end_time":          true,
	}
	seen := map[string]bool{}
	for rows.Next() {
		var table, index, column string
		if err := rows.Scan(&table, &index, &column); err != nil {
			t.Fatal(err)
		}
		seen[table+"."+column] = true
		if slices.Contains(mutable[table], column) && !accepted[index+"."+column] {
			t.Errorf("index %s covers %s.%s, which updates change", index, table, column)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	// The query must see the indexes at all, or the test proves nothing.
	for _, c := range []string{"element_instances.process_instance_key", "element_instances.instance_state", "jobs.type"} {
		if !seen[c] {
			t.Errorf("no index found on %s; the catalog query is wrong or the index is gone", c)
		}
	}
}
