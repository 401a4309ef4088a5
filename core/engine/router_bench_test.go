package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/pgstore"
	"github.com/example/wf-engine/core/store/pgstore/pgtest"
)

// BenchmarkRouterW1 runs W1 in process with 1 and with 4 partitions behind
// the router: one op is one instance created, its job activated and
// completed, by 64 clients at once. On memory stores it measures the loops
// and the router; on PostgreSQL (WF_TEST_POSTGRES_URL) the partitions run
// on the views of one database, as `cluster.partitions` runs them.
func BenchmarkRouterW1(b *testing.B) {
	for _, n := range []int{1, 4} {
		b.Run(fmt.Sprintf("partitions=%d", n), func(b *testing.B) {
			benchRouterW1(b, startRouter(b, partitionStores(n)))
		})
	}
	for _, n := range []int{1, 4} {
		b.Run(fmt.Sprintf("postgres/partitions=%d", n), func(b *testing.B) {
			s, err := pgstore.Open(context.Background(), pgtest.URL(b), pgstore.Options{})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = s.Close() })
			benchRouterW1(b, startRouter(b, viewsOf(b, s, n)))
		})
	}
}

// viewsOf records n as the partition count of s and returns its views.
func viewsOf(b *testing.B, s *pgstore.Store, n int) []store.Store {
	b.Helper()
	if err := store.CheckPartitions(context.Background(), s, int32(n)); err != nil { // #nosec G115 -- a few partitions
		b.Fatal(err)
	}
	views := make([]store.Store, n)
	for i := range views {
		v, err := s.Partition(int32(i + 1)) // #nosec G115 -- a few partitions
		if err != nil {
			b.Fatal(err)
		}
		views[i] = v
	}
	return views
}

// benchRouterW1 runs W1 through r with 64 clients.
func benchRouterW1(b *testing.B, r *Router) {
	ctx := context.Background()
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
