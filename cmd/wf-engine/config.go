package main

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/env/v2"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/providers/posflag"
	"github.com/knadh/koanf/providers/structs"
	"github.com/knadh/koanf/v2"
	"github.com/spf13/pflag"

	"github.com/example/wf-engine/api/auth"
	"github.com/example/wf-engine/api/rest"
	"github.com/example/wf-engine/api/web"
	"github.com/example/wf-engine/core/engine"
)

// Config is the whole server configuration: built from defaults, then a
// YAML file (--config), then WF_* environment variables, then flags, and
// validated before anything starts. Each key's environment variable is
// WF_ and the key in upper case with dots as underscores
// (database.url: WF_DATABASE_URL).
type Config struct {
	HTTP     HTTPConfig     `koanf:"http"`
	Auth     AuthConfig     `koanf:"auth"`
	Database DatabaseConfig `koanf:"database"`
	Engine   EngineConfig   `koanf:"engine"`
	Clock    ClockConfig    `koanf:"clock"`
	Log      LogConfig      `koanf:"log"`
	// Multitenancy is in auth.go.
	Multitenancy MultitenancyConfig `koanf:"multitenancy"`
	// Connectors is in connectors.go.
	Connectors ConnectorsConfig `koanf:"connectors"`
	// Telemetry is in observability.go.
	Telemetry TelemetryConfig `koanf:"telemetry"`
	// Documents is in documents.go.
	Documents DocumentsConfig `koanf:"documents"`
	// Retention is in retention.go.
	Retention RetentionConfig `koanf:"retention"`
	// Cluster is in cluster.go.
	Cluster ClusterConfig `koanf:"cluster"`
}

// HTTPConfig configures the REST server.
type HTTPConfig struct {
	// Address is host:port to listen on.
	Address string `koanf:"address"`
	// PublicURL is the engine's base URL as browsers reach it
	// (scheme://host[:port], e.g. behind a proxy); the OIDC login's
	// redirect is PublicURL/auth/callback. Empty: the scheme and address
	// the server listens on.
	PublicURL string `koanf:"public_url"`
	// MaxBodyBytes bounds a request body.
	MaxBodyBytes int64 `koanf:"max_body_bytes"`
	// MaxVariablesBytes bounds the variables document of one request.
	MaxVariablesBytes int64 `koanf:"max_variables_bytes"`
	// LongPollTimeout is job activation's wait when a request asks for the default.
	LongPollTimeout time.Duration `koanf:"long_poll_timeout"`
	// AwaitTimeout is how long awaitCompletion waits by default.
	AwaitTimeout time.Duration `koanf:"await_timeout"`
	// IdempotencyTTL is how long Idempotency-Key answers are kept; 0 turns it off.
	IdempotencyTTL time.Duration `koanf:"idempotency_ttl"`
	// ShutdownTimeout bounds the wait for requests in flight at shutdown.
	ShutdownTimeout time.Duration `koanf:"shutdown_timeout"`
	// ReadHeaderTimeout bounds reading a request's headers, ReadTimeout
	// the whole request with its body; IdleTimeout closes a kept-alive
	// connection that sends nothing.
	ReadHeaderTimeout time.Duration `koanf:"read_header_timeout"`
	ReadTimeout       time.Duration `koanf:"read_timeout"`
	IdleTimeout       time.Duration `koanf:"idle_timeout"`
	// MaxConnsPerClient bounds the open connections of one client address.
	MaxConnsPerClient int `koanf:"max_conns_per_client"`
	// MaxHeldRequests bounds the requests held waiting (job activation
	// long polls, creates awaiting completion); more get 429.
	MaxHeldRequests int `koanf:"max_held_requests"`
	// MaxBufferedBytes bounds the bytes of the request bodies handled at
	// once; more get 429.
	MaxBufferedBytes int64 `koanf:"max_buffered_bytes"`
	// ShedDelay is how long a request refused by backpressure before it
	// is read waits for its 429, so that clients retrying at once cannot
	// spin.
	ShedDelay time.Duration `koanf:"shed_delay"`
	// AllowedOrigins lists other sites' origins whose pages may call the
	// API from a browser (CORS); the server's own origin always may.
	AllowedOrigins []string `koanf:"allowed_origins"`
	// Metrics turns /metrics on.
	Metrics bool `koanf:"metrics"`
	// MetricsAuth is "required" (an admin or operator principal, when
	// authentication is on) or "none" (open, for a scraper on a private
	// network).
	MetricsAuth string `koanf:"metrics_auth"`
	// TLSCertFile and TLSKeyFile turn TLS on (PEM files, reloaded when
	// they change); TLS 1.2 is the minimum.
	TLSCertFile string `koanf:"tls_cert_file"`
	TLSKeyFile  string `koanf:"tls_key_file"`
}

