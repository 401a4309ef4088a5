package engine

import (
	"maps"

	"github.com/example/wf-engine/core/record"
)

// HeaderTraceParent is the job custom header that carries the W3C
// traceparent of the request that created the job's process instance, as
// OpenTelemetry-instrumented Camunda workers read it.
const HeaderTraceParent = "traceparent"

// traceParentOf returns the traceparent a new process instance keeps: its
// calling instance's, or the command's that starts it (a creation, a
// message that reaches a message start event, a timer start event's
// firing).
func (p *Processor) traceParentOf(parent *instance) string {
	if parent != nil {
		if root := p.st.Element(parent.ei.Value.ProcessInstanceKey); root != nil {
			return root.TraceParent
		}
		return ""
	}
	switch v := p.cmd.Value.(type) {
	case *record.ProcessInstanceCreationValue:
		return v.TraceParent
	case *record.MessageValue:
		return v.TraceParent
	case *record.TimerValue:
		return v.TraceParent
	}
	return ""
}

// withTraceParent returns the custom headers of a new job of the process
// instance pi: headers, with the instance's traceparent added when it has
// one and the model does not set the header itself. headers may be the
// model's map: it is copied, never changed.
func (p *Processor) withTraceParent(headers map[string]string, pi int64) map[string]string {
	root := p.st.Element(pi)
	if root == nil || root.TraceParent == "" {
		return headers
	}
	if _, set := headers[HeaderTraceParent]; set {
		return headers
	}
	out := maps.Clone(headers)
	out[HeaderTraceParent] = root.TraceParent
	return out
}
