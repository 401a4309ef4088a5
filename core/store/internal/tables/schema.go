package tables

// The written tables, column for column as migrations/ create them. The
// first column is the key. Encoders in encode.go and decoders in decode.go
// follow this order.

// Log holds the records.
var Log = &Table{Name: "log", Columns: []Column{
	{"position", Int}, {"source_position", Int}, {"key", Int}, {"kind", Int}, {"value_type", Int},
	{"intent", Int}, {"version", Int}, {"timestamp", Int}, {"rejection_type", Int}, {"rejection_reason", Bytes},
	{"value", Bytes},
}}

// ProcessDefinitions holds every deployed process version; deleted is 1
// for a deleted one (migrations sqlite/0015, postgres/0016).
var ProcessDefinitions = &Table{Name: "process_definitions", Upsert: true, Columns: []Column{
	{"key", Int}, {"bpmn_process_id", Text}, {"name", Text}, {"version", Int}, {"version_tag", Text},
	{"resource_name", Text}, {"resource", Bytes}, {"checksum", Text}, {"deployment_key", Int}, {"tenant_id", Text},
	{"deleted", Int},
}}

// ElementInstances holds element instances, process instances included.
var ElementInstances = &Table{Name: "element_instances", Upsert: true, Columns: []Column{
	{"key", Int}, {"lifecycle", Int}, {"state", Text}, {"process_instance_key", Int}, {"process_definition_key", Int},
	{"bpmn_process_id", Text}, {"version", Int}, {"element_id", Text}, {"element_type", Text}, {"event_type", Text},
	{"flow_scope_key", Int}, {"parent_process_instance_key", Int}, {"parent_element_instance_key", Int},
	{"active_children", Int}, {"waiting", Text}, {"job_key", Int}, {"incident_key", Int}, {"start_time", Int},
	{"end_time", Int}, {"tenant_id", Text}, {"started_by_key", Text}, {"instance_state", Text},
	{"start_position", Int}, {"trace_parent", Text},
}, Stable: []string{"process_instance_key", "process_definition_key", "bpmn_process_id", "element_id", "flow_scope_key", "start_time"}}

// Variables holds variables by scope. Its tenant_id keeps the column's
// default: state.VariableRow carries no tenant.
var Variables = &Table{Name: "variables", Upsert: true, Columns: []Column{
	{"key", Int}, {"scope_key", Int}, {"process_instance_key", Int}, {"name", Text}, {"value", Text},
}, Stable: []string{"scope_key", "process_instance_key", "name"}}

// Jobs holds jobs.
var Jobs = &Table{Name: "jobs", Upsert: true, Columns: []Column{
	{"key", Int}, {"lifecycle", Int}, {"state", Text}, {"type", Text}, {"worker", Text}, {"retries", Int},
	{"retry_backoff", Int}, {"recurring_time", Int}, {"deadline", Int}, {"timeout", Int}, {"error_message", Text},
	{"error_code", Text}, {"custom_headers", Text}, {"variables", Text}, {"element_id", Text},
	{"element_instance_key", Int}, {"bpmn_process_id", Text}, {"process_definition_version", Int},
	{"process_definition_key", Int}, {"process_instance_key", Int}, {"tenant_id", Text},
}, Stable: []string{"type", "process_instance_key"}}

// Incidents holds incidents.
var Incidents = &Table{Name: "incidents", Upsert: true, Columns: []Column{
	{"key", Int}, {"state", Text}, {"error_type", Text}, {"error_message", Text}, {"bpmn_process_id", Text},
	{"process_definition_key", Int}, {"process_instance_key", Int}, {"element_id", Text},
	{"element_instance_key", Int}, {"job_key", Int}, {"variable_scope_key", Int}, {"creation_time", Int},
	{"tenant_id", Text},
}}

// Timers holds timers; live is 1 until the timer fired or was canceled.
var Timers = &Table{Name: "timers", Upsert: true, Columns: []Column{
	{"key", Int}, {"live", Int}, {"element_id", Text}, {"element_instance_key", Int}, {"process_instance_key", Int},
	{"process_definition_key", Int}, {"bpmn_process_id", Text}, {"due_date", Int}, {"repetitions", Int},
	{"cycle", Text}, {"tenant_id", Text},
}}

// Messages holds published messages; live is 1 while one is buffered.
var Messages = &Table{Name: "messages", Upsert: true, Columns: []Column{
	{"key", Int}, {"live", Int}, {"name", Text}, {"correlation_key", Text}, {"time_to_live", Int}, {"deadline", Int},
	{"message_id", Text}, {"variables", Text}, {"process_instance_key", Int}, {"correlated", Text}, {"tenant_id", Text},
}}

// MessageSubscriptions holds element instances waiting for a message.
var MessageSubscriptions = &Table{Name: "message_subscriptions", Upsert: true, Columns: []Column{
	{"key", Int}, {"live", Int}, {"element_id", Text}, {"element_instance_key", Int}, {"process_instance_key", Int},
	{"process_definition_key", Int}, {"bpmn_process_id", Text}, {"message_name", Text}, {"correlation_key", Text},
	{"interrupting", Int}, {"message_key", Int}, {"variables", Text}, {"tenant_id", Text},
}}

