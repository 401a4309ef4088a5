package record

// Inter-partition commands (docs/scaling.md, "Outbox and exactly-once
// apply"). A partition sends another one a command by writing it into its
// own log, as a COMMAND record in the batch of the change that made it,
// whose value names the target partition (Routed). A forwarder reads the
// sender's log and delivers such a command to its target, stamped with the
// sender's position; the target applies it exactly once: it keeps, per
// source partition, the highest source position it applied (PARTITION_INBOX
// APPLIED, written in the batch of the command's effects) and skips a
// delivery at or below it.

// Value types of inter-partition commands. Persisted: never renumber.
const (
	// TypePartitionInbox is a partition's record of the inter-partition
	// commands it applied.
	TypePartitionInbox ValueType = 28
	// TypePartitionMessageSubscription carries message subscriptions
	// between an instance's partition and its message's partition.
	TypePartitionMessageSubscription ValueType = 29
)

// Inter-partition intents (260-279). Persisted: never renumber or reuse.
const (
	// IntentInboxApplied: the command at SourcePosition of partition
	// SourcePartition's log was applied here.
	IntentInboxApplied Intent = 260

	// Instance partition to message partition: open a subscription there
	// (OPEN), which it records (OPENED); close it (CLOSE, CLOSED).
	IntentPartitionSubscriptionOpen   Intent = 261
	IntentPartitionSubscriptionOpened Intent = 262
	IntentPartitionSubscriptionClose  Intent = 263
	IntentPartitionSubscriptionClosed Intent = 264
	// Message partition to instance partition: a message correlates to
	// the subscription (CORRELATE); the message partition noted that it
	// sent it (CORRELATING): the subscription takes no other message
	// until the instance's partition closes or refuses it.
	IntentPartitionSubscriptionCorrelate   Intent = 265
	IntentPartitionSubscriptionCorrelating Intent = 266
	// Instance partition to message partition: the subscription was gone
	// when the message came (REJECT); the message partition forgets the
	// correlation, so the message may reach another instance of the
	// process (REJECTED).
	IntentPartitionSubscriptionReject   Intent = 267
	IntentPartitionSubscriptionRejected Intent = 268

	// IntentInboxAdvance is a forwarder's command to its target: the
	// source's log up to SourcePosition holds no other command for it, so
	// its inbox may move there (PARTITION_INBOX APPLIED), which lets the
	// source's log compaction pass the positions.
	IntentInboxAdvance Intent = 269
)

// Route is where an inter-partition command goes and, once delivered,
// where it comes from.
type Route struct {
	// TargetPartition is the partition that applies the command.
	TargetPartition int32 `json:"targetPartition"`
	// SourcePosition is the command's position in the sender's log: zero
	// in the sender's log, set on the copy delivered to the target (the
	// sender is the partition of the position).
	SourcePosition int64 `json:"sourcePosition,omitempty"`
}

// Routed is the value of an inter-partition command.
type Routed interface {
	Value
	// Routing returns the value's route, to read or set.
	Routing() *Route
}

// Routing implements Routed.
func (r *Route) Routing() *Route { return r }

// InboxValue records that a partition applied the inter-partition command
// at SourcePosition of partition SourcePartition's log.
type InboxValue struct {
	SourcePartition int32 `json:"sourcePartition"`
	SourcePosition  int64 `json:"sourcePosition"`
}

// ValueType implements Value.
func (*InboxValue) ValueType() ValueType { return TypePartitionInbox }

// PartitionSubscriptionValue is a message subscription as the two
// partitions exchange it: the instance partition's subscription (its key
// and value), and, on CORRELATE, the message.
type PartitionSubscriptionValue struct {
	Route
	// SubscriptionKey is the key of the MESSAGE_SUBSCRIPTION on the
	// instance's partition.
	SubscriptionKey int64                    `json:"subscriptionKey"`
	Subscription    MessageSubscriptionValue `json:"subscription"`
	// MessageKey and Variables are the message's, on CORRELATE,
	// CORRELATING, REJECT and REJECTED.
	MessageKey int64          `json:"messageKey,omitempty"`
	Variables  map[string]any `json:"variables,omitempty"`
}

// ValueType implements Value.
func (*PartitionSubscriptionValue) ValueType() ValueType { return TypePartitionMessageSubscription }

// Interface guards
var (
	_ Value  = (*InboxValue)(nil)
	_ Routed = (*PartitionSubscriptionValue)(nil)
)
