package rest

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/example/wf-engine/core/store"
)

// jsonText is a variable value as JSON text, written verbatim.
type jsonText = json.RawMessage

// awaitCompletion waits until a process instance has ended and returns its
// root variables (only the named ones when names is not empty). It gives up
// after requestTimeout ms (the server default when 0) with
// context.DeadlineExceeded; the instance keeps running.
func (s *Server) awaitCompletion(ctx context.Context, key int64, requestTimeout int64, names []string) (map[string]jsonText, error) {
	wait := s.cfg.AwaitTimeout
	if requestTimeout > 0 {
		wait = min(time.Duration(requestTimeout)*time.Millisecond, s.cfg.MaxLongPollTimeout)
	}
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	// Register before looking, so that an end committed in between wakes us.
	ended, stop := s.eng.AwaitInstance(key)
	defer stop()
	p, err := s.q.SearchProcessInstances(ctx, byKey("processInstanceKey", key))
	row, err := first(p, err, "Process instance", key)
	if err != nil {
		return nil, err
	}
	if row.State == store.StateActive {
		select {
		case <-ended:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	q := store.Query{Conditions: []store.Condition{{Field: "scopeKey", Op: store.OpEq, Value: key}}, Limit: store.MaxLimit}
	vars, err := s.q.SearchVariables(ctx, q)
	if err != nil {
		return nil, err
	}
	out := map[string]jsonText{}
	for _, v := range vars.Items {
		if len(names) == 0 || slices.Contains(names, v.Name) {
			out[v.Name] = jsonText(v.Value)
		}
	}
	return out, nil
}
