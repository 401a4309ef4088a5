package state

import (
	"fmt"

	"github.com/example/wf-engine/core/record"
)

// applyInstanceCreated keeps the traceparent of the request that created
// a process instance on the instance (PROCESS_INSTANCE_CREATION CREATED
// follows the process's ELEMENT_ACTIVATING).
func applyInstanceCreated(s *State, r *record.Record) error {
	v := r.Value.(*record.ProcessInstanceCreationValue)
	if v.TraceParent == "" {
		return nil
	}
	e := s.elements[v.ProcessInstanceKey]
	if e == nil {
		return fmt.Errorf("process instance %d does not exist", v.ProcessInstanceKey)
	}
	e.TraceParent = v.TraceParent
	s.markElement(e)
	return nil
}
