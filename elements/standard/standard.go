package standard

import (
	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/model"
	"github.com/example/wf-engine/elements/endevent"
	"github.com/example/wf-engine/elements/exclusivegateway"
	"github.com/example/wf-engine/elements/parallelgateway"
	"github.com/example/wf-engine/elements/process"
	"github.com/example/wf-engine/elements/servicetask"
	"github.com/example/wf-engine/elements/startevent"
	"github.com/example/wf-engine/elements/task"
)

// Registry returns a registry with every built-in element handler.
func Registry() *element.Registry {
	r := element.NewRegistry()
	r.Register(process.Handler{}, model.KindProcess)
	r.Register(startevent.Handler{}, model.KindStartEvent)
	r.Register(endevent.Handler{}, model.KindEndEvent)
	r.Register(servicetask.Handler{}, model.KindServiceTask)
	r.Register(task.Handler{}, model.KindTask, model.KindManualTask)
	r.Register(exclusivegateway.Handler{}, model.KindExclusiveGateway)
	r.Register(parallelgateway.Handler{}, model.KindParallelGateway)
	return r
}
