package rest

import (
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/example/wf-engine/core/engine"
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

// partitioned is an engine of several partitions (engine.Router).
type partitioned interface {
	Partitions() []*engine.Engine
}

// tick lets every partition that runs here run a batch at the new time, so
// that timers and deadlines that became due fire before the answer.
func (s *Server) tick(c *gin.Context) {
	ctx := c.Request.Context()
	p, ok := s.eng.(partitioned)
	if !ok || len(p.Partitions()) <= 1 {
		s.done(c, "", s.eng.Read(ctx, func(*state.State) {}))
		return
	}
	var errs []error
	for _, e := range p.Partitions() {
		errs = append(errs, e.Read(ctx, func(*state.State) {}))
	}
	s.done(c, "", errors.Join(errs...))
}
