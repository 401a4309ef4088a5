package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/example/wf-engine/core/store"
)

// Live engine nodes (migration 37): every node heartbeats its row, so that
// the nodes spread the partition leases evenly over the live ones.
const (
	// heartbeatNode inserts or extends this node's row.
	heartbeatNode = `INSERT INTO cluster_nodes (node_id, address, expires_at)
VALUES ($1, $2, now() + make_interval(secs => $3::float8))
ON CONFLICT (node_id) DO UPDATE SET address = excluded.address, expires_at = excluded.expires_at`
	// forgetNodes deletes the rows of nodes gone for an hour.
	forgetNodes = `DELETE FROM cluster_nodes WHERE expires_at < now() - interval '1 hour'`
	// leaveNode expires this node's row at once.
	leaveNode = `UPDATE cluster_nodes SET expires_at = to_timestamp(0) WHERE node_id = $1`
	// readNodes reads the live nodes.
	readNodes = `SELECT node_id, address FROM cluster_nodes WHERE expires_at > now() ORDER BY node_id`
	// readLeases reads every partition's lease.
	readLeases = `SELECT partition, node_id, epoch, address, GREATEST(EXTRACT(EPOCH FROM expires_at - now()), 0)::float8
FROM partition_leases ORDER BY partition`
)

// Heartbeat implements store.Nodes.
func (l *Leases) Heartbeat(ctx context.Context, n store.Node, ttl time.Duration) error {
	if _, err := l.pool.Exec(ctx, heartbeatNode, n.NodeID, n.Address, ttl.Seconds()); err != nil {
		return fmt.Errorf("heartbeat of node %s in postgres at %s: %w", n.NodeID, l.host, err)
	}
	if _, err := l.pool.Exec(ctx, forgetNodes); err != nil {
		return fmt.Errorf("forget nodes gone for long in postgres at %s: %w", l.host, err)
	}
	return nil
}

// Leave implements store.Nodes.
func (l *Leases) Leave(ctx context.Context, nodeID string) error {
	if _, err := l.pool.Exec(ctx, leaveNode, nodeID); err != nil {
		return fmt.Errorf("leave as node %s in postgres at %s: %w", nodeID, l.host, err)
	}
	return nil
}

// LiveNodes implements store.Nodes.
func (l *Leases) LiveNodes(ctx context.Context) ([]store.Node, error) {
	rows, err := l.pool.Query(ctx, readNodes)
	if err != nil {
		return nil, fmt.Errorf("read the live nodes in postgres at %s: %w", l.host, err)
	}
	defer rows.Close()
	var out []store.Node
	for rows.Next() {
		var n store.Node
		if err := rows.Scan(&n.NodeID, &n.Address); err != nil {
			return nil, fmt.Errorf("read the live nodes in postgres at %s: %w", l.host, err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the live nodes in postgres at %s: %w", l.host, err)
	}
	return out, nil
}

// ReadLeases implements store.Nodes.
func (l *Leases) ReadLeases(ctx context.Context) ([]store.Lease, error) {
	rows, err := l.pool.Query(ctx, readLeases)
	if err != nil {
		return nil, fmt.Errorf("read the partition leases in postgres at %s: %w", l.host, err)
	}
	defer rows.Close()
	var out []store.Lease
	for rows.Next() {
		var r store.Lease
		var remaining float64
		if err := rows.Scan(&r.Partition, &r.NodeID, &r.Epoch, &r.Address, &remaining); err != nil {
			return nil, fmt.Errorf("read the partition leases in postgres at %s: %w", l.host, err)
		}
		r.Remaining = seconds(remaining)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the partition leases in postgres at %s: %w", l.host, err)
	}
	return out, nil
}

// Interface guards
var _ store.Nodes = (*Leases)(nil)
