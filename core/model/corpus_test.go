package model

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// corpusDir is the shared corpus of third-party BPMN files, next to the
// repository. The tests read it in place and skip when it is not there.
func corpusDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "corpus")
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		t.Skipf("BPMN corpus not found at %s (it lives in the shared workspace next to the repository): skipping", dir)
	}
	return dir
}

// corpusFiles returns the .bpmn files of the corpus, slash-separated and
// relative to it, sorted.
func corpusFiles(t testing.TB, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".bpmn") {
			rel, err := filepath.Rel(dir, path)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

// corpusMalformed are the files the corpus README lists as not well-formed
// (or not namespace-correct) XML.
var corpusMalformed = []string{
	"bpmn-moddle/attrs.bpmn",
	"bpmn-moddle/error/invalid-attributes.bpmn",
	"bpmn-moddle/error/xmlns-redeclaration.bpmn",
	"bpmn-js/multiple-nested-processes.bpmn",
	"bpmn-js/draw/gateway-type-default.bpmn",
	"bpmn-js/draw/events.bpmn",
	"bpmn-js/import/default-attrs.bpmn",
	"zeebe-apache/bpmn-model/DefinitionsTest.shouldNotAffectCommentsResult.bpmn",
	"camunda-compat-lint/priority-definition.bpmn",
	"camunda-compat-lint/no-priority-definition-errors.bpmn",
	"camunda-compat-lint/task-schedule.bpmn",
	"camunda-compat-lint/task-schedule-errors.bpmn",
	"camunda-compat-lint/no-task-schedule-errors.bpmn",
	"camunda-compat-lint/priority-definition-errors.bpmn",
}

// camundaFolders hold real Camunda 8 models: apart from the files in
// camundaInvalid, they must parse without structural problems.
var camundaFolders = []string{
	"zeebe-apache", "zeebe-camunda-license", "zeebe-process-test", "zeebe-spec",
	"lib-bpmn-engine", "camunda-js-sdk", "pyzeebe",
}

// camundaInvalid are the files of the Camunda folders that Camunda 8 itself
// would not deploy, with the reason.
var camundaInvalid = map[string]string{
	"camunda-js-sdk/Client-BrokenBpmn.bpmn":                                            "service task with an empty job type (a deliberately broken deployment)",
	"camunda-js-sdk/modeller7File.bpmn":                                                "truncated file",
	"lib-bpmn-engine/test-cases/forked-flow.bpmn":                                      "zeebe:taskDefinition without type",
	"lib-bpmn-engine/test-cases/exclusive-gateway-with-condition.bpmn":                 "conditions without '='",
	"lib-bpmn-engine/test-cases/exclusive-gateway-with-condition-and-default.bpmn":     "conditions without '='",
	"lib-bpmn-engine/test-cases/inclusive-gateway-with-condition.bpmn":                 "conditions without '='",
	"lib-bpmn-engine/test-cases/inclusive-gateway-with-condition-and-default.bpmn":     "conditions without '='",
	"lib-bpmn-engine/test-cases/simple-count-loop-with-message.bpmn":                   "conditions without '='",
	"lib-bpmn-engine/test-cases/subprocess-with-gateways.bpmn":                         "conditions without '='",
	"zeebe-camunda-license/benchmarks/cecm_sample.bpmn":                                "condition without '='",
	"zeebe-camunda-license/engine/exclusive-gateway.bpmn":                              "condition without '='",
	"zeebe-camunda-license/operate-mocks/instanceMigration.bpmn":                       "call activity without processId",
	"zeebe-apache/bpmn-model/validation/default-flow.bpmn":                             "default flow that does not leave the gateway (validation fixture)",
	"zeebe-apache/bpmn-model/validation/default-flow-inclusive-gateway.bpmn":           "default flow that does not leave the gateway (validation fixture)",
	"zeebe-apache/bpmn-model/DefinitionsTest.shouldNotAffectCommentsResult.bpmn":       "not well-formed",
	"zeebe-apache/bpmn-model/DefinitionsTest.shouldImportEmptyDefinitions.bpmn":        "no process (model API fixture)",
	"zeebe-apache/bpmn-model/GenerateIdTest.bpmn":                                      "elements without ids (model API fixture)",
	"zeebe-apache/bpmn-model/CollaborationParserTest.bpmn":                             "no executable process (model API fixture)",
	"zeebe-apache/bpmn-model/DataObjectTest.bpmn":                                      "no executable process (model API fixture)",
	"zeebe-apache/bpmn-model/DataStoreTest.bpmn":                                       "no executable process (model API fixture)",
	"zeebe-apache/bpmn-model/DefinitionsTest.shouldNotAffectComments.bpmn":             "no executable process (model API fixture)",
	"zeebe-apache/bpmn-model/DefinitionsTest.shouldNotImportWrongOrderedSequence.bpmn": "no executable process (model API fixture)",
	"zeebe-apache/bpmn-model/ProcessTest.shouldImportProcess.bpmn":                     "no executable process (model API fixture)",
	"zeebe-apache/bpmn-model/ReferenceTest.shouldFindReferenceWithNamespace.bpmn":      "no executable process (model API fixture)",
	"zeebe-apache/bpmn-model/ResourceRolesTest.bpmn":                                   "no executable process (model API fixture)",
	"zeebe-apache/bpmn-model/instance/TextAnnotationTest.bpmn":                         "no executable process (model API fixture)",
}

// corpusCounts is how the files of one folder parsed.
type corpusCounts struct {
	ok        int // no problems at all
	exprOnly  int // only expressions that do not compile
	problems  int // structural problems
	malformed int // not well-formed XML
}

func TestCorpus(t *testing.T) {
	dir := corpusDir(t)
	files := corpusFiles(t, dir)
	if len(files) == 0 {
		t.Skip("BPMN corpus is empty")
	}
	counts := map[string]*corpusCounts{}
	var exprFailures []string
	for _, rel := range files {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			t.Fatal(err)
		}
		folder, _, _ := strings.Cut(rel, "/")
		c := counts[folder]
		if c == nil {
			c = &corpusCounts{}
			counts[folder] = c
		}

		defs, err := Parse(bytes.NewReader(data))
		var probs Problems
		if err != nil && !errors.As(err, &probs) {
			t.Errorf("%s: error %v is not Problems", rel, err)
			continue
		}
		if malformed := errors.Is(err, ErrNotWellFormed); (defs == nil) != malformed {
			t.Errorf("%s: Parse returned model %v and error %v", rel, defs != nil, err)
		}
		if defs != nil && err != nil {
			checkPartial(t, defs)
		}
		var structural []string
		for _, p := range probs {
			if !isExprProblem(p) {
				structural = append(structural, p.String())
			}
		}
		malformed := errors.Is(err, ErrNotWellFormed)
		switch {
		case err == nil:
			c.ok++
			checkInvariants(t, defs)
		case malformed:
			c.malformed++
		case len(structural) == 0:
			c.exprOnly++
			exprFailures = append(exprFailures, fmt.Sprintf("%s: %v", rel, err))
		default:
			c.problems++
		}

		if slices.Contains(corpusMalformed, rel) && !malformed {
			t.Errorf("%s: not well-formed, but got %v", rel, err)
		}
		if (strings.HasPrefix(rel, "bpmn-moddle/error/") || strings.HasPrefix(rel, "bpmn-js/import/error/")) && err == nil {
			t.Errorf("%s: broken on purpose, but parsed without problems", rel)
		}
		if !slices.Contains(camundaFolders, folder) {
			continue
		}
		reason, known := camundaInvalid[rel]
		switch {
		case len(structural) > 0 && !known:
			t.Errorf("%s: a Camunda model with structural problems:\n  %s", rel, strings.Join(structural, "\n  "))
		case len(structural) == 0 && known:
			t.Errorf("%s: listed as invalid (%s) but has no structural problems", rel, reason)
		}
	}

	folders := make([]string, 0, len(counts))
	for f := range counts {
		folders = append(folders, f)
	}
	sort.Strings(folders)
	var total corpusCounts
	var b strings.Builder
	fmt.Fprintf(&b, "%-24s %6s %6s %9s %9s\n", "folder", "ok", "expr", "problems", "malformed")
	for _, f := range folders {
		c := counts[f]
		fmt.Fprintf(&b, "%-24s %6d %6d %9d %9d\n", f, c.ok, c.exprOnly, c.problems, c.malformed)
		total.ok += c.ok
		total.exprOnly += c.exprOnly
		total.problems += c.problems
		total.malformed += c.malformed
	}
	fmt.Fprintf(&b, "%-24s %6d %6d %9d %9d", "total", total.ok, total.exprOnly, total.problems, total.malformed)
	t.Logf("%d files (expr = only expressions that do not compile)\n%s", len(files), b.String())
	for _, f := range exprFailures {
		t.Logf("expression problems: %s", f)
	}
}
