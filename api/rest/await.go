package rest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
)

// jsonText is a variable value as JSON text, written verbatim.
type jsonText = json.RawMessage

// awaitCompletion waits until a created process instance has ended and
// returns its root variables (only the named ones when names is not empty).
// It answers from the engine's own account of the end: the engine watches
// the end from the creation command on when the request asked it to
// (engine.CreateInstanceRequest.AwaitEnd), so the store is read only when
// the engine could not (an idempotent repeat of the create, an engine that
// does not watch) and the instance ended before the wait began.
// It gives up after requestTimeout ms (the server default when 0); the
// instance keeps running. The instance is committed by then, so every error
// it returns is an *acceptedError naming it.
func (s *Server) awaitCompletion(ctx context.Context, created *engine.CreatedInstance, requestTimeout int64, names []string) (map[string]jsonText, error) {
	key := created.ProcessInstanceKey
	if created.End != nil { // ended within the creation command
		return endVariables(key, created.End.Variables, names)
	}
	wait := s.cfg.AwaitTimeout
	if requestTimeout > 0 {
		wait = min(time.Duration(requestTimeout)*time.Millisecond, s.cfg.MaxLongPollTimeout)
	}
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	if created.Ended != nil { // the engine watched the end from the creation on
		defer created.StopAwaiting()
		select {
		case end := <-created.Ended:
			if end.Variables != nil {
				return endVariables(key, end.Variables, names)
			}
			return s.storedVariables(ctx, key, names)
		case <-ctx.Done():
			return nil, &acceptedError{key: key, err: ctx.Err()}
		}
	}
	// Register before looking, so that an end processed in between is
	// reported, with its variables.
	ended, stop := s.eng.AwaitInstance(key)
	defer stop()
	var active bool
	if err := s.readFor(ctx, key, func(st *state.State) { active = st.Element(key) != nil }); err != nil {
		return nil, &acceptedError{key: key, err: err}
	}
	if active {
		select {
		case end := <-ended:
			if end.Variables != nil {
				return endVariables(key, end.Variables, names)
			}
		case <-ctx.Done():
			return nil, &acceptedError{key: key, err: ctx.Err()}
		}
	}
	// It ended before the wait began: its variables are committed.
	return s.storedVariables(ctx, key, names)
}

// storedVariables reads an ended instance's root variables from the store.
func (s *Server) storedVariables(ctx context.Context, key int64, names []string) (map[string]jsonText, error) {
	q := store.Query{Conditions: []store.Condition{{Field: "scopeKey", Op: store.OpEq, Value: key}}, Limit: store.MaxLimit}
	vars, err := s.q.SearchVariables(ctx, q)
	if err != nil {
		return nil, &acceptedError{key: key, err: fmt.Errorf("read variables of process instance %d: %w", key, err)}
	}
	out := map[string]jsonText{}
	for _, v := range vars.Items {
		if len(names) == 0 || slices.Contains(names, v.Name) {
			out[v.Name] = jsonText(v.Value)
		}
	}
	return out, nil
}

// endVariables renders the final variables the engine kept for an ended
// instance as JSON text.
func endVariables(key int64, vars map[string]any, names []string) (map[string]jsonText, error) {
	out := map[string]jsonText{}
	for name, v := range vars {
		if len(names) > 0 && !slices.Contains(names, name) {
			continue
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, &acceptedError{key: key, err: fmt.Errorf("encode variable %s: %w", name, err)}
		}
		out[name] = b
	}
	return out, nil
}

// acceptedError is a failure after a command committed: the answer must
// say that the command was accepted and name what it created, so that a
// client does not run it again.
type acceptedError struct {
	key int64 // the process instance the command created
	err error
}

func (e *acceptedError) Error() string {
	return fmt.Sprintf("process instance %d was created, but its result could not be read: %v", e.key, e.err)
}

func (e *acceptedError) Unwrap() error { return e.err }

// keyReader is an engine that reads the state of the partition that owns a
// key (engine.Router; an engine.Engine owns every key it is asked about).
type keyReader interface {
	ReadFor(ctx context.Context, key int64, fn func(*state.State)) error
}

// readFor runs fn on the state of the partition that owns key.
func (s *Server) readFor(ctx context.Context, key int64, fn func(*state.State)) error {
	if r, ok := s.eng.(keyReader); ok {
		return r.ReadFor(ctx, key, fn)
	}
	return s.eng.Read(ctx, fn)
}
