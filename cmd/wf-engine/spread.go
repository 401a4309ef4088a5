package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/example/wf-engine/api/forward"
	"github.com/example/wf-engine/api/telemetry"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/lease"
	"github.com/example/wf-engine/core/store"
)

// Partition leases spread over the live nodes (issue 21 item 2, docs/ha.md
// "Several engine nodes"). Every node heartbeats in the store and looks at
// every partition's lease every third of lease_ttl (and right after a
// lease's expiry when that comes sooner). A node holds at most its fair
// share, ceil(partitions / live nodes): it takes free, expired or released
// leases up to it, and hands a partition over (stops its engine after the
// batch in flight, then releases the lease) when it holds more, or when
// another live node holds less than partitions / live nodes and this node
// holds the most. Each lease has its own epoch fencing its partition's
// commits; a node that loses one lease stops that partition's engine and
// may take it again later.

// keeperConfig configures a node's leases.
type keeperConfig struct {
	Leaser store.Leaser
	Nodes  store.Nodes
	// Self is this node: its id, address and the leases' time to live.
	Self store.LeaseClaim
	// Partitions is the store's partition count.
	Partitions int32
	// Fencer returns the store partition p's engine commits through.
	Fencer func(p int32) (store.Fencer, error)
	Logger *slog.Logger
}

// keeper takes, keeps, hands over and gives up a node's partition leases.
type keeper struct {
	cfg keeperConfig
	// leases is every partition's lease as last read, [p-1].
	leases atomic.Pointer[[]store.Lease]
	// nodes is the live nodes as last read.
	nodes atomic.Pointer[[]store.Node]
	lostc chan int32    // a partition whose lease was lost
	held1 chan struct{} // closed at the end of the first look that held a partition
	once  sync.Once

	mu   sync.Mutex
	held map[int32]*heldPartition
	// cooldown holds the partitions handed over lately, until when this
	// node does not take them back: the node that joined takes them.
	cooldown map[int32]time.Time
	// router and start are set by serve: until then the node holds
	// leases but runs no engine.
	router *engine.Router
	start  func(ctx context.Context, p int32) (*engine.Engine, error)
	// secret and client carry the nodes' own requests (distribution).
	secret string
	client *http.Client

	fenced, takeovers, handovers, lost atomic.Int64
	stop                               context.CancelFunc
	done                               chan struct{}
}

type heldPartition struct {
	held     *lease.Held
	stopKeep context.CancelFunc
	kept     chan struct{}
	engine   *engine.Engine
	starting bool // its engine is being started
}

func newKeeper(cfg keeperConfig) *keeper {
	k := &keeper{cfg: cfg, lostc: make(chan int32, cfg.Partitions), held1: make(chan struct{}), held: map[int32]*heldPartition{}, cooldown: map[int32]time.Time{}}
	none := make([]store.Lease, cfg.Partitions)
	k.leases.Store(&none)
	k.nodes.Store(&[]store.Node{})
	return k
}

// run starts the keeper's loop; it ends with leave.
func (k *keeper) run() {
	ctx, stop := context.WithCancel(context.Background())
	k.stop, k.done = stop, make(chan struct{})
	go func() {
		defer close(k.done)
		for {
			wait := k.tick(ctx)
			select {
			case <-ctx.Done():
				return
			case p := <-k.lostc:
				if k.drop(p, "lost") { // once, though the renewal and a fenced commit may both report it
					k.lost.Add(1)
				}
			case <-time.After(wait):
			}
		}
	}()
}

