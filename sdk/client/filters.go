package client

// The typed filters of the searches. A zero field filters nothing; set
// fields must all match (equality). For operators ($gt, $in, $like, ...)
// or fields a filter lacks, put a Cond or a value into SearchQuery.Extra.

// ProcessDefinitionFilter filters process definition searches.
type ProcessDefinitionFilter struct {
	ProcessDefinitionKey int64
	ProcessDefinitionID  string
	Name                 string
	ResourceName         string
	Version              int32
	VersionTag           string
	TenantID             string
	// IsLatestVersion, when set, keeps only the latest versions (true) or
	// only the older ones (false).
	IsLatestVersion *bool
}

// Fields implements Filter.
func (f ProcessDefinitionFilter) Fields() map[string]any {
	m := fields{}
	m.boolean("isLatestVersion", f.IsLatestVersion)
	m.key("processDefinitionKey", f.ProcessDefinitionKey)
	m.str("processDefinitionId", f.ProcessDefinitionID)
	m.str("name", f.Name)
	m.str("resourceName", f.ResourceName)
	m.int("version", f.Version)
	m.str("versionTag", f.VersionTag)
	m.str("tenantId", f.TenantID)
	return m
}

// ProcessInstanceFilter filters process instance searches. State is
// ACTIVE, COMPLETED or TERMINATED.
type ProcessInstanceFilter struct {
	ProcessInstanceKey       int64
	ProcessDefinitionKey     int64
	ProcessDefinitionID      string
	ProcessDefinitionVersion int32
	ParentProcessInstanceKey int64
	ParentElementInstanceKey int64
	State                    string
	HasIncident              *bool
	TenantID                 string
}

// Fields implements Filter.
func (f ProcessInstanceFilter) Fields() map[string]any {
	m := fields{}
	m.key("processInstanceKey", f.ProcessInstanceKey)
	m.key("processDefinitionKey", f.ProcessDefinitionKey)
	m.str("processDefinitionId", f.ProcessDefinitionID)
	m.int("processDefinitionVersion", f.ProcessDefinitionVersion)
	m.key("parentProcessInstanceKey", f.ParentProcessInstanceKey)
	m.key("parentElementInstanceKey", f.ParentElementInstanceKey)
	m.str("state", f.State)
	m.boolean("hasIncident", f.HasIncident)
	m.str("tenantId", f.TenantID)
	return m
}

// ElementInstanceFilter filters element instance searches. Type is an
// element type such as SERVICE_TASK; State is ACTIVE, COMPLETED or
// TERMINATED.
type ElementInstanceFilter struct {
	ElementInstanceKey      int64
	ProcessInstanceKey      int64
	ProcessDefinitionKey    int64
	ProcessDefinitionID     string
	ElementID               string
	Type                    string
	State                   string
	HasIncident             *bool
	IncidentKey             int64
	ElementInstanceScopeKey int64
	TenantID                string
}

// Fields implements Filter.
func (f ElementInstanceFilter) Fields() map[string]any {
	m := fields{}
	m.key("elementInstanceKey", f.ElementInstanceKey)
	m.key("processInstanceKey", f.ProcessInstanceKey)
	m.key("processDefinitionKey", f.ProcessDefinitionKey)
	m.str("processDefinitionId", f.ProcessDefinitionID)
	m.str("elementId", f.ElementID)
	m.str("type", f.Type)
	m.str("state", f.State)
	m.boolean("hasIncident", f.HasIncident)
	m.key("incidentKey", f.IncidentKey)
	m.key("elementInstanceScopeKey", f.ElementInstanceScopeKey)
	m.str("tenantId", f.TenantID)
	return m
}

// VariableFilter filters variable searches. Value is the JSON text of the
// value, for example `"gold"` for the string gold.
type VariableFilter struct {
	VariableKey        int64
	Name               string
	Value              string
	ScopeKey           int64
	ProcessInstanceKey int64
	TenantID           string
}

// Fields implements Filter.
func (f VariableFilter) Fields() map[string]any {
	m := fields{}
	m.key("variableKey", f.VariableKey)
	m.str("name", f.Name)
	m.str("value", f.Value)
	m.key("scopeKey", f.ScopeKey)
	m.key("processInstanceKey", f.ProcessInstanceKey)
	m.str("tenantId", f.TenantID)
	return m
}

// JobFilter filters job searches. State is one of CREATED, COMPLETED,
// FAILED, ERROR_THROWN, RETRIES_UPDATED, TIMED_OUT, CANCELED, MIGRATED.
type JobFilter struct {
	JobKey               int64
	Type                 string
	Worker               string
	State                string
	Retries              *int32
	ProcessInstanceKey   int64
	ProcessDefinitionKey int64
	ProcessDefinitionID  string
	ElementID            string
	ElementInstanceKey   int64
	ErrorCode            string
	ErrorMessage         string
	TenantID             string
}

