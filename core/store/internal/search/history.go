package search

import (
	"cmp"
	"slices"
	"strings"

	"github.com/example/wf-engine/core/store"
)

// CorrelatedMessageSubscriptions are the messages correlated to
// subscriptions and message start events (Camunda 8.8's correlated message
// subscriptions), one row per correlation. The log position of the
// correlation is the hidden key that breaks ties.
var CorrelatedMessageSubscriptions = (&Entity[store.CorrelatedMessageSubscription]{
	Name: "correlated message subscriptions",
	From: "correlated_message_subscriptions",
	Columns: "position, subscription_key, message_key, message_name, correlation_key, process_instance_key, " +
		"process_definition_key, bpmn_process_id, element_id, element_instance_key, correlation_time, tenant_id",
	Scan: func(scan func(...any) error) (store.CorrelatedMessageSubscription, error) {
		var r store.CorrelatedMessageSubscription
		var at int64
		err := scan(&r.Position, &r.SubscriptionKey, &r.MessageKey, &r.MessageName, &r.CorrelationKey, &r.ProcessInstanceKey,
			&r.ProcessDefinitionKey, &r.ProcessDefinitionID, &r.ElementID, &r.ElementInstanceKey, &at, &r.TenantID)
		r.CorrelationTime = store.Millis(at)
		return r, err
	},
	Key: "position",
	Fields: []*Field[store.CorrelatedMessageSubscription]{
		{Name: "position", Kind: KindKey, Expr: "position", Get: func(r *store.CorrelatedMessageSubscription) any { return r.Position }},
		{Name: "subscriptionKey", Kind: KindKey, Expr: "subscription_key", Get: func(r *store.CorrelatedMessageSubscription) any { return r.SubscriptionKey }},
		{Name: "messageKey", Kind: KindKey, Expr: "message_key", Get: func(r *store.CorrelatedMessageSubscription) any { return r.MessageKey }},
		{Name: "messageName", Kind: KindString, Expr: "message_name", Get: func(r *store.CorrelatedMessageSubscription) any { return r.MessageName }},
		{Name: "correlationKey", Kind: KindString, Expr: "correlation_key", Optional: true, Get: func(r *store.CorrelatedMessageSubscription) any { return r.CorrelationKey }},
		{Name: "processInstanceKey", Kind: KindKey, Expr: "process_instance_key", Get: func(r *store.CorrelatedMessageSubscription) any { return r.ProcessInstanceKey }},
		{Name: "processDefinitionKey", Kind: KindKey, Expr: "process_definition_key", Get: func(r *store.CorrelatedMessageSubscription) any { return r.ProcessDefinitionKey }},
		{Name: "processDefinitionId", Kind: KindString, Expr: "bpmn_process_id", Get: func(r *store.CorrelatedMessageSubscription) any { return r.ProcessDefinitionID }},
		{Name: "elementId", Kind: KindString, Expr: "element_id", Get: func(r *store.CorrelatedMessageSubscription) any { return r.ElementID }},
		{Name: "elementInstanceKey", Kind: KindKey, Expr: "element_instance_key", Optional: true, Get: func(r *store.CorrelatedMessageSubscription) any { return r.ElementInstanceKey }},
		{Name: "correlationTime", Kind: KindDate, Expr: "correlation_time", Get: func(r *store.CorrelatedMessageSubscription) any { return r.CorrelationTime.UnixMilli() }},
		// One partition: every correlation is partition 1's (an expression, never a
		// bare 1, which ORDER BY would read as a column number).
		{Name: "partitionId", Kind: KindInt, Expr: "(0 * position + 1)", Get: func(*store.CorrelatedMessageSubscription) any { return int64(1) }},
		{Name: "tenantId", Kind: KindString, Expr: "tenant_id", Get: func(r *store.CorrelatedMessageSubscription) any { return r.TenantID }},
	},
}).index()

