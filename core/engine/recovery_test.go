package engine_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/replaycheck"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/memstore"
	"github.com/example/wf-engine/elements/standard"
)

// restored is a memstore that says it was restored until the engine has
// handled it.
type restored struct {
	*memstore.Store
	reason  string
	handled int
}

func (r *restored) Recovered(context.Context) (string, error) { return r.reason, nil }

func (r *restored) RecoveryHandled(context.Context) error {
	r.reason = ""
	r.handled++
	return nil
}

var _ store.RecoveryDetector = (*restored)(nil)

func TestRestoredStoreSkipsKeysBeforeAnyCommand(t *testing.T) {
	ctx := context.Background()
	mem := memstore.New(memstore.Options{})
	mc := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	e := start(t, mem, mc)
	deployW1(t, e)
	var highest int64
	for range 3 {
		ci, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "w1"})
		if err != nil {
			t.Fatal(err)
		}
		highest = max(highest, ci.ProcessInstanceKey)
	}
	jobs, err := e.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: "work", Worker: "w", Timeout: time.Minute, MaxJobs: 3})
	if err != nil || len(jobs) != 3 {
		t.Fatalf("activate: %v %v", jobs, err)
	}
	for _, j := range jobs {
		highest = max(highest, j.Key)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}

	s := &restored{Store: mem, reason: "restored from a backup"}
	var logs bytes.Buffer
	again, err := engine.Start(ctx, engine.Config{Partition: 1, Clock: mc, Store: s, Registry: standard.Registry(),
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = again.Close() })
	if s.handled != 1 {
		t.Fatalf("recovery handled %d times, want 1", s.handled)
	}
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "restored from a backup") {
		t.Fatalf("no warning naming the reason was logged:\n%s", logs.String())
	}
	ci, err := again.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "w1"})
	if err != nil {
		t.Fatal(err)
	}
	if ci.ProcessInstanceKey <= highest+engine.KeySkip-1 {
		t.Fatalf("new key %d is not past the skipped range above %d", ci.ProcessInstanceKey, highest)
	}
	if record.Partition(ci.ProcessInstanceKey) != 1 {
		t.Fatalf("new key %d left partition 1", ci.ProcessInstanceKey)
	}
	// The skip is in the log: a replay rebuilds the same last key.
	if err := again.Close(); err != nil {
		t.Fatal(err)
	}
	if err := replaycheck.Check(ctx, mem); err != nil {
		t.Fatal(err)
	}
	var skipped []*record.Record
	if err := mem.ReadLog(ctx, 1, func(r *record.Record) error {
		if r.ValueType == record.TypeKeyRange {
			skipped = append(skipped, r)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(skipped) != 2 || skipped[0].Intent != record.IntentKeyRangeSkip || skipped[1].Intent != record.IntentKeyRangeSkipped {
		t.Fatalf("log holds %d key range records, want the command and its event: %v", len(skipped), skipped)
	}
	v := skipped[1].Value.(*record.KeyRangeValue)
	if v.FirstKey <= highest || v.LastKey != skipped[1].Key || v.LastKey-v.FirstKey+1 != engine.KeySkip || v.Reason != "restored from a backup" {
		t.Fatalf("skipped %+v (event key %d), want %d keys above %d", v, skipped[1].Key, int64(engine.KeySkip), highest)
	}
	// A start after the recovery was handled skips nothing more.
	third := start(t, mem, mc)
	ci2, err := third.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "w1"})
	if err != nil {
		t.Fatal(err)
	}
	if ci2.ProcessInstanceKey <= ci.ProcessInstanceKey || ci2.ProcessInstanceKey > ci.ProcessInstanceKey+100 {
		t.Fatalf("key after a normal restart %d, want just after %d", ci2.ProcessInstanceKey, ci.ProcessInstanceKey)
	}
}
