package rest

import (
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
)

// ModifyProcessInstanceRequest is the body of a process instance
// modification, as Camunda 8.8 names it.
type ModifyProcessInstanceRequest struct {
	OperationReference    *int64                                 `json:"operationReference"`
	ActivateInstructions  []ProcessInstanceModificationActivate  `json:"activateInstructions"`
	TerminateInstructions []ProcessInstanceModificationTerminate `json:"terminateInstructions"`
}

// ProcessInstanceModificationActivate activates an element, optionally
// inside a chosen ancestor element instance (-1 or absent: none chosen).
type ProcessInstanceModificationActivate struct {
	ElementID                  string                      `json:"elementId"`
	AncestorElementInstanceKey *Key                        `json:"ancestorElementInstanceKey"`
	VariableInstructions       []ModifyVariableInstruction `json:"variableInstructions"`
}

// ModifyVariableInstruction sets variables on the scope of an activated
// element that ScopeID names ("" the process instance).
type ModifyVariableInstruction struct {
	Variables json.RawMessage `json:"variables"`
	ScopeID   string          `json:"scopeId"`
}

// ProcessInstanceModificationTerminate terminates an element instance.
type ProcessInstanceModificationTerminate struct {
	ElementInstanceKey Key `json:"elementInstanceKey"`
}

func (s *Server) modifyInstance(c *gin.Context) {
	key, ok := pathKey(c, "processInstanceKey")
	if !ok {
		return
	}
	var req ModifyProcessInstanceRequest
	if !s.bind(c, &req, false) {
		return
	}
	out := engine.ModifyInstanceRequest{ProcessInstanceKey: key}
	if req.OperationReference != nil {
		out.OperationReference = *req.OperationReference
	}
	for i, a := range req.ActivateInstructions {
		in := record.ActivateInstruction{ElementID: a.ElementID}
		if a.AncestorElementInstanceKey != nil && *a.AncestorElementInstanceKey != -1 {
			if *a.AncestorElementInstanceKey <= 0 {
				s.fail(c, "", bindErrorf("activateInstructions[%d].ancestorElementInstanceKey: expected a key or -1, got %d", i, *a.AncestorElementInstanceKey))
				return
			}
			in.AncestorScopeKey = int64(*a.AncestorElementInstanceKey)
		}
		for j, v := range a.VariableInstructions {
			vars, err := s.variables(v.Variables)
			if err == nil && vars == nil {
				err = bindErrorf("variables: expected a JSON object, but it is missing")
			}
			if err != nil {
				s.fail(c, "", bindErrorf("activateInstructions[%d].variableInstructions[%d].%v", i, j, err))
				return
			}
			in.VariableInstructions = append(in.VariableInstructions, record.VariableInstruction{Variables: vars, ScopeID: v.ScopeID})
		}
		out.Activate = append(out.Activate, in)
	}
	for i, t := range req.TerminateInstructions {
		if t.ElementInstanceKey <= 0 {
			s.fail(c, "", bindErrorf("terminateInstructions[%d].elementInstanceKey: expected a key, got %d", i, t.ElementInstanceKey))
			return
		}
		out.Terminate = append(out.Terminate, record.TerminateInstruction{ElementInstanceKey: int64(t.ElementInstanceKey)})
	}
	if err := s.eng.ModifyInstance(c.Request.Context(), out); err != nil {
		s.fail(c, "MODIFY", err)
		return
	}
	c.Status(http.StatusNoContent)
}