// inTenants returns the condition that expr is one of tenants (nil: true).
func inTenants(b *builder, expr string, tenants []string) string {
	if tenants == nil {
		return ""
	}
	if len(tenants) == 0 {
		return " AND 1 = 0"
	}
	params := make([]string, len(tenants))
	for i, t := range tenants {
		params[i] = b.arg(t)
	}
	return " AND " + expr + " IN (" + strings.Join(params, ", ") + ")"
}

// SequenceFlowsSQL returns the statement that reads the distinct sequence
// flows taken in a process instance, by flow id, through the index on
// (process_instance_key, element_id).
func SequenceFlowsSQL(processInstanceKey int64, tenants []string, d Dialect) Statement {
	b := &builder{d: d}
	sql := "SELECT min(key), process_instance_key, element_id, min(process_definition_key), min(bpmn_process_id), min(tenant_id) " +
		"FROM sequence_flows WHERE process_instance_key = " + b.arg(processInstanceKey)
	sql += inTenants(b, "tenant_id", tenants) + " GROUP BY process_instance_key, element_id ORDER BY element_id"
	return Statement{SQL: sql, Args: b.args}
}

// ScanSequenceFlow reads one row of SequenceFlowsSQL's statement.
func ScanSequenceFlow(scan func(...any) error) (store.SequenceFlow, error) {
	var f store.SequenceFlow
	err := scan(&f.Key, &f.ProcessInstanceKey, &f.SequenceFlowID, &f.ProcessDefinitionKey, &f.ProcessDefinitionID, &f.TenantID)
	return f, err
}

// SequenceFlows answers SequenceFlowsSQL in memory over every flow taken.
func SequenceFlows(all []store.SequenceFlow, processInstanceKey int64, tenants []string) []store.SequenceFlow {
	first := map[string]store.SequenceFlow{}
	for _, f := range all {
		if f.ProcessInstanceKey != processInstanceKey || (tenants != nil && !slices.Contains(tenants, f.TenantID)) {
			continue
		}
		if old, ok := first[f.SequenceFlowID]; !ok || f.Key < old.Key {
			first[f.SequenceFlowID] = f
		}
	}
	out := make([]store.SequenceFlow, 0, len(first))
	for _, f := range first {
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b store.SequenceFlow) int { return cmp.Compare(a.SequenceFlowID, b.SequenceFlowID) })
	return out
}

// Usage kinds of UsageSQL's rows.
const (
	usageInstances = "i" // root process instances of a tenant
	usageAssignees = "a" // distinct assignees of a tenant
	usageAllUsers  = "t" // distinct assignees of every tenant together
)

// UsageSQL returns the statement that counts a time range's usage: rows of
// (kind, tenant, count), read with ScanUsage. Root process instances are
// found through the index on start_time of process instances, assignments
// through the index on assign_time.
func UsageSQL(q store.UsageQuery, d Dialect) Statement {
	b := &builder{d: d}
	tenant := func(expr string) string {
		s := inTenants(b, expr, q.Tenants)
		if q.Tenant != "" {
			s += " AND " + expr + " = " + b.arg(q.Tenant)
		}
		return s
	}
	from, to := q.From.UnixMilli(), q.To.UnixMilli()
	instances := "SELECT '" + usageInstances + "', tenant_id, count(*) FROM element_instances WHERE flow_scope_key = -1 AND start_time >= " +
		b.arg(from) + " AND start_time <= " + b.arg(to) + " AND parent_process_instance_key <= 0" + tenant("tenant_id") + " GROUP BY tenant_id"
	// Root instances removed by retention, counted by start minute.
	removed := "SELECT '" + usageInstances + "', tenant_id, CAST(sum(instances) AS BIGINT) FROM usage_removed_instances WHERE start_minute >= " +
		b.arg(from) + " AND start_minute <= " + b.arg(to) + tenant("tenant_id") + " GROUP BY tenant_id"
	assignees, all := assigneesSQL(b, from, to, tenant)
	return Statement{SQL: instances + " UNION ALL " + removed + " UNION ALL " + assignees + " UNION ALL " + all, Args: b.args}
}

