package runtime

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/example/wf-engine/core/engine"
)

// fakeJobs is a hand-written Jobs: tests add jobs and read the commands the
// runtime sends.
type fakeJobs struct {
	mu      sync.Mutex
	queue   map[string][]Job
	wake    chan struct{}
	asked   []int32
	cmds    chan command
	failErr error // returned by Activate while set
}

// command is one command the runtime sent.
type command struct {
	kind      string // complete, fail, throw
	key       int64
	variables map[string]any
	retries   int32
	backoff   time.Duration
	code      string
	message   string
}

func newFakeJobs() *fakeJobs {
	return &fakeJobs{queue: map[string][]Job{}, wake: make(chan struct{}), cmds: make(chan command, 1000)}
}

func (f *fakeJobs) add(jobs ...Job) {
	f.mu.Lock()
	for _, j := range jobs {
		f.queue[j.Type] = append(f.queue[j.Type], j)
	}
	close(f.wake)
	f.wake = make(chan struct{})
	f.mu.Unlock()
}

func (f *fakeJobs) Activate(ctx context.Context, req ActivateRequest) ([]Job, error) {
	var timeout <-chan time.Time
	if req.RequestTimeout > 0 {
		t := time.NewTimer(req.RequestTimeout)
		defer t.Stop()
		timeout = t.C
	}
	for {
		f.mu.Lock()
		f.asked = append(f.asked, req.MaxJobs)
		if f.failErr != nil {
			err := f.failErr
			f.mu.Unlock()
			return nil, err
		}
		q := f.queue[req.Type]
		n := min(int(req.MaxJobs), len(q))
		out := append([]Job(nil), q[:n]...)
		f.queue[req.Type] = q[n:]
		wake := f.wake
		f.mu.Unlock()
		if n > 0 {
			return out, nil
		}
		select {
		case <-wake:
		case <-timeout:
			return nil, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func (f *fakeJobs) Complete(_ context.Context, key int64, variables map[string]any) error {
	f.cmds <- command{kind: "complete", key: key, variables: variables}
	return nil
}

func (f *fakeJobs) Fail(_ context.Context, req engine.FailJobRequest) error {
	f.cmds <- command{kind: "fail", key: req.Key, retries: req.Retries, backoff: req.RetryBackoff, message: req.ErrorMessage, variables: req.Variables}
	return nil
}

func (f *fakeJobs) ThrowError(_ context.Context, req engine.ThrowErrorRequest) error {
	f.cmds <- command{kind: "throw", key: req.Key, code: req.ErrorCode, message: req.ErrorMessage, variables: req.Variables}
	return nil
}

// next waits for the runtime's next command.
func (f *fakeJobs) next(t *testing.T) command {
	t.Helper()
	select {
	case c := <-f.cmds:
		return c
	case <-time.After(10 * time.Second):
		t.Fatal("no command from the runtime within 10s")
		return command{}
	}
}

// Interface guards
var _ Jobs = (*fakeJobs)(nil)
