package record

import "fmt"

// Intent is what a record says happened (events, past tense) or should happen
// (commands, imperative). Codes are unique across value types and persisted:
// never renumber or reuse one.
type Intent uint16

// Deployment and process intents.
const (
	IntentDeploymentCreate  Intent = 1
	IntentDeploymentCreated Intent = 2
	IntentProcessCreated    Intent = 3
)

// Process instance intents: element lifecycle and sequence flows.
const (
	IntentProcessInstanceCancel Intent = 10
	IntentElementActivating     Intent = 11
	IntentElementActivated      Intent = 12
	IntentElementCompleting     Intent = 13
	IntentElementCompleted      Intent = 14
	IntentElementTerminating    Intent = 15
	IntentElementTerminated     Intent = 16
	IntentSequenceFlowTaken     Intent = 17
)

// Process instance creation intents.
const (
	IntentProcessInstanceCreate  Intent = 20
	IntentProcessInstanceCreated Intent = 21
)

// Job intents.
const (
	IntentJobCreated           Intent = 30
	IntentJobComplete          Intent = 31
	IntentJobCompleted         Intent = 32
	IntentJobFail              Intent = 33
	IntentJobFailed            Intent = 34
	IntentJobTimeOut           Intent = 35
	IntentJobTimedOut          Intent = 36
	IntentJobUpdateRetries     Intent = 37
	IntentJobRetriesUpdated    Intent = 38
	IntentJobCanceled          Intent = 39
	IntentJobRecurAfterBackoff Intent = 40
	IntentJobRecurredAfterBack Intent = 41
	IntentJobThrowError        Intent = 42
	IntentJobErrorThrown       Intent = 43
	IntentJobUpdateTimeout     Intent = 44
	IntentJobTimeoutUpdated    Intent = 45
)

// Job batch intents.
const (
	IntentJobBatchActivate  Intent = 50
	IntentJobBatchActivated Intent = 51
)

// Variable intents.
const (
	IntentVariableCreated Intent = 60
	IntentVariableUpdated Intent = 61
	// Variable document intents: a caller sets variables on a scope.
	IntentVariableDocumentUpdate  Intent = 62
	IntentVariableDocumentUpdated Intent = 63
)

// Incident intents.
const (
	IntentIncidentCreated  Intent = 70
	IntentIncidentResolve  Intent = 71
	IntentIncidentResolved Intent = 72
)

// Timer intents.
const (
	IntentTimerCreated   Intent = 80
	IntentTimerTrigger   Intent = 81
	IntentTimerTriggered Intent = 82
	IntentTimerCanceled  Intent = 83
)

// Message intents: publication, buffering and expiry.
const (
	IntentMessagePublish    Intent = 90
	IntentMessagePublished  Intent = 91
	IntentMessageExpire     Intent = 92
	IntentMessageExpired    Intent = 93
	IntentMessageCorrelate  Intent = 94
	IntentMessageCorrelated Intent = 95
)

// Message subscription intents (catch events of running instances).
const (
	IntentMessageSubscriptionCreated    Intent = 100
	IntentMessageSubscriptionCorrelated Intent = 101
	IntentMessageSubscriptionDeleted    Intent = 102
)

// Message start event subscription intents (per process definition).
const (
	IntentMessageStartSubscriptionCreated    Intent = 110
	IntentMessageStartSubscriptionCorrelated Intent = 111
	IntentMessageStartSubscriptionDeleted    Intent = 112
)

// User task intents (Camunda user tasks).
const (
	IntentUserTaskCreated   Intent = 120
	IntentUserTaskAssign    Intent = 121
	IntentUserTaskAssigned  Intent = 122
	IntentUserTaskUpdate    Intent = 123
	IntentUserTaskUpdated   Intent = 124
	IntentUserTaskComplete  Intent = 125
	IntentUserTaskCompleted Intent = 126
	IntentUserTaskCanceled  Intent = 127
)

