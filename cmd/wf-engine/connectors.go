package main

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
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
	// Secrets resolve {{secrets.NAME}} in connector inputs. An entry is
	// either the value (NAME: value) or {value, allowed_hosts}: the hosts
	// the secret may be sent to (host names, *.example.com wildcards, IP
	// addresses, CIDR prefixes). WF_SECRET_NAME environment variables set
	// values (and win), WF_SECRETHOSTS_NAME allowed hosts (comma-separated).
	// Read them with secrets().
	Secrets map[string]any `koanf:"secrets"`

	// SecretsRequireAllowedHosts refuses to start with a secret that has
	// no allowed_hosts; off, such a secret may go to any host and is
	// warned about at start.
	SecretsRequireAllowedHosts bool `koanf:"secrets_require_allowed_hosts"`

	// parsed is Secrets read and merged with the environment by
	// addEnvSecrets; problems are reported by validate.
	parsed   runtime.Secrets
	problems []string
	// Plugins are the out-of-process connectors to run.
	Plugins []host.PluginConfig `koanf:"plugins"`
}

// secretEnvPrefix starts the environment variables that are secrets rather
// than configuration keys; secretHostsEnvPrefix those that restrict a
// secret to hosts. Neither is a prefix of the other, so that no secret
// name can be read as both.
const (
	secretEnvPrefix      = "WF_SECRET_"
	secretHostsEnvPrefix = "WF_SECRETHOSTS_" // #nosec G101 -- a variable name prefix, not a credential
)

func defaultConnectorsConfig() ConnectorsConfig {
	// Secrets is an empty map, not nil: the configuration loader merges
	// the file's entries into it.
	return ConnectorsConfig{Enabled: true, MaxConcurrent: 16, Timeout: 60 * time.Second, BuiltinHTTP: true, MaxResponseBytes: httpconn.DefaultMaxResponseBytes,
		Secrets: map[string]any{}}
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
	fs.Bool("connectors.secrets_require_allowed_hosts", d.SecretsRequireAllowedHosts, "refuse to start with a secret that has no allowed_hosts")
}

// openConfigKey reports keys below a known key that hold user-chosen
// names: the secrets map's entries.
func openConfigKey(key string) bool {
	return strings.HasPrefix(key, "connectors.secrets.") || openAuthKey(key) || openRetentionKey(key)
}

// secretEnvVar reports environment variables that are secrets or their
// allowed hosts, which the configuration loader leaves alone.
func secretEnvVar(name string) bool {
	return strings.HasPrefix(name, secretEnvPrefix) || strings.HasPrefix(name, secretHostsEnvPrefix)
}

// addEnvSecrets reads the secrets of the configuration and merges the
// WF_SECRET_* (values) and WF_SECRETHOSTS_* (allowed hosts) variables into
// them: a variable replaces only what it names, so that WF_SECRET_TOKEN
// keeps the file's allowed hosts for TOKEN.
func (c *ConnectorsConfig) addEnvSecrets(environ []string) {
	c.parsed, c.problems = runtime.Secrets{}, nil
	for name, v := range c.Secrets {
		s, err := parseSecretEntry(v)
		if err != nil {
			c.problems = append(c.problems, fmt.Sprintf("connectors.secrets.%s: %v", name, err))
			continue
		}
		c.parsed[name] = s
	}
	for name, v := range runtime.SecretsFromEnv(environ, secretEnvPrefix) {
		s := c.parsed[name]
		s.Value = v
		c.parsed[name] = s
	}
	for name, v := range runtime.SecretsFromEnv(environ, secretHostsEnvPrefix) {
		s, ok := c.parsed[name]
		if !ok {
			c.problems = append(c.problems, fmt.Sprintf("%s%s: secret %s is not configured (no connectors.secrets entry, no %s%s)",
				secretHostsEnvPrefix, name, name, secretEnvPrefix, name))
			continue
		}
		s.AllowedHosts = splitList([]string{v})
		if len(s.AllowedHosts) == 0 {
			c.problems = append(c.problems, fmt.Sprintf("%s%s: the list of allowed hosts of secret %s is empty", secretHostsEnvPrefix, name, name))
		}
		c.parsed[name] = s
	}
}