// waitHeld waits until the node holds a partition's lease, and every lease
// the look that took it took.
func (k *keeper) waitHeld(ctx context.Context) error {
	select {
	case <-k.held1:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// owner returns partition p's lease as last read.
func (k *keeper) owner(p int32) (store.Lease, bool) {
	ls := *k.leases.Load()
	if p < 1 || int(p) > len(ls) || ls[p-1].NodeID == "" {
		return store.Lease{}, false
	}
	return ls[p-1], true
}

// runs reports whether partition p's engine serves here.
func (k *keeper) runs(p int32) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	h := k.held[p]
	return h != nil && h.engine != nil
}

// serve starts an engine for every partition held and from now on for
// every partition taken, attaching them to r.
func (k *keeper) serve(ctx context.Context, r *engine.Router, start func(ctx context.Context, p int32) (*engine.Engine, error)) error {
	r.SetOwners(func(p int32) (engine.Owner, bool) {
		l, ok := k.owner(p)
		if !ok || !l.Live() {
			return engine.Owner{}, false
		}
		return engine.Owner{NodeID: l.NodeID, Address: l.Address}, true
	})
	r.SetBrokers(k.brokers)
	k.mu.Lock()
	k.router, k.start = r, start
	var ps []int32
	for p := range k.held {
		ps = append(ps, p)
	}
	k.mu.Unlock()
	sort.Slice(ps, func(i, j int) bool { return ps[i] < ps[j] })
	for _, p := range ps {
		if err := k.startEngine(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

// startEngine starts and attaches partition p's engine, when the node
// serves.
func (k *keeper) startEngine(ctx context.Context, p int32) error {
	k.mu.Lock()
	h, r, start := k.held[p], k.router, k.start
	if h == nil || r == nil || h.engine != nil || h.starting {
		k.mu.Unlock()
		return nil
	}
	h.starting = true
	k.mu.Unlock()
	e, err := start(ctx, p)
	if err == nil {
		err = r.Attach(ctx, e)
		if err != nil {
			_ = e.Close()
		}
	}
	if err == nil {
		// Attached, partition 1's node's changes reach it; caught up, it
		// has what changed while it loaded. Only then does the front send
		// it requests (runs): a create before would not find a definition
		// deployed meanwhile.
		k.catchUp(ctx, r, p)
	}
	k.mu.Lock()
	h.starting = false
	dropped := k.held[p] != h // lost or handed over while it started
	if err == nil && !dropped {
		h.engine = e
	}
	k.mu.Unlock()
	if err != nil {
		return fmt.Errorf("start partition %d: %w", p, err)
	}
	if dropped {
		r.Detach(p)
		_ = e.Close()
	}
	return nil
}

// catchUp brings partition 1's definitions and tenants to partition p,
// which started here: from partition 1's node, when it runs elsewhere
// (the partition's state loaded them from the shared rows, but a change
// committed meanwhile may have been sent to this node before p's engine
// ran); to every other node when p is partition 1.
func (k *keeper) catchUp(ctx context.Context, r *engine.Router, p int32) {
	if k.client == nil || k.cfg.Partitions == 1 {
		return
	}
	if p == 1 {
		k.distributeToOthers(r)(ctx)
		return
	}
	if r.Where(1).Local != nil {
		return // Attach brought it up to date
	}
	l, ok := k.owner(1)
	if !ok || !l.Live() {
		return // partition 1's next node distributes when it starts
	}
	body, err := getClusterState(ctx, k.client, l.Address, k.secret)
	if err == nil {
		err = r.ApplyClusterState(ctx, body)
	}
	if err != nil {
		k.cfg.Logger.Warn("bring the partition up to date with partition 1's definitions and tenants", "partition", p, "error", err)
		return
	}
	k.cfg.Logger.Info("brought the partition up to date with partition 1's definitions and tenants", "partition", p, "from", l.NodeID, "bytes", len(body))
}

// tick heartbeats, reads the leases, takes or hands over at most what the
// fair share says, and returns when to look again.
func (k *keeper) tick(ctx context.Context) time.Duration {
	ttl := k.cfg.Self.TTL
	every := lease.RenewEvery(ttl)
	cctx, cancel := context.WithTimeout(ctx, every)
	defer cancel()
	self := store.Node{NodeID: k.cfg.Self.NodeID, Address: k.cfg.Self.Address}
	if err := k.cfg.Nodes.Heartbeat(cctx, self, ttl); err != nil {
		k.cfg.Logger.Warn("heartbeat of this node", "error", err)
		return every / 3
	}
	live, err := k.cfg.Nodes.LiveNodes(cctx)
	if err != nil {
		k.cfg.Logger.Warn("read the live nodes", "error", err)
		return every / 3
	}
	read, err := k.cfg.Nodes.ReadLeases(cctx)
	if err != nil {
		k.cfg.Logger.Warn("read the partition leases", "error", err)
		return every / 3
	}
	ls := make([]store.Lease, k.cfg.Partitions)
	for _, l := range read {
		if l.Partition >= 1 && l.Partition <= k.cfg.Partitions {
			ls[l.Partition-1] = l
		}
	}
	k.leases.Store(&ls)
	k.nodes.Store(&live)
	k.mu.Lock()
	for p := range k.cooldown {
		if l := ls[p-1]; l.Live() && l.NodeID != self.NodeID {
			delete(k.cooldown, p) // another node took it: should it die, this node may take it at once
		}
	}
	k.mu.Unlock()
	plan := spread(k.cfg.Partitions, self.NodeID, live, ls)
	switch {
	case plan.handOver > 0:
		k.handOver(plan.handOver)
		return every / 3
	case plan.take > 0:
		k.take(ctx, plan.take, ls)
	}
	k.mu.Lock()
	holds := len(k.held) > 0
	k.mu.Unlock()
	if holds {
		// Every lease this look took is held: a node that starts serves
		// all of them at once (waitHeld).
		k.once.Do(func() { close(k.held1) })
	}
	wait := every
	for _, l := range ls {
		if l.NodeID != "" && l.NodeID != self.NodeID && l.Live() && l.Remaining+20*time.Millisecond < wait {
			wait = l.Remaining + 20*time.Millisecond
		}
	}
	return wait
}

// plan is what a node does at a look: take up to take leases, or hand
// partition handOver over.
type plan struct {
	take     int
	handOver int32
}

// spread decides, from the live nodes and every partition's lease, what
// node self does: hold at most ceil(n / live) partitions, hand one over
// when it holds more, or when another node holds less than n / live and
// self holds more than that and the most (ties: the lowest id hands over).
func spread(n int32, self string, live []store.Node, ls []store.Lease) plan {
	count := map[string]int{self: 0}
	for _, node := range live {
		count[node.NodeID] = 0
	}
	var mine []int32
	for _, l := range ls {
		if !l.Live() {
			continue
		}
		if _, ok := count[l.NodeID]; ok {
			count[l.NodeID]++
		}
		if l.NodeID == self {
			mine = append(mine, l.Partition)
		}
	}
	nodes := len(count)
	ceil, floor := (int(n)+nodes-1)/nodes, int(n)/nodes
	held := count[self]
	starved, most := false, true // starved: another node holds less than floor
	for id, c := range count {
		if id == self {
			continue
		}
		if c < floor {
			starved = true
		}
		if c > held || c == held && id < self {
			most = false
		}
	}
	switch {
	case held > ceil || starved && held > floor && most:
		sort.Slice(mine, func(i, j int) bool { return mine[i] > mine[j] })
		return plan{handOver: mine[0]}
	case held < ceil:
		// Also while another node is starved: it may be a node that died
		// (its heartbeat not yet expired); a partition handed over is not
		// taken back for a while (keeper.cooldown), so a node that joined
		// gets it.
		return plan{take: ceil - held}
	}
	return plan{}
}

// take tries up to want free, expired or released leases, from a
// partition that depends on the node's id (so that nodes starting at once
// try different ones first).
func (k *keeper) take(ctx context.Context, want int, ls []store.Lease) {
	n := k.cfg.Partitions
	var h uint32
	for _, c := range []byte(k.cfg.Self.NodeID) {
		h = h*31 + uint32(c)
	}
	first := int32(h % uint32(n)) // #nosec G115 -- n is 1..4095
	for i := range n {
		if want == 0 {
			return
		}
		p := (first+i)%n + 1
		if l := ls[p-1]; l.Live() {
			continue
		}
		k.mu.Lock()
		_, have := k.held[p]
		cooling := time.Now().Before(k.cooldown[p])
		k.mu.Unlock()
		if have || cooling {
			continue
		}
		claim := k.cfg.Self
		claim.Partition = p
		held, _, err := lease.TryAcquire(ctx, lease.Config{Leaser: k.cfg.Leaser, Claim: claim, Logger: k.cfg.Logger})
		if err != nil {
			k.cfg.Logger.Warn("take the partition's lease", "partition", p, "error", err)
			continue
		}
		if held == nil {
			continue
		}
		if err := k.hold(ctx, p, held); err != nil {
			k.cfg.Logger.Error("start the partition after taking its lease; giving it up", "partition", p, "error", err)
			k.drop(p, "failed")
			continue
		}
		want--
	}
}

// hold fences partition p's commits by the held lease's epoch, keeps the
// lease and starts the engine when the node serves.
func (k *keeper) hold(ctx context.Context, p int32, held *lease.Held) error {
	l := held.Lease()
	f, err := k.cfg.Fencer(p)
	if err != nil {
		release(held)
		return err
	}
	f.FenceCommits(p, l.Epoch)
	keepCtx, stop := context.WithCancel(context.Background())
	h := &heldPartition{held: held, stopKeep: stop, kept: make(chan struct{})}
	k.mu.Lock()
	k.held[p] = h
	k.mu.Unlock()
	go func() {
		defer close(h.kept)
		if err := held.Keep(keepCtx); err != nil {
			k.cfg.Logger.Error("this node lost the partition's lease and stops its engine", "partition", p, "error", err)
			k.lostc <- p
		}
	}()
	ls := *k.leases.Load()
	next := append([]store.Lease(nil), ls...)
	next[p-1] = l
	k.leases.Store(&next)
	k.takeovers.Add(1)
	k.cfg.Logger.Info("this node runs the partition", "partition", p, "epoch", l.Epoch, "node_id", l.NodeID, "advertise_address", l.Address)
	return k.startEngine(ctx, p)
}

// release gives up a lease that was taken but never kept.
func release(held *lease.Held) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_ = held.Keep(ctx) // a stopped Keep releases the lease
}

// handOver stops partition p's engine after its batch in flight and then
// releases its lease, so that another node takes it over at once.
func (k *keeper) handOver(p int32) {
	k.handovers.Add(1)
	k.mu.Lock()
	k.cooldown[p] = time.Now().Add(2 * k.cfg.Self.TTL)
	k.mu.Unlock()
	k.cfg.Logger.Info("handing the partition over to spread partitions evenly over the live nodes", "partition", p)
	k.drop(p, "handed over")
}

// drop stops partition p's engine and its lease's renewal (which releases
// the lease when it is still this node's), and reports whether the node
// held p.
func (k *keeper) drop(p int32, why string) bool {
	k.mu.Lock()
	h := k.held[p]
	delete(k.held, p)
	r := k.router
	k.mu.Unlock()
	if h == nil {
		return false
	}
	if r != nil {
		r.Detach(p)
	}
	if h.engine != nil {
		if err := h.engine.Close(); err != nil {
			k.cfg.Logger.Warn("stop the partition's engine", "partition", p, "error", err)
		}
	}
	h.stopKeep()
	<-h.kept
	ls := *k.leases.Load()
	next := append([]store.Lease(nil), ls...)
	next[p-1].Remaining = 0
	k.leases.Store(&next)
	k.cfg.Logger.Info("this node no longer runs the partition", "partition", p, "why", why)
	return true
}

// observeCommit is partition p's engine's OnCommit hook: a commit the
// store refused by the lease's epoch proves that another node holds it.
func (k *keeper) observeCommit(p int32) func(*store.Batch, time.Duration, error) {
	return func(_ *store.Batch, _ time.Duration, err error) {
		if !errors.Is(err, store.ErrLeaseLost) {
			return
		}
		count := k.fenced.Add(1)
		k.cfg.Logger.Error("commit fenced: another node took the partition's lease over; stopping the partition", "partition", p,
			"fenced_commits", count)
		select {
		case k.lostc <- p:
		default:
		}
	}
}

// leave stops the loop, stops every partition's engine and releases
// every lease, and records the node as gone.
func (k *keeper) leave() {
	if k.stop != nil {
		k.stop()
		<-k.done
	}
	k.mu.Lock()
	var ps []int32
	for p := range k.held {
		ps = append(ps, p)
	}
	k.mu.Unlock()
	for _, p := range ps {
		k.drop(p, "the node stops")
	}
	ctx, cancel := context.WithTimeout(context.Background(), lease.RenewEvery(k.cfg.Self.TTL))
	defer cancel()
	if err := k.cfg.Nodes.Leave(ctx, k.cfg.Self.NodeID); err != nil {
		k.cfg.Logger.Warn("record this node as gone", "error", err)
	}
}

// clusterStatePath is the internal route a node that runs partition 1
// sends its definitions and tenants to, for the partitions the receiving
// node runs (engine.Router.ApplyClusterState).
const clusterStatePath = forward.InternalPrefix + "cluster-state"

// internal serves the nodes' own routes (only over the hop: the front
// checks the cluster's secret).
func (k *keeper) internal() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+clusterStatePath, func(w http.ResponseWriter, r *http.Request) {
		k.mu.Lock()
		router := k.router
		k.mu.Unlock()
		if router == nil {
			http.Error(w, "this node runs no partition yet", http.StatusServiceUnavailable)
			return
		}
		body, err := router.ExportClusterState(r.Context())
		if err != nil {
			http.Error(w, "partition 1 does not run here", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
	mux.HandleFunc("POST "+clusterStatePath, func(w http.ResponseWriter, r *http.Request) {
		k.mu.Lock()
		router := k.router
		k.mu.Unlock()
		if router == nil {
			http.Error(w, "this node runs no partition yet", http.StatusServiceUnavailable)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 256<<20))
		if err == nil {
			err = router.ApplyClusterState(r.Context(), body)
		}
		if err != nil {
			k.cfg.Logger.Warn("apply partition 1's definitions and tenants sent by its node", "error", err)
			http.Error(w, "not applied", http.StatusServiceUnavailable)
			return
		}
		k.cfg.Logger.Info("applied partition 1's definitions and tenants sent by its node", "partitions_here", len(router.Partitions()), "bytes", len(body))
		w.WriteHeader(http.StatusNoContent)
	})
	return mux
}

// distributeToOthers sends partition 1's definitions and tenants to every
// other live node (as the store knows them now, not at the last look);
// router.SetDistributed runs it after a change on partition 1 reached the
// partitions here. A partition that starts later asks partition 1's node
// itself (catchUp).
func (k *keeper) distributeToOthers(r *engine.Router) func(ctx context.Context) {
	return func(ctx context.Context) {
		body, err := r.ExportClusterState(ctx)
		if err != nil {
			k.cfg.Logger.Warn("read partition 1's definitions and tenants to distribute them to the other nodes", "error", err)
			return
		}
		nodes, err := k.cfg.Nodes.LiveNodes(ctx)
		if err != nil {
			nodes = *k.nodes.Load()
		}
		for _, l := range nodes {
			if l.NodeID == k.cfg.Self.NodeID {
				continue
			}
			if err := postClusterState(ctx, k.client, l.Address, k.secret, body); err != nil {
				k.cfg.Logger.Warn("distribute partition 1's definitions and tenants to another node; its partitions get them from the shared rows when they next start",
					"node_id", l.NodeID, "error", err)
			}
		}
	}
}

func getClusterState(ctx context.Context, client *http.Client, address, secret string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(address, "/")+clusterStatePath, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set(forward.HopHeader, secret)
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("partition 1's node answered %s", resp.Status)
	}
	return body, nil
}

func postClusterState(ctx context.Context, client *http.Client, address, secret string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(address, "/")+clusterStatePath, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set(forward.HopHeader, secret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("the node answered %s", resp.Status)
	}
	return nil
}

// startNodeEngines starts the engines of the partitions node n holds and
// hands the router to n, which starts and stops engines as it takes and
// hands over partition leases.
func startNodeEngines(ctx context.Context, partitions int, base store.Store, cfg engine.Config, log *slog.Logger, n *node) (*engine.Router, error) {
	views, err := openViews(base, partitions)
	if err != nil {
		return nil, err
	}
	r, err := engine.NewClusterRouter(ctx, partitions, nil, log)
	if err != nil {
		return nil, err
	}
	start := func(ctx context.Context, p int32) (*engine.Engine, error) {
		c := cfg
		c.Partition, c.Store = p, views[p-1]
		return engine.Start(ctx, c)
	}
	n.keeper.secret, n.keeper.client = n.secret, &http.Client{Timeout: distributeHopTimeout}
	r.SetDistributed(n.keeper.distributeToOthers(r))
	if err := n.serve(ctx, r, start); err != nil {
		_ = r.Close()
		return nil, err
	}
	log.Info("this node runs its share of the partitions", "partitions", partitions, "here", len(r.Partitions()))
	return r, nil
}

// distributeHopTimeout bounds sending partition 1's definitions to one
// other node.
const distributeHopTimeout = 10 * time.Second

// nodeLogs returns the stores whose logs retention compacts and, with
// several nodes, which partitions run here: every partition's log is
// compacted where it runs.
func nodeLogs(r *engine.Router, base store.Store, partitions int, n *node) ([]store.Store, func(p int32) bool, error) {
	if n == nil || n.keeper == nil {
		return partitionStores(r), nil, nil
	}
	views, err := openViews(base, partitions)
	if err != nil {
		return nil, nil, err
	}
	return views, n.keeper.runs, nil
}

// brokers lists every live node (and every node that holds a live lease)
// with the partitions it runs, by node id, for the topology. This node's
// partitions are healthy while their engines process commands; another
// node's while it holds their leases.
func (k *keeper) brokers() []engine.Broker {
	byID := map[string]*engine.Broker{}
	add := func(id, addr string) *engine.Broker {
		b := byID[id]
		if b == nil {
			b = &engine.Broker{NodeID: id, Address: addr}
			byID[id] = b
		}
		return b
	}
	add(k.cfg.Self.NodeID, k.cfg.Self.Address)
	for _, n := range *k.nodes.Load() {
		add(n.NodeID, n.Address)
	}
	k.mu.Lock()
	r := k.router
	k.mu.Unlock()
	for _, l := range *k.leases.Load() {
		if !l.Live() {
			continue
		}
		healthy := true // another node's: it holds the lease
		if l.NodeID == k.cfg.Self.NodeID {
			e := (*engine.Engine)(nil)
			if r != nil {
				e = r.Where(l.Partition).Local
			}
			healthy = e != nil && e.Ready()
		}
		b := add(l.NodeID, l.Address)
		b.Partitions = append(b.Partitions, engine.PartitionHealth{Partition: l.Partition, Healthy: healthy})
	}
	out := make([]engine.Broker, 0, len(byID))
	for _, b := range byID {
		out = append(out, *b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].NodeID < out[j].NodeID })
	return out
}

// register adds the node's lease metrics to reg (docs/metrics.md,
// "Several nodes").
func (k *keeper) register(reg prometheus.Registerer) error {
	return reg.Register(telemetry.NewClusterCollector(func() telemetry.ClusterStatus {
		k.mu.Lock()
		held := len(k.held)
		k.mu.Unlock()
		return telemetry.ClusterStatus{LeasesHeld: held, LiveNodes: len(*k.nodes.Load()), Takeovers: k.takeovers.Load(),
			Handovers: k.handovers.Load(), LeasesLost: k.lost.Load(), FencedCommits: k.fenced.Load()}
	}))
}