// Tenant intents (Camunda 8.8 tenant management): tenants and the users and
// clients assigned to them.
const (
	IntentTenantCreate        Intent = 130
	IntentTenantCreated       Intent = 131
	IntentTenantUpdate        Intent = 132
	IntentTenantUpdated       Intent = 133
	IntentTenantDelete        Intent = 134
	IntentTenantDeleted       Intent = 135
	IntentTenantAddEntity     Intent = 136
	IntentTenantEntityAdded   Intent = 137
	IntentTenantRemoveEntity  Intent = 138
	IntentTenantEntityRemoved Intent = 139
)

// Form intents: a Camunda Form deployed with a deployment.
const (
	IntentFormCreated Intent = 140
)

// Key range intents: the engine skips a range of keys after its store was
// restored from a backup or recovered to an earlier point in time, so that
// no key handed out before is handed out again.
const (
	IntentKeyRangeSkip    Intent = 150
	IntentKeyRangeSkipped Intent = 151
)

// Process instance migration intents: a running process instance moves to
// another process definition. MIGRATE and MIGRATED are
// PROCESS_INSTANCE_MIGRATION records; the others are the MIGRATED events of
// the element instances (PROCESS_INSTANCE), jobs, user tasks, timers,
// message subscriptions and incidents it carries over.
const (
	IntentProcessInstanceMigrate      Intent = 170
	IntentProcessInstanceMigrated     Intent = 171
	IntentElementMigrated             Intent = 172
	IntentJobMigrated                 Intent = 173
	IntentUserTaskMigrated            Intent = 174
	IntentTimerMigrated               Intent = 175
	IntentMessageSubscriptionMigrated Intent = 176
	IntentIncidentMigrated            Intent = 177
)

// Process instance modification intents: activate elements and terminate
// element instances of a running process instance in one command.
const (
	IntentProcessInstanceModify   Intent = 160
	IntentProcessInstanceModified Intent = 161
)

// Resource deletion intents: a deployed process definition or form is
// deleted. ProcessDeleted is a Process event and FormDeleted a Form event;
// the others are RESOURCE_DELETION records.
const (
	IntentResourceDelete  Intent = 180
	IntentResourceDeleted Intent = 181
	IntentProcessDeleted  Intent = 182
	IntentFormDeleted     Intent = 183
)

// Signal intents: a signal is broadcast (by a caller or a throw event) to
// every signal subscription open at that moment, and is never buffered.
// SIGNAL_SUBSCRIPTION records open and close the subscriptions of catch,
// boundary and start events.
const (
	IntentSignalBroadcast           Intent = 190
	IntentSignalBroadcasted         Intent = 191
	IntentSignalSubscriptionCreated Intent = 192
	IntentSignalSubscriptionDeleted Intent = 193
)

// Escalation intents, as Zeebe's: an escalation thrown by an escalation
// throw or end event was caught (ESCALATED, naming the catch event) or
// not (NOT_ESCALATED; the thrower goes on, no incident).
const (
	IntentEscalationEscalated    Intent = 220
	IntentEscalationNotEscalated Intent = 221
)

// Compensation subscription intents, as Zeebe's: an activity with a
// compensation boundary event completed (CREATED); a compensation throw
// or end event triggered its handler (TRIGGERED) and the handler
// completed (COMPLETED); the process instance ended with it never
// triggered (DELETED).
const (
	IntentCompensationSubscriptionCreated   Intent = 230
	IntentCompensationSubscriptionTriggered Intent = 231
	IntentCompensationSubscriptionCompleted Intent = 232
	IntentCompensationSubscriptionDeleted   Intent = 233
)

// Ad-hoc subprocess instruction intents, as Zeebe's: a caller activates
// inner elements of a running container instance that lets them be
// activated by name (ACTIVATE, then ACTIVATED before they are entered).
const (
	IntentAdHocSubProcessActivate  Intent = 240
	IntentAdHocSubProcessActivated Intent = 241
)

// Idempotency key intents: the answer to a command sent with an
// Idempotency-Key, recorded in the command's batch (see IdempotencyKeyValue).
const (
	IntentIdempotencyKeyRecorded Intent = 250
)

