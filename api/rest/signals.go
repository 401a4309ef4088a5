package rest

import (
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/example/wf-engine/core/engine"
)

// SignalBroadcastRequest is the body of POST /v2/signals/broadcast.
type SignalBroadcastRequest struct {
	SignalName string          `json:"signalName"`
	Variables  json.RawMessage `json:"variables"`
	TenantID   string          `json:"tenantId"`
}

// SignalBroadcastResult is the answer to POST /v2/signals/broadcast.
type SignalBroadcastResult struct {
	SignalKey Key    `json:"signalKey"`
	TenantID  string `json:"tenantId"`
}

// broadcastSignal broadcasts a signal to every signal subscription of its
// tenant open now: catch and boundary events of running instances and the
// start events of the latest process versions. Nothing is buffered.
func (s *Server) broadcastSignal(c *gin.Context) {
	var req SignalBroadcastRequest
	if !s.bind(c, &req, false) {
		return
	}
	tenant, err := s.requestTenant(c.Request.Context(), req.TenantID)
	if err != nil {
		s.fail(c, "BROADCAST", err)
		return
	}
	vars, err := s.variables(req.Variables)
	if err != nil {
		s.fail(c, "BROADCAST", err)
		return
	}
	sig, err := s.eng.BroadcastSignal(c.Request.Context(), engine.BroadcastSignalRequest{SignalName: req.SignalName, Variables: vars, TenantID: tenant})
	if err != nil {
		s.fail(c, "BROADCAST", err)
		return
	}
	c.PureJSON(http.StatusOK, SignalBroadcastResult{SignalKey: Key(sig.Key), TenantID: sig.TenantID})
}