// assigneesSQL returns the usage rows of distinct assignees in [from, to],
// per tenant and of every tenant together: the assignments still stored
// count by their time, those retention removed (usage_assignees) by their
// minute, as removed instances count by their start minute. tenant
// returns the tenant conditions on a column.
func assigneesSQL(b *builder, from, to int64, tenant func(string) string) (perTenant, all string) {
	assignments := func() string {
		return "SELECT tenant_id, assignee FROM user_task_assignments WHERE assign_time >= " + b.arg(from) + " AND assign_time <= " + b.arg(to) +
			tenant("tenant_id") + " UNION ALL SELECT tenant_id, assignee FROM usage_assignees WHERE assign_minute >= " + b.arg(from) +
			" AND assign_minute <= " + b.arg(to) + tenant("tenant_id")
	}
	perTenant = "SELECT '" + usageAssignees + "', tenant_id, count(DISTINCT assignee) FROM (" + assignments() + ") AS a GROUP BY tenant_id"
	all = "SELECT '" + usageAllUsers + "', '', count(DISTINCT assignee) FROM (" + assignments() + ") AS a"
	return perTenant, all
}

// UsageCounts gathers UsageSQL's rows.
type UsageCounts struct {
	PerTenant map[string]store.Usage
	Assignees int64
}

// ScanUsage reads one row of UsageSQL's statement into u.
func (u *UsageCounts) ScanUsage(scan func(...any) error) error {
	var kind, tenant string
	var n int64
	if err := scan(&kind, &tenant, &n); err != nil {
		return err
	}
	if u.PerTenant == nil {
		u.PerTenant = map[string]store.Usage{}
	}
	switch kind {
	case usageAllUsers:
		u.Assignees = n
		return nil
	case usageInstances:
		t := u.PerTenant[tenant]
		t.ProcessInstances += n // stored and removed instances
		u.PerTenant[tenant] = t
	case usageAssignees:
		t := u.PerTenant[tenant]
		t.Assignees = n
		u.PerTenant[tenant] = t
	}
	return nil
}

// UsageBucket is a tenant's minute in the counts of root process
// instances removed by retention (table usage_removed_instances).
type UsageBucket struct {
	TenantID    string
	StartMinute int64 // Unix ms of the minute's start
}

// MinuteOf returns the start of the minute of a Unix ms time.
func MinuteOf(ms int64) int64 { return ms - ((ms%60000)+60000)%60000 }

// Usage answers UsageSQL in memory over the process instances, the counts
// of removed ones and every assignment.
func Usage(q store.UsageQuery, instances []store.ProcessInstance, removed map[UsageBucket]int64, assignments []store.TaskAssignment) UsageCounts {
	u := UsageCounts{PerTenant: map[string]store.Usage{}}
	in := func(tenant string) bool {
		return (q.Tenants == nil || slices.Contains(q.Tenants, tenant)) && (q.Tenant == "" || q.Tenant == tenant)
	}
	from, to := q.From.UnixMilli(), q.To.UnixMilli()
	for b, n := range removed {
		if b.StartMinute < from || b.StartMinute > to || !in(b.TenantID) {
			continue
		}
		t := u.PerTenant[b.TenantID]
		t.ProcessInstances += n
		u.PerTenant[b.TenantID] = t
	}
	for _, p := range instances {
		at := p.StartDate.UnixMilli()
		if at < from || at > to || p.ParentProcessInstanceKey > 0 || !in(p.TenantID) {
			continue
		}
		t := u.PerTenant[p.TenantID]
		t.ProcessInstances++
		u.PerTenant[p.TenantID] = t
	}
	users, perTenant := map[string]bool{}, map[[2]string]bool{}
	for _, a := range assignments {
		at := a.Time.UnixMilli()
		if at < from || at > to || !in(a.TenantID) {
			continue
		}
		users[a.Assignee] = true
		if !perTenant[[2]string{a.TenantID, a.Assignee}] {
			perTenant[[2]string{a.TenantID, a.Assignee}] = true
			t := u.PerTenant[a.TenantID]
			t.Assignees++
			u.PerTenant[a.TenantID] = t
		}
	}
	u.Assignees = int64(len(users))
	return u
}
