package rest

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/store"
)

// compatVersion is the Camunda version whose API this server speaks.
const compatVersion = "8.8.0"

// partitionHealth is an engine that reports the health of each of its
// partitions (engine.Engine has one, engine.Router several).
type partitionHealth interface {
	Health() []engine.PartitionHealth
}

func (s *Server) topology(c *gin.Context) {
	health := func(ok bool) string {
		if ok {
			return "healthy"
		}
		return "unhealthy"
	}
	partitions := []Partition{{PartitionID: 1, Role: "leader", Health: health(s.eng.Ready())}}
	if h, ok := s.eng.(partitionHealth); ok {
		partitions = partitions[:0]
		for _, p := range h.Health() {
			partitions = append(partitions, Partition{PartitionID: p.Partition, Role: "leader", Health: health(p.Healthy)})
		}
	}
	c.PureJSON(http.StatusOK, TopologyResponse{
		Brokers: []BrokerInfo{{
			NodeID: 0, Host: s.cfg.Host, Port: s.cfg.Port, Version: compatVersion,
			Partitions: partitions,
		}},
		ClusterSize: 1, PartitionsCount: int32(len(partitions)), ReplicationFactor: 1, GatewayVersion: compatVersion, LastCompletedChangeID: "-1", // #nosec G115 -- at most 4,095 partitions
	})
}

func (s *Server) status(c *gin.Context) {
	if !s.eng.Ready() {
		c.Status(http.StatusServiceUnavailable)
		return
	}
	c.Status(http.StatusNoContent)
}

// LicenseResponse is the answer to GET /v2/license.
type LicenseResponse struct {
	ValidLicense bool   `json:"validLicense"`
	LicenseType  string `json:"licenseType"`
	IsCommercial bool   `json:"isCommercial"`
}

// license answers as Camunda 8.8 does when it has no license key: wf-engine
// holds no Camunda license. expiresAt is omitted (no license expires).
func (s *Server) license(c *gin.Context) {
	c.PureJSON(http.StatusOK, LicenseResponse{ValidLicense: false, LicenseType: "unknown", IsCommercial: false})
}

func (s *Server) healthz(c *gin.Context) {
	c.PureJSON(http.StatusOK, gin.H{"status": "UP"})
}

// readyz reports ready when the processor runs with a writable store and
// the store answers a read.
func (s *Server) readyz(c *gin.Context) {
	if !s.eng.Ready() {
		c.PureJSON(http.StatusServiceUnavailable, gin.H{"status": "DOWN", "reason": "the engine is not processing commands (store not writable or processor stopped)"})
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if _, err := s.q.SearchProcessDefinitions(ctx, store.Query{Limit: 1}); err != nil {
		c.PureJSON(http.StatusServiceUnavailable, gin.H{"status": "DOWN", "reason": "the store does not answer reads"})
		return
	}
	c.PureJSON(http.StatusOK, gin.H{"status": "UP"})
}

func (s *Server) serveMetrics(c *gin.Context) {
	if s.metrics == nil {
		notFound(c, "metrics are turned off")
		return
	}
	promhttp.HandlerFor(s.metrics.Registry, promhttp.HandlerOpts{}).ServeHTTP(c.Writer, c.Request)
}
