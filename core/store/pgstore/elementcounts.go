package pgstore

import (
	"encoding/binary"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/example/wf-engine/core/store/internal/tables"
)

// The element counts of migrations 38 and 42 (search.ElementStatisticsCountedSQL
// reads them): every commit adds what its element instance rows count and
// subtracts what the rows they replace counted, in its own transaction and
// before it writes them, so the counts match the rows in every snapshot.
// A row counts in the state of its process instance (migration 42): the
// state the batch writes on the instance's process instance row, or else
// the stored one. A batch that changes that state (ends the instance)
// first moves the instance's stored element instances from the old
// state's counts to the new. Fresh rows (keys above every stored one)
// replace nothing and are not looked up; the others are looked up by key.
// A batch written again after a commit whose outcome was unknown finds its
// own rows and adds nothing. Deletes (retention) subtract through the
// migrations' trigger.

// elementCountColumns are the element_instances columns the counts read,
// in the order of the count statement's parameters (the last parameter,
// after them, is the highest key that may be stored).
var elementCountColumns = []string{"key", "process_instance_key", "process_definition_key", "element_id", "tenant_id",
	"flow_scope_key", "state", "incident_key"}

// elementCountParams returns, for elementCountColumns in order, the index
// of each column among the table's.
var elementCountParams = func() []int {
	out := make([]int, len(elementCountColumns))
	for i, name := range elementCountColumns {
		out[i] = -1
		for j, c := range tables.ElementInstances.Columns {
			if c.Name == name {
				out[i] = j
			}
		}
		if out[i] < 0 {
			panic("pgstore: element_instances has no column " + name)
		}
	}
	return out
}()

// elementCountRows is the batch's rows as a relation.
func elementCountRows() string {
	cols := make([]string, len(elementCountColumns))
	for i, name := range elementCountColumns {
		typ := "bigint"
		if tables.ElementInstances.Columns[elementCountParams[i]].Kind == tables.Text {
			typ = "text"
		}
		cols[i] = "unnest($" + strconv.Itoa(i+1) + "::" + typ + "[]) AS " + name
	}
	return "SELECT " + strings.Join(cols, ", ")
}

