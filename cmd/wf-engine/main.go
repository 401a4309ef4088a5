package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/example/wf-engine/api/auth"
	"github.com/example/wf-engine/api/rest"
	"github.com/example/wf-engine/api/taskevents"
	"github.com/example/wf-engine/api/telemetry"
	"github.com/example/wf-engine/api/web"
	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/elements/standard"
	"github.com/example/wf-engine/webapp"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Environ, os.Stdout, nil)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "wf-engine:", err)
		os.Exit(1)
	}
}

// run starts the server and serves until ctx ends, or runs the subcommand
// args name (see commands). It sends the address the server listens on to
// ready, when ready is not nil.
func run(ctx context.Context, args []string, environ func() []string, out io.Writer, ready chan<- string) error {
	if len(args) > 0 && isHelp(args[0]) {
		return printUsage(out)
	}
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		c, ok := findCommand(args[0])
		if !ok {
			names := make([]string, 0, len(commands()))
			for _, c := range commands() {
				names = append(names, c.name)
			}
			return fmt.Errorf("unknown command %q (commands: %s; wf-engine --help lists them)", args[0], strings.Join(names, ", "))
		}
		return runCommand(ctx, c, args[1:], environ, os.Stdin, out)
	}
	fs := flagSet()
	fs.SetOutput(out)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if v, _ := fs.GetBool("version"); v {
		_, err := fmt.Fprintln(out, versionLine())
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q after the flags (wf-engine --help lists the commands)", fs.Arg(0))
	}
	cfg, err := loadConfig(fs, environ)
	if err != nil {
		return err
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	log := newLogger(out, cfg.Log)
	logConfig(log, cfg)
	return serve(ctx, cfg, log, ready)
}

