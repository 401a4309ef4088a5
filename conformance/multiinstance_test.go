package conformance

import (
	"os"
	"path/filepath"
	"testing"
)

// multiInstanceCorpus lists the executable Camunda models under beyond-m1/
// that use multi-instance. Before multi-instance was registered every one
// was refused as unsupported; each now deploys and, started with its
// input collection, runs to completion.
var multiInstanceCorpus = []string{
	"zeebe-process-test/beyond-m1/automated-tests.bpmn",
	"zeebe-camunda-license/beyond-m1/multi-instance-service-task.bpmn",
	"zeebe-camunda-license/beyond-m1/multiInstance_v_2.bpmn",
	// Its tasks have no job type: Camunda 8 rejects it at deploy as well.
	"zeebe-camunda-license/beyond-m1/diagramForModifications.bpmn",
}

func init() {
	items := map[string]any{"items": []any{"a", "b", "c"}}
	corpusInputs["zeebe-camunda-license/beyond-m1/multi-instance-service-task.bpmn"] = corpusInput{start: items}
	corpusInputs["zeebe-camunda-license/beyond-m1/multiInstance_v_2.bpmn"] = corpusInput{start: items}
	corpusInvalid["zeebe-camunda-license/beyond-m1/diagramForModifications.bpmn"] = "zeebe:taskDefinition type"
}

// TestCorpusMultiInstance runs the multi-instance corpus models to
// completion on the memory store (replayed, with legal lifecycles).
func TestCorpusMultiInstance(t *testing.T) {
	corpusFiles(t) // skips without the corpus
	files := make([]string, 0, len(multiInstanceCorpus))
	for _, f := range multiInstanceCorpus {
		path := filepath.Join(corpusDir, f)
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("corpus file %s: %v", f, err)
		}
		files = append(files, path)
	}
	runCorpus(t, files, func(t *testing.T) *Harness { return NewHarness(t) })
}

// TestCompatLintLoopCharacteristics checks camunda-compat-lint's
// loop-characteristics pair: the linter-valid fixture deploys, its twin
// (no zeebe:loopCharacteristics) is rejected naming the activity.
func TestCompatLintLoopCharacteristics(t *testing.T) {
	corpusFiles(t)
	dir := filepath.Join(corpusDir, "camunda-compat-lint", "beyond-m1")
	checkCompat(t, filepath.Join(dir, "loop-characteristics.bpmn"), "", "")
	checkCompat(t, filepath.Join(dir, "loop-characteristics-errors.bpmn"), "element 'Activity_1qm8qk1': attribute 'inputCollection': missing", "")
}
