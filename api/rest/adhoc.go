package rest

import (
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
)

// AdHocSubProcessActivateActivitiesInstruction is the body of Camunda
// 8.8's activateAdHocSubProcessActivities.
type AdHocSubProcessActivateActivitiesInstruction struct {
	Elements []AdHocSubProcessActivateActivityReference `json:"elements"`
	// CancelRemainingInstances is accepted as false only (Camunda's
	// clients send the default).
	CancelRemainingInstances *bool `json:"cancelRemainingInstances"`
}

// AdHocSubProcessActivateActivityReference names an inner element to
// activate, with variables local to its new instance.
type AdHocSubProcessActivateActivityReference struct {
	ElementID string          `json:"elementId"`
	Variables json.RawMessage `json:"variables"`
}

func (s *Server) activateAdHocActivities(c *gin.Context) {
	key, ok := pathKey(c, "adHocSubProcessInstanceKey")
	if !ok {
		return
	}
	var req AdHocSubProcessActivateActivitiesInstruction
	if !s.bind(c, &req, false) {
		return
	}
	if req.CancelRemainingInstances != nil && *req.CancelRemainingInstances {
		s.fail(c, "", bindErrorf("cancelRemainingInstances: true is not supported: the ad-hoc subprocess's completion condition and cancelRemainingInstances decide"))
		return
	}
	out := engine.ActivateChildrenRequest{ContainerKey: key}
	for i, e := range req.Elements {
		vars, err := s.variables(e.Variables)
		if err != nil {
			s.fail(c, "", bindErrorf("elements[%d].%v", i, err))
			return
		}
		out.Elements = append(out.Elements, record.AdHocActivateElement{ElementID: e.ElementID, Variables: vars})
	}
	if err := s.eng.ActivateChildren(c.Request.Context(), out); err != nil {
		s.fail(c, "ACTIVATE", err)
		return
	}
	c.Status(http.StatusNoContent)
}
