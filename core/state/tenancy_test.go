package state

import (
	"testing"

	"github.com/example/wf-engine/core/model"
	"github.com/example/wf-engine/core/record"
)

func noParse([]byte) (*model.Definitions, error) { return nil, nil }

type applied struct {
	t   *testing.T
	s   *State
	pos int64
}

func (a *applied) event(key int64, intent record.Intent, v record.Value) {
	a.t.Helper()
	a.pos++
	r := &record.Record{Position: a.pos, Key: key, Kind: record.KindEvent, ValueType: v.ValueType(), Intent: intent, Version: EventVersion, Value: v}
	if err := a.s.Apply(r); err != nil {
		a.t.Fatal(err)
	}
	if err := a.s.Check(); err != nil {
		a.t.Fatalf("after %s %s %d: %v", r.ValueType, intent, key, err)
	}
}

// Records written before tenants were honoured may carry no tenant: they
// belong to the default tenant, together with those that name it.
func TestRecordsWithoutTenantBelongToTheDefaultTenant(t *testing.T) {
	a := &applied{t: t, s: New(noParse, nil)}
	a.event(1, record.IntentProcessCreated, &record.ProcessValue{BPMNProcessID: "order", Version: 1, ProcessDefinitionKey: 1})
	a.event(2, record.IntentProcessCreated, &record.ProcessValue{BPMNProcessID: "order", Version: 2, ProcessDefinitionKey: 2, TenantID: record.DefaultTenant})
	a.event(3, record.IntentProcessCreated, &record.ProcessValue{BPMNProcessID: "order", Version: 1, ProcessDefinitionKey: 3, TenantID: "acme"})
	a.event(4, record.IntentMessageStartSubscriptionCreated, &record.MessageStartSubscriptionValue{ProcessDefinitionKey: 1, BPMNProcessID: "order", MessageName: "go"})
	a.event(5, record.IntentMessagePublished, &record.MessageValue{Name: "paid", CorrelationKey: "k", TimeToLive: 10, Deadline: 10, MessageID: "m"})
	a.event(6, record.IntentElementActivating, &record.ProcessInstanceValue{BPMNProcessID: "order", ProcessDefinitionKey: 1, ProcessInstanceKey: 6, ElementID: "order", FlowScopeKey: -1})
	a.event(7, record.IntentJobCreated, &record.JobValue{Type: "work", ElementInstanceKey: 6, ProcessInstanceKey: 6})
	a.event(8, record.IntentMessageSubscriptionCreated, &record.MessageSubscriptionValue{ElementInstanceKey: 6, ProcessInstanceKey: 6, MessageName: "paid", CorrelationKey: "k"})
	a.event(4, record.IntentMessageStartSubscriptionCorrelated, &record.MessageStartSubscriptionValue{ProcessDefinitionKey: 1, BPMNProcessID: "order",
		MessageName: "go", MessageKey: 5, CorrelationKey: "c", ProcessInstanceKey: 6})

	s := a.s
	for _, tenant := range []string{"", record.DefaultTenant} {
		if p := s.LatestProcess(tenant, "order"); p == nil || p.ProcessDefinitionKey != 2 {
			t.Errorf("latest order in tenant %q is %v, want definition 2", tenant, p)
		}
		if p := s.ProcessVersion(tenant, "order", 1); p == nil || p.ProcessDefinitionKey != 1 {
			t.Errorf("order version 1 in tenant %q is %v, want definition 1", tenant, p)
		}
		if n := len(s.StartSubscriptionsFor(tenant, "go")); n != 1 {
			t.Errorf("tenant %q has %d start subscriptions for 'go', want 1", tenant, n)
		}
		if n := len(s.SubscriptionsFor(tenant, "paid", "k")); n != 1 {
			t.Errorf("tenant %q has %d subscriptions for 'paid', want 1", tenant, n)
		}
		if m := s.MessageByID(tenant, "paid", "k", "m"); m == nil || len(s.BufferedMessages(tenant, "paid", "k")) != 1 {
			t.Errorf("tenant %q does not see the buffered message", tenant)
		}
		if s.ActiveByCorrelation(tenant, "order", "c") != 6 {
			t.Errorf("tenant %q does not see the instance started for correlation key c", tenant)
		}
		if jobs := s.Activatable("work", []string{tenant}, 5); len(jobs) != 1 {
			t.Errorf("tenant %q sees %d activatable jobs, want 1", tenant, len(jobs))
		}
	}
	if jobs := s.Activatable("work", nil, 5); len(jobs) != 1 {
		t.Errorf("no tenant named: %d activatable jobs, want the default tenant's one", len(jobs))
	}
	if p := s.LatestProcess("acme", "order"); p == nil || p.ProcessDefinitionKey != 3 {
		t.Errorf("latest order in acme is %v, want definition 3", p)
	}
	if s.ProcessVersion("acme", "order", 2) != nil || len(s.StartSubscriptionsFor("acme", "go")) != 0 || len(s.SubscriptionsFor("acme", "paid", "k")) != 0 ||
		s.MessageByID("acme", "paid", "k", "m") != nil || s.ActiveByCorrelation("acme", "order", "c") != 0 || len(s.Activatable("work", []string{"acme"}, 5)) != 0 {
		t.Error("acme sees something of the default tenant")
	}

	// Restoring the rows gives the same state, tenants included.
	snap := &Snapshot{LastKey: s.lastKey, LastPosition: s.lastPosition}
	for _, k := range sortedKeys(s.processes) {
		snap.Processes = append(snap.Processes, s.processes[k].ProcessValue)
	}
	for _, k := range sortedKeys(s.elements) {
		snap.Elements = append(snap.Elements, s.elements[k].row())
	}
	for _, k := range sortedKeys(s.jobs) {
		snap.Jobs = append(snap.Jobs, *s.jobs[k])
	}
	for _, k := range sortedKeys(s.ev.subs) {
		snap.MessageSubscriptions = append(snap.MessageSubscriptions, *s.ev.subs[k])
	}
	for _, k := range sortedKeys(s.ev.messages) {
		snap.Messages = append(snap.Messages, *s.ev.messages[k])
	}
	for _, k := range sortedKeys(s.ev.starts) {
		snap.StartSubscriptions = append(snap.StartSubscriptions, *s.ev.starts[k])
	}
	restored, err := Restore(noParse, nil, snap)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(restored.Dump()), string(s.Dump()); got != want {
		t.Fatalf("restored state differs:\ngot  %s\nwant %s", got, want)
	}
}

