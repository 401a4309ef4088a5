package main

import (
	"encoding/json"
	"testing"
)

func TestAwaitBodyAsksToAwait(t *testing.T) {
	body := awaitBody([]byte(`{"processDefinitionId":"bench-w1","variables":{"orderId":"o-1"}}`))
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("not JSON: %s: %v", body, err)
	}
	if m["awaitCompletion"] != true || m["requestTimeout"] != float64(60000) || m["processDefinitionId"] != "bench-w1" {
		t.Fatalf("await body: %s", body)
	}
}
