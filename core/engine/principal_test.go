package engine_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store/memstore"
)

// A command sent with a principal records it in its command record, and
// only there; commands the engine gives itself and commands sent without
// one record none.
func TestCommandsRecordThePrincipalTheyWereSentFor(t *testing.T) {
	st := memstore.New(memstore.Options{})
	mc := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	e := start(t, st, mc)
	ann := &record.Principal{Subject: "ann", Roles: []string{"operator"}, Tenants: []string{record.DefaultTenant}}
	worker := &record.Principal{ClientID: "worker-1", Roles: []string{"worker"}}
	deployW1(t, e) // no principal: authentication off
	ctx := context.Background()
	if _, err := e.CreateInstance(engine.WithPrincipal(ctx, ann), engine.CreateInstanceRequest{BPMNProcessID: "w1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.CreateInstance(engine.WithPrincipal(ctx, ann), engine.CreateInstanceRequest{BPMNProcessID: "nope"}); err == nil {
		t.Fatal("an instance of an unknown process was created")
	}
	jobs, err := e.ActivateJobs(engine.WithPrincipal(ctx, worker), engine.ActivateJobsRequest{Type: "work", Worker: "w", Timeout: time.Second, MaxJobs: 1})
	if err != nil || len(jobs) != 1 {
		t.Fatalf("activate: %v %v", jobs, err)
	}
	mc.Advance(2 * time.Second) // the job times out: a command the engine gives itself
	again, err := e.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: "work", Worker: "w", Timeout: time.Minute, MaxJobs: 1, RequestTimeout: time.Minute})
	if err != nil || len(again) != 1 {
		t.Fatalf("activate after the time-out: %v %v", again, err)
	}

	type seen struct {
		kind      record.Kind
		intent    record.Intent
		principal *record.Principal
	}
	var got []seen
	if err := st.ReadLog(ctx, 1, func(r *record.Record) error {
		if r.Kind != record.KindEvent || r.Principal != nil {
			got = append(got, seen{r.Kind, r.Intent, r.Principal})
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := []seen{
		{record.KindCommand, record.IntentDeploymentCreate, nil},
		{record.KindCommand, record.IntentProcessInstanceCreate, ann},
		{record.KindCommand, record.IntentProcessInstanceCreate, ann},
		{record.KindRejection, record.IntentProcessInstanceCreate, nil},
		{record.KindCommand, record.IntentJobBatchActivate, worker},
		{record.KindCommand, record.IntentJobTimeOut, nil},
		{record.KindCommand, record.IntentJobBatchActivate, nil},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("commands and rejections with their principals:\n got %+v\nwant %+v", got, want)
	}
}
