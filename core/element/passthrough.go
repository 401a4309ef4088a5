package element

import "github.com/example/wf-engine/core/model"

// PassThrough is the behaviour of an element that does nothing but pass its
// token on: it completes as soon as it is activated and takes its outgoing
// flows. Handlers embed it and override what differs.
type PassThrough struct{}

// Validate accepts every configuration.
func (PassThrough) Validate(*model.Element) []Problem { return nil }

// Activate completes the element at once.
func (PassThrough) Activate(ctx ActivateContext) error {
	ctx.Complete()
	return nil
}

// Complete takes the outgoing flows.
func (PassThrough) Complete(ctx CompleteContext) error { return TakeOutgoing(ctx) }

// Terminate has nothing to undo.
func (PassThrough) Terminate(Scope) error { return nil }

// Interface guards
var _ Handler = PassThrough{}
