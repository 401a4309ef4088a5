package conformance

import (
	"strings"
	"testing"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/model"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/elements/standard"
)

// TestMIWGReferenceModels deploys every MIWG reference model: each one
// deploys, or is rejected as invalid with its problems listed, and every
// element kind the engine does not run is named in the rejection. None may
// crash or fail any other way.
func TestMIWGReferenceModels(t *testing.T) {
	files := corpusFiles(t, "miwg/reference")
	if len(files) == 0 {
		t.Fatal("no MIWG reference models found")
	}
	reg := standard.Registry()
	var deployed, rejected int
	for _, path := range files {
		name := strings.TrimPrefix(path, corpusDir+"/")
		b, err := DeployFile(t, path)
		if err == nil {
			deployed++
			continue
		}
		rj, ok := engine.AsRejection(err)
		if !ok || rj.Type != record.RejectionInvalidArgument {
			t.Errorf("%s: want a deployment or an INVALID_ARGUMENT rejection, got %v", name, err)
			continue
		}
		rejected++
		defs, _ := model.Parse(strings.NewReader(string(b)))
		if defs == nil {
			continue
		}
		for _, p := range defs.Processes {
			if !p.Executable {
				continue
			}
			for _, el := range p.Elements {
				if _, known := reg.Handler(el.Kind); !known && !strings.Contains(rj.Reason, "unsupported element "+string(el.Kind)+" '"+el.ID+"'") {
					t.Errorf("%s: the rejection does not name unsupported element %s '%s'", name, el.Kind, el.ID)
				}
			}
		}
	}
	t.Logf("MIWG reference models: %d deployed, %d rejected with their problems named", deployed, rejected)
}
