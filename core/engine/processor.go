package engine

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/model"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
)

// Result is what processing one command produced.
type Result struct {
	// Records are the command itself and every record it caused, in log order.
	Records []*record.Record
	// Rejection is set when the command was rejected.
	Rejection *Rejection
	// Response is the command's answer for its caller (depends on the command).
	Response any
	// Ended are the awaited process instances the command ended, with their
	// final variables (see endWatch).
	Ended []InstanceEnd
}

// Processor turns commands into events for one partition. It is not safe for
// concurrent use: the partition's goroutine is its only caller.
type Processor struct {
	partition int32
	// partitions is how many partitions the store has (crossmessages.go);
	// 0 or 1: one.
	partitions int32
	st         *state.State
	reg        *element.Registry
	sem        semantics
	checked    []checkedResource            // the deployment in hand's resources, checked off the loop
	idem       *idempotencyKey              // the command in hand's idempotency key, if its answer is recorded
	typeNames  map[*model.Element][2]string // Camunda's element and event type names
	contexts   []*elementContext            // released step contexts, for reuse
	ends       endWatch                     // final variables of awaited instances
	limits     Limits

	// per command
	startAt        map[int64]*model.Element // process instance or event subprocess -> the start event it starts at
	pendingVars    map[int64]map[string]any // element instance -> the result of the event that triggered it
	pendingStart   map[int64]map[string]any // process instance or event subprocess -> the result its start event carries
	interrupted    map[int64]func() error   // scope -> what enters its interrupting event subprocess once its children ended
	afterTerminate map[int64]func() error   // element instance -> what follows its termination
	handedOver     map[int64]*model.Element // element.EventOwner instance -> the event it handed over
	preTriggered   map[int64]bool           // element instances entered because their event already happened
	flowTaken      map[flowVisit]int        // how often each flow was taken in each scope
	stopAt         map[int64]string         // element instance -> why it gets an incident instead of its activation
	modPlanned     map[int64]*modNode       // element instance a modification created -> what it plans inside
	modTerminated  map[int64]bool           // element instances a modification terminates
	firstLocals    map[int64]map[string]any // element instance -> the locals it begins with (scopes.go)
	cmd            *record.Record
	now            time.Time
	out            []*record.Record
	agenda         []step
	steps          int
	varBytes       int // size of the variables written so far
	nextKey        int64
}

// NewProcessor returns a processor that works on st with the handlers of reg.
func NewProcessor(partition int32, st *state.State, reg *element.Registry) *Processor {
	return &Processor{partition: partition, st: st, reg: reg, sem: semantics{reg}, typeNames: map[*model.Element][2]string{},
		startAt: map[int64]*model.Element{}, pendingVars: map[int64]map[string]any{}, pendingStart: map[int64]map[string]any{}, afterTerminate: map[int64]func() error{}, interrupted: map[int64]func() error{},
		handedOver: map[int64]*model.Element{}, preTriggered: map[int64]bool{}, flowTaken: map[flowVisit]int{}, stopAt: map[int64]string{},
		modPlanned: map[int64]*modNode{}, modTerminated: map[int64]bool{},
		limits: Limits{}.withDefaults()}
}

// NewState returns an empty state whose process models are parsed with
// model.Parse and whose elements behave as reg's handlers say.
func NewState(reg *element.Registry) *state.State {
	return state.New(newModels().parse, Semantics(reg))
}

// RestoreState returns the state a snapshot holds, for the handlers of reg.
func RestoreState(reg *element.Registry, snap *state.Snapshot) (*state.State, error) {
	return state.Restore(newModels().parse, Semantics(reg), snap)
}

func parseResource(b []byte) (*model.Definitions, error) { return model.Parse(bytes.NewReader(b)) }

// State returns the processor's state; callers must only read it between commands.
func (p *Processor) State() *state.State { return p.st }