// Check notices a tenant index that disagrees with its table.
func TestCheckCoversTheTenantIndexes(t *testing.T) {
	cases := map[string]func(s *State){
		"latest version of another tenant": func(s *State) { s.latest[inTenant("acme", "order")] = s.processes[1] },
		"job queued under another tenant": func(s *State) {
			s.activatable["work"]["acme"] = s.activatable["work"][record.DefaultTenant]
			delete(s.activatable["work"], record.DefaultTenant)
		},
		"subscription under another tenant": func(s *State) {
			s.ev.subsByName[msgKey("acme", "paid", "k")] = s.ev.subsByName[msgKey("", "paid", "k")]
			delete(s.ev.subsByName, msgKey("", "paid", "k"))
		},
		"message under another tenant": func(s *State) {
			s.ev.msgsByName[msgKey("acme", "paid", "k")] = s.ev.msgsByName[msgKey("", "paid", "k")]
			delete(s.ev.msgsByName, msgKey("", "paid", "k"))
		},
		"message id under another tenant": func(s *State) {
			s.ev.messageIDs[msgKey("acme", "paid", "k")+"\x00m"] = 5
			delete(s.ev.messageIDs, msgKey("", "paid", "k")+"\x00m")
		},
		"start subscription under another tenant": func(s *State) {
			s.ev.startsByName[inTenant("acme", "go")] = s.ev.startsByName[inTenant("", "go")]
			delete(s.ev.startsByName, inTenant("", "go"))
		},
		"correlation under another tenant": func(s *State) {
			s.ev.byCorrelation[startedKey("acme", "order", "c")] = 6
			delete(s.ev.byCorrelation, startedKey("", "order", "c"))
		},
	}
	for name, corrupt := range cases {
		t.Run(name, func(t *testing.T) {
			a := &applied{t: t, s: New(noParse, nil)}
			a.event(1, record.IntentProcessCreated, &record.ProcessValue{BPMNProcessID: "order", Version: 1, ProcessDefinitionKey: 1, TenantID: record.DefaultTenant})
			a.event(4, record.IntentMessageStartSubscriptionCreated, &record.MessageStartSubscriptionValue{ProcessDefinitionKey: 1, BPMNProcessID: "order", MessageName: "go"})
			a.event(5, record.IntentMessagePublished, &record.MessageValue{Name: "paid", CorrelationKey: "k", TimeToLive: 10, Deadline: 10, MessageID: "m"})
			a.event(6, record.IntentElementActivating, &record.ProcessInstanceValue{BPMNProcessID: "order", ProcessDefinitionKey: 1, ProcessInstanceKey: 6, ElementID: "order", FlowScopeKey: -1})
			a.event(7, record.IntentJobCreated, &record.JobValue{Type: "work", ElementInstanceKey: 6, ProcessInstanceKey: 6})
			a.event(8, record.IntentMessageSubscriptionCreated, &record.MessageSubscriptionValue{ElementInstanceKey: 6, ProcessInstanceKey: 6, MessageName: "paid", CorrelationKey: "k"})
			a.event(4, record.IntentMessageStartSubscriptionCorrelated, &record.MessageStartSubscriptionValue{ProcessDefinitionKey: 1, BPMNProcessID: "order",
				MessageName: "go", MessageKey: 5, CorrelationKey: "c", ProcessInstanceKey: 6})
			corrupt(a.s)
			if err := a.s.Check(); err == nil {
				t.Fatal("Check found nothing wrong")
			}
		})
	}
}
