package retention_test

import (
	"context"
	"testing"
	"time"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/retention"
	"github.com/example/wf-engine/core/store/memstore"
	"github.com/example/wf-engine/elements/standard"
)

const startOnly = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s" /></bpmn:process>
</bpmn:definitions>`

// The idempotency step removes the answers recorded more than the TTL
// before the runner's clock, in batches, and leaves the younger ones.
func TestIdempotencyStepRemovesExpiredAnswers(t *testing.T) {
	s := memstore.New(memstore.Options{})
	clk := clock.NewManual(t0)
	e, err := engine.Start(context.Background(), engine.Config{Partition: 1, Clock: clk, Store: s, Registry: standard.Registry()})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = e.Close() }()
	ctx := context.Background()
	if _, err := e.Deploy(ctx, engine.DeployRequest{Resources: []record.Resource{{Name: "p.bpmn", Content: []byte(startOnly)}}}); err != nil {
		t.Fatal(err)
	}
	create := func(key string) {
		t.Helper()
		kctx := engine.WithIdempotencyKey(ctx, engine.IdempotencyKey{Key: key, Fingerprint: "f"})
		if _, err := e.CreateInstance(kctx, engine.CreateInstanceRequest{BPMNProcessID: "p"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range []string{"a", "b", "c"} {
		create(k)
	}
	clk.Advance(time.Hour)
	create("d")

	r, err := retention.NewRunner(retention.Config{BatchSize: 2}, clk, nil, nil, retention.IdempotencyStep(s, 24*time.Hour, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(23*time.Hour + time.Minute) // a, b, c are 24h01m old, d 23h01m
	if got := r.RunOnce(ctx)[retention.StepIdempotencyKeys]; got != 3 {
		t.Fatalf("removed %d answers, want 3", got)
	}
	if got := r.RunOnce(ctx)[retention.StepIdempotencyKeys]; got != 0 {
		t.Fatalf("removed %d more, want none", got)
	}
	clk.Advance(time.Hour)
	if got := r.RunOnce(ctx)[retention.StepIdempotencyKeys]; got != 1 {
		t.Fatalf("removed %d once d expired, want 1", got)
	}
	// A TTL of 0 keeps everything.
	create("e")
	clk.Advance(1000 * time.Hour)
	keep, err := retention.NewRunner(retention.Config{}, clk, nil, nil, retention.IdempotencyStep(s, 0, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if got := keep.RunOnce(ctx)[retention.StepIdempotencyKeys]; got != 0 {
		t.Fatalf("TTL 0 removed %d", got)
	}
}
