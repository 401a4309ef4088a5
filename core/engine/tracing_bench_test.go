package engine_test

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store/memstore"
	"github.com/example/wf-engine/elements/standard"
)

// BenchmarkEngineW1Tracing is BenchmarkEngineW1 with each call under a
// root span, as the API makes one per request: tracing off (no tracer),
// and on with parent-based sampling of 10 % and 100 % into an SDK
// provider that batches to an exporter that drops the spans. It shows
// what tracing costs the engine alone (docs/benchmarks.md).
func BenchmarkEngineW1Tracing(b *testing.B) {
	xml, err := os.ReadFile("testdata/w1.bpmn")
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		ratio float64 // <0: off
	}{{"off", -1}, {"on-10pct", 0.1}, {"on-100pct", 1}} {
		b.Run(c.name, func(b *testing.B) {
			var tp trace.TracerProvider
			if c.ratio >= 0 {
				sdk := sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()),
					sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(c.ratio))))
				defer func() { _ = sdk.Shutdown(context.Background()) }()
				tp = sdk
			}
			st := memstore.New(memstore.Options{DiscardLog: true, DiscardRows: true})
			e, err := engine.Start(context.Background(), engine.Config{Partition: 1, Clock: clock.System{}, Store: st,
				Registry: standard.Registry(), Tracer: tp})
			if err != nil {
				b.Fatal(err)
			}
			defer func() { _ = e.Close() }()
			if _, err := e.Deploy(context.Background(), engine.DeployRequest{Resources: []record.Resource{{Name: "w1.bpmn", Content: xml}}}); err != nil {
				b.Fatal(err)
			}
			// request runs fn under a root span, as a traced API request would.
			request := func(fn func(ctx context.Context) error) error {
				ctx := context.Background()
				if tp == nil {
					return fn(ctx)
				}
				ctx, span := tp.Tracer("bench").Start(ctx, "request", trace.WithSpanKind(trace.SpanKindServer))
				defer span.End()
				return fn(ctx)
			}
			const clients = 64
			b.ReportAllocs()
			b.ResetTimer()
			var wg sync.WaitGroup
			work := make(chan struct{}, b.N)
			for range b.N {
				work <- struct{}{}
			}
			close(work)
			for range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range work {
						var jobs []engine.ActivatedJob
						err := request(func(ctx context.Context) error {
							_, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "w1"})
							return err
						})
						if err == nil {
							err = request(func(ctx context.Context) (err error) {
								jobs, err = e.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: "w1-work", Worker: "bench", Timeout: time.Minute, MaxJobs: 1})
								return err
							})
						}
						for _, j := range jobs {
							if err == nil {
								err = request(func(ctx context.Context) error { return e.CompleteJob(ctx, engine.CompleteJobRequest{Key: j.Key}) })
							}
						}
						if err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "instances/s")
		})
	}
}
