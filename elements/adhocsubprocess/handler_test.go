package adhocsubprocess_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/example/wf-engine/core/model"
	"github.com/example/wf-engine/elements/adhocsubprocess"
)

// TestValidateNamesTheProblem: each invalid model is refused for its own
// reason, not another.
func TestValidateNamesTheProblem(t *testing.T) {
	for file, want := range map[string]string{
		"start-event.bpmn":      "must not contain start or end events, but 'inner-start'",
		"no-activity.bpmn":      "at least one activity",
		"job-worker.bpmn":       "job worker is not supported",
		"event-subprocess.bpmn": "event subprocess inside an ad-hoc subprocess is not supported, but 'on-signal'",
	} {
		f, err := os.Open(filepath.Join("testdata", "invalid", file))
		if err != nil {
			t.Fatal(err)
		}
		defs, err := model.Parse(f)
		_ = f.Close()
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		var msgs []string
		for _, p := range defs.Processes {
			for _, el := range p.Elements {
				if el.Kind == model.KindAdHocSubProcess {
					for _, pr := range (adhocsubprocess.Handler{}).Validate(el) {
						msgs = append(msgs, pr.Msg)
					}
				}
			}
		}
		if len(msgs) != 1 || !strings.Contains(msgs[0], want) {
			t.Errorf("%s: problems %q, want one containing %q", file, msgs, want)
		}
	}
}

// TestModel: zeebe:adHoc, the completion condition and
// cancelRemainingInstances are read; cancelRemainingInstances defaults to
// true.
func TestModel(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "adhoc.bpmn"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	defs, err := model.Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*model.AdHoc{}
	for _, p := range defs.Processes {
		for id, el := range p.Elements {
			if el.AdHoc != nil {
				got[id] = el.AdHoc
			}
		}
	}
	if a := got["c-adhoc"]; a == nil || a.ActiveElements == nil || a.ActiveElements.Source() != "=toActivate" || a.CompletionCondition != nil || !a.CancelRemainingInstances {
		t.Errorf("c-adhoc: %+v", a)
	}
	if a := got["k-adhoc"]; a == nil || a.CompletionCondition == nil || !a.CancelRemainingInstances {
		t.Errorf("k-adhoc: %+v", a)
	}
	if a := got["w-adhoc"]; a == nil || a.CompletionCondition == nil || a.CancelRemainingInstances {
		t.Errorf("w-adhoc: %+v", a)
	}
}
