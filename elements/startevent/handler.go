package startevent

import (
	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/model"
)

// Handler runs none start events.
type Handler struct{ element.PassThrough }

// Validate rejects incoming sequence flows.
func (Handler) Validate(el *model.Element) []element.Problem {
	if len(el.Incoming) > 0 {
		return []element.Problem{{Msg: "a start event must not have incoming sequence flows"}}
	}
	return nil
}

// RefuseActivation implements element.ActivationRefuser.
func (Handler) RefuseActivation(el *model.Element) string { return element.StartEventRefusal(el) }

// Interface guards
var (
	_ element.Handler           = Handler{}
	_ element.ActivationRefuser = Handler{}
)
