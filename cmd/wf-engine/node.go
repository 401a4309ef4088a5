package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/example/wf-engine/api/forward"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/pgstore"
)

// Several engine nodes on one PostgreSQL database (issue 21 items 2 and 5,
// docs/ha.md "Several nodes"). Each partition has its own lease; a node
// runs the engines of the partitions whose leases it holds, spread evenly
// over the live nodes (spread.go), and its HTTP front (api/forward.Front)
// forwards what belongs to another node's partition to that node. Until
// it holds a lease it stands by: it listens on http.address and forwards
// every request. Every commit of a partition is fenced by its lease's
// epoch; a node that loses a lease stops that partition's engine and goes
// on with the others (and may take it again later).

// errStoodBy ends serve without an error: the node was asked to stop
// while it stood by.
var errStoodBy = errors.New("stopped while standing by")

// node is this process among the nodes on one database. The zero node
// (stores other than PostgreSQL) does nothing: it listens as a plain
// server would.
type node struct {
	log    *slog.Logger
	secret string
	cfg    Config
	// keeper holds the node's partition leases; nil on a single-node store.
	keeper *keeper
	leases *pgstore.Leases
	// standby serves on the listener while the node stands by; handoff
	// hands the listener over to the engine's server.
	standby   *http.Server
	forwarder *forward.Front
	handoff   *handoff
}

// joinCluster joins the nodes of a PostgreSQL store and waits until this
// node holds a partition's lease, standing by meanwhile: it listens on
// http.address and forwards requests to the partitions' owners. On other
// stores it returns a node that does nothing.
func joinCluster(ctx context.Context, cfg Config, kind storeKind, base store.Store, log *slog.Logger) (*node, error) {
	n := &node{log: log, secret: cfg.Cluster.Secret, cfg: cfg}
	pg, ok := base.(*pgstore.Store)
	if kind != storePostgres || !ok {
		return n, nil
	}
	raw, err := net.Listen("tcp", cfg.HTTP.Address)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", cfg.HTTP.Address, err)
	}
	n.handoff = newHandoff(raw)
	claim, err := leaseClaim(cfg, raw.Addr())
	if err != nil {
		_ = raw.Close()
		return nil, err
	}
	leases, err := pgstore.OpenLeases(pg, log)
	if err != nil {
		_ = raw.Close()
		return nil, err
	}
	n.leases = leases
	partitions := int32(cfg.Cluster.Partitions) // #nosec G115 -- validate bounds it by maxPartitions
	n.keeper = newKeeper(keeperConfig{Leaser: leases, Nodes: leases, Self: claim, Partitions: partitions,
		Fencer: func(p int32) (store.Fencer, error) { return fencerOf(pg, partitions, p) }, Logger: log})
	if err := n.serveStandby(cfg, claim.NodeID); err != nil {
		n.close()
		return nil, err
	}
	n.keeper.run()
	if err := n.keeper.waitHeld(ctx); err != nil {
		n.keeper.leave()
		n.close()
		if ctx.Err() != nil {
			return nil, errStoodBy
		}
		return nil, err
	}
	return n, nil
}

// fencerOf returns the store partition p's engine commits through: the
// store itself with one partition (startEngines), else p's view.
func fencerOf(pg *pgstore.Store, partitions, p int32) (store.Fencer, error) {
	if partitions <= 1 {
		return pg, nil
	}
	v, err := pg.Partition(p)
	if err != nil {
		return nil, fmt.Errorf("fence partition %d: %w", p, err)
	}
	f, ok := v.(store.Fencer)
	if !ok {
		return nil, fmt.Errorf("fence partition %d: its store cannot be fenced", p)
	}
	return f, nil
}

// serve runs the partitions this node holds on the router, from now on
// every partition it takes; start starts partition p's engine. On a
// single-node store it does nothing.
func (n *node) serve(ctx context.Context, r *engine.Router, start func(ctx context.Context, p int32) (*engine.Engine, error)) error {
	if n.keeper == nil {
		return nil
	}
	return n.keeper.serve(ctx, r, start)
}

// standByEnded is serve's answer when joinCluster failed.
func standByEnded(err error) error {
	if errors.Is(err, errStoodBy) {
		return nil
	}
	return err
}

// leaseClaim is the lease this node asks for: its id and address default
// as cluster.node_id and cluster.advertise_address say.
func leaseClaim(cfg Config, listening net.Addr) (store.LeaseClaim, error) {
	id := cfg.Cluster.NodeID
	if id == "" {
		host, err := os.Hostname()
		if err != nil || host == "" {
			var b [6]byte
			_, _ = rand.Read(b[:])
			host = "node-" + hex.EncodeToString(b[:])
		}
		id = host + "-" + strconv.Itoa(os.Getpid())
	}
	addr := cfg.Cluster.AdvertiseAddress
	if addr == "" {
		scheme := "http"
		if cfg.HTTP.TLSCertFile != "" {
			scheme = "https"
		}
		host, _, _ := net.SplitHostPort(cfg.HTTP.Address)
		if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
			h, err := os.Hostname()
			if err != nil {
				return store.LeaseClaim{}, fmt.Errorf("cluster.advertise_address: http.address %q names no host and the host name is unknown (%w): set cluster.advertise_address", cfg.HTTP.Address, err)
			}
			host = h
		}
		_, port, _ := net.SplitHostPort(listening.String())
		addr = scheme + "://" + net.JoinHostPort(host, port)
	}
	return store.LeaseClaim{Partition: 1, NodeID: id, Address: addr, TTL: cfg.Cluster.LeaseTTL}, nil
}

// checkAdvertiseAddress checks a cluster.advertise_address.
func checkAdvertiseAddress(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Port() == "" || (u.Path != "" && u.Path != "/") || u.User != nil {
		return fmt.Errorf("expected http(s)://host:port, got %q", s)
	}
	return nil
}