func logLevel(s string) (slog.Level, error) {
	switch s {
	case "debug":
		return slog.LevelDebug, nil
	case "info", "":
		return slog.LevelInfo, nil
	case "warn":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("log.level: expected debug, info, warn or error, got %q", s)
}

// serve wires the store, the engine, the connector runtime and the REST
// server, and runs them until ctx ends; then it stops accepting requests,
// lets those in flight finish, stops the connector runtime (and its
// plugins), stops the engine after its batch in flight and closes the store.
func serve(ctx context.Context, cfg Config, log *slog.Logger, ready chan<- string) error {
	archive, err := openArchive(cfg.Retention.ArchiveDir)
	if err != nil {
		return err
	}
	base, kind, err := openStoreFor(ctx, cfg.Database, storeArchive(archive), true)
	if err != nil {
		return err
	}
	defer func() {
		if err := base.Close(); err != nil {
			log.Error("close store", "error", err)
		}
	}()
	if err := checkPartitions(ctx, cfg.Cluster, base); err != nil {
		return err
	}
	// On PostgreSQL: stand by until this node holds the partition's lease
	// (node.go); released after the engine stopped.
	node, err := joinCluster(ctx, cfg, kind, base, log)
	if err != nil {
		return standByEnded(err)
	}
	defer node.leave()
	querier, ok := base.(rest.Querier)
	if !ok {
		return fmt.Errorf("the %s store cannot search", kind)
	}
	// The web app's task list listens for committed user-task records;
	// metrics time commits and count what the records say happened.
	taskEvents := taskevents.New(256)
	onCommit := []func(*store.Batch, time.Duration, error){taskEvents.ObserveCommit, node.observeCommit}
	var metrics *telemetry.Metrics
	if cfg.HTTP.Metrics {
		metrics = telemetry.NewWithOptions(telemetry.Options{MaxLabelValues: cfg.Telemetry.MaxLabelValues, Version: version})
		onCommit = append(onCommit, metrics.ObserveCommit)
		if h, ok := log.Handler().(*telemetry.LogHandler); ok {
			h.CountWith(metrics.CountLog)
		}
	}
	started := time.Now()
	var engineClock clock.Clock = clock.System{}
	var apiClock rest.Clock // nil: the clock routes answer 403
	if cfg.Clock.Controllable {
		c := clock.NewControlled(clock.System{})
		engineClock, apiClock = c, c
		log.Warn("the engine clock can be pinned over the API (clock.controllable); do not run production this way")
	}
	bp := cfg.Engine.backpressure()
	if gcLimit := setGCLimit(bp.MaxHeapBytes); bp.MaxHeapBytes > 0 {
		log.Info("memory bounds", "max_heap_bytes", bp.MaxHeapBytes, "gc_soft_limit_bytes", gcLimit)
	}
	engineStart := time.Now()
	tracer, stopTracing, err := startTracing(ctx, cfg.Telemetry.Tracing, log)
	if err != nil {
		return err
	}
	defer stopTracing() // after everything else has stopped: its spans are flushed too
	eng, err := startEngines(ctx, cfg.Cluster.Partitions, base, engine.Config{
		Clock: engineClock, Registry: standard.Registry(), OnCommit: onCommit,
		MaxBatch: cfg.Engine.MaxBatch, QueueSize: cfg.Engine.QueueSize, Logger: log, Limits: cfg.Engine.limits(),
		Backpressure: bp, Tracer: tracer,
	}, log, node)
	if err != nil {
		return fmt.Errorf("start engine: %w", err)
	}
	defer func() {
		if err := eng.Close(); err != nil {
			log.Error("stop engine", "error", err)
		}
	}()
	if metrics != nil {
		watchEngine(metrics, eng, base, time.Since(engineStart))
		metrics.WatchQueueDepth(eng.QueueDepth)
		metrics.WatchWaitingPolls(eng.WaitingPolls)
		if node.keeper != nil {
			if err := node.keeper.register(metrics.Registry); err != nil {
				return fmt.Errorf("register the cluster metrics: %w", err)
			}
		}
		metrics.WatchBackpressure(func() telemetry.Backpressure {
			b := eng.Backpressure()
			return telemetry.Backpressure{Limit: b.Limit, InFlight: b.InFlight, Rejected: b.Rejected, HeapHigh: b.HeapHigh}
		})
	}
	logs, runsHere, err := nodeLogs(eng, base, cfg.Cluster.Partitions, node)
	if err != nil {
		return err
	}
	stopRetention, err := startRetention(ctx, cfg.Retention, cfg.HTTP.IdempotencyTTL, kind, base, logs, engineClock, metrics, log, runsHere)
	if err != nil {
		return err
	}
	defer stopRetention()
	var registerer prometheus.Registerer // nil: the runtime keeps its metrics to itself
	if metrics != nil {
		registerer = metrics.Registry
	}
	authn, closeAuth, err := cfg.Auth.authenticator(ctx, log)
	if err != nil {
		return err
	}
	defer closeAuth()
	var tenants func(context.Context) ([]string, error) // nil: the default tenant
	if cfg.Multitenancy.Enabled {
		tenants = allTenants(eng)
	}
	stopConnectors, err := startConnectors(ctx, cfg.Connectors, eng, tenants, registerer, log)
	if err != nil {
		return fmt.Errorf("start connectors: %w", err)
	}
	defer stopConnectors(cfg.HTTP.ShutdownTimeout) // before the engine closes (defers run last first)
	ln, err := node.listen(cfg.HTTP.Address)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.HTTP.Address, err)
	}
	host, portText, _ := net.SplitHostPort(ln.Addr().String())
	port, _ := strconv.ParseInt(portText, 10, 32)
	scheme := "http"
	if cfg.HTTP.TLSCertFile != "" {
		scheme = "https"
	}
	publicURL := cfg.HTTP.publicURL(scheme, ln.Addr())
	login, err := cfg.Auth.login(authn, publicURL, strings.HasPrefix(publicURL, "https:"), sharedSessions(cfg.Cluster, kind, base), log)
	if err != nil {
		_ = ln.Close()
		return err
	}
	if authn != nil {
		authn = login.SessionAuthenticator(authn)
	}
	appFiles := webapp.FS()
	app, err := web.NewStatic(appFiles)
	if err != nil {
		_ = ln.Close()
		return err
	}
	gin.SetMode(gin.ReleaseMode)
	api, err := rest.New(rest.Config{
		Version: version, Host: host, Port: int32(port), MaxBodyBytes: cfg.HTTP.MaxBodyBytes,
		MaxVariablesBytes: cfg.HTTP.MaxVariablesBytes, LongPollTimeout: cfg.HTTP.LongPollTimeout,
		AwaitTimeout: cfg.HTTP.AwaitTimeout, IdempotencyTTL: cfg.HTTP.IdempotencyTTL, Clock: apiClock,
		Authenticator: authn, AuthMode: cfg.Auth.Mode, MetricsOpen: cfg.HTTP.MetricsAuth == "none",
		Multitenancy: cfg.Multitenancy.Enabled, AllowedOrigins: cfg.HTTP.allowedOrigins(),
		MaxHeldRequests: cfg.HTTP.MaxHeldRequests, MaxBufferedBytes: cfg.HTTP.MaxBufferedBytes, LogLevel: logLevelVar(log),
		TaskEvents: taskEvents, ShedDelay: cfg.HTTP.ShedDelay,
		DocumentMaxBytes: cfg.Documents.MaxSize, DocumentLinkSecret: []byte(cfg.Documents.LinkSecret),
		WithPrincipal: func(ctx context.Context, p *auth.Principal) context.Context {
			return engine.WithPrincipal(ctx, p.Record())
		},
		Tracing: rest.Tracing{Provider: tracer, Propagator: telemetry.Propagator()},
	}, eng, querier, metrics, log)
	if err != nil {
		_ = ln.Close()
		return err
	}
	if metrics != nil {
		metrics.WatchHeld(api.Held, api.Shed)
	}
	// Write timeouts stay off: long polls and awaits answer late by design
	// and end by their own deadlines.
	srv := &http.Server{Handler: node.guard(web.Handler(api.Handler(), app, login)), ReadHeaderTimeout: cfg.HTTP.ReadHeaderTimeout, ReadTimeout: cfg.HTTP.ReadTimeout,
		IdleTimeout: cfg.HTTP.IdleTimeout}
	ln = newPerClientListener(ln, cfg.HTTP.MaxConnsPerClient)
	if cfg.HTTP.TLSCertFile != "" {
		certs, err := newCertReloader(cfg.HTTP.TLSCertFile, cfg.HTTP.TLSKeyFile, log)
		if err != nil {
			_ = ln.Close()
			return err
		}
		srv.TLSConfig = certs.tlsConfig()
		ln = tls.NewListener(ln, srv.TLSConfig)
	}
	stopPprof, err := servePprof(cfg.Telemetry, log)
	if err != nil {
		_ = ln.Close()
		return err
	}
	defer stopPprof()
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	log.Info("wf-engine started", "version", version, "address", ln.Addr().String(), "scheme", scheme, "store", string(kind),
		"auth_mode", cfg.Auth.Mode, "oidc_issuer_host", cfg.Auth.issuerHost(), "multitenancy", cfg.Multitenancy.Enabled,
		"clock_controllable", cfg.Clock.Controllable, "web_app_built", webapp.Built(appFiles), "public_url", publicURL,
		"browser_login", cfg.Auth.browserLogin(), "startup_ms", time.Since(started).Milliseconds())
	if ready != nil {
		ready <- ln.Addr().String()
	}
	select {
	case <-ctx.Done():
	case err := <-serveErr:
		return fmt.Errorf("serve http: %w", err)
	case err := <-node.lost():
		_ = srv.Close() // answer as the holder no more
		return err
	}
	log.Info("shutting down", "timeout", cfg.HTTP.ShutdownTimeout.String())
	api.Drain()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.HTTP.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("http shutdown", "error", err)
	}
	log.Info("http server stopped; stopping the engine and closing the store")
	return nil
}

// allTenants lists the ids of every tenant the engine knows, the default
// one included.
func allTenants(eng *engine.Router) func(context.Context) ([]string, error) {
	return func(ctx context.Context) ([]string, error) {
		var ids []string
		err := eng.Read(ctx, func(st *state.State) {
			for _, t := range st.Tenants() {
				ids = append(ids, t.Value.TenantID)
			}
		})
		return ids, err
	}
}