// DatabaseConfig chooses the store.
type DatabaseConfig struct {
	// URL selects the store: empty for SQLite under DataDir,
	// postgres://... for PostgreSQL, memory: for an in-memory store.
	URL string `koanf:"url"`
	// DataDir is where the embedded store keeps its file.
	DataDir string `koanf:"data_dir"`
	// SQLiteSynchronous is SQLite's synchronous setting: FULL or NORMAL.
	SQLiteSynchronous string `koanf:"sqlite_synchronous"`
	// MaxConns bounds the PostgreSQL read pool; commits use one more connection.
	MaxConns int32 `koanf:"max_conns"`
	// ReadRole is a PostgreSQL role (not the tables' owner, no BYPASSRLS)
	// that searches restricted to tenants run as, so that row-level
	// security guards them too; empty: reads run as the owner and only the
	// application filter guards them.
	ReadRole string `koanf:"read_role"`
}

// EngineConfig tunes the partition processor.
type EngineConfig struct {
	// MaxBatch bounds the commands that share one store transaction.
	MaxBatch int `koanf:"max_batch"`
	// QueueSize bounds the commands waiting; beyond it requests get 429.
	QueueSize int `koanf:"queue_size"`
	// MaxStepsPerCommand bounds the lifecycle steps of one command.
	MaxStepsPerCommand int `koanf:"max_steps_per_command"`
	// MaxFlowRepeatsPerCommand bounds how often one command takes one
	// sequence flow in one scope (a loop without a wait state).
	MaxFlowRepeatsPerCommand int `koanf:"max_flow_repeats_per_command"`
	// MaxProcessesPerResource bounds the processes of one deployed resource.
	MaxProcessesPerResource int `koanf:"max_processes_per_resource"`
	// MaxVariablesBytesPerCommand bounds the variables one command writes.
	MaxVariablesBytesPerCommand int `koanf:"max_variables_bytes_per_command"`
	// Backpressure adapts how many commands may be in flight.
	Backpressure BackpressureConfig `koanf:"backpressure"`
}

// BackpressureConfig tunes the adaptive limit on commands in flight:
// beyond it, commands that start new work get 429.
type BackpressureConfig struct {
	// Enabled turns the adaptive limit on; off, only engine.queue_size
	// refuses commands.
	Enabled bool `koanf:"enabled"`
	// TargetLatency is the time from a command's arrival to its commit
	// that the limit keeps 95 % of commands under.
	TargetLatency time.Duration `koanf:"target_latency"`
	// MinLimit and MaxLimit bound the limit (MaxLimit 0: the queue size).
	MinLimit int `koanf:"min_limit"`
	MaxLimit int `koanf:"max_limit"`
	// MaxHeapBytes is the live heap above which commands starting new
	// work get 429 until started work has completed: 0 takes 35 % of the
	// process's memory limit (GOMEMLIMIT or the container's), else 128 MiB;
	// -1 turns the bound off.
	MaxHeapBytes int64 `koanf:"max_heap_bytes"`
}

func defaultEngineConfig() EngineConfig {
	return EngineConfig{MaxBatch: 256, QueueSize: 10000,
		MaxStepsPerCommand: engine.DefaultMaxStepsPerCommand, MaxFlowRepeatsPerCommand: engine.DefaultMaxFlowRepeatsPerCommand,
		MaxProcessesPerResource: engine.DefaultMaxProcessesPerResource, MaxVariablesBytesPerCommand: engine.DefaultMaxVariableBytesPerCommand,
		Backpressure: BackpressureConfig{Enabled: true, TargetLatency: 50 * time.Millisecond, MinLimit: 16}}
}

