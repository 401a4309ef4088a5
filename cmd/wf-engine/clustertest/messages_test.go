package clustertest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/example/wf-engine/core/record"
)

// waitBPMN waits for the message "paid" of an order.
const waitBPMN = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
  <bpmn:message id="m" name="paid"><bpmn:extensionElements><zeebe:subscription correlationKey="=order" /></bpmn:extensionElements></bpmn:message>
  <bpmn:process id="wait" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="catch" />
    <bpmn:intermediateCatchEvent id="catch"><bpmn:messageEventDefinition messageRef="m" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="catch" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`

// Three nodes run four partitions; instances wait for their order's
// message on every partition, mostly another node's than the message's;
// a node is killed; messages published through the survivors (buffered)
// reach every instance: the partitions exchange their commands through
// the shared store, whichever node runs them (issue 21 item 3).
func TestMessagesCrossPartitionsOnSeveralNodes(t *testing.T) {
	c := newCluster(t)
	c.partitions = 4
	hc := httpClient(t)
	names := []string{"n1", "n2", "n3"}
	var nodes []*node
	for i, name := range names {
		nodes = append(nodes, c.start(name))
		if i == 0 {
			nodes[0].ready(t, hc, 60*time.Second)
		}
	}
	for _, n := range nodes[1:] {
		n.ready(t, hc, 60*time.Second)
	}
	holders := c.waitSpread(t, 30*time.Second, names...)
	cl := &client{hc: hc, nodes: nodes}
	cl.deploy(t, nodes[0], "wait.bpmn", waitBPMN)

	keys := map[string]string{} // order -> instance key
	crossing := 0
	for i := range 12 {
		order := fmt.Sprintf("o-%d", i)
		var key string
		if err := pollUntil(30*time.Second, func() error {
			a, err := cl.do(cl.pick(), http.MethodPost, "/v2/process-instances", "application/json",
				jsonBody(map[string]any{"processDefinitionId": "wait", "variables": map[string]any{"order": order}}))
			if err != nil || a.status != http.StatusOK {
				return fmt.Errorf("create: %d %s (%w): %w", a.status, a.body, err, errNotYet)
			}
			var created struct {
				Key string `json:"processInstanceKey"`
			}
			if err := json.Unmarshal(a.body, &created); err != nil {
				return err
			}
			key = created.Key
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		keys[order] = key
		var k int64
		_, _ = fmt.Sscan(key, &k)
		if holders[record.Partition(k)] != holders[record.MessagePartition(order, int32(c.partitions))] {
			crossing++
		}
	}
	if crossing == 0 {
		t.Fatalf("no instance waits on another node than its message's partition: %v", holders)
	}

	victim := nodes[1]
	victim.signal(t, syscall.SIGKILL)
	_ = victim.waitExit(t, 10*time.Second)
	survivors := []*node{nodes[0], nodes[2]}
	cl = &client{hc: hc, nodes: survivors}
	c.waitSpread(t, 30*time.Second, "n1", "n3")

	for order := range keys {
		if err := pollUntil(30*time.Second, func() error {
			a, err := cl.do(cl.pick(), http.MethodPost, "/v2/messages/publication", "application/json",
				jsonBody(map[string]any{"name": "paid", "correlationKey": order, "timeToLive": 600000}))
			if err != nil || a.status != http.StatusOK {
				return fmt.Errorf("publish: %d %s (%w): %w", a.status, a.body, err, errNotYet)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	for order, key := range keys {
		if err := pollUntil(60*time.Second, func() error {
			a, err := cl.do(cl.pick(), http.MethodGet, "/v2/process-instances/"+key, "", nil)
			if err != nil || !strings.Contains(string(a.body), `"state":"COMPLETED"`) {
				return fmt.Errorf("instance %s of %s: %d %s (%w): %w", key, order, a.status, a.body, err, errNotYet)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
}
