package record

import "fmt"

// Kind tells commands, events and rejections apart.
type Kind uint8

// Record kinds. Persisted: never renumber.
const (
	KindCommand   Kind = 1
	KindEvent     Kind = 2
	KindRejection Kind = 3
)

func (k Kind) String() string {
	switch k {
	case KindCommand:
		return "COMMAND"
	case KindEvent:
		return "EVENT"
	case KindRejection:
		return "REJECTION"
	}
	return fmt.Sprintf("KIND(%d)", uint8(k))
}

// ValueType says which kind of value a record carries.
type ValueType uint16

// Value types. Persisted: never renumber.
const (
	TypeDeployment                  ValueType = 1
	TypeProcess                     ValueType = 2
	TypeProcessInstance             ValueType = 3
	TypeProcessInstanceCreation     ValueType = 4
	TypeJob                         ValueType = 5
	TypeJobBatch                    ValueType = 6
	TypeVariable                    ValueType = 7
	TypeIncident                    ValueType = 8
	TypeVariableDocument            ValueType = 9
	TypeTimer                       ValueType = 10
	TypeMessage                     ValueType = 11
	TypeMessageSubscription         ValueType = 12
	TypeMessageStartSubscription    ValueType = 13
	TypeUserTask                    ValueType = 14
	TypeTenant                      ValueType = 15
	TypeForm                        ValueType = 16
	TypeKeyRange                    ValueType = 17
	TypeProcessInstanceMigration    ValueType = 19
	TypeProcessInstanceModification ValueType = 18
	TypeResourceDeletion            ValueType = 20
	TypeSignal                      ValueType = 21
	TypeSignalSubscription          ValueType = 22
	TypeEscalation                  ValueType = 24
	TypeCompensationSubscription    ValueType = 25
	TypeAdHocSubProcessInstruction  ValueType = 26
	TypeIdempotencyKey              ValueType = 27
)

var valueTypeNames = map[ValueType]string{
	TypeDeployment:                  "DEPLOYMENT",
	TypeProcess:                     "PROCESS",
	TypeProcessInstance:             "PROCESS_INSTANCE",
	TypeProcessInstanceCreation:     "PROCESS_INSTANCE_CREATION",
	TypeJob:                         "JOB",
	TypeJobBatch:                    "JOB_BATCH",
	TypeVariable:                    "VARIABLE",
	TypeIncident:                    "INCIDENT",
	TypeVariableDocument:            "VARIABLE_DOCUMENT",
	TypeTimer:                       "TIMER",
	TypeMessage:                     "MESSAGE",
	TypeMessageSubscription:         "MESSAGE_SUBSCRIPTION",
	TypeMessageStartSubscription:    "MESSAGE_START_EVENT_SUBSCRIPTION",
	TypeUserTask:                    "USER_TASK",
	TypeTenant:                      "TENANT",
	TypeForm:                        "FORM",
	TypeKeyRange:                    "KEY_RANGE",
	TypeProcessInstanceMigration:    "PROCESS_INSTANCE_MIGRATION",
	TypeProcessInstanceModification: "PROCESS_INSTANCE_MODIFICATION",
	TypeResourceDeletion:            "RESOURCE_DELETION",
	TypeSignal:                      "SIGNAL",
	TypeSignalSubscription:          "SIGNAL_SUBSCRIPTION",
	TypeEscalation:                  "ESCALATION",
	TypeCompensationSubscription:    "COMPENSATION_SUBSCRIPTION",
	TypeAdHocSubProcessInstruction:  "AD_HOC_SUB_PROCESS_INSTRUCTION",
	TypeIdempotencyKey:              "IDEMPOTENCY_KEY",

	// Inter-partition commands (route.go).
	TypePartitionInbox:               "PARTITION_INBOX",
	TypePartitionMessageSubscription: "PARTITION_MESSAGE_SUBSCRIPTION",
}

func (t ValueType) String() string {
	if n, ok := valueTypeNames[t]; ok {
		return n
	}
	return fmt.Sprintf("VALUE_TYPE(%d)", uint16(t))
}

// RejectionType classifies why a command was rejected.
type RejectionType uint8

// Rejection types. Persisted: never renumber.
const (
	RejectionInvalidArgument RejectionType = 1
	RejectionNotFound        RejectionType = 2
	RejectionInvalidState    RejectionType = 3
	RejectionAlreadyExists   RejectionType = 4
	RejectionProcessingError RejectionType = 5
)

func (r RejectionType) String() string {
	switch r {
	case RejectionInvalidArgument:
		return "INVALID_ARGUMENT"
	case RejectionNotFound:
		return "NOT_FOUND"
	case RejectionInvalidState:
		return "INVALID_STATE"
	case RejectionAlreadyExists:
		return "ALREADY_EXISTS"
	case RejectionProcessingError:
		return "PROCESSING_ERROR"
	}
	return fmt.Sprintf("REJECTION(%d)", uint8(r))
}

// Record is one entry of the log.
type Record struct {
	Position int64 `json:"position"`
	// SourcePosition is the position of the command that caused this record
	// (0 for commands that came from outside).
	SourcePosition int64     `json:"sourceRecordPosition"`
	Key            int64     `json:"key"`
	Kind           Kind      `json:"recordType"`
	ValueType      ValueType `json:"valueType"`
	Intent         Intent    `json:"intent"`
	// Version is the version of the value's meaning for this intent; the
	// applier for that version replays it.
	Version   uint16 `json:"recordVersion"`
	Timestamp int64  `json:"timestamp"` // Unix milliseconds: the command's time
	// RejectionType and RejectionReason are set on rejections only.
	RejectionType   RejectionType `json:"rejectionType,omitempty"`
	RejectionReason string        `json:"rejectionReason,omitempty"`
	Value           Value         `json:"value"`
	// Principal is who sent the command, on commands from outside only
	// (nil on events, rejections and the commands the engine gives
	// itself). It is the audit trail: processing never reads it.
	Principal *Principal `json:"principal,omitempty"`
}

// Value is the typed payload of a record.
type Value interface {
	ValueType() ValueType
}

// Partition returns the partition encoded in a key.
func Partition(key int64) int32 { return int32(key >> KeyPartitionShift) } // #nosec G115 -- keys hold the partition in bits 51..62

// KeyPartitionShift is where the partition sits in a key: (partition << 51) | counter.
const KeyPartitionShift = 51

// Key builds the key for counter n of a partition.
func Key(partition int32, n int64) int64 { return int64(partition)<<KeyPartitionShift | n }

// Principal is who sent a command from outside, as the API authenticated
// them: the audit trail of the log. Commands the engine gives itself
// (timers, job deadlines) and commands sent with authentication off carry
// none.
type Principal struct {
	// Subject is the user name (basic authentication) or the token's sub
	// claim (OIDC).
	Subject string `json:"subject,omitempty"`
	// ClientID is the OAuth client of a machine client (azp or client_id).
	ClientID string `json:"clientId,omitempty"`
	// Roles are the roles the request was authorized with.
	Roles []string `json:"roles,omitempty"`
	// Tenants are the tenants the principal may work on.
	Tenants []string `json:"tenants,omitempty"`
}