// backpressure returns the engine's backpressure settings.
func (c EngineConfig) backpressure() engine.Backpressure {
	b := c.Backpressure
	out := engine.Backpressure{Off: !b.Enabled, TargetLatency: b.TargetLatency, MinLimit: b.MinLimit, MaxLimit: b.MaxLimit}
	if b.Enabled {
		out.MaxHeapBytes = maxHeapBytes(b.MaxHeapBytes, processMemoryFiles())
	}
	return out
}

// limits returns the engine's limits on one command's work and data.
func (c EngineConfig) limits() engine.Limits {
	return engine.Limits{
		MaxStepsPerCommand: c.MaxStepsPerCommand, MaxFlowRepeatsPerCommand: c.MaxFlowRepeatsPerCommand,
		MaxProcessesPerResource: c.MaxProcessesPerResource, MaxVariableBytesPerCommand: c.MaxVariablesBytesPerCommand,
	}
}

// ClockConfig configures the engine's clock.
type ClockConfig struct {
	// Controllable lets PUT /v2/clock pin the engine's time and POST
	// /v2/clock/reset return it to the system time (Camunda's clock API, for
	// tests). Off, those routes answer 403. Never turn it on in production:
	// a pinned clock holds back every timer and job deadline.
	Controllable bool `koanf:"controllable"`
}

// LogConfig configures logging.
type LogConfig struct {
	// Level is debug, info, warn or error.
	Level string `koanf:"level"`
}

func defaultConfig() Config {
	return Config{
		HTTP: HTTPConfig{
			Address: "127.0.0.1:8080", MaxBodyBytes: 4 << 20, MaxVariablesBytes: 4 << 20,
			LongPollTimeout: 10 * time.Second, AwaitTimeout: 15 * time.Second, IdempotencyTTL: 24 * time.Hour,
			ShutdownTimeout: 15 * time.Second, Metrics: true, MetricsAuth: "required",
			ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute, MaxConnsPerClient: 512,
			MaxHeldRequests: 2000, MaxBufferedBytes: 64 << 20, ShedDelay: 250 * time.Millisecond,
		},
		Auth:     defaultAuthConfig(),
		Database: DatabaseConfig{DataDir: "./data", SQLiteSynchronous: "FULL", MaxConns: 8},
		Engine:   defaultEngineConfig(),
		Log:      LogConfig{Level: "info"},

		Connectors: defaultConnectorsConfig(),
		Telemetry:  defaultTelemetryConfig(),
		Documents:  defaultDocumentsConfig(),
		Retention:  defaultRetentionConfig(),
		Cluster:    defaultClusterConfig(),
	}
}

// envPrefix starts every environment variable the server reads.
const envPrefix = "WF_"

// clientEnvVars are read by the project's clients (the wf CLI, wf-bench and
// the example worker), not by the server: a shell set up for `wf` must still
// start wf-engine, so these are passed over rather than refused as unknown.
var clientEnvVars = map[string]bool{
	"WF_ADDRESS": true, "WF_TOKEN": true, "WF_PROFILE": true,
	"WF_CLIENT_ID": true, "WF_CLIENT_SECRET": true, "WF_TOKEN_URL": true,
}

