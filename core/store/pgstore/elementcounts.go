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

// countRows is the count statement: with the batch's element instance rows
// n, the stored rows j they replace (looked up only for keys up to the
// last parameter), each process instance pi of the batch's rows with its
// state after the batch (ps) and, when the batch changes it, before (was:
// the state of its stored process instance row), and the stored rows of
// those instances (moved), it adds the signed rows x, grouped, to the
// counts. A process instance row whose definition changes (a migration)
// lists the instance in element_counts_migrated.
var countRows = `WITH n AS MATERIALIZED (` + elementCountRows() + `),
	j AS MATERIALIZED (
		SELECT n.*, o.key IS NOT NULL AS found, o.process_definition_key AS o_def, o.element_id AS o_element,
			o.tenant_id AS o_tenant, o.flow_scope_key AS o_scope, o.state AS o_state, o.incident_key AS o_incident
		FROM n LEFT JOIN LATERAL (SELECT * FROM element_instances o WHERE o.key = n.key AND n.key <= $` +
	strconv.Itoa(len(elementCountColumns)+1) + ` OFFSET 0) AS o ON true),
	pi AS MATERIALIZED (
		SELECT key, state AS ps, CASE WHEN found AND o_state <> state THEN o_state END AS was FROM j WHERE flow_scope_key = -1
		UNION ALL
		SELECT p.key, p.instance_state, NULL
		FROM (SELECT process_instance_key FROM j WHERE flow_scope_key <> -1 EXCEPT SELECT key FROM j WHERE flow_scope_key = -1) AS k
		JOIN element_instances p ON p.key = k.process_instance_key AND p.flow_scope_key = -1),
	moved AS MATERIALIZED (
		SELECT pi.ps, pi.was, e.key, e.process_definition_key, e.element_id, e.tenant_id, e.state, e.incident_key
		FROM pi JOIN element_instances e ON e.process_instance_key = pi.key AND e.flow_scope_key <> -1
		WHERE pi.was IS NOT NULL),
	migrated AS (
		INSERT INTO element_counts_migrated (process_instance_key, tenant_id)
		SELECT key, tenant_id FROM j WHERE found AND flow_scope_key = -1 AND o_def <> process_definition_key
		ON CONFLICT (process_instance_key) DO NOTHING),
	x AS (
		SELECT 1 AS s, pi.ps, j.key, j.process_definition_key, j.element_id, j.tenant_id, j.state, j.incident_key
		FROM j JOIN pi ON pi.key = j.process_instance_key WHERE j.flow_scope_key <> -1
		UNION ALL
		SELECT -1, pi.ps, j.key, j.o_def, j.o_element, j.o_tenant, j.o_state, j.o_incident
		FROM j JOIN pi ON pi.key = j.process_instance_key WHERE j.found AND j.o_scope <> -1
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
	SELECT * FROM g WHERE n <> 0 OR a <> 0 OR t <> 0 OR i <> 0 OR d <> 0
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
