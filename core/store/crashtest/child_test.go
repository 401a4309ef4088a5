package crashtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/pgstore"
	"github.com/example/wf-engine/core/store/sqlitestore"
	"github.com/example/wf-engine/elements/standard"
)

// The child process is this test binary started with these variables set.
const (
	envChild  = "WF_CRASHTEST_CHILD"  // "sqlite" or "postgres"
	envTarget = "WF_CRASHTEST_TARGET" // the SQLite path or the PostgreSQL URL
)

// jobTimeout is short so that the jobs a killed child had activated become
// activatable again soon after a restart.
const jobTimeout = 2 * time.Second

// openStore opens the store a child or the parent works on, reading the
// log archive a when it is not nil.
func openStore(ctx context.Context, kind, target string, a store.LogArchive) (store.Store, error) {
	switch kind {
	case "sqlite":
		return sqlitestore.Open(ctx, target, sqlitestore.Options{LogArchive: a})
	case "postgres":
		return pgstore.Open(ctx, target, pgstore.Options{LogArchive: a})
	}
	return nil, fmt.Errorf("unknown store kind %q", kind)
}

// openEngine opens a child's store and starts an engine on it.
func openEngine(ctx context.Context, kind, target string) (*engine.Engine, error) {
	s, err := openStore(ctx, kind, target, nil)
	if err != nil {
		return nil, err
	}
	return startEngine(ctx, s)
}

func startEngine(ctx context.Context, s store.Store) (*engine.Engine, error) {
	return engine.Start(ctx, engine.Config{Partition: 1, Clock: clock.System{}, Store: s, Registry: standard.Registry()})
}

func deploy(ctx context.Context, e *engine.Engine) error {
	xml, err := os.ReadFile("../../engine/testdata/w1.bpmn")
	if err != nil {
		return err
	}
	_, err = e.Deploy(ctx, engine.DeployRequest{Resources: []record.Resource{{Name: "w1.bpmn", Content: xml}}})
	return err
}

// runChild runs the load until the parent kills the process, printing one
// line per acknowledged command: "created <instance key>" or "completed <job key>".
func runChild(kind, target string) error {
	ctx := context.Background()
	e, err := openEngine(ctx, kind, target)
	if err != nil {
		return err
	}
	if err := deploy(ctx, e); err != nil {
		return err
	}
	var out sync.Mutex
	ack := func(format string, key int64) {
		out.Lock()
		defer out.Unlock()
		// One write per line, unbuffered: a line printed is a line the parent can read.
		_, _ = fmt.Fprintf(os.Stdout, format+"\n", key)
	}
	ack("ready %d", 0)
	retry := func(err error) bool {
		if errors.Is(err, engine.ErrOverloaded) || errors.Is(err, engine.ErrUnavailable) {
			time.Sleep(5 * time.Millisecond)
			return true
		}
		return false
	}
	var wg sync.WaitGroup
	fail := make(chan error, 8)
	for c := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				res, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "w1",
					Variables: map[string]any{"creator": float64(c), "i": float64(i)}})
				if err != nil {
					if retry(err) {
						continue
					}
					fail <- err
					return
				}
				ack("created %d", res.ProcessInstanceKey)
			}
		}()
	}
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				jobs, err := e.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: "w1-work", Worker: "crash", Timeout: jobTimeout,
					MaxJobs: 8, RequestTimeout: 200 * time.Millisecond})
				if err != nil {
					if retry(err) {
						continue
					}
					fail <- err
					return
				}
				for _, j := range jobs {
					err := e.CompleteJob(ctx, engine.CompleteJobRequest{Key: j.Key, Variables: map[string]any{"done": true}})
					switch {
					case err == nil:
						ack("completed %d", j.Key)
					case retry(err):
					default:
						var rj *engine.Rejection
						if !errors.As(err, &rj) { // a timed-out job may be gone: not a failure
							fail <- err
							return
						}
					}
				}
			}
		}()
	}
	select {
	case err := <-fail:
		return err
	case <-time.After(2 * time.Minute):
		return errors.New("the parent never killed the child")
	}
}