// Fields implements Filter.
func (f JobFilter) Fields() map[string]any {
	m := fields{}
	m.key("jobKey", f.JobKey)
	m.str("type", f.Type)
	m.str("worker", f.Worker)
	m.str("state", f.State)
	m.intPtr("retries", f.Retries)
	m.key("processInstanceKey", f.ProcessInstanceKey)
	m.key("processDefinitionKey", f.ProcessDefinitionKey)
	m.str("processDefinitionId", f.ProcessDefinitionID)
	m.str("elementId", f.ElementID)
	m.key("elementInstanceKey", f.ElementInstanceKey)
	m.str("errorCode", f.ErrorCode)
	m.str("errorMessage", f.ErrorMessage)
	m.str("tenantId", f.TenantID)
	return m
}

// IncidentFilter filters incident searches. State is ACTIVE, RESOLVED,
// MIGRATED or PENDING; ErrorType is for example JOB_NO_RETRIES.
type IncidentFilter struct {
	IncidentKey          int64
	ProcessDefinitionKey int64
	ProcessDefinitionID  string
	ProcessInstanceKey   int64
	ErrorType            string
	ErrorMessage         string
	ElementID            string
	ElementInstanceKey   int64
	State                string
	JobKey               int64
	TenantID             string
}

// Fields implements Filter.
func (f IncidentFilter) Fields() map[string]any {
	m := fields{}
	m.key("incidentKey", f.IncidentKey)
	m.key("processDefinitionKey", f.ProcessDefinitionKey)
	m.str("processDefinitionId", f.ProcessDefinitionID)
	m.key("processInstanceKey", f.ProcessInstanceKey)
	m.str("errorType", f.ErrorType)
	m.str("errorMessage", f.ErrorMessage)
	m.str("elementId", f.ElementID)
	m.key("elementInstanceKey", f.ElementInstanceKey)
	m.str("state", f.State)
	m.key("jobKey", f.JobKey)
	m.str("tenantId", f.TenantID)
	return m
}

// UserTaskFilter filters user task searches. State is for example CREATED
// or COMPLETED.
type UserTaskFilter struct {
	UserTaskKey          int64
	State                string
	Assignee             string
	CandidateGroup       string
	CandidateUser        string
	ProcessInstanceKey   int64
	ProcessDefinitionKey int64
	ProcessDefinitionID  string
	ElementID            string
	ElementInstanceKey   int64
	Priority             *int32
	TenantID             string
}

// Fields implements Filter.
func (f UserTaskFilter) Fields() map[string]any {
	m := fields{}
	m.key("userTaskKey", f.UserTaskKey)
	m.str("state", f.State)
	m.str("assignee", f.Assignee)
	m.str("candidateGroup", f.CandidateGroup)
	m.str("candidateUser", f.CandidateUser)
	m.key("processInstanceKey", f.ProcessInstanceKey)
	m.key("processDefinitionKey", f.ProcessDefinitionKey)
	m.str("processDefinitionId", f.ProcessDefinitionID)
	m.str("elementId", f.ElementID)
	m.key("elementInstanceKey", f.ElementInstanceKey)
	m.intPtr("priority", f.Priority)
	m.str("tenantId", f.TenantID)
	return m
}

// UserTaskVariableFilter filters the variables of a user task.
type UserTaskVariableFilter struct {
	Name string
}

// Fields implements Filter.
func (f UserTaskVariableFilter) Fields() map[string]any {
	m := fields{}
	m.str("name", f.Name)
	return m
}

// The search queries of each search.
type (
	// ProcessDefinitionQuery searches process definitions.
	ProcessDefinitionQuery = SearchQuery[ProcessDefinitionFilter]
	// ProcessInstanceQuery searches process instances.
	ProcessInstanceQuery = SearchQuery[ProcessInstanceFilter]
	// ElementInstanceQuery searches element instances.
	ElementInstanceQuery = SearchQuery[ElementInstanceFilter]
	// VariableQuery searches variables.
	VariableQuery = SearchQuery[VariableFilter]
	// JobQuery searches jobs.
	JobQuery = SearchQuery[JobFilter]
	// IncidentQuery searches incidents.
	IncidentQuery = SearchQuery[IncidentFilter]
	// UserTaskQuery searches user tasks.
	UserTaskQuery = SearchQuery[UserTaskFilter]
	// UserTaskVariableQuery searches the variables of a user task.
	UserTaskVariableQuery = SearchQuery[UserTaskVariableFilter]
)

// Interface guards
var (
	_ Filter = ProcessDefinitionFilter{}
	_ Filter = ProcessInstanceFilter{}
	_ Filter = ElementInstanceFilter{}
	_ Filter = VariableFilter{}
	_ Filter = JobFilter{}
	_ Filter = IncidentFilter{}
	_ Filter = UserTaskFilter{}
	_ Filter = UserTaskVariableFilter{}
)
