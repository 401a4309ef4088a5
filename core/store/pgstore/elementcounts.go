package pgstore

import (
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/example/wf-engine/core/store/internal/tables"
)

// The element counts of migration 38 (search.ElementStatisticsCountedSQL
// reads them): every commit adds what its element instance rows count and
// subtracts what the rows they replace counted, in its own transaction and
// before it writes them, so the counts match the rows in every snapshot.
// Fresh rows (keys above every stored one) replace nothing and are only
// added; the others are looked up by key first. A batch written again
// after a commit whose outcome was unknown finds its own rows and adds
// nothing. Deletes (retention) subtract through migration 38's trigger.

// elementCountColumns are the element_instances columns the counts read,
// in the order of the count statements' parameters.
var elementCountColumns = []string{"key", "process_definition_key", "element_id", "tenant_id", "flow_scope_key", "state", "incident_key"}

// elementCountParams returns, for elementCountColumns in order, the index
// of each column among the table's (its parameter in the write statements).
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

// elementCountRows is the batch's rows as a relation n.
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

// elementCountUpsert adds the groups of relation g (process_definition_key,
// element_id, tenant_id, partition, then the five counts) to the counts.
const elementCountUpsert = `INSERT INTO element_counts AS c (process_definition_key, element_id, tenant_id, partition_id,
		instances, active, canceled, incidents, completed)
	SELECT * FROM g WHERE n <> 0 OR a <> 0 OR t <> 0 OR i <> 0 OR d <> 0
	ON CONFLICT (process_definition_key, element_id, tenant_id, partition_id) DO UPDATE SET
		instances = c.instances + excluded.instances, active = c.active + excluded.active,
		canceled = c.canceled + excluded.canceled, incidents = c.incidents + excluded.incidents,
		completed = c.completed + excluded.completed`

// elementCountSums groups the signed rows of relation x (s: +1 or -1) by
// definition, element, tenant and partition, counting as
// search.ElementStatisticsSums does.
const elementCountSums = `SELECT process_definition_key, element_id, tenant_id, (key >> 51)::integer AS p, sum(s) AS n,
		COALESCE(sum(s) FILTER (WHERE state = 'ACTIVE' AND incident_key <= 0), 0) AS a,
		COALESCE(sum(s) FILTER (WHERE state = 'TERMINATED'), 0) AS t,
		COALESCE(sum(s) FILTER (WHERE state = 'ACTIVE' AND incident_key > 0), 0) AS i,
		COALESCE(sum(s) FILTER (WHERE state = 'COMPLETED'), 0) AS d
	FROM x GROUP BY 1, 2, 3, 4`

// The count statements, prepared with the commit's (statements).
var (
	// countFresh adds rows that replace none.
	countFresh = `WITH x AS (SELECT 1 AS s, * FROM (` + elementCountRows() + `) AS n WHERE flow_scope_key <> -1),
		g AS (` + elementCountSums + `)
		` + elementCountUpsert
	// countReplacing adds rows and subtracts the rows of the same keys
	// that they replace; a process instance row whose definition changes
	// (a migration) lists the instance in element_counts_migrated.
	countReplacing = `WITH j AS MATERIALIZED (
			SELECT n.*, o.key IS NOT NULL AS found, o.process_definition_key AS o_def, o.element_id AS o_element,
				o.tenant_id AS o_tenant, o.flow_scope_key AS o_scope, o.state AS o_state, o.incident_key AS o_incident
			FROM (` + elementCountRows() + `) AS n LEFT JOIN element_instances o ON o.key = n.key),
		migrated AS (
			INSERT INTO element_counts_migrated (process_instance_key, tenant_id)
			SELECT key, tenant_id FROM j WHERE found AND flow_scope_key = -1 AND o_def <> process_definition_key
			ON CONFLICT (process_instance_key) DO NOTHING),
		x AS (
			SELECT 1 AS s, key, process_definition_key, element_id, tenant_id, state, incident_key FROM j WHERE flow_scope_key <> -1
			UNION ALL
			SELECT -1, key, o_def, o_element, o_tenant, o_state, o_incident FROM j WHERE found AND o_scope <> -1),
		g AS (` + elementCountSums + `)
		` + elementCountUpsert
)

func init() {
	statements["wf_count_fresh"] = countFresh
	statements["wf_count_replacing"] = countReplacing
}

// queueElementCounts queues the count statement of the element instance
// rows whose write statement has params (one array per column) and
// formats: fresh says none of them replaces a stored row.
func queueElementCounts(wire *pgconn.Batch, params [][]byte, formats []int16, fresh bool) {
	p := make([][]byte, len(elementCountParams))
	f := make([]int16, len(elementCountParams))
	for i, j := range elementCountParams {
		p[i], f[i] = params[j], formats[j]
	}
	name := "wf_count_replacing"
	if fresh {
		name = "wf_count_fresh"
	}
	wire.ExecPrepared(name, p, f, nil)
}