// parseSecretEntry reads one connectors.secrets entry: a value, or an object
// {value, allowed_hosts}.
func parseSecretEntry(v any) (runtime.Secret, error) {
	switch x := v.(type) {
	case string:
		return runtime.Secret{Value: x}, nil
	case int, int64, float64, bool:
		return runtime.Secret{Value: fmt.Sprint(x)}, nil
	case map[string]any:
		var s runtime.Secret
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			switch k {
			case "value":
				val, ok := x[k].(string)
				if !ok {
					return runtime.Secret{}, fmt.Errorf("value must be a string")
				}
				s.Value = val
			case "allowed_hosts":
				hosts, err := stringList(x[k])
				if err != nil {
					return runtime.Secret{}, fmt.Errorf("allowed_hosts: %w", err)
				}
				if len(hosts) == 0 {
					return runtime.Secret{}, fmt.Errorf("allowed_hosts is empty (leave it out for a secret that may go to any host)")
				}
				s.AllowedHosts = hosts
			default:
				return runtime.Secret{}, fmt.Errorf("unknown key %q (known: value, allowed_hosts)", k)
			}
		}
		if _, ok := x["value"]; !ok {
			return runtime.Secret{}, fmt.Errorf("value is missing (or set it with %sNAME)", secretEnvPrefix)
		}
		return s, nil
	}
	return runtime.Secret{}, fmt.Errorf("expected a value or {value, allowed_hosts}, got %T", v)
}

// stringList reads a YAML list of strings, or one comma-separated string.
func stringList(v any) ([]string, error) {
	switch x := v.(type) {
	case string:
		return splitList([]string{x}), nil
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("expected a list of host names, addresses or CIDR prefixes, got an entry of type %T", e)
			}
			out = append(out, s)
		}
		return splitList(out), nil
	}
	return nil, fmt.Errorf("expected a list of host names, addresses or CIDR prefixes, got %T", v)
}

// secrets are the secrets read by addEnvSecrets.
func (c *ConnectorsConfig) secrets() runtime.Secrets { return c.parsed }

// splitList splits comma-separated entries and drops empty ones.
func splitList(l []string) []string {
	var out []string
	for _, h := range l {
		for _, p := range strings.Split(h, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// hosts is AllowedHosts with comma-separated entries (as an environment
// variable gives them) split.
func (c *ConnectorsConfig) hosts() []string { return splitList(c.AllowedHosts) }

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
	for _, p := range c.problems {
		add("%s", p)
	}
	for _, name := range sortedSecretNames(c.parsed) {
		if strings.TrimSpace(name) == "" || strings.ContainsAny(name, "{} ") {
			add("connectors.secrets: %q is not a usable secret name", name)
		}
		if hosts := c.parsed[name].AllowedHosts; hosts != nil {
			if err := httpconn.ValidateHosts(hosts); err != nil {
				add("connectors.secrets.%s.allowed_hosts: %v", name, err)
			}
		} else if c.SecretsRequireAllowedHosts {
			add("connectors.secrets.%s: allowed_hosts is required (connectors.secrets_require_allowed_hosts; or %s%s)", name, secretHostsEnvPrefix, name)
		}
	}
}

func sortedSecretNames(m runtime.Secrets) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// warnUnrestrictedSecrets logs a warning for each secret that may be sent
// to any host (no allowed_hosts), by name.
func warnUnrestrictedSecrets(s runtime.Secrets, log *slog.Logger) {
	for _, name := range sortedSecretNames(s) {
		if s[name].AllowedHosts == nil {
			log.Warn("connector secret may be sent to any host: give it allowed_hosts (connectors.secrets.NAME.allowed_hosts or "+secretHostsEnvPrefix+"NAME)",
				"secret", name)
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
		Jobs: jobs, Secrets: cfg.secrets(), Logger: log, Registerer: reg,
		TracerProvider: otel.GetTracerProvider(), MaxConcurrent: cfg.MaxConcurrent, Timeout: cfg.Timeout,
	})
	if err != nil {
		return nil, err
	}
	warnUnrestrictedSecrets(cfg.secrets(), log)
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
		if err := watchPlugins(reg, plugins); err != nil {
			_ = plugins.Close()
			return nil, err
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
