package tables

// InstanceTables are the tables whose rows belong to one process instance,
// found by their process_instance_key column; retention (store.Retainer)
// deletes them with the instance. element_instances comes last: its
// process instance row is the unit, deleted first on its own. Not here:
// messages, message start subscriptions and documents (not an instance's),
// user task assignments (usage metrics), the log.
var InstanceTables = []string{
	"variables",
	"jobs",
	"incidents",
	"timers",
	"message_subscriptions",
	"user_tasks",
	"signal_subscriptions",
	"compensation_subscriptions",
	"sequence_flows",
	"correlated_message_subscriptions",
	"process_instance_tags",
	"incident_error_hashes",
	"element_instances",
}

// FinishedInstances is the condition on element_instances that selects
// finished process instances (the partial index process_instances_finished
// of migrations postgres 24 / sqlite 23 has the same predicate).
const FinishedInstances = `flow_scope_key = -1 AND instance_state IN ('COMPLETED', 'TERMINATED')`