// flagSet declares --config, --version and one flag per configuration key.
func flagSet() *pflag.FlagSet {
	fs := pflag.NewFlagSet("wf-engine", pflag.ContinueOnError)
	d := defaultConfig()
	fs.String("config", "", "YAML configuration file")
	fs.Bool("version", false, "print the version and exit")
	fs.String("http.address", d.HTTP.Address, "host:port to listen on")
	fs.String("http.public_url", d.HTTP.PublicURL, "base URL browsers reach the engine at, scheme://host[:port] (default: the listen address); the OIDC login redirects to it + /auth/callback")
	fs.Int64("http.max_body_bytes", d.HTTP.MaxBodyBytes, "largest request body in bytes")
	fs.Int("http.max_held_requests", d.HTTP.MaxHeldRequests, "requests that may wait at once (job activation long polls, creates awaiting completion) before 429")
	fs.Int64("http.max_buffered_bytes", d.HTTP.MaxBufferedBytes, "bytes of request bodies handled at once before 429 (at least http.max_body_bytes)")
	fs.Duration("http.shed_delay", d.HTTP.ShedDelay, "how long a request refused by backpressure before it is read waits for its 429 (0: none)")
	fs.Int64("http.max_variables_bytes", d.HTTP.MaxVariablesBytes, "largest variables document of a request in bytes")
	fs.Duration("http.long_poll_timeout", d.HTTP.LongPollTimeout, "job activation wait when a request asks for the default")
	fs.Duration("http.await_timeout", d.HTTP.AwaitTimeout, "default wait of awaitCompletion")
	fs.Duration("http.idempotency_ttl", d.HTTP.IdempotencyTTL, "how long Idempotency-Key answers are kept (0: off)")
	fs.Duration("http.shutdown_timeout", d.HTTP.ShutdownTimeout, "wait for requests in flight at shutdown")
	fs.Bool("http.metrics", d.HTTP.Metrics, "serve /metrics")
	fs.Duration("http.read_header_timeout", d.HTTP.ReadHeaderTimeout, "time to read a request's headers")
	fs.Duration("http.read_timeout", d.HTTP.ReadTimeout, "time to read a whole request, body included")
	fs.Duration("http.idle_timeout", d.HTTP.IdleTimeout, "idle kept-alive connections are closed after this")
	fs.Int("http.max_conns_per_client", d.HTTP.MaxConnsPerClient, "open connections one client address may hold")
	fs.StringSlice("http.allowed_origins", d.HTTP.AllowedOrigins, "origins (scheme://host[:port]) of other sites whose pages may call the API")
	fs.String("http.metrics_auth", d.HTTP.MetricsAuth, "who may read /metrics when authentication is on: required (admin or operator) or none")
	fs.String("http.tls_cert_file", d.HTTP.TLSCertFile, "PEM certificate chain: serve HTTPS (reloaded when it changes)")
	fs.String("http.tls_key_file", d.HTTP.TLSKeyFile, "PEM private key of http.tls_cert_file")
	authFlags(fs, d.Auth)
	fs.Bool("multitenancy.enabled", d.Multitenancy.Enabled, "commands name their tenant; principals work on their tenants only")
	fs.String("database.url", d.Database.URL, "store: empty for SQLite under database.data_dir, postgres://... or memory:")
	fs.String("database.data_dir", d.Database.DataDir, "folder of the embedded store")
	fs.String("database.sqlite_synchronous", d.Database.SQLiteSynchronous, "SQLite synchronous setting: FULL or NORMAL")
	fs.Int32("database.max_conns", d.Database.MaxConns, "PostgreSQL read pool size (commits use one more connection)")
	fs.String("database.read_role", d.Database.ReadRole, "PostgreSQL role for tenant-restricted searches, under row-level security")
	fs.Int("engine.max_batch", d.Engine.MaxBatch, "commands per store transaction")
	fs.Int("engine.queue_size", d.Engine.QueueSize, "commands that may wait before requests get 429")
	fs.Int("engine.max_steps_per_command", d.Engine.MaxStepsPerCommand, "lifecycle steps one command may run before the next element gets an incident")
	fs.Int("engine.max_flow_repeats_per_command", d.Engine.MaxFlowRepeatsPerCommand, "times one command may take one sequence flow in one scope before the loop gets an incident")
	fs.Int("engine.max_processes_per_resource", d.Engine.MaxProcessesPerResource, "processes one deployed resource may hold")
	fs.Int("engine.max_variables_bytes_per_command", d.Engine.MaxVariablesBytesPerCommand, "bytes of variables one command may write before the element gets an incident")
	fs.Bool("engine.backpressure.enabled", d.Engine.Backpressure.Enabled, "adapt the commands in flight to the commit latency; beyond the limit, new work gets 429")
	fs.Duration("engine.backpressure.target_latency", d.Engine.Backpressure.TargetLatency, "arrival-to-commit latency the backpressure limit keeps 95 % of commands under")
	fs.Int("engine.backpressure.min_limit", d.Engine.Backpressure.MinLimit, "smallest backpressure limit on commands in flight")
	fs.Int("engine.backpressure.max_limit", d.Engine.Backpressure.MaxLimit, "largest backpressure limit on commands in flight (0: engine.queue_size)")
	fs.Int64("engine.backpressure.max_heap_bytes", d.Engine.Backpressure.MaxHeapBytes, "live heap above which new work gets 429 (0: 35 % of GOMEMLIMIT or the container's limit, else 128 MiB; -1: off); without GOMEMLIMIT the garbage collector's soft limit is twice it")
	fs.Bool("clock.controllable", d.Clock.Controllable, "let PUT /v2/clock pin the engine's time (tests only)")
	fs.String("log.level", d.Log.Level, "debug, info, warn or error")
	connectorFlags(fs, d.Connectors)
	telemetryFlags(fs, d.Telemetry)
	documentsFlags(fs, d.Documents)
	retentionFlags(fs, d.Retention)
	clusterFlags(fs, d.Cluster)
	return fs
}

