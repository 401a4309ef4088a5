package crashtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/replaycheck"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/pgstore/pgtest"
	"github.com/example/wf-engine/elements/standard"
)

// The idempotency child is this test binary running TestIdempotencyChild
// with these variables set.
const (
	envIdemKind   = "WF_IDEMPOTENCY_CHILD_KIND"
	envIdemTarget = "WF_IDEMPOTENCY_CHILD_TARGET"
)

// idemKey is the key the child's create is sent with, and the parent's
// retry.
var idemKey = engine.IdempotencyKey{Key: "client-1\x00create-42", Fingerprint: "POST /v2/process-instances 1f2e", TTL: time.Hour}

// TestIdempotencyChild sends one create with an Idempotency-Key and stops
// between the commit of its batch and its answer: an OnCommit observer
// prints "committed" and blocks until the parent kills the process.
func TestIdempotencyChild(t *testing.T) {
	kind := os.Getenv(envIdemKind)
	if kind == "" {
		t.Skip("runs as the child of TestCrashBeforeIdempotentAnswer*")
	}
	ctx := context.Background()
	s, err := openStore(ctx, kind, os.Getenv(envIdemTarget), nil)
	if err != nil {
		t.Fatal(err)
	}
	stop := func(b *store.Batch, _ time.Duration, err error) {
		for _, r := range b.Records {
			if err == nil && r.Intent == record.IntentIdempotencyKeyRecorded {
				_, _ = fmt.Fprintln(os.Stdout, "committed", r.SourcePosition)
				select {} // never answer: the parent kills the process here
			}
		}
	}
	e, err := engine.Start(ctx, engine.Config{Partition: 1, Clock: clock.System{}, Store: s, Registry: standard.Registry(),
		OnCommit: []func(*store.Batch, time.Duration, error){stop}})
	if err != nil {
		t.Fatal(err)
	}
	if err := deploy(ctx, e); err != nil {
		t.Fatal(err)
	}
	created, err := e.CreateInstance(engine.WithIdempotencyKey(ctx, idemKey), engine.CreateInstanceRequest{BPMNProcessID: "w1"})
	_, _ = fmt.Fprintln(os.Stdout, "answered", created, err)
	t.Fatal("the create was answered: the child should have been killed before")
}

func TestCrashBeforeIdempotentAnswerSQLite(t *testing.T) {
	crashBeforeAnswer(t, "sqlite", filepath.Join(t.TempDir(), "data", "wf.db"))
}

func TestCrashBeforeIdempotentAnswerPostgres(t *testing.T) {
	crashBeforeAnswer(t, "postgres", pgtest.URL(t))
}

// crashBeforeAnswer kills a child after its keyed create committed and
// before it was answered, then retries the create with the same key on a
// restarted engine: the retry gets the committed instance, and no second
// one exists.
func crashBeforeAnswer(t *testing.T, kind, target string) {
	var position int64
	_, _ = killChild(t, "^TestIdempotencyChild$", []string{envIdemKind + "=" + kind, envIdemTarget + "=" + target}, func(line string) bool {
		if strings.HasPrefix(line, "answered") {
			t.Fatalf("the child was answered: %s", line)
		}
		p, ok := strings.CutPrefix(line, "committed ")
		if ok {
			var err error
			if position, err = strconv.ParseInt(p, 10, 64); err != nil {
				t.Fatalf("child printed %q", line)
			}
		}
		return ok
	})
	if position == 0 {
		t.Fatal("the child never committed its create")
	}

	ctx := context.Background()
	s := mustOpen(t, kind, target, nil)
	defer func() { _ = s.Close() }()
	if err := replaycheck.Check(ctx, s); err != nil {
		t.Fatal(err)
	}
	committed := createdInstances(t, s)
	if len(committed) != 1 {
		t.Fatalf("%d instances in the store after the kill, want the 1 committed", len(committed))
	}
	e, err := startEngine(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = e.Close() }()
	rctx := engine.WithIdempotencyKey(ctx, idemKey)
	got, err := e.CreateInstance(rctx, engine.CreateInstanceRequest{BPMNProcessID: "w1"})
	if err != nil {
		t.Fatal(err)
	}
	if got.ProcessInstanceKey != committed[0] || !engine.IdempotentReplay(rctx) {
		t.Fatalf("the retry answered instance %d (replayed %v), want the committed %d", got.ProcessInstanceKey, engine.IdempotentReplay(rctx), committed[0])
	}
	if n := len(createdInstances(t, s)); n != 1 {
		t.Fatalf("%d instances after the retry, want 1", n)
	}
}

// createdInstances returns the keys of the process instances the log
// created.
func createdInstances(t *testing.T, s store.Store) []int64 {
	t.Helper()
	var keys []int64
	if err := s.ReadLog(context.Background(), 1, func(r *record.Record) error {
		if v, ok := r.Value.(*record.ProcessInstanceCreationValue); ok && r.Kind == record.KindEvent && r.Intent == record.IntentProcessInstanceCreated {
			keys = append(keys, v.ProcessInstanceKey)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return keys
}
