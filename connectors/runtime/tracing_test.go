package runtime

import (
	"context"
	"testing"

	"github.com/example/wf-engine/sdk/connector"
)

func TestExecutionSpanContinuesTheJobsTrace(t *testing.T) {
	fn := func(context.Context, connector.Request) (connector.Result, error) { return connector.Result{}, nil }
	h := start(t, fn, Config{})
	const parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	h.jobs.add(job(1, 3, map[string]string{"traceparent": parent}, map[string]any{}))
	h.jobs.next(t)
	h.jobs.add(job(2, 3, nil, map[string]any{}))
	h.jobs.next(t)
	spans := waitSpans(t, h.rec, 2)
	byJob := map[int64]bool{}
	for _, s := range spans {
		var key int64
		for _, a := range s.Attributes() {
			if a.Key == "wf.job.key" {
				key = a.Value.AsInt64()
			}
		}
		withParent := s.Parent().TraceID().String() == "4bf92f3577b34da6a3ce929d0e0e4736" && s.Parent().SpanID().String() == "00f067aa0ba902b7"
		byJob[key] = withParent
		if withParent && s.SpanContext().TraceID() != s.Parent().TraceID() {
			t.Fatalf("job %d: span left the parent's trace", key)
		}
	}
	if !byJob[1] || byJob[2] {
		t.Fatalf("expected job 1's span to be a child of its traceparent header and job 2's to start a trace, got %v", byJob)
	}
}