// loadConfig builds the configuration from defaults, the file named by
// --config, the environment and the flags, in that order.
func loadConfig(fs *pflag.FlagSet, environ func() []string) (Config, error) {
	k := koanf.New(".")
	if err := k.Load(structs.Provider(defaultConfig(), "koanf"), nil); err != nil {
		return Config{}, fmt.Errorf("load defaults: %w", err)
	}
	known := knownKeys(k)
	if path, _ := fs.GetString("config"); path != "" {
		if err := k.Load(file.Provider(path), yaml.Parser()); err != nil {
			return Config{}, fmt.Errorf("load configuration file %s: %w", path, err)
		}
	}
	var unknownEnv []string
	envKey := func(name, value string) (string, any) {
		if secretEnvVar(name) {
			return "", nil // a secret, not a key: see ConnectorsConfig.Secrets
		}
		if clientEnvVars[name] {
			return "", nil
		}
		key := strings.ToLower(strings.TrimPrefix(name, envPrefix))
		for candidate := range known {
			if strings.ReplaceAll(candidate, ".", "_") == key {
				return candidate, value
			}
		}
		unknownEnv = append(unknownEnv, name)
		return "", nil
	}
	if err := k.Load(env.Provider(".", env.Opt{Prefix: envPrefix, TransformFunc: envKey, EnvironFunc: environ}), nil); err != nil {
		return Config{}, fmt.Errorf("load environment: %w", err)
	}
	if len(unknownEnv) > 0 {
		sort.Strings(unknownEnv)
		return Config{}, fmt.Errorf("unknown environment variables %s (known: WF_ and a key, e.g. WF_DATABASE_URL)", strings.Join(unknownEnv, ", "))
	}
	flags := func(f *pflag.Flag) (string, any) {
		if _, own := f.Annotations[commandFlag]; own || f.Name == "config" || f.Name == "version" {
			return "", nil // a command's own flag, no configuration key
		}
		return f.Name, posflag.FlagVal(fs, f)
	}
	if err := k.Load(posflag.ProviderWithFlag(fs, ".", k, flags), nil); err != nil {
		return Config{}, fmt.Errorf("load flags: %w", err)
	}
	var cfg Config
	if err := k.UnmarshalWithConf("", &cfg, koanf.UnmarshalConf{Tag: "koanf"}); err != nil {
		return Config{}, fmt.Errorf("read configuration: %w", err)
	}
	for _, key := range k.Keys() {
		if !known[key] && !openConfigKey(key) {
			return Config{}, fmt.Errorf("unknown configuration key %q", key)
		}
	}
	cfg.Connectors.addEnvSecrets(environ())
	cfg.Telemetry.Tracing.otel = otelEnv(environ())
	return cfg, nil
}

// knownKeys returns the configuration keys of k, loaded with the defaults.
func knownKeys(k *koanf.Koanf) map[string]bool {
	known := map[string]bool{}
	for _, key := range k.Keys() {
		known[key] = true
	}
	return known
}

// publicURL is the engine's base URL as browsers reach it: http.public_url,
// else the scheme and the address the server listens on (localhost for an
// unspecified address).
func (h HTTPConfig) publicURL(scheme string, addr net.Addr) string {
	if h.PublicURL != "" {
		return strings.TrimSuffix(h.PublicURL, "/")
	}
	host, port, _ := net.SplitHostPort(addr.String())
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}