// Process handles one command. The command's Timestamp must be set; its
// Position is assigned here. Every returned record was applied to the state.
// An error means the state could not apply a record: the partition must stop.
func (p *Processor) Process(cmd *record.Record) (*Result, error) {
	p.cmd = cmd
	p.now = time.UnixMilli(cmd.Timestamp).UTC()
	p.out = p.out[:0]
	p.agenda = p.agenda[:0]
	p.steps = 0
	p.varBytes = 0
	p.nextKey = max(p.nextKey, p.st.LastKey())
	from := deliveredFrom(cmd)
	if from != nil && p.applied(from) {
		return &Result{}, nil // delivered again: applied once already (crossing.go)
	}
	cmd.Kind = record.KindCommand
	cmd.Position = p.st.LastPosition() + 1
	if err := p.st.Apply(cmd); err != nil {
		return nil, err
	}
	p.out = append(p.out, cmd)
	resp, err := p.dispatch(cmd)
	if err == nil {
		err = p.run()
	}
	res := &Result{Records: append([]*record.Record(nil), p.out...), Response: resp}
	defer p.takeEnds(res)
	if err != nil {
		var rj *Rejection
		if !errors.As(err, &rj) {
			return nil, err
		}
		if len(p.out) > 1 {
			return nil, fmt.Errorf("command %s %s rejected after it wrote events: %w", cmd.ValueType, cmd.Intent, err)
		}
		r := &record.Record{
			Position: p.st.LastPosition() + 1, SourcePosition: cmd.Position, Key: cmd.Key,
			Kind: record.KindRejection, ValueType: cmd.ValueType, Intent: cmd.Intent, Version: cmd.Version,
			Timestamp: cmd.Timestamp, RejectionType: rj.Type, RejectionReason: rj.Reason, Value: cmd.Value,
		}
		if err := p.st.Apply(r); err != nil {
			return nil, err
		}
		res.Records = append(res.Records, r)
		res.Rejection = rj
		res.Response = nil
	}
	if from != nil {
		n := len(p.out)
		if err := p.noteApplied(from); err != nil {
			return nil, err
		}
		res.Records = append(res.Records, p.out[n:]...)
	}
	if p.idem != nil {
		if err := p.recordIdempotency(res, p.idem); err != nil {
			return nil, err
		}
	}
	clear(p.startAt)
	clear(p.pendingVars)
	clear(p.pendingStart)
	clear(p.interrupted)
	clear(p.afterTerminate)
	clear(p.handedOver)
	clear(p.preTriggered)
	clear(p.flowTaken)
	clear(p.stopAt)
	clear(p.modPlanned)
	clear(p.modTerminated)
	clear(p.firstLocals)
	return res, nil
}

// newKey returns the next key of the partition.
func (p *Processor) newKey() int64 {
	p.nextKey++
	return record.Key(p.partition, p.nextKey&(1<<record.KeyPartitionShift-1))
}

// write appends an event caused by the current command and applies it.
func (p *Processor) write(key int64, intent record.Intent, v record.Value) error {
	r := &record.Record{
		Position: p.st.LastPosition() + 1, SourcePosition: p.cmd.Position, Key: key,
		Kind: record.KindEvent, ValueType: v.ValueType(), Intent: intent, Version: state.EventVersion,
		Timestamp: p.cmd.Timestamp, Value: v,
	}
	p.captureEnd(key, intent, v)
	if err := p.st.Apply(r); err != nil {
		return err
	}
	p.out = append(p.out, r)
	if p.partitions > 1 {
		return p.followSubscription(key, intent, v)
	}
	return nil
}

