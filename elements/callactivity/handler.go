package callactivity

import (
	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/model"
	"github.com/example/wf-engine/core/record"
)

// Handler runs call activities.
type Handler struct{ element.PassThrough }

// Validate requires a called process id and a known binding type.
func (Handler) Validate(el *model.Element) []element.Problem {
	ce := el.CalledElement
	if ce == nil || ce.ProcessID == nil {
		return []element.Problem{{Attribute: "zeebe:calledElement processId", Msg: "a called process id is required"}}
	}
	switch ce.BindingType {
	case "", "latest", "deployment":
	case "versionTag":
		if ce.VersionTag == "" {
			return []element.Problem{{Attribute: "zeebe:calledElement versionTag", Msg: "binding type versionTag needs a version tag"}}
		}
	default:
		return []element.Problem{{Attribute: "zeebe:calledElement bindingType", Msg: "unknown binding type '" + ce.BindingType + "'"}}
	}
	return nil
}

// Activate evaluates the process id and starts the called process.
func (Handler) Activate(ctx element.ActivateContext) error {
	el := ctx.Element()
	ce := el.CalledElement
	v, err := ctx.Eval(ce.ProcessID)
	if err != nil {
		return element.Failf(record.ErrorExtractValue, "evaluate the called process id of '%s': %v", el.ID, err)
	}
	id, ok := v.(string)
	if !ok || id == "" {
		return element.Failf(record.ErrorExtractValue, "the called process id of '%s' must be a non-empty string, but it is %s", el.ID, element.Describe(v))
	}
	ctx.CallProcess(element.CallSpec{
		BPMNProcessID: id, BindingType: ce.BindingType, VersionTag: ce.VersionTag,
		PropagateAllParentVariables: ce.PropagateAllParentVariables,
		PropagateAllChildVariables:  ce.PropagateAllChildVariables,
	})
	return nil
}

// Interface guards
var _ element.Handler = Handler{}
