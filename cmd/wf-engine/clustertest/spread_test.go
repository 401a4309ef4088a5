package clustertest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/example/wf-engine/core/record"
)

// leaseHolders reads which node holds each partition's live lease.
func (c *cluster) leaseHolders(ctx context.Context) (map[int32]string, error) {
	conn, err := pgx.Connect(ctx, c.db)
	if err != nil {
		return nil, err
	}
	defer func() { _ = conn.Close(ctx) }()
	rows, err := conn.Query(ctx, "SELECT partition, node_id FROM partition_leases WHERE expires_at > now()")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int32]string{}
	for rows.Next() {
		var p int32
		var id string
		if err := rows.Scan(&p, &id); err != nil {
			return nil, err
		}
		out[p] = id
	}
	return out, rows.Err()
}

// waitSpread waits until every partition is held by one of names and each
// of them holds between floor and ceil of partitions / len(names).
func (c *cluster) waitSpread(t *testing.T, within time.Duration, names ...string) map[int32]string {
	t.Helper()
	var holders map[int32]string
	floor, ceil := c.partitions/len(names), (c.partitions+len(names)-1)/len(names)
	err := pollUntil(within, func() error {
		var err error
		if holders, err = c.leaseHolders(context.Background()); err != nil {
			return fmt.Errorf("%w: %w", err, errNotYet)
		}
		count := map[string]int{}
		for p := int32(1); int(p) <= c.partitions; p++ {
			id, ok := holders[p]
			if !ok {
				return fmt.Errorf("partition %d has no holder: %w", p, errNotYet)
			}
			count[id]++
		}
		for _, name := range names {
			if n := count[name]; n < floor || n > ceil {
				return fmt.Errorf("%s holds %d partitions (%v): %w", name, n, holders, errNotYet)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("the partitions did not spread over %v: %v", names, err)
	}
	return holders
}

// metric reads a metric of n's /metrics without labels; -1 when n does
// not report it.
func metric(t *testing.T, cl *client, n *node, name string) float64 {
	t.Helper()
	a, err := cl.do(n, http.MethodGet, "/metrics", "", nil)
	if err != nil || a.status != http.StatusOK {
		t.Fatalf("GET /metrics on %s: %d (%v)", n.name, a.status, err)
	}
	for _, line := range strings.Split(string(a.body), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s on %s: %q", name, n.name, line)
			}
			return f
		}
	}
	return -1
}

// firstOn is the first acknowledgement, of a command sent after t, of an
// instance on one of the partitions.
func (l *ledger) firstOn(t time.Time, partitions map[int32]bool) (ack, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var first ack
	found := false
	for _, list := range [][]ack{l.created, l.completed} {
		for _, a := range list {
			if a.sent.After(t) && partitions[record.Partition(a.instance)] && (!found || a.got.Before(first.got)) {
				first, found = a, true
			}
		}
	}
	return first, found
}

// checkTopology asks n for the topology until it lists every node as a
// broker and each partition led by the node that holds its lease, healthy
// (a node reads the leases every third of lease_ttl).
func checkTopology(t *testing.T, cl *client, n *node, holders map[int32]string, nodes []*node) {
	t.Helper()
	var last error
	if err := pollUntil(10*time.Second, func() error {
		last = topologyMismatch(cl, n, holders, nodes)
		if last != nil {
			return fmt.Errorf("%w: %w", last, errNotYet)
		}
		return nil
	}); err != nil {
		t.Fatalf("topology: %v", last)
	}
}

func topologyMismatch(cl *client, n *node, holders map[int32]string, nodes []*node) error {
	a, err := cl.do(n, http.MethodGet, "/v2/topology", "", nil)
	if err != nil {
		return fmt.Errorf("GET /v2/topology on %s: %w", n.name, err)
	}
	if a.status != http.StatusOK {
		return fmt.Errorf("GET /v2/topology on %s: %d %s", n.name, a.status, a.body)
	}
	var topo struct {
		Brokers []struct {
			NodeID     int32 `json:"nodeId"`
			Port       int   `json:"port"`
			Partitions []struct {
				PartitionID int32  `json:"partitionId"`
				Role        string `json:"role"`
				Health      string `json:"health"`
			} `json:"partitions"`
		} `json:"brokers"`
		ClusterSize     int `json:"clusterSize"`
		PartitionsCount int `json:"partitionsCount"`
	}
	if err := json.Unmarshal(a.body, &topo); err != nil {
		return err
	}
	byPort := map[int]string{}
	for _, x := range nodes {
		byPort[x.port] = x.name
	}
	if topo.ClusterSize != len(nodes) || len(topo.Brokers) != len(nodes) || topo.PartitionsCount != len(holders) {
		return fmt.Errorf("topology on %s: %s; want %d brokers and %d partitions", n.name, a.body, len(nodes), len(holders))
	}
	led := map[int32]string{}
	for _, b := range topo.Brokers {
		for _, p := range b.Partitions {
			if p.Role != "leader" || p.Health != "healthy" {
				return fmt.Errorf("topology on %s: partition %d of broker %d is %s and %s", n.name, p.PartitionID, b.NodeID, p.Role, p.Health)
			}
			led[p.PartitionID] = byPort[b.Port]
		}
	}
	for p, id := range holders {
		if led[p] != id {
			return fmt.Errorf("topology on %s: partition %d led by %q, but %s holds its lease (%s)", n.name, p, led[p], id, a.body)
		}
	}
	return nil
}

// Issue 21 items 2 and 5 with four partitions on three nodes: the leases
// spread (each node runs one or two partitions), every node takes every
// request and forwards what belongs to another node's partition, the
// topology lists every node with the partitions it leads; a node killed
// under load has its partitions taken over by the others, and every
// acknowledged instance and completion is in the database, none twice.
func TestPartitionsSpreadAndMoveWhenANodeIsKilled(t *testing.T) {
	c := newCluster(t)
	c.partitions = 4
	hc := httpClient(t)
	names := []string{"n1", "n2", "n3"}
	var nodes []*node
	for i, name := range names {
		nodes = append(nodes, c.start(name))
		if i == 0 {
			nodes[0].ready(t, hc, 60*time.Second)
		}
	}
	for _, n := range nodes[1:] {
		n.ready(t, hc, 60*time.Second)
	}
	holders := c.waitSpread(t, 30*time.Second, names...)
	cl := &client{hc: hc, nodes: nodes}
	checkTopology(t, cl, nodes[2], holders, nodes)
	cl.deploy(t, nodes[2], "ha.bpmn", haBPMN)
	l := &ledger{}
	stop := load(cl, l, 4)
	t.Cleanup(stop)
	waitCompletions(t, l, time.Time{}, 40, "load before the kill")
	perPartition := map[int32]int{}
	l.mu.Lock()
	for _, a := range l.created {
		perPartition[record.Partition(a.instance)]++
	}
	l.mu.Unlock()
	if len(perPartition) != c.partitions {
		t.Errorf("instances were created on partitions %v, want all %d", perPartition, c.partitions)
	}

	// Kill a node that runs two partitions.
	count := map[string][]int32{}
	for p, id := range holders {
		count[id] = append(count[id], p)
	}
	victim := nodes[0]
	for _, n := range nodes {
		if len(count[n.name]) == 2 {
			victim = n
			break
		}
	}
	moved := map[int32]bool{}
	for _, p := range count[victim.name] {
		moved[p] = true
	}
	killed := time.Now()
	victim.signal(t, syscall.SIGKILL)
	_ = victim.waitExit(t, 10*time.Second)
	var survivors []string
	var alive []*node
	for _, n := range nodes {
		if n != victim {
			survivors = append(survivors, n.name)
			alive = append(alive, n)
		}
	}
	tookOver := map[int32]time.Duration{}
	if err := pollUntil(30*time.Second, func() error {
		holders, err := c.leaseHolders(context.Background())
		if err != nil {
			return fmt.Errorf("%w: %w", err, errNotYet)
		}
		for p := range moved {
			if id, ok := holders[p]; ok && id != victim.name {
				if _, seen := tookOver[p]; !seen {
					tookOver[p] = time.Since(killed)
				}
			}
		}
		if len(tookOver) < len(moved) {
			return errNotYet
		}
		return nil
	}); err != nil {
		t.Fatalf("the partitions of %s were not taken over: %v", victim.name, err)
	}
	after := c.waitSpread(t, 30*time.Second, survivors...)
	taken := time.Now()
	if err := pollUntil(30*time.Second, func() error {
		if _, ok := l.firstOn(killed, moved); !ok {
			return errNotYet
		}
		return nil
	}); err != nil {
		t.Fatalf("no command on a partition of %s (%v) was accepted after the kill", victim.name, moved)
	}
	first, _ := l.firstOn(killed, moved)
	cl.mu.Lock()
	cl.nodes = alive
	cl.mu.Unlock()
	checkTopology(t, cl, alive[0], after, alive)
	for _, n := range alive {
		if held := metric(t, cl, n, "wf_cluster_partition_leases_held"); held != 2 {
			t.Errorf("%s reports %v partition leases held, want 2", n.name, held)
		}
	}
	for p := range moved {
		for _, n := range alive {
			if n.name == after[p] && metric(t, cl, n, "wf_cluster_lease_takeovers_total") < 2 {
				t.Errorf("%s took partition %d over but reports %v takeovers", n.name, p, metric(t, cl, n, "wf_cluster_lease_takeovers_total"))
			}
		}
	}
	waitCompletions(t, l, killed, 40, "load after the kill")
	stop()
	var ps []string
	for p := range moved {
		ps = append(ps, fmt.Sprint(p, "→", after[p], " after ", tookOver[p].Round(time.Millisecond)))
	}
	sort.Strings(ps)
	t.Logf("failover of partitions: SIGKILL of %s, which ran partitions %s (polled); the survivors held 2 partitions each %v after the kill; "+
		"first command on a moved partition accepted %v after the kill (through %s)", victim.name, strings.Join(ps, ", "),
		taken.Sub(killed).Round(time.Millisecond), first.got.Sub(killed).Round(time.Millisecond), first.node)
	checkNothingLostOn(t, c.db, c.partitions, l)
}

// Issue 21 item 5 with four partitions on three nodes: every node is
// restarted in turn (SIGTERM, then started again) under load. A node that
// stops hands its partitions over (their engines stop after the batch in
// flight, then the leases are released), the restarted node gets its share
// back, and nothing acknowledged is lost or doubled.
func TestRollingRestartOfPartitionedNodesLosesNothing(t *testing.T) {
	c := newCluster(t)
	c.partitions = 4
	hc := httpClient(t)
	names := []string{"n1", "n2", "n3"}
	var nodes []*node
	for _, name := range names {
		nodes = append(nodes, c.start(name))
	}
	for _, n := range nodes {
		n.ready(t, hc, 60*time.Second)
	}
	c.waitSpread(t, 30*time.Second, names...)
	cl := &client{hc: hc, nodes: nodes}
	cl.deploy(t, nodes[1], "ha.bpmn", haBPMN)
	l := &ledger{}
	stop := load(cl, l, 4)
	t.Cleanup(stop)
	waitCompletions(t, l, time.Time{}, 30, "load before the restarts")
	for _, n := range nodes {
		stopping := time.Now()
		n.signal(t, syscall.SIGTERM)
		if err := n.waitExit(t, 30*time.Second); err != nil {
			t.Fatalf("%s after SIGTERM: %v\n%s", n.name, err, n.out.String())
		}
		exited := time.Now()
		var others []string
		for _, name := range names {
			if name != n.name {
				others = append(others, name)
			}
		}
		c.waitSpread(t, 30*time.Second, others...)
		handed := time.Now()
		c.start(n.name).ready(t, hc, 60*time.Second)
		c.waitSpread(t, 30*time.Second, names...)
		t.Logf("restart of %s: stopped %v after SIGTERM; its partitions held by the others %v after it exited; back to its share %v after it exited",
			n.name, exited.Sub(stopping).Round(time.Millisecond), handed.Sub(exited).Round(time.Millisecond), time.Since(exited).Round(time.Millisecond))
		waitCompletions(t, l, time.Now(), 10, "load after restarting "+n.name)
	}
	stop()
	checkNothingLostOn(t, c.db, c.partitions, l)
}
