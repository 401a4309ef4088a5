package clustertest

import (
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

func httpClient(t *testing.T) *http.Client {
	tr := &http.Transport{MaxIdleConnsPerHost: 16}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// startNodes starts the nodes, the first one alone so that it takes the
// lease, and waits until every one is ready (the others as standbys).
func startNodes(t *testing.T, c *cluster, hc *http.Client, names ...string) []*node {
	t.Helper()
	var nodes []*node
	for i, name := range names {
		n := c.start(name)
		nodes = append(nodes, n)
		if i == 0 {
			n.ready(t, hc, 60*time.Second)
		}
	}
	for _, n := range nodes[1:] {
		n.ready(t, hc, 60*time.Second)
	}
	if h, epoch := c.waitHolder(t, "", 10*time.Second); h != nodes[0] {
		t.Fatalf("%s holds the lease (epoch %d), want %s, which started alone", h.name, epoch, names[0])
	}
	return nodes
}

// Issue 21 item 5: the lease holder dies (SIGKILL) under load sent through
// every node; a standby takes the lease over once it expires and the load
// resumes through every node. Every acknowledged instance and completion
// is in the database, none twice.
func TestStandbyTakesOverWhenTheHolderIsKilled(t *testing.T) {
	c := newCluster(t)
	hc := httpClient(t)
	nodes := startNodes(t, c, hc, "n1", "n2", "n3")
	cl := &client{hc: hc, nodes: nodes}
	cl.deploy(t, nodes[1], "ha.bpmn", haBPMN) // through a standby
	// A standby's answers are the holder's: the topology names the holder.
	// The holder refuses a hop header with a wrong secret.
	for _, tc := range []struct {
		n      *node
		hop    string
		status int
	}{{nodes[2], "", http.StatusOK}, {nodes[0], "not-the-secret", http.StatusForbidden}} {
		var headers []string
		if tc.hop != "" {
			headers = []string{"Wf-Cluster-Hop", tc.hop}
		}
		a, err := cl.do(tc.n, http.MethodGet, "/v2/topology", "", nil, headers...)
		if err != nil || a.status != tc.status {
			t.Fatalf("GET /v2/topology on %s (hop %q): %d %s (%v), want %d", tc.n.name, tc.hop, a.status, a.body, err, tc.status)
		}
	}
	l := &ledger{}
	stop := load(cl, l, 4)
	t.Cleanup(stop)
	waitCompletions(t, l, time.Time{}, 40, "load before the kill")

	_, epoch := c.waitHolder(t, "", time.Second)
	killed := time.Now()
	nodes[0].signal(t, syscall.SIGKILL)
	_ = nodes[0].waitExit(t, 10*time.Second)
	holder, next := c.waitHolder(t, "n1", 30*time.Second)
	seen := time.Now()
	waitCompletions(t, l, killed, 40, "load after the kill")
	stop()
	first, ok := l.firstAfter(killed)
	if !ok {
		t.Fatal("no command sent after the kill was acknowledged")
	}
	t.Logf("failover: SIGKILL of the holder n1 (epoch %d); %s held the lease (epoch %d) %v after the kill (polled); "+
		"first command accepted %v after the kill (through %s)", epoch, holder.name, next, seen.Sub(killed).Round(time.Millisecond),
		first.got.Sub(killed).Round(time.Millisecond), first.node)
	if next != epoch+1 {
		t.Errorf("the takeover's epoch is %d, want %d", next, epoch+1)
	}
	checkNothingLost(t, c.db, l)
}

// Issue 21 item 2: the holder is paused (SIGSTOP) past its lease while
// requests reach it; the other node takes the lease over and accepts
// commands; the paused node, continued (SIGCONT), stops the partition's
// engine (not the process): its renewal finds the lease lost, and any
// commit it still attempts is refused by the lease's epoch (counted in its
// log). Nothing acknowledged is lost or doubled, and the log's hash chain
// holds: no commit of the old epoch landed after the takeover. It goes on
// as a node that forwards to the new holder. Two partitions, one per node:
// the fencing is per partition (partition 1's lease and epoch here).
func TestPausedHolderIsFencedAfterATakeover(t *testing.T) {
	c := newCluster(t)
	c.partitions = 2
	hc := httpClient(t)
	nodes := startNodes(t, c, hc, "n1", "n2")
	c.waitSpread(t, 30*time.Second, "n1", "n2")
	cl := &client{hc: hc, nodes: nodes, timeout: 3 * time.Second}
	cl.deploy(t, nodes[0], "ha.bpmn", haBPMN)
	l := &ledger{}
	stop := load(cl, l, 4)
	t.Cleanup(stop)
	waitCompletions(t, l, time.Time{}, 30, "load before the pause")

	_, epoch := c.waitHolder(t, "", time.Second)
	paused := time.Now()
	nodes[0].signal(t, syscall.SIGSTOP)
	holder, next := c.waitHolder(t, "n1", 30*time.Second)
	tookOver := time.Now()
	if holder != nodes[1] || next != epoch+1 {
		t.Fatalf("%s took the lease with epoch %d, want n2 with %d", holder.name, next, epoch+1)
	}
	waitCompletions(t, l, tookOver, 10, "load on n2 while n1 is paused")
	continued := time.Now()
	nodes[0].signal(t, syscall.SIGCONT)
	if err := pollUntil(30*time.Second, func() error {
		if !strings.Contains(nodes[0].out.String(), `"msg":"this node no longer runs the partition","partition":1,"why":"lost"`) {
			return errNotYet
		}
		return nil
	}); err != nil {
		t.Fatalf("n1 after SIGCONT did not stop the partition's engine:\n%s", nodes[0].out.String())
	}
	out := nodes[0].out.String()
	if !strings.Contains(out, "lost the partition's lease") && !strings.Contains(out, "commit fenced") {
		t.Fatalf("n1 stopped the partition, but not for the lost lease:\n%s", out)
	}
	select {
	case <-nodes[0].exited:
		t.Fatalf("n1 exited (%v); want it to go on without the partition", nodes[0].err)
	default:
	}
	fenced := strings.Count(out, "commit fenced")
	if lost := metric(t, &client{hc: hc}, nodes[0], "wf_cluster_leases_lost_total"); lost != 1 {
		t.Errorf("n1 reports %v leases lost, want 1", lost)
	}
	if m := metric(t, &client{hc: hc}, nodes[0], "wf_cluster_fenced_commits_total"); m != float64(fenced) {
		t.Errorf("n1 reports %v fenced commits, its log %d", m, fenced)
	}
	t.Logf("pause: n1 (epoch %d) stopped its partition; n2 held the lease (epoch %d) %v after the pause; n1 continued after %v and stopped the partition within %v; "+
		"commits of n1 refused by the epoch check: %d", epoch, next, tookOver.Sub(paused).Round(time.Millisecond),
		continued.Sub(paused).Round(time.Millisecond), time.Since(continued).Round(time.Millisecond), fenced)
	waitCompletions(t, l, time.Now(), 20, "load after n1 stopped")

	// n1 goes on as a node that forwards to n2.
	nodes[0].ready(t, hc, 30*time.Second)
	if h, e := c.waitHolder(t, "", time.Second); h != nodes[1] || e != next {
		t.Fatalf("after n1 went on, %s holds epoch %d; want n2 with %d", h.name, e, next)
	}
	waitCompletions(t, l, time.Now(), 10, "load through both nodes after n1 went on")
	stop()
	checkNothingLostOn(t, c.db, c.partitions, l)
}

// Issue 21 item 5: every node is restarted in turn (SIGTERM, then started
// again) under load. A holder that stops releases its lease, so a standby
// takes over without waiting for the lease to expire; nothing
// acknowledged is lost or doubled.
func TestRollingRestartLosesNothing(t *testing.T) {
	c := newCluster(t)
	hc := httpClient(t)
	nodes := startNodes(t, c, hc, "n1", "n2", "n3")
	cl := &client{hc: hc, nodes: nodes}
	cl.deploy(t, nodes[2], "ha.bpmn", haBPMN)
	l := &ledger{}
	stop := load(cl, l, 4)
	t.Cleanup(stop)
	waitCompletions(t, l, time.Time{}, 30, "load before the restarts")
	for _, n := range nodes {
		h, epoch := c.waitHolder(t, "", 30*time.Second)
		stopping := time.Now()
		n.signal(t, syscall.SIGTERM)
		if err := n.waitExit(t, 30*time.Second); err != nil {
			t.Fatalf("%s after SIGTERM: %v\n%s", n.name, err, n.out.String())
		}
		exited := time.Now()
		if h == n {
			next, e := c.waitHolder(t, n.name, 30*time.Second)
			waitCompletions(t, l, exited, 1, "load after the holder stopped")
			first, _ := l.firstAfter(exited)
			t.Logf("restart of the holder %s (epoch %d): it stopped %v after SIGTERM; %s took over (epoch %d); "+
				"first command accepted %v after it exited", n.name, epoch, exited.Sub(stopping).Round(time.Millisecond), next.name, e,
				first.got.Sub(exited).Round(time.Millisecond))
		}
		c.start(n.name).ready(t, hc, 60*time.Second)
		waitCompletions(t, l, time.Now(), 10, "load after restarting "+n.name)
	}
	stop()
	checkNothingLost(t, c.db, l)
}
