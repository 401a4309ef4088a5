package rest_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/example/wf-engine/api/rest"
	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/memstore"
)

// TestPinnedClockFiresTimers pins the clock past a one-hour timer: the
// instance completes, at the pinned time.
func TestPinnedClockFiresTimers(t *testing.T) {
	for _, sc := range stores {
		t.Run(sc.name, func(t *testing.T) {
			clk := clock.NewControlled(clock.System{})
			c := startWithClock(t, sc.open(t), rest.Config{Clock: clk}, clk)
			want(t, c.deploy("reminder.bpmn"), http.StatusOK)
			pi := createProcess(t, c, "reminder", nil)
			if s := str(c.get("/v2/process-instances/"+pi).obj(t), "state"); s != "ACTIVE" {
				t.Fatalf("the instance did not wait for its timer: %s", s)
			}
			later := time.Now().Add(2 * time.Hour)
			want(t, c.send(http.MethodPut, "/v2/clock", map[string]any{"timestamp": later.UnixMilli()}), http.StatusNoContent)
			waitState(t, c, pi, "COMPLETED")
			end, err := time.Parse(time.RFC3339, str(c.get("/v2/process-instances/"+pi).obj(t), "endDate"))
			if err != nil || end.Before(later.Add(-time.Second)) {
				t.Fatalf("the instance did not end at the pinned time %s: %v %v", later, end, err)
			}
			want(t, c.post("/v2/clock/reset", nil), http.StatusNoContent)
			if _, pinned := clk.Pinned(); pinned {
				t.Fatal("reset left the clock pinned")
			}
			// A BigInt from the JavaScript client arrives as a string.
			want(t, c.send(http.MethodPut, "/v2/clock", map[string]any{"timestamp": "1767225600000"}), http.StatusNoContent)
			if at, _ := clk.Pinned(); at.UnixMilli() != 1767225600000 {
				t.Fatalf("pinned at %s", at)
			}
			for name, body := range map[string]any{
				"no timestamp":       map[string]any{},
				"negative timestamp": map[string]any{"timestamp": -1},
				"date text":          map[string]any{"timestamp": "2026-01-01T00:00:00Z"},
				"no body":            nil,
			} {
				if r := c.send(http.MethodPut, "/v2/clock", body); r.status != http.StatusBadRequest {
					t.Fatalf("%s: %d %s", name, r.status, r.body)
				}
			}
		})
	}
}

func TestClockDisabledByDefault(t *testing.T) {
	c := start(t, memstore.New(memstore.Options{}), rest.Config{})
	for _, r := range []*response{
		c.send(http.MethodPut, "/v2/clock", map[string]any{"timestamp": 1}),
		c.post("/v2/clock/reset", nil),
	} {
		want(t, r, http.StatusForbidden)
		if !strings.Contains(string(r.body), "clock.controllable") {
			t.Fatalf("the answer does not say how to enable the clock: %s", r.body)
		}
	}
}

// TestPinnedClockTicksEveryPartition pins the clock past the timers of
// instances on four partitions: when the pin is answered, every partition
// has fired its timer, not only the first.
func TestPinnedClockTicksEveryPartition(t *testing.T) {
	clk := clock.NewControlled(clock.System{})
	c, r := startPartitions(t, 4, clk, rest.Config{Clock: clk})
	want(t, c.deploy("reminder.bpmn"), http.StatusOK)
	parts := map[int32]bool{}
	for range 8 {
		k, err := strconv.ParseInt(createProcess(t, c, "reminder", nil), 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		parts[record.Partition(k)] = true
	}
	if len(parts) != 4 {
		t.Fatalf("instances on partitions %v, want all four", parts)
	}
	want(t, c.send(http.MethodPut, "/v2/clock", map[string]any{"timestamp": time.Now().Add(2 * time.Hour).UnixMilli()}), http.StatusNoContent)
	// The stores, not the engines: reading an engine would let it run a
	// batch at the pinned time first.
	for i, e := range r.Partitions() {
		snap, err := e.Store().(store.Loader).Load(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n := len(snap.Timers); n > 0 {
			t.Errorf("partition %d still holds %d timers when the pin was answered", i+1, n)
		}
	}
}
