package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/pflag"
	"go.opentelemetry.io/otel"

	httpconn "github.com/example/wf-engine/connectors/http"
	"github.com/example/wf-engine/connectors/runtime"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/plugins/host"
)

// ConnectorsConfig configures the connector runtime, the built-in HTTP
// connector (io.camunda:http-json:1) and the connector plugins.
type ConnectorsConfig struct {
	// Enabled runs the connector runtime inside the server.
	Enabled bool `koanf:"enabled"`
	// MaxConcurrent bounds the executions in flight per job type.
	MaxConcurrent int `koanf:"max_concurrent"`
	// Timeout bounds one connector execution.
	Timeout time.Duration `koanf:"timeout"`
	// BuiltinHTTP registers the built-in HTTP connector
	// (io.camunda:http-json:1). Turn it off to serve that job type from a
	// plugin, such as plugins/examples/http.
	BuiltinHTTP bool `koanf:"builtin_http"`
	// AllowPrivateAddresses lets the HTTP connector reach loopback,
	// private and link-local addresses (cloud metadata addresses stay
	// refused unless listed in AllowedHosts).
	AllowPrivateAddresses bool `koanf:"allow_private_addresses"`
	// AllowedHosts are host names, IP addresses or CIDR prefixes the HTTP
	// connector may reach whatever their address.
	AllowedHosts []string `koanf:"allowed_hosts"`
	// MaxResponseBytes bounds an HTTP connector response body.
	MaxResponseBytes int64 `koanf:"max_response_bytes"`
	// Secrets resolve {{secrets.NAME}} in connector inputs. WF_SECRET_NAME
	// environment variables add to them (and win).
	Secrets map[string]string `koanf:"secrets"`
	// Plugins are the out-of-process connectors to run.
	Plugins []host.PluginConfig `koanf:"plugins"`
}

// secretEnvPrefix starts the environment variables that are secrets rather
// than configuration keys.
const secretEnvPrefix = "WF_SECRET_"

func defaultConnectorsConfig() ConnectorsConfig {
	return ConnectorsConfig{Enabled: true, MaxConcurrent: 16, Timeout: 60 * time.Second, BuiltinHTTP: true, MaxResponseBytes: httpconn.DefaultMaxResponseBytes}
}

// connectorFlags declares the flags of the connectors keys with a scalar value.
func connectorFlags(fs *pflag.FlagSet, d ConnectorsConfig) {
	fs.Bool("connectors.enabled", d.Enabled, "run the connector runtime")
	fs.Int("connectors.max_concurrent", d.MaxConcurrent, "connector executions in flight per job type")
	fs.Duration("connectors.timeout", d.Timeout, "time limit of one connector execution")
	fs.Bool("connectors.builtin_http", d.BuiltinHTTP, "register the built-in HTTP connector (off: serve io.camunda:http-json:1 from a plugin)")
	fs.Bool("connectors.allow_private_addresses", d.AllowPrivateAddresses, "let the HTTP connector reach loopback, private and link-local addresses")
	fs.StringSlice("connectors.allowed_hosts", d.AllowedHosts, "host names, addresses or CIDR prefixes the HTTP connector may always reach")
	fs.Int64("connectors.max_response_bytes", d.MaxResponseBytes, "largest HTTP connector response body in bytes")
}

// openConfigKey reports keys below a known key that hold user-chosen
// names: the secrets map's entries.
func openConfigKey(key string) bool {
	return strings.HasPrefix(key, "connectors.secrets.") || openAuthKey(key)
}

// secretEnvVar reports environment variables that are secrets, which the
// configuration loader leaves alone.
func secretEnvVar(name string) bool { return strings.HasPrefix(name, secretEnvPrefix) }

// addEnvSecrets merges the WF_SECRET_* variables into the secrets.
func (c *ConnectorsConfig) addEnvSecrets(environ []string) {
	env := runtime.SecretsFromEnv(environ, secretEnvPrefix)
	if len(env) == 0 {
		return
	}
	if c.Secrets == nil {
		c.Secrets = map[string]string{}
	}
	for k, v := range env {
		c.Secrets[k] = v
	}
}