// allowedOrigins are the origins whose pages may call the API besides the
// one a request names in Host: http.allowed_origins, and http.public_url's
// (behind a proxy that does not pass Host on, the web app's own requests
// name another host).
func (h HTTPConfig) allowedOrigins() []string {
	if h.PublicURL == "" {
		return h.AllowedOrigins
	}
	return append(slices.Clone(h.AllowedOrigins), strings.TrimSuffix(h.PublicURL, "/"))
}

// storeKind is the store the configuration selects.
type storeKind string

const (
	storeSQLite   storeKind = "sqlite"
	storePostgres storeKind = "postgres"
	storeMemory   storeKind = "memory"
)

// store returns the store kind and where it lives.
func (d DatabaseConfig) store() (storeKind, string, error) {
	switch u := d.URL; {
	case u == "":
		return storeSQLite, filepath.Join(d.DataDir, "wf-engine.db"), nil
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		return storePostgres, u, nil
	case u == "memory:", u == "memory":
		return storeMemory, "", nil
	case strings.HasPrefix(u, "sqlite:"):
		return storeSQLite, strings.TrimPrefix(u, "sqlite:"), nil
	}
	return "", "", errors.New("database.url: expected empty (SQLite under database.data_dir), postgres://URL, sqlite:PATH or memory")
}

// validate checks the whole configuration and reports every problem.
func (c *Config) validate() error {
	problems := c.problems()
	if len(problems) > 0 {
		return fmt.Errorf("invalid configuration:\n  %s", strings.Join(problems, "\n  "))
	}
	return nil
}