// countRows is the count statement. Relation b is the batch's element
// instance rows n, each with the state the batch writes on its process
// instance's row (bs; null when the batch does not write that row); j adds
// the stored row each replaces (looked up by key only up to the last
// parameter: fresh keys replace nothing) and its process instance's state
// after the batch (ps: bs, or else the stored process instance row's,
// looked up only then; null when there is none: the row counts nowhere).
// moved are the stored element instances of the process instances whose
// state the batch changes (ends), out of the old state's counts (was) and
// into the new. The signed rows x are grouped into the counts. Lookups are
// lateral subqueries behind OFFSET 0, so that every plan, the generic one
// too, reads by key or by process instance, and no relation of the batch
// is joined with another (their sizes are unknown to the planner). A
// process instance row whose definition changes (a migration) lists the
// instance in element_counts_migrated.
var countRows = `WITH n AS MATERIALIZED (` + elementCountRows() + `),
	b AS (
		SELECT n.*, max(state) FILTER (WHERE flow_scope_key = -1) OVER (PARTITION BY process_instance_key) AS bs FROM n),
	j AS MATERIALIZED (
		SELECT b.*, o.key IS NOT NULL AS found, o.process_definition_key AS o_def, o.element_id AS o_element,
			o.tenant_id AS o_tenant, o.flow_scope_key AS o_scope, o.state AS o_state, o.incident_key AS o_incident,
			COALESCE(b.bs, r.instance_state) AS ps
		FROM b LEFT JOIN LATERAL (SELECT * FROM element_instances o WHERE o.key = b.key AND b.key <= $` +
	strconv.Itoa(len(elementCountColumns)+1) + ` OFFSET 0) AS o ON true
		LEFT JOIN LATERAL (SELECT p.instance_state FROM element_instances p
			WHERE p.key = b.process_instance_key AND p.flow_scope_key = -1 AND b.bs IS NULL OFFSET 0) AS r ON true),
	moved AS MATERIALIZED (
		SELECT j.state AS ps, j.o_state AS was, e.* FROM j
		CROSS JOIN LATERAL (SELECT key, process_definition_key, element_id, tenant_id, state, incident_key FROM element_instances e
			WHERE e.process_instance_key = j.key AND e.flow_scope_key <> -1 OFFSET 0) AS e
		WHERE j.flow_scope_key = -1 AND j.found AND j.o_state <> j.state),
	migrated AS (
		INSERT INTO element_counts_migrated (process_instance_key, tenant_id)
		SELECT key, tenant_id FROM j WHERE found AND flow_scope_key = -1 AND o_def <> process_definition_key
		ON CONFLICT (process_instance_key) DO NOTHING),
	x AS (
		SELECT 1 AS s, ps, key, process_definition_key, element_id, tenant_id, state, incident_key FROM j
		WHERE flow_scope_key <> -1 AND ps IS NOT NULL
		UNION ALL
		SELECT -1, ps, key, o_def, o_element, o_tenant, o_state, o_incident FROM j WHERE found AND o_scope <> -1 AND ps IS NOT NULL
		UNION ALL
		SELECT -1, was, key, process_definition_key, element_id, tenant_id, state, incident_key FROM moved
		UNION ALL
		SELECT 1, ps, key, process_definition_key, element_id, tenant_id, state, incident_key FROM moved),
	g AS (
		SELECT process_definition_key, ps, element_id, tenant_id, (key >> 51)::integer AS p, sum(s) AS n,
			COALESCE(sum(s) FILTER (WHERE state = 'ACTIVE' AND incident_key <= 0), 0) AS a,
			COALESCE(sum(s) FILTER (WHERE state = 'TERMINATED'), 0) AS t,
			COALESCE(sum(s) FILTER (WHERE state = 'ACTIVE' AND incident_key > 0), 0) AS i,
			COALESCE(sum(s) FILTER (WHERE state = 'COMPLETED'), 0) AS d
		FROM x GROUP BY 1, 2, 3, 4, 5)
	INSERT INTO element_counts AS c (process_definition_key, instance_state, element_id, tenant_id, partition_id,
		instances, active, canceled, incidents, completed)
	SELECT * FROM g WHERE n <> 0 OR a <> 0 OR t <> 0 OR i <> 0 OR d <> 0` + addToCounts

// addToCounts ends an insert into element_counts AS c: rows that exist
// are added to.
const addToCounts = `
	ON CONFLICT (process_definition_key, instance_state, element_id, tenant_id, partition_id) DO UPDATE SET
		instances = c.instances + excluded.instances, active = c.active + excluded.active,
		canceled = c.canceled + excluded.canceled, incidents = c.incidents + excluded.incidents,
		completed = c.completed + excluded.completed`

func init() {
	statements["wf_count"] = countRows
}

// queueElementCounts queues the count statement of a batch's element
// instance rows r, before any statement that writes them: rows with a key
// above stored (math.MaxInt64: none) are fresh, the others may replace
// stored rows.
func queueElementCounts(wire *pgconn.Batch, r *tables.Rows, stored int64) {
	arrays := r.Arrays()
	p := make([][]byte, len(elementCountParams)+1)
	f := make([]int16, len(p))
	for i, j := range elementCountParams {
		switch a := arrays[j].(type) {
		case []int64:
			p[i] = int8Array(a)
		case []string:
			p[i] = textArray(a)
		}
		f[i] = pgtype.BinaryFormatCode
	}
	p[len(p)-1] = binary.BigEndian.AppendUint64(nil, uint64(stored)) // #nosec G115 -- a key, never negative here
	f[len(p)-1] = pgtype.BinaryFormatCode
	wire.ExecPrepared("wf_count", p, f, nil)
}
