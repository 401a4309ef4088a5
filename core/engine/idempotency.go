package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
)

// IdempotencyKey makes the command a request sends durably idempotent:
// its final answer (the engine's response or its rejection) is written as
// an IDEMPOTENCY_KEY RECORDED event in the command's own batch, and a later
// command with the same key and fingerprint gets that answer back instead
// of running, also after a restart or on another node. A command with the
// same key and another fingerprint fails with ErrIdempotencyKeyReused.
type IdempotencyKey struct {
	// Key is the caller's key, already scoped to whoever sent it (the API
	// prefixes the principal): one caller never finds another's answer.
	Key string
	// Fingerprint identifies the request: the API's method, path and body
	// hash.
	Fingerprint string
	// TTL is how long an answer is replayed; 0: as long as it is kept.
	TTL time.Duration
}

// ErrIdempotencyKeyReused is returned for a command whose idempotency key
// was used, within its time to live, for a request with another
// fingerprint.
var ErrIdempotencyKeyReused = errors.New("the idempotency key was already used for a different request")

// idempotencyKey is the context value: the key, hashed, and whether a
// command of the request took it already (a request's key belongs to its
// first command only).
type idempotencyKey struct {
	keyHash, fingerprint string
	ttl                  time.Duration
	taken                atomic.Bool
	replayed             atomic.Bool // the command got the recorded answer
}

// ErrIdempotencyKeyInFlight is returned for a command whose idempotency
// key an earlier command still holds: it is queued, processing or
// committing. The command was not applied; retried once the earlier one
// was answered, it gets that one's recorded answer. Without this, both
// would run, each having looked the key up before the other committed.
var ErrIdempotencyKeyInFlight = fmt.Errorf("%w: a command with the same idempotency key is still in flight", ErrOverloaded)

// holdIdempotencyKey marks k's key as taken by a command in flight; false
// when another command holds it.
func (e *Engine) holdIdempotencyKey(k *idempotencyKey) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.idemHeld[k.keyHash] {
		return false
	}
	if e.idemHeld == nil {
		e.idemHeld = map[string]bool{}
	}
	e.idemHeld[k.keyHash] = true
	return true
}

// releaseIdempotencyKey frees the key k holds (nil: none).
func (e *Engine) releaseIdempotencyKey(k *idempotencyKey) {
	if k == nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.idemHeld, k.keyHash)
}

type idempotencyCtxKey struct{}

// WithIdempotencyKey returns ctx carrying k: the first command sent through
// the Client with it is recorded under k (see IdempotencyKey). Job
// activation ignores it: it hands out different jobs each time.
func WithIdempotencyKey(ctx context.Context, k IdempotencyKey) context.Context {
	return context.WithValue(ctx, idempotencyCtxKey{}, &idempotencyKey{keyHash: hashHex(k.Key), fingerprint: hashHex(k.Fingerprint), ttl: k.TTL})
}

func hashHex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// IdempotentReplay reports whether a command sent with ctx, which
// WithIdempotencyKey made, was answered with the answer recorded for its
// key instead of running.
func IdempotentReplay(ctx context.Context) bool {
	k, _ := ctx.Value(idempotencyCtxKey{}).(*idempotencyKey)
	return k != nil && k.replayed.Load()
}

// takeIdempotencyKey returns the key of ctx for cmd, or nil: none, taken
// by an earlier command of the request, or a command whose answers are not
// kept.
func takeIdempotencyKey(ctx context.Context, cmd *record.Record) *idempotencyKey {
	k, _ := ctx.Value(idempotencyCtxKey{}).(*idempotencyKey)
	if k == nil || cmd.Intent == record.IntentJobBatchActivate || !k.taken.CompareAndSwap(false, true) {
		return nil
	}
	return k
}

// replayIdempotent looks k up in the store. done is true when the command
// must not run: its earlier answer is returned (res with the response,
// err the rejection), or err says why it cannot run.
func (e *Engine) replayIdempotent(ctx context.Context, cmd *record.Record, k *idempotencyKey) (res *Result, done bool, err error) {
	keys, ok := e.cfg.Store.(store.IdempotencyKeys)
	if !ok {
		return nil, false, nil
	}
	a, err := keys.IdempotencyAnswer(ctx, k.keyHash)
	switch {
	case err != nil:
		return nil, true, fmt.Errorf("%w: look up the idempotency key: %w", ErrUnavailable, err)
	case a == nil || k.ttl > 0 && a.Created.Before(e.cfg.Clock.Now().Add(-k.ttl)):
		return nil, false, nil
	case a.Fingerprint != k.fingerprint:
		return nil, true, ErrIdempotencyKeyReused
	case a.RejectionType != 0:
		k.replayed.Store(true)
		rj := &Rejection{Type: a.RejectionType, Reason: a.RejectionReason}
		return &Result{Rejection: rj}, true, rj
	}
	res = &Result{}
	if resp := newResponse(cmd.Intent); resp != nil {
		if err := json.Unmarshal(a.Response, resp); err != nil {
			return nil, true, fmt.Errorf("decode the recorded answer of command %d: %w", a.CommandPosition, err)
		}
		res.Response = resp
	}
	k.replayed.Store(true)
	return res, true, nil
}

// newResponse returns an empty response of the type the Client method of
// a command's intent returns, or nil for a command that answers nothing.
func newResponse(intent record.Intent) any {
	switch intent {
	case record.IntentDeploymentCreate:
		return &Deployment{}
	case record.IntentProcessInstanceCreate:
		return &CreatedInstance{}
	case record.IntentMessagePublish, record.IntentMessageCorrelate:
		return &PublishedMessage{}
	case record.IntentSignalBroadcast:
		return &BroadcastedSignal{}
	case record.IntentTenantCreate:
		return &CreatedTenant{}
	}
	return nil
}

// recordIdempotency appends to res the IDEMPOTENCY_KEY RECORDED event of
// the command just processed, sent with k. A response the command's
// intent does not declare (newResponse) or that does not encode is not
// recorded: the command then stays as idempotent as without a key.
func (p *Processor) recordIdempotency(res *Result, k *idempotencyKey) error {
	v := &record.IdempotencyKeyValue{KeyHash: k.keyHash, Fingerprint: k.fingerprint, CommandPosition: p.cmd.Position}
	switch {
	case res.Rejection != nil:
		v.RejectionType, v.RejectionReason = res.Rejection.Type, res.Rejection.Reason
	case res.Response != nil:
		if newResponse(p.cmd.Intent) == nil {
			return nil
		}
		b, err := json.Marshal(res.Response)
		if err != nil {
			return nil //nolint:nilerr // not recorded: see above
		}
		v.Response = b
	}
	r := &record.Record{
		Position: p.st.LastPosition() + 1, SourcePosition: p.cmd.Position, Key: p.cmd.Key,
		Kind: record.KindEvent, ValueType: record.TypeIdempotencyKey, Intent: record.IntentIdempotencyKeyRecorded,
		Version: state.EventVersion, Timestamp: p.cmd.Timestamp, Value: v,
	}
	if err := p.st.Apply(r); err != nil {
		return err
	}
	res.Records = append(res.Records, r)
	return nil
}
