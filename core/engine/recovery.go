package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store"
)

// KeySkip is how many keys the engine skips after its store was restored
// or recovered to an earlier point: more than one partition hands out in
// years (2^40, about 35 years at 1,000 keys a second), so that no key a
// client holds from before is handed out again, and few enough that a
// partition can skip 2,047 times before its 2^51 keys run out.
const KeySkip = 1 << 40

// skipKeys handles KEY_RANGE SKIP: the key generator moves KeySkip keys on,
// through an event whose key is the range's last key (Apply raises the
// state's last key to it, on replay too).
func (p *Processor) skipKeys(v *record.KeyRangeValue) (any, error) {
	const counterMask = 1<<record.KeyPartitionShift - 1
	n := p.nextKey & counterMask
	if n > counterMask-KeySkip {
		return nil, reject(record.RejectionInvalidState, "expected room for %d more keys in partition %d, but its counter is at %d", KeySkip, p.partition, n)
	}
	first, last := record.Key(p.partition, n+1), record.Key(p.partition, n+KeySkip)
	p.nextKey = last
	ev := &record.KeyRangeValue{Reason: v.Reason, FirstKey: first, LastKey: last}
	if err := p.write(last, record.IntentKeyRangeSkipped, ev); err != nil {
		return nil, err
	}
	return ev, nil
}

// skipKeysIfRecovered asks a store that can tell whether it was restored
// from a backup or recovered to an earlier point since the engine last ran
// on it. If so, the store may be behind what clients were told: keys handed
// out after the backup would be handed out again, for other instances and
// jobs. Before any other command, the engine then skips KeySkip keys through
// a logged command (so replay and the replay check see the same keys), logs
// a warning, and tells the store the recovery was handled. A crash between
// the commit and that acknowledgement skips once more at the next start,
// which wastes keys but never reuses one.
func (e *Engine) skipKeysIfRecovered(ctx context.Context) error {
	d, ok := e.cfg.Store.(store.RecoveryDetector)
	if !ok {
		return nil
	}
	reason, err := d.Recovered(ctx)
	if err != nil {
		return fmt.Errorf("check whether the store was restored: %w", err)
	}
	if reason == "" {
		return nil
	}
	st := e.proc.State()
	before := st.LastKey()
	cmd := &record.Record{ValueType: record.TypeKeyRange, Intent: record.IntentKeyRangeSkip, Version: 1,
		Timestamp: e.cfg.Clock.Now().UnixMilli(), Value: &record.KeyRangeValue{Reason: reason}}
	res, err := e.proc.Process(cmd)
	if err != nil {
		return fmt.Errorf("skip keys after a restore: %w", err)
	}
	if res.Rejection != nil {
		return fmt.Errorf("skip keys after a restore: %s", res.Rejection.Reason)
	}
	b := &store.Batch{Records: res.Records, Changes: st.TakeChanges()}
	if err := store.Prepare(e.cfg.Store, b); err != nil {
		return fmt.Errorf("skip keys after a restore: %w", err)
	}
	if err := e.cfg.Store.Commit(ctx, b); err != nil {
		return fmt.Errorf("skip keys after a restore: %w", err)
	}
	if err := d.RecoveryHandled(ctx); err != nil {
		return fmt.Errorf("skip keys after a restore: %w", err)
	}
	skipped := res.Response.(*record.KeyRangeValue)
	e.cfg.Logger.Warn("the store was restored or recovered to an earlier point: it may be behind what clients were told. "+
		"Work acknowledged after the backup or recovery point is lost (clients may still hold its keys); "+
		"keys were skipped so that no key handed out before is handed out again",
		"reason", reason, "last_stored_key", before, "skipped_from", skipped.FirstKey, "skipped_to", skipped.LastKey)
	return nil
}

// recoveryCheckTimeout bounds asking the store, at a reload, whether it is
// still the database the engine started on, and skipping keys if not.
const recoveryCheckTimeout = 30 * time.Second

// skipKeysAfterFailover is skipKeysIfRecovered at a reload: the store may
// have failed over to a replica (or been restored) under the running
// engine. With asynchronous replication the new primary may lack commits
// that were acknowledged, and their keys must not be handed out again.
func (e *Engine) skipKeysAfterFailover() error {
	ctx, cancel := context.WithTimeout(context.Background(), recoveryCheckTimeout)
	defer cancel()
	return e.skipKeysIfRecovered(ctx)
}

// minReloadDelay is the first wait before a failed reload is retried.
const minReloadDelay = 100 * time.Millisecond

// reloadDelay is the wait before retry n (1 for the first) of a failed
// reload: doubling from minReloadDelay up to reloadInterval, so that a
// store back after a short outage (a failover) is found quickly and a store
// down for long is asked once a second.
func reloadDelay(n int) time.Duration {
	d := minReloadDelay
	for i := 1; i < n && d < reloadInterval; i++ {
		d *= 2
	}
	return min(d, reloadInterval)
}

// retryReload logs a failed reload and returns when to retry it.
func (e *Engine) retryReload(n int, err error) <-chan time.Time {
	d := reloadDelay(n)
	e.cfg.Logger.Warn("reloading state from the store failed; commands are answered as unavailable until it succeeds",
		"partition", e.cfg.Partition, "attempt", n, "retry_in", d.String(), "error", err)
	return e.cfg.Clock.After(d)
}
