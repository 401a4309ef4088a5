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
	"sync/atomic"
	"time"

	"github.com/example/wf-engine/api/forward"
	"github.com/example/wf-engine/core/lease"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/pgstore"
)

// Several engine nodes on one PostgreSQL database (issue 21 items 2 and 5,
// docs/ha.md "Several nodes"). A node runs the engine only while it holds
// the partition's lease. Until then it stands by: it listens on
// http.address, forwards every request to the lease's holder
// (api/forward) and takes the lease over once its holder's time runs out
// or the holder released it. Once it holds the lease, every commit is
// fenced by the lease's epoch; a node that loses the lease stops (serve
// returns an error: a supervisor restarts it, and it stands by again).

// leasePartition is the partition whose lease a node takes: this build
// runs one partition per process.
const leasePartition = 1

// errStoodBy ends serve without an error: the node was asked to stop
// while it stood by.
var errStoodBy = errors.New("stopped while standing by")

// node is this process among the nodes on one database. The zero node
// (stores other than PostgreSQL) does nothing: it listens as a plain
// server would.
type node struct {
	log    *slog.Logger
	secret string
	// held is the lease this node holds; nil on a single-node store.
	held   *lease.Held
	leases *pgstore.Leases
	// standby serves on the listener while the node stands by; handoff
	// hands the listener over to the engine's server.
	standby   *http.Server
	forwarder *forward.Handler
	handoff   *handoff
	// lostc receives once, when the lease is lost.
	lostc    chan error
	lostOnce sync.Once
	stopKeep context.CancelFunc
	kept     chan struct{}
	// fenced counts the commits the store refused by the lease's epoch.
	fenced atomic.Int64
}

// joinCluster takes the partition's lease of a PostgreSQL store, standing
// by until it can: it listens on http.address meanwhile and forwards
// requests to the holder. On other stores it returns a node that does
// nothing. It fences the store's commits by the lease's epoch before it
// returns.
func joinCluster(ctx context.Context, cfg Config, kind storeKind, base store.Store, log *slog.Logger) (*node, error) {
	n := &node{log: log, secret: cfg.Cluster.Secret}
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
	var holder atomic.Pointer[store.Lease]
	if err := n.serveStandby(cfg, claim.NodeID, func() (store.Lease, bool) {
		l := holder.Load()
		if l == nil {
			return store.Lease{}, false
		}
		return *l, true
	}); err != nil {
		n.close()
		return nil, err
	}
	held, err := lease.Acquire(ctx, lease.Config{
		Leaser: leases, Claim: claim, Logger: log,
		OnRead: func(l store.Lease) { holder.Store(&l) },
	})
	if err != nil {
		n.close()
		if ctx.Err() != nil {
			return nil, errStoodBy
		}
		return nil, err
	}
	l := held.Lease()
	holder.Store(&l) // the standby answers "taking over" until the engine serves
	if err := fence(pg, l, cfg.Cluster.Partitions); err != nil {
		released, release := context.WithCancel(context.Background())
		release()
		_ = held.Keep(released) // a stopped Keep releases the lease
		n.close()
		return nil, err
	}
	n.held = held
	n.lostc = make(chan error, 1)
	keepCtx, stop := context.WithCancel(context.Background()) // not ctx: the lease outlives the engine's last commit
	n.stopKeep, n.kept = stop, make(chan struct{})
	go func() {
		defer close(n.kept)
		if err := held.Keep(keepCtx); err != nil {
			n.lose(err)
		}
	}()
	log.Info("this node holds the partition's lease and starts the engine", "partition", l.Partition, "epoch", l.Epoch,
		"node_id", l.NodeID, "advertise_address", l.Address)
	return n, nil
}

// fence makes every commit of the node check the lease's epoch: the
// store's own, and with more than one partition those of every partition's
// view (store.Partitioned), which the engines commit through. The lease of
// partition 1 covers every partition the node runs, until leases are
// spread over nodes one per partition (docs/ha.md).
func fence(pg *pgstore.Store, l store.Lease, partitions int) error {
	pg.FenceCommits(l.Partition, l.Epoch)
	if partitions <= 1 {
		return nil // the engine commits through the store itself (startEngines)
	}
	ps, ok := any(pg).(interface {
		Partition(p int32) (store.Store, error)
	})
	if !ok {
		return fmt.Errorf("cluster.partitions is %d, but the store has no partition views to fence", partitions)
	}
	for p := int32(1); int(p) <= partitions; p++ {
		v, err := ps.Partition(p)
		if err != nil {
			return fmt.Errorf("fence partition %d: %w", p, err)
		}
		f, ok := v.(store.Fencer)
		if !ok {
			return fmt.Errorf("fence partition %d: its store cannot be fenced", p)
		}
		f.FenceCommits(l.Partition, l.Epoch)
	}
	return nil
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
	return store.LeaseClaim{Partition: leasePartition, NodeID: id, Address: addr, TTL: cfg.Cluster.LeaseTTL}, nil
}

// checkAdvertiseAddress checks a cluster.advertise_address.
func checkAdvertiseAddress(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Port() == "" || (u.Path != "" && u.Path != "/") || u.User != nil {
		return fmt.Errorf("expected http(s)://host:port, got %q", s)
	}
	return nil
}

// serveStandby answers on the listener while the node stands by.
func (n *node) serveStandby(cfg Config, self string, holder func() (store.Lease, bool)) error {
	fwd := forward.New(forward.Config{Secret: cfg.Cluster.Secret, Self: self, Holder: holder, Logger: n.log})
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

// guard wraps the engine's handler: forwarded requests must carry the
// cluster's secret.
func (n *node) guard(h http.Handler) http.Handler {
	if n.handoff == nil {
		return h
	}
	return forward.Guard(n.secret, h)
}

// observeCommit is an engine OnCommit hook: a commit the store refused by
// the lease's epoch proves that another node holds the lease.
func (n *node) observeCommit(_ *store.Batch, _ time.Duration, err error) {
	if n.held == nil || !errors.Is(err, store.ErrLeaseLost) {
		return
	}
	count := n.fenced.Add(1)
	l := n.held.Lease()
	n.log.Error("commit fenced: another node took the partition's lease over; stopping", "partition", l.Partition, "epoch", l.Epoch,
		"fenced_commits", count)
	n.lose(fmt.Errorf("%w: a commit of partition %d was refused by its lease's epoch %d", lease.ErrLost, l.Partition, l.Epoch))
}

// lose reports the lease lost, once.
func (n *node) lose(err error) {
	n.lostOnce.Do(func() {
		n.log.Error("this node lost the partition's lease and stops its engine", "error", err)
		n.lostc <- err
	})
}

// lost receives once when the node lost its lease; never on a node
// without a lease.
func (n *node) lost() <-chan error { return n.lostc }

// leave stops renewing the lease and releases it: call it after the
// engine stopped, so that its last batch committed under the lease.
func (n *node) leave() {
	if n.stopKeep != nil {
		n.stopKeep()
		<-n.kept
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
