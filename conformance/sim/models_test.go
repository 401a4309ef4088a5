package sim

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/example/wf-engine/core/record"
)

// corpusDir is the shared corpus beside the repository clone.
const corpusDir = "../../../shared/corpus"

// corpusFolders are the corpus folders whose models the workload deploys
// (the same the conformance corpus test runs).
var corpusFolders = []string{"lib-bpmn-engine", "zeebe-process-test", "camunda-js-sdk", "pyzeebe", "zeebe-spec"}

var (
	modelsOnce sync.Once
	modelFiles []record.Resource
	// modelIDs name modelFiles in scenario files: their paths from the
	// module's root ("corpus/..." for the corpus's), which, unlike their
	// names, no two share.
	modelIDs []string
)

// modelID is the name of the model file at path p (relative to this
// package) in scenario files: its path from the module's root, or from
// the shared folder beside it for the corpus's ("corpus/...").
func modelID(p string) string {
	return strings.TrimPrefix(path.Join("conformance/sim", filepath.ToSlash(p)), "../shared/")
}

// models returns the BPMN files a run deploys, in a fixed order: the
// project's own fixtures, then the corpus's when it exists (a run without
// it skips them).
func models() []record.Resource {
	modelsOnce.Do(func() {
		var paths []string
		for _, g := range []string{"../../core/engine/testdata/*.bpmn", "../testdata/*.bpmn", "../../elements/*/testdata/*.bpmn"} {
			m, _ := filepath.Glob(g)
			paths = append(paths, m...)
		}
		if _, err := os.Stat(corpusDir); err == nil {
			for _, f := range corpusFolders {
				_ = filepath.WalkDir(filepath.Join(corpusDir, f), func(p string, d fs.DirEntry, err error) error {
					if err != nil {
						if errors.Is(err, fs.ErrNotExist) {
							return nil
						}
						return err
					}
					if !d.IsDir() && strings.HasSuffix(p, ".bpmn") {
						paths = append(paths, p)
					}
					return nil
				})
			}
		}
		sort.Strings(paths)
		for _, p := range paths {
			b, err := os.ReadFile(p) // #nosec G304 -- test data path
			if err != nil {
				continue
			}
			modelFiles = append(modelFiles, record.Resource{Name: filepath.Base(p), Content: b})
			modelIDs = append(modelIDs, modelID(p))
		}
	})
	return modelFiles
}