// serveStandby answers on the listener while the node stands by: it runs
// no partition, so its front forwards every request.
func (n *node) serveStandby(cfg Config, self string) error {
	fwd := n.front(cfg, self, func(int32) bool { return false }, http.NotFoundHandler())
	n.forwarder = fwd
	n.standby = &http.Server{Handler: fwd, ReadHeaderTimeout: cfg.HTTP.ReadHeaderTimeout, ReadTimeout: cfg.HTTP.ReadTimeout,
		IdleTimeout: cfg.HTTP.IdleTimeout}
	var ln net.Listener = newPerClientListener(n.handoff.listener(false), cfg.HTTP.MaxConnsPerClient)
	if cfg.HTTP.TLSCertFile != "" {
		certs, err := newCertReloader(cfg.HTTP.TLSCertFile, cfg.HTTP.TLSKeyFile, n.log)
		if err != nil {
			return err
		}
		n.standby.TLSConfig = certs.tlsConfig()
		ln = tls.NewListener(ln, n.standby.TLSConfig)
	}
	srv := n.standby
	go func() { _ = srv.Serve(ln) }()
	return nil
}

// front returns the node's HTTP front over next, the API of the
// partitions for which local is true.
func (n *node) front(cfg Config, self string, local func(p int32) bool, next http.Handler) *forward.Front {
	k := n.keeper
	return forward.NewFront(forward.FrontConfig{
		Config: forward.Config{Secret: cfg.Cluster.Secret, Self: self, Logger: n.log,
			Holder: func() (store.Lease, bool) { return k.owner(1) }},
		Partitions: int32(cfg.Cluster.Partitions), // #nosec G115 -- validate bounds it by maxPartitions
		Owner:      k.owner, Local: local, Pin: engine.WithPartition,
		LongPollTimeout: cfg.HTTP.LongPollTimeout, MaxBodyBytes: cfg.HTTP.MaxBodyBytes, Next: next, Internal: k.internal(),
	})
}

// listen returns the listener the engine's server serves on: the one the
// node stood by on, once its standby server stopped, or a new one.
func (n *node) listen(address string) (net.Listener, error) {
	if n.handoff == nil {
		return net.Listen("tcp", address)
	}
	n.stopStandby()
	return n.handoff.listener(true), nil
}

// stopStandby stops the standby server, letting its requests in flight
// (forwards) finish for a moment.
func (n *node) stopStandby() {
	if n.standby == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := n.standby.Shutdown(ctx); err != nil {
		_ = n.standby.Close()
	}
	n.forwarder.Close()
	n.standby = nil
}

// guard wraps the engine's handler in the node's front: what belongs to
// another node's partition is forwarded there, and forwarded requests
// must carry the cluster's secret.
func (n *node) guard(h http.Handler) http.Handler {
	if n.keeper == nil {
		return h
	}
	return n.front(n.cfg, n.keeper.cfg.Self.NodeID, n.keeper.runs, h)
}

// observeCommit is an engine OnCommit hook: a commit the store refused by
// its partition's lease epoch proves that another node holds that lease.
func (n *node) observeCommit(b *store.Batch, d time.Duration, err error) {
	if n.keeper == nil || b == nil || len(b.Records) == 0 {
		return
	}
	n.keeper.observeCommit(store.PositionPartition(b.Records[0].Position))(b, d, err)
}

// lost receives when the node must stop: never, since a node that loses
// a lease stops that partition only (the keeper).
func (n *node) lost() <-chan error { return nil }

// leave stops taking leases, stops every partition's engine, releases
// every lease and closes the node's connections: call it after the
// engines stopped, so that their last batches committed under the leases.
func (n *node) leave() {
	if n.keeper != nil {
		n.keeper.leave()
	}
	n.close()
}

func (n *node) close() {
	n.stopStandby()
	if n.leases != nil {
		n.leases.Close()
	}
	if n.handoff != nil {
		n.handoff.close()
	}
}

// handoff passes the connections of one listener first to the standby
// server and then to the engine's server, so that the address never stops
// accepting while a node takes over.
type handoff struct {
	raw   net.Listener
	conns chan net.Conn
	stop  chan struct{} // closed by close
	done  chan struct{} // closed when accept ended; err says why
	err   error
	once  sync.Once
}

func newHandoff(raw net.Listener) *handoff {
	h := &handoff{raw: raw, conns: make(chan net.Conn), stop: make(chan struct{}), done: make(chan struct{})}
	go h.accept()
	return h
}

func (h *handoff) accept() {
	defer close(h.done)
	for {
		c, err := h.raw.Accept()
		if err != nil {
			h.err = err
			return
		}
		select {
		case h.conns <- c:
		case <-h.stop:
			_ = c.Close()
			h.err = net.ErrClosed
			return
		}
	}
}

func (h *handoff) close() {
	h.once.Do(func() {
		close(h.stop)
		_ = h.raw.Close()
	})
	<-h.done
}

// listener returns a listener of the handoff's connections; closing the
// final one closes the real listener.
func (h *handoff) listener(final bool) net.Listener {
	return &handedListener{h: h, final: final, closed: make(chan struct{})}
}

type handedListener struct {
	h      *handoff
	final  bool
	closed chan struct{}
	once   sync.Once
}

func (l *handedListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.h.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	case <-l.h.done:
		return nil, l.h.err
	}
}

func (l *handedListener) Close() error {
	l.once.Do(func() {
		close(l.closed)
		if l.final {
			l.h.close()
		}
	})
	return nil
}

func (l *handedListener) Addr() net.Addr { return l.h.raw.Addr() }
