package standard

import (
	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/model"
	"github.com/example/wf-engine/elements/adhocsubprocess"
	"github.com/example/wf-engine/elements/callactivity"
	"github.com/example/wf-engine/elements/compensationevent"
	"github.com/example/wf-engine/elements/endevent"
	"github.com/example/wf-engine/elements/errorevent"
	"github.com/example/wf-engine/elements/escalationevent"
	"github.com/example/wf-engine/elements/eventgateway"
	"github.com/example/wf-engine/elements/eventsubprocess"
	"github.com/example/wf-engine/elements/exclusivegateway"
	"github.com/example/wf-engine/elements/inclusivegateway"
	"github.com/example/wf-engine/elements/linkevent"
	"github.com/example/wf-engine/elements/messageevent"
	"github.com/example/wf-engine/elements/multiinstance"
	"github.com/example/wf-engine/elements/parallelgateway"
	"github.com/example/wf-engine/elements/process"
	"github.com/example/wf-engine/elements/scripttask"
	"github.com/example/wf-engine/elements/servicetask"
	"github.com/example/wf-engine/elements/signalevent"
	"github.com/example/wf-engine/elements/startevent"
	"github.com/example/wf-engine/elements/subprocess"
	"github.com/example/wf-engine/elements/task"
	"github.com/example/wf-engine/elements/timerevent"
	"github.com/example/wf-engine/elements/usertask"
)

// Registry returns a registry with every built-in element handler.
func Registry() *element.Registry {
	r := element.NewRegistry()
	r.Register(process.Handler{}, model.KindProcess)
	r.Register(startevent.Handler{}, model.KindStartEvent)
	r.Register(endevent.Handler{}, model.KindEndEvent)
	r.Register(endevent.Terminate{}, model.KindTerminateEndEvent)
	r.Register(servicetask.Handler{}, model.KindServiceTask, model.KindSendTask, model.KindBusinessRuleTask,
		model.KindMessageIntermediateThrowEvent, model.KindMessageEndEvent)
	r.Register(scripttask.Handler{}, model.KindScriptTask)
	r.Register(task.Handler{}, model.KindTask, model.KindManualTask, model.KindIntermediateThrowEvent)
	r.Register(subprocess.Handler{}, model.KindSubProcess)
	r.Register(adhocsubprocess.Handler{}, model.KindAdHocSubProcess)
	r.Register(callactivity.Handler{}, model.KindCallActivity)
	r.Register(usertask.Handler{}, model.KindUserTask)
	r.Register(timerevent.Catch{}, model.KindTimerIntermediateCatchEvent)
	r.Register(timerevent.Boundary{}, model.KindTimerBoundaryEvent)
	r.Register(timerevent.Start{}, model.KindTimerStartEvent)
	r.Register(messageevent.Catch{}, model.KindMessageIntermediateCatchEvent, model.KindReceiveTask)
	r.Register(messageevent.Boundary{}, model.KindMessageBoundaryEvent)
	r.Register(messageevent.Start{}, model.KindMessageStartEvent)
	r.Register(signalevent.Catch{}, model.KindSignalIntermediateCatchEvent)
	r.Register(signalevent.Boundary{}, model.KindSignalBoundaryEvent)
	r.Register(signalevent.Throw{}, model.KindSignalIntermediateThrowEvent)
	r.Register(signalevent.End{}, model.KindSignalEndEvent)
	r.Register(signalevent.Start{}, model.KindSignalStartEvent)
	r.Register(errorevent.End{}, model.KindErrorEndEvent)
	r.Register(errorevent.Boundary{}, model.KindErrorBoundaryEvent)
	r.Register(escalationevent.Throw{}, model.KindEscalationIntermediateThrowEvent)
	r.Register(escalationevent.End{}, model.KindEscalationEndEvent)
	r.Register(escalationevent.Boundary{}, model.KindEscalationBoundaryEvent)
	r.Register(escalationevent.Start{}, model.KindEscalationStartEvent)
	r.Register(linkevent.Throw{}, model.KindLinkIntermediateThrowEvent)
	r.Register(linkevent.Catch{}, model.KindLinkIntermediateCatchEvent)
	r.Register(compensationevent.Boundary{}, model.KindCompensationBoundaryEvent)
	r.Register(compensationevent.Throw{}, model.KindCompensationIntermediateThrowEvent)
	r.Register(compensationevent.End{}, model.KindCompensationEndEvent)
	r.Register(errorevent.Start{}, model.KindErrorStartEvent)
	r.Register(eventsubprocess.Handler{}, model.KindEventSubProcess)
	r.Register(exclusivegateway.Handler{}, model.KindExclusiveGateway)
	r.Register(parallelgateway.Handler{}, model.KindParallelGateway)
	r.Register(inclusivegateway.Handler{}, model.KindInclusiveGateway)
	r.Register(eventgateway.Handler{}, model.KindEventBasedGateway)
	r.Register(multiinstance.New(r), model.KindMultiInstanceBody)
	return r
}