// Distribution intents (issue 21): a definition that partition 1 deployed
// reaches every other partition as a command in that partition's own log,
// carrying the definition with its key, so that every partition holds the
// same definitions under the same keys and each log replays to its state.
// PROCESS DISTRIBUTE is a Process command, FORM DISTRIBUTE a Form command;
// each writes the CREATED event of its value unless the partition has the
// key already. TENANT DISTRIBUTE (a tenant, with its key) and TENANT
// ENTITY_DISTRIBUTE (a membership, the record's key its key) write TENANT
// CREATED and ENTITY_ADDED likewise, so that a tenant's rows keep partition
// 1's keys everywhere. 284-289 are reserved for more of them.
const (
	IntentProcessDistribute      Intent = 280
	IntentFormDistribute         Intent = 281
	IntentTenantDistribute       Intent = 282
	IntentTenantEntityDistribute Intent = 283
)

var intentNames = map[Intent]string{
	IntentDeploymentCreate:                   "CREATE",
	IntentDeploymentCreated:                  "CREATED",
	IntentProcessCreated:                     "CREATED",
	IntentProcessInstanceCancel:              "CANCEL",
	IntentElementActivating:                  "ELEMENT_ACTIVATING",
	IntentElementActivated:                   "ELEMENT_ACTIVATED",
	IntentElementCompleting:                  "ELEMENT_COMPLETING",
	IntentElementCompleted:                   "ELEMENT_COMPLETED",
	IntentElementTerminating:                 "ELEMENT_TERMINATING",
	IntentElementTerminated:                  "ELEMENT_TERMINATED",
	IntentSequenceFlowTaken:                  "SEQUENCE_FLOW_TAKEN",
	IntentProcessInstanceCreate:              "CREATE",
	IntentProcessInstanceCreated:             "CREATED",
	IntentJobCreated:                         "CREATED",
	IntentJobComplete:                        "COMPLETE",
	IntentJobCompleted:                       "COMPLETED",
	IntentJobFail:                            "FAIL",
	IntentJobFailed:                          "FAILED",
	IntentJobTimeOut:                         "TIME_OUT",
	IntentJobTimedOut:                        "TIMED_OUT",
	IntentJobUpdateRetries:                   "UPDATE_RETRIES",
	IntentJobRetriesUpdated:                  "RETRIES_UPDATED",
	IntentJobCanceled:                        "CANCELED",
	IntentJobRecurAfterBackoff:               "RECUR_AFTER_BACKOFF",
	IntentJobRecurredAfterBack:               "RECURRED_AFTER_BACKOFF",
	IntentJobThrowError:                      "THROW_ERROR",
	IntentJobErrorThrown:                     "ERROR_THROWN",
	IntentJobUpdateTimeout:                   "UPDATE_TIMEOUT",
	IntentJobTimeoutUpdated:                  "TIMEOUT_UPDATED",
	IntentJobBatchActivate:                   "ACTIVATE",
	IntentJobBatchActivated:                  "ACTIVATED",
	IntentVariableCreated:                    "CREATED",
	IntentVariableUpdated:                    "UPDATED",
	IntentVariableDocumentUpdate:             "UPDATE",
	IntentVariableDocumentUpdated:            "UPDATED",
	IntentIncidentCreated:                    "CREATED",
	IntentIncidentResolve:                    "RESOLVE",
	IntentIncidentResolved:                   "RESOLVED",
	IntentTimerCreated:                       "CREATED",
	IntentTimerTrigger:                       "TRIGGER",
	IntentTimerTriggered:                     "TRIGGERED",
	IntentTimerCanceled:                      "CANCELED",
	IntentMessagePublish:                     "PUBLISH",
	IntentMessagePublished:                   "PUBLISHED",
	IntentMessageExpire:                      "EXPIRE",
	IntentMessageExpired:                     "EXPIRED",
	IntentMessageCorrelate:                   "CORRELATE",
	IntentMessageCorrelated:                  "CORRELATED",
	IntentMessageSubscriptionCreated:         "CREATED",
	IntentMessageSubscriptionCorrelated:      "CORRELATED",
	IntentMessageSubscriptionDeleted:         "DELETED",
	IntentMessageStartSubscriptionCreated:    "CREATED",
	IntentMessageStartSubscriptionCorrelated: "CORRELATED",
	IntentMessageStartSubscriptionDeleted:    "DELETED",
	IntentUserTaskCreated:                    "CREATED",
	IntentUserTaskAssign:                     "ASSIGN",
	IntentUserTaskAssigned:                   "ASSIGNED",
	IntentUserTaskUpdate:                     "UPDATE",
	IntentUserTaskUpdated:                    "UPDATED",
	IntentUserTaskComplete:                   "COMPLETE",
	IntentUserTaskCompleted:                  "COMPLETED",
	IntentUserTaskCanceled:                   "CANCELED",
	IntentTenantCreate:                       "CREATE",
	IntentTenantCreated:                      "CREATED",
	IntentTenantUpdate:                       "UPDATE",
	IntentTenantUpdated:                      "UPDATED",
	IntentTenantDelete:                       "DELETE",
	IntentTenantDeleted:                      "DELETED",
	IntentTenantAddEntity:                    "ADD_ENTITY",
	IntentTenantEntityAdded:                  "ENTITY_ADDED",
	IntentTenantRemoveEntity:                 "REMOVE_ENTITY",
	IntentTenantEntityRemoved:                "ENTITY_REMOVED",
	IntentFormCreated:                        "CREATED",
	IntentKeyRangeSkip:                       "SKIP",
	IntentKeyRangeSkipped:                    "SKIPPED",
	IntentProcessInstanceMigrate:             "MIGRATE",
	IntentProcessInstanceMigrated:            "MIGRATED",
	IntentElementMigrated:                    "ELEMENT_MIGRATED",
	IntentJobMigrated:                        "MIGRATED",
	IntentUserTaskMigrated:                   "MIGRATED",
	IntentTimerMigrated:                      "MIGRATED",
	IntentMessageSubscriptionMigrated:        "MIGRATED",
	IntentIncidentMigrated:                   "MIGRATED",
	IntentProcessInstanceModify:              "MODIFY",
	IntentProcessInstanceModified:            "MODIFIED",
	IntentResourceDelete:                     "DELETE",
	IntentResourceDeleted:                    "DELETED",
	IntentProcessDeleted:                     "DELETED",
	IntentFormDeleted:                        "DELETED",
	IntentSignalBroadcast:                    "BROADCAST",
	IntentSignalBroadcasted:                  "BROADCASTED",
	IntentSignalSubscriptionCreated:          "CREATED",
	IntentSignalSubscriptionDeleted:          "DELETED",
	IntentEscalationEscalated:                "ESCALATED",
	IntentEscalationNotEscalated:             "NOT_ESCALATED",
	IntentCompensationSubscriptionCreated:    "CREATED",
	IntentCompensationSubscriptionTriggered:  "TRIGGERED",
	IntentCompensationSubscriptionCompleted:  "COMPLETED",
	IntentCompensationSubscriptionDeleted:    "DELETED",
	IntentAdHocSubProcessActivate:            "ACTIVATE",
	IntentAdHocSubProcessActivated:           "ACTIVATED",
	IntentIdempotencyKeyRecorded:             "RECORDED",
	IntentProcessDistribute:                  "DISTRIBUTE",
	IntentFormDistribute:                     "DISTRIBUTE",
	IntentTenantDistribute:                   "DISTRIBUTE",
	IntentTenantEntityDistribute:             "ENTITY_DISTRIBUTE",
	IntentInboxApplied:                       "APPLIED",
	IntentPartitionSubscriptionOpen:          "OPEN",
	IntentPartitionSubscriptionOpened:        "OPENED",
	IntentPartitionSubscriptionClose:         "CLOSE",
	IntentPartitionSubscriptionClosed:        "CLOSED",
	IntentPartitionSubscriptionCorrelate:     "CORRELATE",
	IntentPartitionSubscriptionCorrelating:   "CORRELATING",
	IntentPartitionSubscriptionReject:        "REJECT",
	IntentPartitionSubscriptionRejected:      "REJECTED",
	IntentInboxAdvance:                       "ADVANCE",
}

func (i Intent) String() string {
	if n, ok := intentNames[i]; ok {
		return n
	}
	return fmt.Sprintf("INTENT(%d)", uint16(i))
}
