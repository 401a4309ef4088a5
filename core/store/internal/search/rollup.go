package search

import (
	"strings"

	"github.com/example/wf-engine/core/store"
)

// UsageMark is how far the usage rollup (store.UsageRoller) counted one
// partition: every root process instance of the partition with a key up to
// Key is in the counted minutes (usage_started_instances), unless retention
// removed it since (and moved it to usage_removed_instances).
type UsageMark struct {
	Partition int64
	Key       int64
}

// KeyPartitionShift is where a key's partition starts (record.KeyPartitionShift).
const KeyPartitionShift = 51

// UsageRolledSQL returns the statement that answers UsageSQL's question
// from the counted minutes: the whole minutes of the range from their
// counts plus the instances above the marks (through the primary key), the
// part-minutes at the range's ends from the rows (through the index of
// start times), the removed instances and the assignments as UsageSQL
// reads them. Without marks, or when the range holds no whole minute, it
// is UsageSQL. The rows read as ScanUsage reads UsageSQL's.
func UsageRolledSQL(q store.UsageQuery, marks []UsageMark, d Dialect) Statement {
	from, to := q.From.UnixMilli(), q.To.UnixMilli()
	// Whole minutes [first, end): a minute is whole when its first and
	// last millisecond are in [from, to].
	first := MinuteOf(from)
	if first < from {
		first += 60000
	}
	end := MinuteOf(to-59999) + 60000
	if len(marks) == 0 || first >= end {
		return UsageSQL(q, d)
	}
	b := &builder{d: d}
	tenant := func(expr string) string {
		s := inTenants(b, expr, q.Tenants)
		if q.Tenant != "" {
			s += " AND " + expr + " = " + b.arg(q.Tenant)
		}
		return s
	}
	rows := func(cond string) string {
		return "SELECT '" + usageInstances + "', tenant_id, count(*) FROM element_instances WHERE flow_scope_key = -1 AND " + cond +
			" AND parent_process_instance_key <= 0" + tenant("tenant_id") + " GROUP BY tenant_id"
	}
	parts := []string{
		"SELECT '" + usageInstances + "', tenant_id, CAST(sum(instances) AS BIGINT) FROM usage_started_instances WHERE start_minute >= " +
			b.arg(first) + " AND start_minute < " + b.arg(end) + tenant("tenant_id") + " GROUP BY tenant_id",
	}
	if from < first {
		parts = append(parts, rows("start_time >= "+b.arg(from)+" AND start_time < "+b.arg(first)))
	}
	if end <= to {
		parts = append(parts, rows("start_time >= "+b.arg(end)+" AND start_time <= "+b.arg(to)))
	}
	// Above the marks: one key range per partition; the last one is open,
	// so that partitions the rollup has not seen yet count whole. The rows
	// come from the primary key's range alone (OFFSET 0 keeps the time
	// range out of that scan): they are the few committed since the last
	// rollup, where the index of start times would read the whole range
	// (the planner guesses the newest minutes' rows badly while they grow).
	for i, m := range marks {
		keys := "key > " + b.arg(m.Key)
		if i < len(marks)-1 {
			keys += " AND key < " + b.arg((m.Partition+1)<<KeyPartitionShift)
		}
		parts = append(parts, "SELECT '"+usageInstances+"', tenant_id, count(*) FROM (SELECT tenant_id, start_time, parent_process_instance_key "+
			"FROM element_instances WHERE flow_scope_key = -1 AND "+keys+" OFFSET 0) AS above WHERE start_time >= "+b.arg(first)+
			" AND start_time < "+b.arg(end)+" AND parent_process_instance_key <= 0"+tenant("tenant_id")+" GROUP BY tenant_id")
	}
	removed := "SELECT '" + usageInstances + "', tenant_id, CAST(sum(instances) AS BIGINT) FROM usage_removed_instances WHERE start_minute >= " +
		b.arg(from) + " AND start_minute <= " + b.arg(to) + tenant("tenant_id") + " GROUP BY tenant_id"
	assignees, all := assigneesSQL(b, from, to, tenant)
	parts = append(parts, removed, assignees, all)
	return Statement{SQL: strings.Join(parts, " UNION ALL "), Args: b.args}
}
