package rest

import (
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/example/wf-engine/api/auth"
)

// LogLevelRequest is the body of PUT /v2/x/log-level.
type LogLevelRequest struct {
	Level string `json:"level"`
}

// logLevels are the levels PUT /v2/x/log-level accepts, as log.level names them.
var logLevels = map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError}

// setLogLevel changes the server's log level until the next change or
// restart (log.level is the level at start).
func (s *Server) setLogLevel(c *gin.Context) {
	if s.cfg.LogLevel == nil {
		writeProblem(c, http.StatusNotImplemented, "NOT_IMPLEMENTED", "This server's log level cannot be changed at run time")
		return
	}
	var req LogLevelRequest
	if !s.bind(c, &req, false) {
		return
	}
	level, ok := logLevels[req.Level]
	if !ok {
		s.fail(c, "", bindErrorf("level: expected debug, info, warn or error, got %q", req.Level))
		return
	}
	from := s.cfg.LogLevel.Level()
	s.cfg.LogLevel.Set(level)
	s.log.LogAttrs(c.Request.Context(), slog.LevelWarn, "log level changed", slog.String("from", from.String()),
		slog.String("to", level.String()), slog.String("principal", principalName(auth.FromContext(c.Request.Context()))))
	c.JSON(http.StatusOK, LogLevelRequest{Level: req.Level})
}
