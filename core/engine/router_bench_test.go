package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// BenchmarkRouterW1 runs W1 in process on memory stores with 1 and with 4
// partitions behind the router: one op is one instance created, its job
// activated and completed, by 64 clients at once. It measures the loops
// and the router, not a store's commit (docs/scaling.md has W1 on
// PostgreSQL).
func BenchmarkRouterW1(b *testing.B) {
	for _, n := range []int{1, 4} {
		b.Run(fmt.Sprintf("partitions=%d", n), func(b *testing.B) {
			ctx := context.Background()
			r := startRouter(b, partitionStores(n))
			deployPart(b, r)
			const clients = 64
			work := make(chan struct{}, b.N)
			for range b.N {
				work <- struct{}{}
			}
			close(work)
			b.ReportAllocs()
			b.ResetTimer()
			var wg sync.WaitGroup
			errs := make(chan error, clients)
			for range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range work {
						if err := runW1(ctx, r); err != nil {
							errs <- err
							return
						}
					}
				}()
			}
			wg.Wait()
			b.StopTimer()
			close(errs)
			if err := <-errs; err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "instances/s")
		})
	}
}

// runW1 creates an instance, then activates one job (any instance's) and
// completes it, retrying while the engine sheds load.
func runW1(ctx context.Context, r *Router) error {
	for {
		_, err := r.CreateInstance(ctx, CreateInstanceRequest{BPMNProcessID: "p4"})
		if err == nil {
			break
		}
		if !isOverloaded(err) {
			return err
		}
	}
	for {
		jobs, err := r.ActivateJobs(ctx, ActivateJobsRequest{Type: "p4-work", Worker: "bench", Timeout: time.Minute, MaxJobs: 1, RequestTimeout: time.Second})
		if err != nil && !isOverloaded(err) {
			return err
		}
		if len(jobs) == 0 {
			continue
		}
		for {
			err := r.CompleteJob(ctx, CompleteJobRequest{Key: jobs[0].Key})
			if err == nil {
				return nil
			}
			if !isOverloaded(err) {
				return err
			}
		}
	}
}

func isOverloaded(err error) bool { return errors.Is(err, ErrOverloaded) }
