package processtest

import (
	"context"
	"fmt"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
)

// ResolveIncident resolves the oldest open incident on an element, as an
// operator's "retry" does: a job incident's job first gets one retry back.
// Fix its cause first (Instance.SetVariables, say), or the engine raises
// the incident again. It fails the test, listing the open incidents, when
// there is none on the element.
func (e *Engine) ResolveIncident(elementID string) {
	e.t.Helper()
	doing := fmt.Sprintf("ResolveIncident(%q)", elementID)
	var incidentKey, jobKey int64
	var open []string
	e.read(func(s *state.State, _ []*record.Record) {
		for _, k := range s.IncidentKeys() {
			in := s.Incident(k)
			v := in.Value
			if v.ElementID == elementID && incidentKey == 0 {
				incidentKey = k
				if j := s.Job(v.JobKey); v.JobKey != 0 && j != nil && j.Value.Retries <= 0 {
					jobKey = v.JobKey
				}
			}
			open = append(open, fmt.Sprintf("%s: %s: %s (instance %d)", v.ElementID, v.ErrorType, v.ErrorMessage, v.ProcessInstanceKey))
		}
	})
	if incidentKey == 0 {
		e.t.Fatalf("processtest: %s: expected an open incident on %s, but there is none; open incidents: %s", doing, elementID, listOrNone(open))
		return
	}
	if jobKey != 0 {
		if err := e.eng.UpdateJobRetries(context.Background(), jobKey, 1); err != nil {
			e.refused(doing, err)
			return
		}
	}
	if err := e.eng.ResolveIncident(context.Background(), incidentKey); err != nil {
		e.refused(doing, err)
		return
	}
	e.Settle()
}
