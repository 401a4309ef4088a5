package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/example/wf-engine/api/resttest"
	"github.com/example/wf-engine/core/syncbuf"
	"github.com/example/wf-engine/sdk/client"
)

func TestExampleWorkerAgainstARealEngine(t *testing.T) {
	srv := resttest.Start(t, resttest.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := client.New(srv.URL)
	if err != nil {
		t.Fatal(err)
	}

	var logs syncbuf.Buffer
	wctx, stop := context.WithCancel(ctx)
	ran := make(chan error, 1)
	go func() {
		ran <- run(wctx, config{address: srv.URL, deploy: true, maxJobs: 2, shutdown: 10 * time.Second}, &logs)
	}()

	// The worker deploys the process; start orders once it is there.
	var paid, rejected int64
	deadline := time.Now().Add(15 * time.Second)
	for paid == 0 {
		pi, err := c.CreateProcessInstance(ctx, client.CreateProcessInstanceRequest{
			ProcessDefinitionID: "example-order", Variables: map[string]any{"orderId": "o-1", "amount": 12.5},
		})
		switch {
		case err == nil:
			paid = pi.ProcessInstanceKey
		case !client.IsNotFound(err) || time.Now().After(deadline):
			t.Fatalf("create an order: %v (worker log: %s)", err, logs.String())
		default:
			time.Sleep(10 * time.Millisecond)
		}
	}
	pi, err := c.CreateProcessInstance(ctx, client.CreateProcessInstanceRequest{
		ProcessDefinitionID: "example-order", Variables: map[string]any{"orderId": "o-2", "amount": 0},
	})
	if err != nil {
		t.Fatal(err)
	}
	rejected = pi.ProcessInstanceKey

	for key, end := range map[int64]string{paid: "paid", rejected: "rejected"} {
		for {
			ends, err := c.SearchElementInstances(ctx, client.ElementInstanceQuery{
				Filter: client.ElementInstanceFilter{ProcessInstanceKey: key, Type: "END_EVENT"},
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(ends.Items) == 1 {
				if ends.Items[0].ElementID != end {
					t.Fatalf("order %d ended in %s, want %s", key, ends.Items[0].ElementID, end)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("order %d did not end (worker log: %s)", key, logs.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	vars, err := c.SearchVariables(ctx, client.VariableQuery{Filter: client.VariableFilter{ProcessInstanceKey: paid, Name: "chargeId"}})
	if err != nil || len(vars.Items) != 1 || !strings.HasPrefix(vars.Items[0].Value, `"ch-o-1-`) {
		t.Fatalf("chargeId: %+v (%v)", vars, err)
	}
	vars, err = c.SearchVariables(ctx, client.VariableQuery{Filter: client.VariableFilter{ProcessInstanceKey: rejected, Name: "rejectReason"}})
	if err != nil || len(vars.Items) != 1 {
		t.Fatalf("rejectReason: %+v (%v)", vars, err)
	}

	stop()
	if err := <-ran; err != nil {
		t.Fatalf("run: %v", err)
	}
	if l := logs.String(); !strings.Contains(l, "deployed") || !strings.Contains(l, "process=example-order") {
		t.Fatalf("log: %s", l)
	}
}

func TestParseConfig(t *testing.T) {
	env := map[string]string{"WF_ADDRESS": "http://engine:8080", "WF_TOKEN": "t"}
	cfg, err := parseConfig([]string{"-deploy", "-max-jobs", "3"}, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.address != "http://engine:8080" || !cfg.deploy || cfg.maxJobs != 3 || cfg.token != "t" {
		t.Fatalf("config: %+v", cfg)
	}
	noEnv := func(string) string { return "" }
	if cfg, _ := parseConfig(nil, noEnv, io.Discard); cfg.address != "http://127.0.0.1:8080" {
		t.Fatalf("default address %s", cfg.address)
	}
	if _, err := parseConfig([]string{"extra"}, noEnv, io.Discard); err == nil {
		t.Fatal("extra argument: no error")
	}
	if _, err := parseConfig([]string{"-h"}, noEnv, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h: %v", err)
	}
	half := map[string]string{"WF_CLIENT_ID": "id"}
	if _, err := parseConfig(nil, func(k string) string { return half[k] }, io.Discard); err == nil {
		t.Fatal("client id without secret: no error")
	}
}
