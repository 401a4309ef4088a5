package rest

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/example/wf-engine/core/engine"
)

func (s *Server) publishMessage(c *gin.Context) {
	var req MessagePublicationRequest
	if !s.bind(c, &req, false) {
		return
	}
	if int64(req.TimeToLive) > maxMillis {
		s.fail(c, "", bindErrorf("request property 'timeToLive': number must be at most %d (ms)", maxMillis))
		return
	}
	pr, err := s.messageRequest(c.Request.Context(), req.Name, req.CorrelationKey, req.TenantID, req.Variables)
	if err != nil {
		s.fail(c, "PUBLISH", err)
		return
	}
	pr.TimeToLive, pr.MessageID = time.Duration(req.TimeToLive)*time.Millisecond, req.MessageID
	msg, err := s.eng.PublishMessage(c.Request.Context(), pr)
	if err != nil {
		s.fail(c, "PUBLISH", err)
		return
	}
	c.PureJSON(http.StatusOK, MessagePublicationResult{MessageKey: Key(msg.Key), TenantID: pr.TenantID})
}

func (s *Server) correlateMessage(c *gin.Context) {
	var req MessageCorrelationRequest
	if !s.bind(c, &req, false) {
		return
	}
	pr, err := s.messageRequest(c.Request.Context(), req.Name, req.CorrelationKey, req.TenantID, req.Variables)
	if err != nil {
		s.fail(c, "CORRELATE", err)
		return
	}
	msg, err := s.eng.CorrelateMessage(c.Request.Context(), pr)
	if err != nil {
		s.fail(c, "CORRELATE", err)
		return
	}
	c.PureJSON(http.StatusOK, MessageCorrelationResult{MessageKey: Key(msg.Key), TenantID: pr.TenantID, ProcessInstanceKey: optKey(msg.ProcessInstanceKey)})
}

// messageRequest checks what publication and correlation share.
func (s *Server) messageRequest(ctx context.Context, name, correlationKey, tenant string, variables jsonText) (engine.PublishMessageRequest, error) {
	tenant, err := s.requestTenant(ctx, tenant)
	if err != nil {
		return engine.PublishMessageRequest{}, err
	}
	vars, err := s.variables(variables)
	if err != nil {
		return engine.PublishMessageRequest{}, err
	}
	return engine.PublishMessageRequest{Name: name, CorrelationKey: correlationKey, Variables: vars, TenantID: tenant}, nil
}
