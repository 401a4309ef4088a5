package engine

import (
	"context"
	"fmt"

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
