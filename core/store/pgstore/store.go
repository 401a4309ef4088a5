package pgstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/internal/tables"
)

// Options tune the store; the zero value is the default.
type Options struct {
	// MaxConns bounds the read pool (loads, searches, the log); default 8.
	// Commits use one more connection of their own.
	MaxConns int32
	// ConnectTimeout bounds the first connection at Open; default 10s.
	// Each host's connection attempt is bounded by the URL's
	// connect_timeout, or else by the smaller of this and 5s (ha.go).
	ConnectTimeout time.Duration
	// CommitTimeout bounds a commit whose context has no deadline, so that a
	// vanished server fails the commit instead of hanging it; default 30s.
	CommitTimeout time.Duration
	// ReadRole, when set, names the role that searches restricted to
	// tenants (store.Query.Tenants not nil) read as, so that PostgreSQL's
	// row-level security (migration 0010) restricts them to the query's
	// tenants besides their own SQL condition. It must not own
	// the tables, be a superuser or have BYPASSRLS, and the store's user
	// must be a member of it; Open checks this and grants it SELECT on the
	// tables with a tenant_id column. Empty: searches read as the tables'
	// owner and row-level security is not enforced.
	ReadRole string
	// LogArchive, when set, is where ReadLog reads the records that log
	// compaction archived (see CompactLog); without it, reading them is a
	// *store.CompactedError.
	LogArchive store.LogArchive
}

// Store is a PostgreSQL store.Store.
type Store struct {
	pool   *pgxpool.Pool // reads: loads, the log, searches
	writer *pgxpool.Pool // commits, on one connection planned for them
	host   string        // host:port, for errors
	opts   Options

	mu     sync.RWMutex
	closed bool

	// keyMu guards maxKey, at least the highest key of any row stored or
	// prepared (-1 while unknown, see Prepare), and preparedKey, the
	// highest key of any row this store prepared, known or not.
	keyMu       sync.Mutex
	maxKey      int64
	preparedKey int64
	// counter computes the element counts of the instances it saw start
	// (countdeltas.go).
	counter elementCounter
	// commitMu runs one commit at a time, and Load's reading of the highest
	// key between commits.
	commitMu sync.Mutex
	// chain is the log segments' hash chain.
	chain tables.Chain

	// extra, set by tests, is appended to every commit's batch.
	extra string
	// part is the partition a view reads and writes (partitions.go), the
	// zero Part for the store itself; base is a view's store (nil for the
	// store itself), views the store's views.
	part  tables.Part
	base  *Store
	views views
	// fence, when set, is the lease epoch every commit checks (lease.go).
	fence atomic.Pointer[fence]
}

func (o *Options) defaults() {
	if o.MaxConns <= 0 {
		o.MaxConns = 8
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 10 * time.Second
	}
	if o.CommitTimeout <= 0 {
		o.CommitTimeout = 30 * time.Second
	}
}

// errBadURL never repeats the URL: it may hold a password.
var errBadURL = errors.New("the connection string is malformed")

// Open connects to the database at url (postgres://...), migrates its schema
// to the latest version and returns the store. A server that cannot be
// reached is an error naming its host, never the password.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	opts.defaults()
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open postgres store: %w", errBadURL)
	}
	cfg.MaxConns = opts.MaxConns
	// Searches are planned with their values, never with a generic plan: a
	// state that is most rows (COMPLETED) and one that is few (ACTIVE) need
	// different plans, and only a plan that sees the value can use the
	// partial indexes of unfinished rows (migration 26).
	cfg.ConnConfig.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	// Searches read a page and a capped count: compiling a plan to machine
	// code (JIT, on by default above a cost of 100,000) took 40-90 ms of a
	// 100 ms search over millions of rows and never paid back.
	cfg.ConnConfig.RuntimeParams["jit"] = "off"
	forPrimary(cfg, opts.ConnectTimeout)
	host := hostsOf(cfg)
	cctx, cancel := context.WithTimeout(ctx, opts.ConnectTimeout)
	defer cancel()
	pool, err := pgxpool.NewWithConfig(cctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres store at %s: %w", host, err)
	}
	if err := pool.Ping(cctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres store: cannot reach postgres at %s: %w", host, err)
	}
	// Migrations are not bounded by ConnectTimeout: building an index on a
	// table of millions of rows takes minutes (migration 26 on 5M
	// instances took up to 50 s per index).
	if _, _, err := migrateConfig(ctx, cfg.ConnConfig, "up"); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres store at %s: %w", host, err)
	}
	if opts.ReadRole != "" {
		if err := setUpReadRole(cctx, pool, opts.ReadRole); err != nil {
			pool.Close()
			return nil, fmt.Errorf("open postgres store at %s: %w", host, err)
		}
	}
	writer, err := pgxpool.NewWithConfig(cctx, writerConfig(cfg))
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres store at %s: %w", host, err)
	}
	return &Store{pool: pool, writer: writer, host: host, opts: opts, maxKey: -1}, nil
}

// writerConfig returns the configuration of the commit connection. Commit's
// statements read rows only by primary key: they insert from arrays and
// update rows joined to arrays by key. A generic plan made while a table
// was small would join by scanning the whole table, and keep doing so as it
// grows; a custom plan copies every array into the plan at every commit.
// With sequential scans, hash and merge joins priced out, the one plan for
// any table size is a nested loop over the primary key, and the connection
// can keep it: the statements are planned once, not at every commit. Every
// new connection prepares them by name, so that a commit sends only their
// bound parameters.
func writerConfig(read *pgxpool.Config) *pgxpool.Config {
	cfg := read.Copy()
	cfg.MinConns, cfg.MaxConns = 0, 1
	cfg.AfterConnect = prepareStatements
	for k, v := range map[string]string{
		"plan_cache_mode":  "force_generic_plan",
		"enable_seqscan":   "off",
		"enable_hashjoin":  "off",
		"enable_mergejoin": "off",
	} {
		cfg.ConnConfig.RuntimeParams[k] = v
	}
	return cfg
}

// Close implements store.Store. It waits for calls in flight. Closing the
// store closes its partition views; closing a view closes only its writer.
func (s *Store) Close() error {
	s.closeViews()
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		if s.base == nil {
			s.pool.Close()
		}
		s.writer.Close()
	}
	return nil
}

// using runs fn unless the store is closed; Close waits for it.
func (s *Store) using(fn func() error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return store.ErrClosed
	}
	return fn()
}

// Interface guards
var (
	_ store.Store           = (*Store)(nil)
	_ store.Loader          = (*Store)(nil)
	_ store.Preparer        = (*Store)(nil)
	_ store.Querier         = (*Store)(nil)
	_ store.UserTaskQuerier = (*Store)(nil)
)
