package main

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// waitingInstance is a W4 instance waiting at its message catch event.
type waitingInstance struct {
	key         string
	correlation string
}

// wait queues a created W4 instance; while -waiting instances wait, the
// oldest is sent its message first.
func (s *runState) wait(in waitingInstance) {
	for s.workCtx.Err() == nil {
		select {
		case s.waiting <- in:
			return
		default:
		}
		select {
		case old := <-s.waiting:
			s.publish(s.workCtx, old)
		default:
		}
	}
}

// publishWaiting sends their messages to the instances still waiting at
// the end of the run, with -creators goroutines.
func (s *runState) publishWaiting(ctx context.Context) {
	var wg sync.WaitGroup
	for range s.o.Creators {
		wg.Go(func() {
			for ctx.Err() == nil {
				select {
				case in := <-s.waiting:
					s.publish(ctx, in)
				default:
					return
				}
			}
		})
	}
	wg.Wait()
}

// publish publishes the message that a waiting W4 instance waits for,
// with no time to live (the instance waits already), carrying the time it
// was sent; the instance's latency starts there.
func (s *runState) publish(ctx context.Context, in waitingInstance) {
	at := time.Now()
	body, _ := json.Marshal(map[string]any{"name": "bench-w4", "correlationKey": in.correlation, "timeToLive": 0,
		"variables": map[string]string{"publishedAt": at.Format(time.RFC3339Nano)}})
	s.begun(in.key, at)
	if !s.call(ctx, "publish", "/v2/messages/publication", body, nil, http.StatusOK) {
		s.mu.Lock()
		delete(s.started, in.key)
		s.mu.Unlock()
		s.created.Add(-1) // it will not end: do not wait for it
		s.ended()
	}
}
