package processtest

import (
	"context"
	"fmt"
	"time"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
)

// Message is a message to publish.
type Message struct {
	Name           string
	CorrelationKey string
	Variables      map[string]any
	// TimeToLive keeps the message buffered for subscriptions that open
	// later; 0 means it reaches only what waits for it now.
	TimeToLive time.Duration
	// MessageID, if set, makes a second publication with the same name,
	// correlation key and id a rejection while the first is buffered.
	MessageID string
}

// PublishMessage publishes a message with no time to live: it reaches every
// process waiting for its name and correlation key now, and starts the
// processes with a matching message start event. It returns the first
// instance it reached, or nil; nothing waiting is not a failure.
func (e *Engine) PublishMessage(name, correlationKey string, vars map[string]any) *Instance {
	e.t.Helper()
	return e.Publish(Message{Name: name, CorrelationKey: correlationKey, Variables: vars})
}

// Publish publishes a message and returns the first instance it reached,
// or nil.
func (e *Engine) Publish(m Message) *Instance {
	e.t.Helper()
	pm, err := e.eng.PublishMessage(context.Background(), e.messageRequest(m))
	if err != nil {
		e.refused(fmt.Sprintf("PublishMessage(%q, %q)", m.Name, m.CorrelationKey), err)
		return nil
	}
	e.Settle()
	return e.reached(pm)
}

// CorrelateMessage publishes a message that must reach something now: a
// waiting instance or a message start event. It returns the first instance
// it reached, and fails the test, listing the open message subscriptions,
// when nothing waits for it.
func (e *Engine) CorrelateMessage(name, correlationKey string, vars map[string]any) *Instance {
	e.t.Helper()
	doing := fmt.Sprintf("CorrelateMessage(%q, %q)", name, correlationKey)
	pm, err := e.eng.CorrelateMessage(context.Background(), e.messageRequest(Message{Name: name, CorrelationKey: correlationKey, Variables: vars}))
	if rj, ok := engine.AsRejection(err); ok && rj.Type == record.RejectionNotFound {
		e.t.Fatalf("processtest: %s: expected something to wait for the message, but nothing does; open message subscriptions: %s", doing, e.subscriptions())
		return nil
	}
	if err != nil {
		e.refused(doing, err)
		return nil
	}
	e.Settle()
	return e.reached(pm)
}

func (e *Engine) messageRequest(m Message) engine.PublishMessageRequest {
	return engine.PublishMessageRequest{Name: m.Name, CorrelationKey: m.CorrelationKey, TimeToLive: m.TimeToLive, MessageID: m.MessageID, Variables: m.Variables}
}

func (e *Engine) reached(pm *engine.PublishedMessage) *Instance {
	e.t.Helper()
	if pm.ProcessInstanceKey == 0 {
		return nil
	}
	return e.Instance(pm.ProcessInstanceKey)
}

// subscriptions lists the open message subscriptions of every instance.
func (e *Engine) subscriptions() string {
	e.t.Helper()
	var subs []string
	e.read(func(s *state.State, _ []*record.Record) {
		for _, sub := range s.Subscriptions() {
			v := sub.Value
			subs = append(subs, fmt.Sprintf("%s with correlation key %q at %s (instance %d)", v.MessageName, v.CorrelationKey, v.ElementID, v.ProcessInstanceKey))
		}
	})
	return listOrNone(subs)
}
