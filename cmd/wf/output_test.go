package main

import (
	"strings"
	"testing"
)

func TestOutputFormatsCarryTheSameData(t *testing.T) {
	_, wf := startEngine(t)
	ok(t, wf("deploy", "testdata/order.bpmn"))
	key := createInstance(t, wf, "order", "--variables", `{"orderId": "A-1", "lines": [{"sku": "x", "qty": 2}], "note": "123"}`)

	type row struct {
		ProcessInstanceKey       string `json:"processInstanceKey" yaml:"processInstanceKey"`
		ProcessDefinitionID      string `json:"processDefinitionId" yaml:"processDefinitionId"`
		ProcessDefinitionVersion int    `json:"processDefinitionVersion" yaml:"processDefinitionVersion"`
		State                    string `json:"state" yaml:"state"`
		HasIncident              bool   `json:"hasIncident" yaml:"hasIncident"`
	}
	want := row{ProcessInstanceKey: key, ProcessDefinitionID: "order", ProcessDefinitionVersion: 1, State: "ACTIVE"}

	var fromJSON, fromYAML []row
	decodeJSON(t, ok(t, wf("instances", "-o", "json")), &fromJSON)
	decodeYAML(t, ok(t, wf("instances", "--output", "yaml")), &fromYAML)
	if len(fromJSON) != 1 || fromJSON[0] != want {
		t.Errorf("json %+v, want [%+v]", fromJSON, want)
	}
	if len(fromYAML) != 1 || fromYAML[0] != want {
		t.Errorf("yaml %+v, want [%+v]", fromYAML, want)
	}

	table := ok(t, wf("instances"))
	lines := strings.Split(strings.TrimSpace(table), "\n")
	if len(lines) != 2 {
		t.Fatalf("table %q: want a header and one row", table)
	}
	if got := strings.Fields(lines[0]); strings.Join(got, " ") != "KEY PROCESS VERSION STATE INCIDENT STARTED ENDED" {
		t.Errorf("header %q", lines[0])
	}
	if got := strings.Fields(lines[1]); len(got) < 6 || got[0] != key || got[1] != "order" || got[2] != "1" || got[3] != "ACTIVE" || got[4] != "no" {
		t.Errorf("row %q", lines[1])
	}
}

func TestYAMLKeepsTypesAndKeys(t *testing.T) {
	_, wf := startEngine(t)
	ok(t, wf("deploy", "testdata/order.bpmn"))
	key := createInstance(t, wf, "order", "--variables", `{"lines": [{"sku": "x", "qty": 2}], "note": "123", "empty": "", "flag": true}`)
	var v struct {
		Instance struct {
			ProcessInstanceKey string `yaml:"processInstanceKey"`
		} `yaml:"instance"`
		Variables []struct {
			Name  string `yaml:"name"`
			Value any    `yaml:"value"`
		} `yaml:"variables"`
	}
	out := ok(t, wf("instance", key, "-o", "yaml"))
	decodeYAML(t, out, &v)
	if v.Instance.ProcessInstanceKey != key {
		t.Errorf("key %q, want %q (a string, as in JSON)", v.Instance.ProcessInstanceKey, key)
	}
	vars := map[string]any{}
	for _, vr := range v.Variables {
		vars[vr.Name] = vr.Value
	}
	// Strings that look like numbers or are empty stay strings.
	if vars["note"] != "123" || vars["empty"] != "" || vars["flag"] != true {
		t.Errorf("variables %#v: want note \"123\", empty \"\" and flag true", vars)
	}
	lines, _ := vars["lines"].([]any)
	if len(lines) != 1 {
		t.Fatalf("lines %#v: want one line item", vars["lines"])
	}
	if item, _ := lines[0].(map[string]any); item["sku"] != "x" || item["qty"] != 2 {
		t.Errorf("line item %#v", lines[0])
	}
	if strings.Contains(out, "{") {
		t.Errorf("yaml uses flow style:\n%s", out)
	}
}

func TestResultsOfCommandsWithoutAnswer(t *testing.T) {
	_, wf := startEngine(t)
	ok(t, wf("deploy", "testdata/order.bpmn"))
	key := createInstance(t, wf, "order")
	var done struct {
		ProcessInstanceKey string `yaml:"processInstanceKey"`
		Result             string `yaml:"result"`
	}
	decodeYAML(t, ok(t, wf("cancel", key, "-o", "yaml")), &done)
	if done.ProcessInstanceKey != key || done.Result != "canceled" {
		t.Errorf("cancel answered %+v", done)
	}
}
