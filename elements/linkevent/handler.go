package linkevent

import (
	"fmt"

	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/model"
)

// Throw runs intermediate link throw events: when the event completes, the
// catch event of the same name in its flow scope is activated (no sequence
// flow is taken, as in Zeebe).
type Throw struct{ element.PassThrough }

// Validate requires a name that exactly one link catch event of the same
// flow scope has.
func (Throw) Validate(el *model.Element) []element.Problem {
	if el.Link == "" {
		return []element.Problem{{Attribute: "name", Msg: "a link throw event needs a link name"}}
	}
	var out []element.Problem
	switch n := len(catches(el)); n {
	case 0:
		out = append(out, element.Problem{Attribute: "name", Msg: fmt.Sprintf("no link catch event named '%s' in '%s' for the link throw event", el.Link, scopeID(el))})
	case 1:
	default:
		out = append(out, element.Problem{Attribute: "name", Msg: fmt.Sprintf("%d link catch events are named '%s' in '%s': the link throw event needs exactly one", n, el.Link, scopeID(el))})
	}
	return out
}

// Complete activates the link catch event; outgoing sequence flows of the
// throw event (BPMN allows none) are not taken, as in Zeebe.
func (Throw) Complete(ctx element.CompleteContext) error {
	el := ctx.Element()
	c := catches(el)
	if len(c) != 1 {
		return fmt.Errorf("link throw event %s has %d catch events named %q", el.ID, len(c), el.Link)
	}
	ctx.ActivateInScope(c[0])
	return nil
}

// Catch runs intermediate link catch events: entered by their link throw
// events, they pass the token on.
type Catch struct{ element.PassThrough }

// Validate requires a name no other link catch event of the same flow
// scope has.
func (Catch) Validate(el *model.Element) []element.Problem {
	if el.Link == "" {
		return []element.Problem{{Attribute: "name", Msg: "a link catch event needs a link name"}}
	}
	for _, other := range catches(el) {
		if other != el {
			return []element.Problem{{Attribute: "name", Msg: fmt.Sprintf("'%s' has two link catch events named '%s': '%s' and '%s'", scopeID(el), el.Link, el.ID, other.ID)}}
		}
	}
	return nil
}

// catches returns the link catch events of el's flow scope named like el.
func catches(el *model.Element) []*model.Element {
	if el.Parent == nil {
		return nil
	}
	var out []*model.Element
	for _, c := range el.Parent.Children {
		if c.Kind == model.KindLinkIntermediateCatchEvent && c.Link == el.Link {
			out = append(out, c)
		}
	}
	return out
}

func scopeID(el *model.Element) string {
	if el.Parent == nil {
		return ""
	}
	return el.Parent.ID
}

// Interface guards
var (
	_ element.Handler = Throw{}
	_ element.Handler = Catch{}
)