// MessageStartSubscriptions holds process definitions a message starts.
var MessageStartSubscriptions = &Table{Name: "message_start_subscriptions", Upsert: true, Columns: []Column{
	{"key", Int}, {"live", Int}, {"process_definition_key", Int}, {"bpmn_process_id", Text}, {"start_event_id", Text},
	{"message_name", Text}, {"message_key", Int}, {"correlation_key", Text}, {"process_instance_key", Int},
	{"variables", Text}, {"tenant_id", Text},
}}

// SignalSubscriptions holds catch, boundary and start events waiting for a
// signal (migrations sqlite/0019, postgres/0020).
var SignalSubscriptions = &Table{Name: "signal_subscriptions", Upsert: true, Columns: []Column{
	{"key", Int}, {"live", Int}, {"process_definition_key", Int}, {"bpmn_process_id", Text}, {"catch_event_id", Text},
	{"catch_event_instance_key", Int}, {"process_instance_key", Int}, {"signal_name", Text}, {"interrupting", Int},
	{"tenant_id", Text},
}}

// CompensationSubscriptions holds completed activities a compensation
// throw or end event can compensate (migrations sqlite/0022, postgres/0023).
var CompensationSubscriptions = &Table{Name: "compensation_subscriptions", Upsert: true, Columns: []Column{
	{"key", Int}, {"live", Int}, {"process_instance_key", Int}, {"process_definition_key", Int},
	{"compensable_activity_id", Text}, {"compensable_activity_scope_key", Int}, {"compensable_activity_instance_key", Int},
	{"throw_event_id", Text}, {"throw_event_instance_key", Int}, {"compensation_handler_id", Text},
	{"compensation_handler_instance_key", Int}, {"tenant_id", Text},
}}

// State lists the state tables in the order Commit writes them.
var State = []*Table{ProcessDefinitions, ElementInstances, Variables, Jobs, Incidents,
	Timers, Messages, MessageSubscriptions, MessageStartSubscriptions, UserTasks, Tenants, TenantMembers, Forms,
	SignalSubscriptions, CompensationSubscriptions}

// The live element instances and jobs are their unfinished rows, read in
// key order through the indexes of unfinished rows (migrations pg 26,
// sqlite 25): a row leaves the state only through an event that writes its
// final state. The variables are read through the active process
// instances, whose key every variable row carries, and Load drops those of
// scopes that ended (tables.Load): a join with the live scopes is planned
// from estimates that can turn it into a scan of every variable ever
// written.
const activeInstances = "(SELECT key FROM element_instances WHERE flow_scope_key = -1 AND instance_state = 'ACTIVE')"

// The statements that read the live rows, in key order, as Load returns them.
var (
	LoadProcesses = ProcessDefinitions.Select("WHERE deleted = 0 ORDER BY key")
	LoadElements  = ElementInstances.Select("WHERE state = 'ACTIVE' ORDER BY key")
	// LoadVariables reads the variables of the active process instances
	// (of ended scopes too); SQLite looks each instance up in its index.
	LoadVariables = Variables.Select("WHERE process_instance_key IN " + activeInstances + " ORDER BY key")
	// LoadVariablesLateral is LoadVariables for PostgreSQL: OFFSET 0 keeps
	// the lateral subquery a lookup per active instance whatever the
	// statistics say (an IN list is planned as a hash join over the whole
	// table once the planner counts the active instances right).
	LoadVariablesLateral = "SELECT v.* FROM element_instances p CROSS JOIN LATERAL (" +
		Variables.Select("WHERE process_instance_key = p.key OFFSET 0") +
		") v WHERE p.flow_scope_key = -1 AND p.instance_state = 'ACTIVE' ORDER BY v.key"
	LoadJobs      = Jobs.Select("WHERE state IN ('CREATED', 'FAILED', 'ERROR_THROWN') ORDER BY key")
	LoadIncidents = Incidents.Select("WHERE state = 'ACTIVE' ORDER BY key")
	LoadTimers    = Timers.Select("WHERE live = 1 ORDER BY key")
	LoadMessages  = Messages.Select("WHERE live = 1 ORDER BY key")
	LoadSubs      = MessageSubscriptions.Select("WHERE live = 1 ORDER BY key")
	LoadStarts    = MessageStartSubscriptions.Select("WHERE live = 1 ORDER BY key")
	LoadSignals   = SignalSubscriptions.Select("WHERE live = 1 ORDER BY key")
	// LoadCompensations reads the live compensation subscriptions.
	LoadCompensations = CompensationSubscriptions.Select("WHERE live = 1 ORDER BY key")
	LoadMeta          = "SELECT last_key, last_position FROM meta WHERE id = 1"
)

// LoadDeletedProcesses reads the deleted definitions, whose versions are
// not handed out again.
var LoadDeletedProcesses = ProcessDefinitions.Select("WHERE deleted = 1 ORDER BY key")
