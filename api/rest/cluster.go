package rest

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
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

// clusterTopology is an engine that runs some partitions of a store
// shared by several nodes (engine.Router with several nodes).
type clusterTopology interface {
	Brokers() ([]engine.Broker, bool)
	Count() int
}

func health(ok bool) string {
	if ok {
		return "healthy"
	}
	return "unhealthy"
}

func (s *Server) topology(c *gin.Context) {
	if t, ok := s.eng.(clusterTopology); ok {
		if brokers, ok := t.Brokers(); ok {
			s.nodesTopology(c, brokers, t.Count())
			return
		}
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

// nodesTopology lists every node on the store as a broker with the
// partitions it leads, numbered in node id order, as Camunda lists its
// brokers; a node that runs no partition is listed without any.
func (s *Server) nodesTopology(c *gin.Context, brokers []engine.Broker, partitions int) {
	out := make([]BrokerInfo, 0, len(brokers))
	for i, b := range brokers {
		host, port := s.cfg.Host, s.cfg.Port
		if u, err := url.Parse(b.Address); err == nil && u.Hostname() != "" {
			host = u.Hostname()
			if p, err := strconv.ParseInt(u.Port(), 10, 32); err == nil {
				port = int32(p)
			}
		}
		ps := make([]Partition, 0, len(b.Partitions))
		for _, p := range b.Partitions {
			ps = append(ps, Partition{PartitionID: p.Partition, Role: "leader", Health: health(p.Healthy)})
		}
		out = append(out, BrokerInfo{NodeID: int32(i), Host: host, Port: port, Version: compatVersion, Partitions: ps}) // #nosec G115 -- a few nodes
	}
	c.PureJSON(http.StatusOK, TopologyResponse{
		Brokers: out, ClusterSize: int32(len(out)), PartitionsCount: int32(partitions), ReplicationFactor: 1, // #nosec G115 -- at most 4,095 partitions
		GatewayVersion: compatVersion, LastCompletedChangeID: "-1",
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