// problems lists what is wrong with the configuration, sorted, each
// starting with the key it is about.
func (c *Config) problems() []string {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	host, port, err := net.SplitHostPort(c.HTTP.Address)
	if err != nil {
		add("http.address: expected host:port, got %q", c.HTTP.Address)
	} else if port == "" {
		add("http.address: the port is missing in %q", c.HTTP.Address)
	}
	if c.Auth.Mode == authNone && err == nil && !auth.LoopbackHost(host) {
		add("auth.mode is none, which is allowed on loopback addresses only, but http.address is %q: "+
			"listen on 127.0.0.1 or ::1, or turn authentication on (auth.mode basic or oidc)", c.HTTP.Address)
	}
	c.Auth.validate(add)
	c.Documents.validate(add)
	c.Retention.validate(add)
	if c.HTTP.PublicURL != "" {
		if err := web.CheckPublicURL(c.HTTP.PublicURL); err != nil {
			add("http.public_url: %v", err)
		}
	} else if c.Auth.Mode == authOIDC && c.Auth.OIDC.ClientID != "" && err == nil && (host == "" || net.ParseIP(host).IsUnspecified()) {
		add("http.public_url: the web app's OIDC login needs the URL browsers reach the engine at (the provider redirects there), "+
			"and http.address %q does not name a host", c.HTTP.Address)
	}
	if m := c.HTTP.MetricsAuth; m != "required" && m != "none" {
		add("http.metrics_auth: expected required or none, got %q", m)
	}
	if (c.HTTP.TLSCertFile == "") != (c.HTTP.TLSKeyFile == "") {
		add("http.tls_cert_file and http.tls_key_file: set both or neither")
	}
	if c.HTTP.MaxBodyBytes < 1024 {
		add("http.max_body_bytes: must be at least 1024, got %d", c.HTTP.MaxBodyBytes)
	}
	if c.HTTP.MaxVariablesBytes < 2 || c.HTTP.MaxVariablesBytes > c.HTTP.MaxBodyBytes {
		add("http.max_variables_bytes: must be between 2 and http.max_body_bytes (%d), got %d", c.HTTP.MaxBodyBytes, c.HTTP.MaxVariablesBytes)
	}
	for name, d := range map[string]time.Duration{"http.long_poll_timeout": c.HTTP.LongPollTimeout, "http.await_timeout": c.HTTP.AwaitTimeout,
		"http.shutdown_timeout": c.HTTP.ShutdownTimeout, "http.read_header_timeout": c.HTTP.ReadHeaderTimeout,
		"http.read_timeout": c.HTTP.ReadTimeout, "http.idle_timeout": c.HTTP.IdleTimeout} {
		if d <= 0 {
			add("%s: must be positive, got %s", name, d)
		}
	}
	for _, o := range c.HTTP.AllowedOrigins {
		if err := rest.CheckOrigin(o); err != nil {
			add("http.allowed_origins: %v", err)
		}
	}
	if c.HTTP.ShedDelay < 0 || c.HTTP.ShedDelay > 10*time.Second {
		add("http.shed_delay: must be between 0s and 10s, got %s", c.HTTP.ShedDelay)
	}
	if c.HTTP.MaxHeldRequests < 1 {
		add("http.max_held_requests: must be at least 1, got %d", c.HTTP.MaxHeldRequests)
	}
	if c.HTTP.MaxBufferedBytes < c.HTTP.MaxBodyBytes {
		add("http.max_buffered_bytes: must be at least http.max_body_bytes (%d), got %d", c.HTTP.MaxBodyBytes, c.HTTP.MaxBufferedBytes)
	}
	if c.HTTP.MaxConnsPerClient < 1 {
		add("http.max_conns_per_client: must be at least 1, got %d", c.HTTP.MaxConnsPerClient)
	}
	if c.HTTP.IdempotencyTTL < 0 {
		add("http.idempotency_ttl: must not be negative, got %s", c.HTTP.IdempotencyTTL)
	}
	if c.Engine.MaxBatch < 1 || c.Engine.MaxBatch > 100000 {
		add("engine.max_batch: must be between 1 and 100000, got %d", c.Engine.MaxBatch)
	}
	if c.Engine.QueueSize < 1 || c.Engine.QueueSize > 10000000 {
		add("engine.queue_size: must be between 1 and 10000000, got %d", c.Engine.QueueSize)
	}
	if bp := c.Engine.Backpressure; bp.Enabled {
		if bp.TargetLatency < time.Millisecond || bp.TargetLatency > time.Minute {
			add("engine.backpressure.target_latency: must be between 1ms and 1m, got %s", bp.TargetLatency)
		}
		if bp.MaxHeapBytes < -1 || bp.MaxHeapBytes > 0 && bp.MaxHeapBytes < 16<<20 {
			add("engine.backpressure.max_heap_bytes: must be -1 (off), 0 (automatic) or at least 16 MiB, got %d", bp.MaxHeapBytes)
		}
		if bp.MinLimit < 1 || bp.MaxLimit < 0 || bp.MaxLimit > 0 && bp.MaxLimit < bp.MinLimit || bp.MaxLimit > c.Engine.QueueSize {
			add("engine.backpressure: need 1 <= min_limit <= max_limit <= engine.queue_size (max_limit 0: the queue size), got min_limit %d, max_limit %d", bp.MinLimit, bp.MaxLimit)
		}
	}
	for _, l := range []struct {
		key string
		v   int
	}{
		{"engine.max_steps_per_command", c.Engine.MaxStepsPerCommand},
		{"engine.max_flow_repeats_per_command", c.Engine.MaxFlowRepeatsPerCommand},
		{"engine.max_processes_per_resource", c.Engine.MaxProcessesPerResource},
		{"engine.max_variables_bytes_per_command", c.Engine.MaxVariablesBytesPerCommand},
	} {
		if l.v < 1 {
			add("%s: must be at least 1, got %d", l.key, l.v)
		}
	}
	if kind, _, err := c.Database.store(); err != nil {
		add("%v", err)
	} else {
		c.Cluster.validate(kind, add)
	}
	if s := c.Database.SQLiteSynchronous; s != "FULL" && s != "NORMAL" {
		add("database.sqlite_synchronous: expected FULL or NORMAL, got %q", s)
	}
	if c.Database.MaxConns < 1 || c.Database.MaxConns > 1000 {
		add("database.max_conns: must be between 1 and 1000, got %d", c.Database.MaxConns)
	}
	if _, err := logLevel(c.Log.Level); err != nil {
		add("%v", err)
	}
	c.Connectors.validate(add)
	c.Telemetry.validate(c.Auth.Mode, add)
	sort.Strings(problems)
	return problems
}
