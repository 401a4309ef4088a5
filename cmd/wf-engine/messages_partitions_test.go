package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// waitMessageXML waits for the message "paid" of an order.
const waitMessageXML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:message id="m" name="paid"><bpmn:extensionElements><zeebe:subscription correlationKey="=order" /></bpmn:extensionElements></bpmn:message>
  <bpmn:process id="wait" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="catch" />
    <bpmn:intermediateCatchEvent id="catch"><bpmn:messageEventDefinition messageRef="m" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="catch" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`

// TestMessagesCrossFourPartitions starts the server with
// cluster.partitions=4 on the in-memory store: instances created over the
// API wait on every partition, and each gets the message published (with
// a time to live) for its order, whichever partition keeps the message.
func TestMessagesCrossFourPartitions(t *testing.T) {
	base := serveFor(t, "WF_DATABASE_URL=memory", "WF_CLUSTER_PARTITIONS=4")
	deploy(t, base, "wait.bpmn", []byte(waitMessageXML))
	var keys []string
	for i := range 8 {
		status, body := send(t, http.MethodPost, base+"/v2/process-instances", "application/json",
			strings.NewReader(fmt.Sprintf(`{"processDefinitionId": "wait", "variables": {"order": "o-%d"}}`, i)))
		if status != http.StatusOK {
			t.Fatalf("create: %d %s", status, body)
		}
		var created struct {
			Key string `json:"processInstanceKey"`
		}
		if err := json.Unmarshal([]byte(body), &created); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, created.Key)
	}
	for i := range 8 {
		status, body := send(t, http.MethodPost, base+"/v2/messages/publication", "application/json",
			strings.NewReader(fmt.Sprintf(`{"name": "paid", "correlationKey": "o-%d", "timeToLive": 60000}`, i)))
		if status != http.StatusOK {
			t.Fatalf("publish: %d %s", status, body)
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for _, key := range keys {
		for {
			_, inst := send(t, http.MethodGet, base+"/v2/process-instances/"+key, "", nil)
			if strings.Contains(inst, `"state":"COMPLETED"`) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("instance %s did not get its message: %s", key, inst)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}
