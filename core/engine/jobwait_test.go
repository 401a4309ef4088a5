package engine

import (
	"testing"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/elements/standard"
)

const waitXML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="w" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task" />
    <bpmn:serviceTask id="task"><bpmn:extensionElements><zeebe:taskDefinition type="work" /></bpmn:extensionElements></bpmn:serviceTask>
  </bpmn:process>
</bpmn:definitions>`

// A long poll wakes only when a job of its type appears in one of its
// tenants; polls for other tenants stay registered.
func TestWakeWaitersRespectsTenants(t *testing.T) {
	p := NewProcessor(1, NewState(standard.Registry()), standard.Registry())
	e := &Engine{waiters: map[string][]*jobWaiter{}}
	process := func(cmd *record.Record) {
		t.Helper()
		res, err := p.Process(cmd)
		if err != nil || res.Rejection != nil {
			t.Fatalf("%s %s: %v %v", cmd.ValueType, cmd.Intent, err, res.Rejection)
		}
	}
	for _, tenant := range []string{"", "acme"} {
		process(&record.Record{ValueType: record.TypeDeployment, Intent: record.IntentDeploymentCreate, Version: 1,
			Value: &record.DeploymentValue{Resources: []record.Resource{{Name: "w.bpmn", Content: []byte(waitXML)}}, TenantID: tenant}})
	}
	create := func(tenant string) {
		process(&record.Record{ValueType: record.TypeProcessInstanceCreation, Intent: record.IntentProcessInstanceCreate, Version: 1,
			Value: &record.ProcessInstanceCreationValue{BPMNProcessID: "w", TenantID: tenant}})
	}
	closed := func(ch <-chan struct{}) bool {
		select {
		case <-ch:
			return true
		default:
			return false
		}
	}
	forAcme, stopAcme := e.waitForJobs("work", []string{"acme"})
	defer stopAcme()
	forDefault, stopDefault := e.waitForJobs("work", nil)
	defer stopDefault()
	forOther, stopOther := e.waitForJobs("other", []string{"acme", record.DefaultTenant})
	defer stopOther()

	create("")
	e.wakeWaiters(p.State())
	if closed(forAcme) || !closed(forDefault) || closed(forOther) {
		t.Fatalf("after a default-tenant job: acme woken %v, default woken %v, other type woken %v; want false, true, false",
			closed(forAcme), closed(forDefault), closed(forOther))
	}
	if n := len(e.waiters["work"]); n != 1 {
		t.Fatalf("%d polls for 'work' still wait, want the acme one", n)
	}
	create("acme")
	e.wakeWaiters(p.State())
	if !closed(forAcme) || closed(forOther) {
		t.Fatalf("after an acme job: acme woken %v, other type woken %v", closed(forAcme), closed(forOther))
	}
	if _, ok := e.waiters["work"]; ok {
		t.Fatal("woken polls are still registered")
	}
	st := p.State()
	if err := st.Check(); err != nil {
		t.Fatal(err)
	}
}
