package main

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
)

// TestEngineLimitsReachTheEngine: the engine.* limits configured on the
// command line are the ones the running engine applies.
func TestEngineLimitsReachTheEngine(t *testing.T) {
	base, _ := serveArgs(t, []string{"--engine.max_processes_per_resource", "1"}, "WF_DATABASE_URL=memory")
	const model = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="a" isExecutable="true"><bpmn:startEvent id="s1"/></bpmn:process>
  <bpmn:process id="b" isExecutable="true"><bpmn:startEvent id="s2"/></bpmn:process>
</bpmn:definitions>`
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, _ := w.CreateFormFile("resources", "two.bpmn")
	_, _ = part.Write([]byte(model))
	_ = w.Close()
	status, answer := send(t, http.MethodPost, base+"/v2/deployments", w.FormDataContentType(), &body)
	if status != http.StatusBadRequest || !strings.Contains(answer, "at most 1 process") {
		t.Fatalf("a resource over engine.max_processes_per_resource: %d %s", status, answer)
	}
}
