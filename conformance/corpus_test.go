package conformance

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
)

// corpusDir is the shared corpus beside the repository clone.
const corpusDir = "../../shared/corpus"

// corpusFiles returns the .bpmn files of the given corpus folders, leaving
// out beyond-m1/ and the deliberately invalid *-errors twins.
func corpusFiles(t *testing.T, folders ...string) []string {
	t.Helper()
	if _, err := os.Stat(corpusDir); errors.Is(err, fs.ErrNotExist) {
		t.Skipf("corpus not found at %s: clone the repository beside shared/ to run corpus tests", corpusDir)
	}
	var files []string
	for _, folder := range folders {
		err := filepath.WalkDir(filepath.Join(corpusDir, folder), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && d.Name() == "beyond-m1" {
				return filepath.SkipDir
			}
			if !d.IsDir() && strings.HasSuffix(path, ".bpmn") && !strings.HasSuffix(path, "-errors.bpmn") {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("walk corpus: %v", err)
		}
	}
	sort.Strings(files)
	return files
}

// TestCorpusRunsToCompletion deploys every corpus model of the folders the
// kernel issue names; each one that uses only registered elements must start
// and run to completion, with every job it meets completed.
func TestCorpusRunsToCompletion(t *testing.T) {
	files := corpusFiles(t, "lib-bpmn-engine", "zeebe-process-test", "camunda-js-sdk")
	var ran, unsupported, notStartable int
	for _, path := range files {
		name := strings.TrimPrefix(path, corpusDir+"/")
		b, err := os.ReadFile(path) // #nosec G304 -- corpus path
		if err != nil {
			t.Fatal(err)
		}
		h := NewHarness(t)
		dep, err := h.Engine.Deploy(h.Ctx, engine.DeployRequest{Resources: []record.Resource{{Name: filepath.Base(path), Content: b}}})
		if err != nil {
			rj, ok := engine.AsRejection(err)
			if ok && strings.Contains(rj.Reason, "unsupported") {
				unsupported++
				continue
			}
			t.Errorf("%s: deploy: %v", name, err)
			continue
		}
		for _, p := range dep.Processes {
			ci, err := h.Engine.CreateInstance(h.Ctx, engine.CreateInstanceRequest{ProcessDefinitionKey: p.ProcessDefinitionKey})
			if rj, ok := engine.AsRejection(err); ok && rj.Type == record.RejectionInvalidState {
				notStartable++ // no none start event: started by other means
				continue
			}
			if err != nil {
				t.Errorf("%s: create instance of %s: %v", name, p.BPMNProcessID, err)
				continue
			}
			if msg := drive(h, ci.ProcessInstanceKey); msg != "" {
				t.Errorf("%s: process %s: %s", name, p.BPMNProcessID, msg)
				continue
			}
			ran++
		}
		CheckLifecycles(t, h.Log())
		h.CheckReplay()
	}
	t.Logf("corpus: %d files, %d process instances ran to completion, %d files use elements not registered yet, %d processes have no none start event",
		len(files), ran, unsupported, notStartable)
	if ran == 0 {
		t.Fatal("no corpus model ran")
	}
}

// drive completes every job of an instance until it ends; it returns why it
// did not end, or "".
func drive(h *Harness, pi int64) string {
	for range 200 {
		var types []string
		var active bool
		var incident string
		h.State(func(s *state.State) {
			types = s.ActivatableTypes()
			active = s.Element(pi) != nil
			for _, k := range s.IncidentKeys() {
				if i := s.Incident(k); i.Value.ProcessInstanceKey == pi {
					incident = string(i.Value.ErrorType) + " at " + i.Value.ElementID + ": " + i.Value.ErrorMessage
				}
			}
		})
		if !active {
			return ""
		}
		if incident != "" {
			return "incident " + incident
		}
		if len(types) == 0 {
			var summary []string
			h.State(func(s *state.State) { summary = s.Summary(pi) })
			return "stuck without jobs in " + strings.Join(summary, ", ")
		}
		for _, typ := range types {
			jobs, err := h.Engine.ActivateJobs(h.Ctx, engine.ActivateJobsRequest{Type: typ, Worker: "corpus", Timeout: time.Minute, MaxJobs: 100})
			if err != nil {
				return "activate: " + err.Error()
			}
			for _, j := range jobs {
				if err := h.Engine.CompleteJob(h.Ctx, engine.CompleteJobRequest{Key: j.Key}); err != nil {
					return "complete job: " + err.Error()
				}
			}
		}
	}
	return "did not end after 200 rounds of jobs"
}
