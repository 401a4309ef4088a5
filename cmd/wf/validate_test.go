package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestValidateAcceptsValidModels(t *testing.T) {
	out := ok(t, wf(t, "validate", "testdata/order.bpmn", "testdata/approval.bpmn"))
	if out != "testdata/order.bpmn: ok (order)\ntestdata/approval.bpmn: ok (approval)\n" {
		t.Errorf("validate printed %q", out)
	}
}

// invalidProblems are the problems of testdata/invalid.bpmn, in the order
// the engine reports them: the parser's, then the element handlers'.
var invalidProblems = []problem{
	{Line: 17, Element: "to-end", Message: "element 'to-end': attribute 'conditionExpression': invalid expression: line 1, column 10: expected an expression but found end of expression"},
	{Line: 19, Element: "to-nowhere", Message: "element 'to-nowhere': attribute 'targetRef': unknown element 'nowhere'"},
	{Line: 23, Element: "refund", Message: "element 'refund': attribute 'zeebe:input source': invalid expression: line 1, column 10: expected an expression but found end of expression"},
	{Line: 13, Element: "charge", Message: "element 'charge': attribute 'zeebe:taskDefinition type': a job type is required"},
}

func TestValidateListsEveryProblemWithFileLineAndElement(t *testing.T) {
	r := wf(t, "validate", "testdata/order.bpmn", "testdata/invalid.bpmn")
	if r.code != exitFailure {
		t.Fatalf("exit %d, want 1 (stderr %q)", r.code, r.stderr)
	}
	if r.stderr != "wf: validate: 4 problems in 1 of 2 files\n" {
		t.Errorf("stderr %q", r.stderr)
	}
	want := "testdata/order.bpmn: ok (order)\n"
	for _, p := range invalidProblems {
		want += "testdata/invalid.bpmn: line " + strconv.Itoa(p.Line) + ": " + p.Message + "\n"
	}
	if r.stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, want)
	}

	var reports []struct {
		File     string    `json:"file"`
		Valid    bool      `json:"valid"`
		Problems []problem `json:"problems"`
	}
	r = wf(t, "validate", "-o", "json", "testdata/order.bpmn", "testdata/invalid.bpmn")
	if r.code != exitFailure {
		t.Fatalf("exit %d, want 1", r.code)
	}
	decodeJSON(t, r.stdout, &reports)
	if len(reports) != 2 || reports[0].File != "testdata/order.bpmn" || !reports[0].Valid || len(reports[0].Problems) != 0 ||
		reports[1].File != "testdata/invalid.bpmn" || reports[1].Valid {
		t.Fatalf("reports %+v", reports)
	}
	got := reports[1].Problems
	if len(got) != len(invalidProblems) {
		t.Fatalf("problems %+v, want %+v", got, invalidProblems)
	}
	for i, p := range got {
		if w := invalidProblems[i]; p.Line != w.Line || p.Element != w.Element || p.Message != w.Message {
			t.Errorf("problem %d: %+v, want %+v", i, p, w)
		}
	}
}

func TestValidateReportsWhatDeployReports(t *testing.T) {
	_, wfAt := startEngine(t)
	dir := t.TempDir()
	notXML := filepath.Join(dir, "truncated.bpmn")
	if err := os.WriteFile(notXML, []byte("<?xml version=\"1.0\"?>\n<bpmn:definitions xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\">\n  <bpmn:process id=\"p\">\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		files []string
	}{
		{"parser and handler problems", []string{"testdata/invalid.bpmn"}},
		{"xml that is not well-formed", []string{notXML}},
		{"two files with the same process", []string{"testdata/order.bpmn", "testdata/order-v2.bpmn"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := wf(t, append([]string{"validate"}, tc.files...)...)
			if v.code != exitFailure {
				t.Fatalf("validate exit %d, want 1", v.code)
			}
			d := wfAt(append([]string{"deploy"}, tc.files...)...)
			failsWith(t, d, exitFailure, "wf: deploy: INVALID_ARGUMENT: the deployment is invalid: ")
			_, detail, found := strings.Cut(strings.TrimSpace(d.stderr), "the deployment is invalid: ")
			if !found {
				t.Fatalf("deploy's rejection %q lists no problems", d.stderr)
			}
			deployed := strings.Split(detail, "; ")
			var validated []string
			for _, line := range strings.Split(strings.TrimSpace(v.stdout), "\n") {
				file, text, _ := strings.Cut(line, ": ")
				if strings.HasPrefix(text, "ok (") {
					continue
				}
				// The engine names a resource by its base name.
				for _, f := range tc.files {
					text = strings.ReplaceAll(text, f, filepath.Base(f))
				}
				if strings.HasPrefix(text, "line ") {
					text = filepath.Base(file) + ": " + text
				}
				validated = append(validated, text)
			}
			if strings.Join(validated, "\n") != strings.Join(deployed, "\n") {
				t.Errorf("validate reported\n  %s\ndeploy reported\n  %s", strings.Join(validated, "\n  "), strings.Join(deployed, "\n  "))
			}
		})
	}
}

func TestValidateIsOffline(t *testing.T) {
	f := newFakeEngine(t)
	in := invocation{env: map[string]string{"WF_ADDRESS": f.URL}}
	ok(t, in.wf(t, "validate", "testdata/order.bpmn"))
	if r := in.wf(t, "validate", "testdata/invalid.bpmn"); r.code != exitFailure {
		t.Errorf("exit %d, want 1", r.code)
	}
	if seen := f.seen(); len(seen) != 0 {
		t.Errorf("validate sent %d requests, want none", len(seen))
	}
}

func TestValidateUsageErrors(t *testing.T) {
	failsWith(t, wf(t, "validate"), exitUsage, "wf: validate: missing argument <file.bpmn>")
	failsWith(t, wf(t, "validate", "testdata/none.bpmn"), exitUsage, "wf: validate: read testdata/none.bpmn: no such file or directory")
}
