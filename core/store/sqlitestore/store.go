package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver

	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/internal/tables"
)

// Options tune the store; the zero value is the safe default.
type Options struct {
	// Synchronous is SQLite's synchronous setting: "FULL" (default: every
	// commit reaches the disk) or "NORMAL" (see the package doc).
	Synchronous string
	// BusyTimeout is how long a statement waits for a lock another process
	// holds (for example a migration run from the CLI); default 5s.
	BusyTimeout time.Duration
	// ReadConns bounds the read pool used by ReadLog, Load and searches;
	// default 4.
	ReadConns int
	// LogArchive, when set, is where ReadLog reads the records that log
	// compaction archived (see CompactLog); without it, reading them is a
	// *store.CompactedError.
	LogArchive store.LogArchive
	// Engine is set by the process that runs an engine on the store: it
	// holds PATH.engine.lock exclusively, so that a second engine process
	// on the same file is refused. SQLite is single-node: one process
	// writes one file. Tools that read the store (backup, replaycheck,
	// audit verify) leave it unset.
	Engine bool
}

// Store is a SQLite store.Store.
type Store struct {
	path string
	opts Options
	lock *lockFile // shared: Restore must not replace the file meanwhile
	w    *sql.DB   // one connection: the only writer
	r    *sql.DB   // read-only pool
	c    *sql.DB   // one connection: the checkpointer's

	// engineLock is PATH.engine.lock, held exclusively with Options.Engine.
	engineLock *lockFile

	stopCheckpoints context.CancelFunc
	checkpointsDone chan struct{}

	wmu    sync.Mutex            // serializes commits
	chain  tables.Chain          // the log segments' hash chain
	stmts  map[stmtKey]*sql.Stmt // prepared at Open, read-only afterwards
	mu     sync.RWMutex
	closed bool

	// failAfterWrite, set by tests, fails a commit after every row was
	// written, before COMMIT.
	failAfterWrite error
}

func (o *Options) defaults() error {
	switch strings.ToUpper(o.Synchronous) {
	case "":
		o.Synchronous = "FULL"
	case "FULL", "NORMAL", "EXTRA":
		o.Synchronous = strings.ToUpper(o.Synchronous)
	default:
		return fmt.Errorf("synchronous must be FULL, NORMAL or EXTRA, got %q", o.Synchronous)
	}
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = 5 * time.Second
	}
	if o.ReadConns <= 0 {
		o.ReadConns = 4
	}
	return nil
}

// dsn returns the driver's data source name for path.
// Connection roles.
const (
	roleWriter = iota
	roleReader
	roleCheckpointer
)

func dsn(path string, opts Options, role int) string {
	q := fmt.Sprintf("?_pragma=busy_timeout(%d)&_pragma=foreign_keys(0)", opts.BusyTimeout.Milliseconds())
	switch role {
	case roleWriter:
		// temp_store: statement journals of multi-row upserts stay in
		// memory. wal_autocheckpoint(0): the checkpointer does it.
		q += "&_journal_mode=WAL&_synchronous=" + opts.Synchronous +
			"&_txlock=immediate&_pragma=temp_store(MEMORY)&_pragma=cache_size(-32000)&_pragma=wal_autocheckpoint(0)"
	case roleReader:
		q += "&_query_only=1"
	case roleCheckpointer:
		q += "&_synchronous=" + opts.Synchronous
	}
	return path + q
}

// Open opens (creating it if needed) the store in the SQLite file at path,
// and migrates its schema to the latest version.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if err := opts.defaults(); err != nil {
		return nil, fmt.Errorf("open sqlite store: %w", err)
	}
	if path == "" || strings.ContainsAny(path, "?#") || strings.HasPrefix(path, "file:") || path == ":memory:" {
		return nil, fmt.Errorf("open sqlite store: %q is not a plain file path", path)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("open sqlite store: create directory: %w", err)
		}
	}
	lk, err := lock(path, false)
	if errors.Is(err, errLocked) {
		return nil, fmt.Errorf("open sqlite store %s: it is being restored (wf-engine restore holds %s.lock)", path, path)
	}
	if err != nil {
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	var engine *lockFile
	if opts.Engine {
		engine, err = lockAt(path+".engine.lock", true)
		if errors.Is(err, errLocked) {
			err = fmt.Errorf("open sqlite store %s: another wf-engine process runs on it (it holds %s.engine.lock); "+
				"SQLite is single-node: run one wf-engine per SQLite file, or use PostgreSQL for several nodes", path, path)
		}
		if err != nil {
			_ = lk.release()
			return nil, err
		}
	}
	s, err := open(ctx, path, opts)
	if err != nil {
		_ = engine.release()
		_ = lk.release()
		return nil, err
	}
	s.lock, s.engineLock = lk, engine
	return s, nil
}

func open(ctx context.Context, path string, opts Options) (*Store, error) {
	w, err := sql.Open("sqlite", dsn(path, opts, roleWriter))
	if err != nil {
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	if _, _, err := migrateDB(ctx, path, opts, "up"); err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", dsn(path, opts, roleReader))
	if err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	r.SetMaxOpenConns(opts.ReadConns)
	r.SetMaxIdleConns(opts.ReadConns)
	c, err := sql.Open("sqlite", dsn(path, opts, roleCheckpointer))
	if err != nil {
		_ = r.Close()
		_ = w.Close()
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	c.SetMaxOpenConns(1)
	cctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	s := &Store{path: path, opts: opts, w: w, r: r, c: c, stmts: map[stmtKey]*sql.Stmt{},
		stopCheckpoints: stop, checkpointsDone: make(chan struct{})}
	go s.checkpointer(cctx, c, s.checkpointsDone)
	if err := s.prepare(ctx); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	return s, nil
}

// Close implements store.Store. It waits for a commit in flight.
func (s *Store) Close() error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.stopCheckpoints()
	<-s.checkpointsDone
	var errs []error
	for _, st := range s.stmts {
		errs = append(errs, st.Close())
	}
	errs = append(errs, s.c.Close(), s.r.Close(), s.w.Close(), s.lock.release(), s.engineLock.release())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close sqlite store %s: %w", s.path, err)
	}
	return nil
}

// guard runs fn unless the store is closed; Close waits for it.
func (s *Store) guard(fn func() error) error {
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
