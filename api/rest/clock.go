package rest

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/example/wf-engine/core/state"
)

// clockDisabled answers the clock routes of a server whose engine clock
// cannot be controlled.
func clockDisabled(c *gin.Context) {
	writeProblem(c, http.StatusForbidden, "FORBIDDEN",
		"The engine clock cannot be controlled on this server: start it with clock.controllable=true "+
			"(WF_CLOCK_CONTROLLABLE=true or --clock.controllable) to use PUT /v2/clock and POST /v2/clock/reset")
}

func (s *Server) pinClock(c *gin.Context) {
	if s.cfg.Clock == nil {
		clockDisabled(c)
		return
	}
	var req ClockPinRequest
	if !s.bind(c, &req, false) {
		return
	}
	if req.Timestamp == nil || *req.Timestamp < 0 {
		s.fail(c, "", bindErrorf("timestamp: expected epoch milliseconds of at least 0"))
		return
	}
	s.cfg.Clock.Pin(time.UnixMilli(int64(*req.Timestamp)))
	s.tick(c)
}

func (s *Server) resetClock(c *gin.Context) {
	if s.cfg.Clock == nil {
		clockDisabled(c)
		return
	}
	s.cfg.Clock.Reset()
	s.tick(c)
}

// tick lets the partition run a batch at the new time, so that timers and
// deadlines that became due fire before the answer.
func (s *Server) tick(c *gin.Context) {
	s.done(c, "", s.eng.Read(c.Request.Context(), func(*state.State) {}))
}
