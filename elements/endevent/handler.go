package endevent

import (
	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/model"
)

// Handler runs none end events.
type Handler struct{ element.PassThrough }

// Validate rejects outgoing sequence flows.
func (Handler) Validate(el *model.Element) []element.Problem {
	if len(el.Outgoing) > 0 {
		return []element.Problem{{Msg: "an end event must not have outgoing sequence flows"}}
	}
	return nil
}

// Complete takes no flow: the token ends here.
func (Handler) Complete(element.CompleteContext) error { return nil }

// Terminate runs terminate end events: the token ends here and every other
// token of the flow scope is terminated; the scope then completes.
type Terminate struct{ Handler }

// EndsScope implements element.ScopeEnder: the kernel terminates the
// element's siblings when it completes.
func (Terminate) EndsScope(*model.Element) bool { return true }

// Interface guards
var (
	_ element.Handler    = Handler{}
	_ element.Handler    = Terminate{}
	_ element.ScopeEnder = Terminate{}
)