// hosts is AllowedHosts with comma-separated entries (as an environment
// variable gives them) split.
func (c *ConnectorsConfig) hosts() []string {
	var out []string
	for _, h := range c.AllowedHosts {
		for _, p := range strings.Split(h, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// validate adds the connectors section's problems.
func (c *ConnectorsConfig) validate(add func(format string, args ...any)) {
	if !c.Enabled {
		return
	}
	if c.MaxConcurrent < 1 || c.MaxConcurrent > 10000 {
		add("connectors.max_concurrent: must be between 1 and 10000, got %d", c.MaxConcurrent)
	}
	if c.Timeout <= 0 {
		add("connectors.timeout: must be positive, got %s", c.Timeout)
	}
	if c.MaxResponseBytes < 1 {
		add("connectors.max_response_bytes: must be positive, got %d", c.MaxResponseBytes)
	}
	if _, err := httpconn.New(httpconn.Config{AllowedHosts: c.hosts()}); err != nil {
		add("connectors.allowed_hosts: %v", strings.TrimPrefix(err.Error(), "http connector: allowed hosts: "))
	}
	for name := range c.Secrets {
		if strings.TrimSpace(name) == "" || strings.ContainsAny(name, "{} ") {
			add("connectors.secrets: %q is not a usable secret name", name)
		}
	}
}

// startConnectors starts the plugins and the connector runtime with the
// built-in HTTP connector (unless cfg.BuiltinHTTP is off) and every plugin's
// connector. The returned stop
// lets executions in flight finish within drain, then stops the runtime and
// the plugins; call it before the engine closes.
//
// tenants, when not nil, lists the tenants whose jobs the runtime serves
// (multi-tenancy on); nil serves the default tenant.
func startConnectors(ctx context.Context, cfg ConnectorsConfig, client engine.Client, tenants func(context.Context) ([]string, error),
	reg prometheus.Registerer, log *slog.Logger) (stop func(drain time.Duration), err error) {
	if !cfg.Enabled {
		log.Info("connector runtime is off (connectors.enabled)")
		return func(time.Duration) {}, nil
	}
	log = log.With("component", "connectors")
	jobs := runtime.EngineJobs(client)
	if tenants != nil {
		jobs = runtime.EngineJobsForTenants(client, tenants)
	}
	rt, err := runtime.New(runtime.Config{
		Jobs: jobs, Secrets: runtime.SecretMap(cfg.Secrets), Logger: log, Registerer: reg,
		TracerProvider: otel.GetTracerProvider(), MaxConcurrent: cfg.MaxConcurrent, Timeout: cfg.Timeout,
	})
	if err != nil {
		return nil, err
	}
	if cfg.BuiltinHTTP {
		conn, err := httpconn.New(httpconn.Config{
			AllowPrivateAddresses: cfg.AllowPrivateAddresses, AllowedHosts: cfg.hosts(), MaxResponseBytes: cfg.MaxResponseBytes,
		})
		if err != nil {
			return nil, err
		}
		// The HTTP connector is generic: users name their own secrets.
		if err := rt.Register(conn, runtime.AllSecrets()); err != nil {
			return nil, err
		}
	}
	var plugins *host.Host
	if len(cfg.Plugins) > 0 {
		plugins, err = host.Start(ctx, cfg.Plugins, log)
		if err != nil {
			return nil, fmt.Errorf("start connector plugins: %w", err)
		}
		for _, c := range plugins.Connectors() {
			if err := rt.Register(c); err != nil {
				_ = plugins.Close()
				return nil, err
			}
		}
	}
	if err := rt.Start(context.WithoutCancel(ctx)); err != nil {
		if plugins != nil {
			_ = plugins.Close()
		}
		return nil, err
	}
	return func(drain time.Duration) {
		stopCtx, cancel := context.WithTimeout(context.Background(), drain)
		defer cancel()
		if err := rt.Stop(stopCtx); err != nil {
			log.Error("stop connector runtime", "error", err)
		}
		if plugins != nil {
			if err := plugins.Close(); err != nil {
				log.Error("stop connector plugins", "error", err)
			}
		}
	}, nil
}