func (p *Processor) dispatch(cmd *record.Record) (any, error) {
	switch v := cmd.Value.(type) {
	case *record.DeploymentValue:
		if cmd.Intent == record.IntentDeploymentCreate {
			return p.deploy(v)
		}
	case *record.ProcessInstanceCreationValue:
		if cmd.Intent == record.IntentProcessInstanceCreate {
			return p.createInstance(v)
		}
	case *record.ProcessInstanceValue:
		if cmd.Intent == record.IntentProcessInstanceCancel {
			return nil, p.cancelInstance(cmd.Key)
		}
	case *record.JobBatchValue:
		if cmd.Intent == record.IntentJobBatchActivate {
			return p.activateJobs(v)
		}
	case *record.JobValue:
		switch cmd.Intent {
		case record.IntentJobComplete:
			return nil, p.completeJob(cmd.Key, v)
		case record.IntentJobFail:
			return nil, p.failJob(cmd.Key, v)
		case record.IntentJobThrowError:
			return nil, p.throwJobError(cmd.Key, v)
		case record.IntentJobUpdateRetries:
			return nil, p.updateRetries(cmd.Key, v)
		case record.IntentJobUpdateTimeout:
			return nil, p.updateTimeout(cmd.Key, v)
		case record.IntentJobTimeOut:
			return nil, p.timeOutJob(cmd.Key)
		case record.IntentJobRecurAfterBackoff:
			return nil, p.recurJob(cmd.Key)
		}
	case *record.TimerValue:
		if cmd.Intent == record.IntentTimerTrigger {
			return nil, p.triggerTimer(cmd.Key)
		}
	case *record.MessageValue:
		switch cmd.Intent {
		case record.IntentMessagePublish:
			return p.publishMessage(v, false)
		case record.IntentMessageCorrelate:
			return p.publishMessage(v, true)
		case record.IntentMessageExpire:
			return nil, p.expireMessage(cmd.Key)
		}
	case *record.SignalValue:
		if cmd.Intent == record.IntentSignalBroadcast {
			return p.broadcastCommand(v)
		}
	case *record.UserTaskValue:
		switch cmd.Intent {
		case record.IntentUserTaskAssign:
			return nil, p.assignUserTask(cmd.Key, v)
		case record.IntentUserTaskUpdate:
			return nil, p.updateUserTask(cmd.Key, v)
		case record.IntentUserTaskComplete:
			return nil, p.completeUserTask(cmd.Key, v)
		}
	case *record.VariableDocumentValue:
		if cmd.Intent == record.IntentVariableDocumentUpdate {
			return nil, p.setVariables(cmd.Key, v)
		}
	case *record.IncidentValue:
		if cmd.Intent == record.IntentIncidentResolve {
			return nil, p.resolveIncident(cmd.Key)
		}
	case *record.TenantValue:
		return p.processTenant(cmd.Intent, v)
	case *record.ProcessInstanceMigrationValue:
		if cmd.Intent == record.IntentProcessInstanceMigrate {
			return nil, p.migrateInstance(cmd.Key, v)
		}
	case *record.ResourceDeletionValue:
		if cmd.Intent == record.IntentResourceDelete {
			return nil, p.deleteResource(v)
		}
	case *record.ProcessInstanceModificationValue:
		if cmd.Intent == record.IntentProcessInstanceModify {
			return nil, p.modifyInstance(cmd.Key, v)
		}
	case *record.AdHocSubProcessInstructionValue:
		if cmd.Intent == record.IntentAdHocSubProcessActivate {
			return nil, p.activateChildren(cmd.Key, v)
		}
	case *record.KeyRangeValue:
		if cmd.Intent == record.IntentKeyRangeSkip {
			return p.skipKeys(v)
		}
	case *record.ProcessValue:
		if cmd.Intent == record.IntentProcessDistribute {
			return nil, p.distributeProcess(v)
		}
	case *record.FormValue:
		if cmd.Intent == record.IntentFormDistribute {
			return nil, p.distributeForm(v)
		}
	case *record.PartitionSubscriptionValue:
		return nil, p.partitionSubscription(cmd.Intent, v)
	case *record.InboxValue:
		if cmd.Intent == record.IntentInboxAdvance {
			return nil, p.advanceInbox(v)
		}
	}
	return nil, reject(record.RejectionInvalidArgument, "no processor for %s command %s", cmd.ValueType, cmd.Intent)
}
