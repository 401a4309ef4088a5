package client

import (
	"context"
	"net/http"
)

// Topology describes the cluster: wf-engine is one node with one
// partition.
type Topology struct {
	Brokers               []Broker `json:"brokers"`
	ClusterSize           int32    `json:"clusterSize"`
	PartitionsCount       int32    `json:"partitionsCount"`
	ReplicationFactor     int32    `json:"replicationFactor"`
	GatewayVersion        string   `json:"gatewayVersion"`
	LastCompletedChangeID string   `json:"lastCompletedChangeId"`
}

// Broker is one node of the cluster.
type Broker struct {
	NodeID     int32       `json:"nodeId"`
	Host       string      `json:"host"`
	Port       int32       `json:"port"`
	Partitions []Partition `json:"partitions"`
	Version    string      `json:"version"`
}

// Partition is one partition of a node. Role is leader, follower or
// inactive; Health is healthy, unhealthy or dead.
type Partition struct {
	PartitionID int32  `json:"partitionId"`
	Role        string `json:"role"`
	Health      string `json:"health"`
}

// Topology returns the cluster topology (GET /v2/topology).
func (c *Client) Topology(ctx context.Context) (*Topology, error) {
	var out Topology
	if err := c.doJSON(ctx, call{method: http.MethodGet, path: "/v2/topology", retry: retrySafe}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Status reports whether the engine processes commands (GET /v2/status):
// true when it does, false when it answers 503. It does not retry a 503,
// so it suits readiness loops.
func (c *Client) Status(ctx context.Context) (bool, error) {
	_, err := c.send(ctx, call{method: http.MethodGet, path: "/v2/status", retry: retryNever})
	switch {
	case err == nil:
		return true, nil
	case IsStatus(err, http.StatusServiceUnavailable):
		return false, nil
	}
	return false, err
}
