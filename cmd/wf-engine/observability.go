package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/url"
	"reflect"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/pflag"

	"github.com/example/wf-engine/api/auth"
	"github.com/example/wf-engine/api/telemetry"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/plugins/host"
)

// TelemetryConfig configures metrics, profiles and traces (the traces'
// keys are added next to these, in their own fields).
type TelemetryConfig struct {
	// MaxLabelValues bounds the distinct process ids and job types one
	// metric reports; the ones past it are counted under "other".
	MaxLabelValues int `koanf:"max_label_values"`
	// PprofAddress is host:port of a separate listener serving
	// net/http/pprof; empty: off. The listener has no authentication of
	// its own: a non-loopback address is refused while auth.mode is none,
	// and it belongs on a private interface in any case.
	PprofAddress string `koanf:"pprof_address"`
	// Tracing is in tracing.go.
	Tracing TracingConfig `koanf:"tracing"`
}

func defaultTelemetryConfig() TelemetryConfig {
	return TelemetryConfig{MaxLabelValues: 100, Tracing: defaultTracingConfig()}
}

// telemetryFlags declares the telemetry.* flags of metrics and profiles.
func telemetryFlags(fs *pflag.FlagSet, d TelemetryConfig) {
	fs.Int("telemetry.max_label_values", d.MaxLabelValues, "distinct process ids and job types a metric reports before counting the rest under \"other\"")
	fs.String("telemetry.pprof_address", d.PprofAddress, "host:port serving net/http/pprof, without authentication (empty: off; loopback only unless auth is on)")
	tracingFlags(fs, d.Tracing)
}

// validate checks the telemetry keys of metrics and profiles.
func (t TelemetryConfig) validate(authMode string, add func(format string, args ...any)) {
	if t.MaxLabelValues < 1 || t.MaxLabelValues > 100000 {
		add("telemetry.max_label_values: must be between 1 and 100000, got %d", t.MaxLabelValues)
	}
	t.Tracing.validate(add)
	if t.PprofAddress == "" {
		return
	}
	host, _, err := net.SplitHostPort(t.PprofAddress)
	if err != nil {
		add("telemetry.pprof_address: expected host:port, got %q", t.PprofAddress)
		return
	}
	if authMode == authNone && !auth.LoopbackHost(host) {
		add("telemetry.pprof_address: the profiling listener has no authentication; with auth.mode none it may listen on loopback "+
			"addresses only, but it is %q", t.PprofAddress)
	}
}

// newLogger returns the server's logger: JSON lines (text on a terminal)
// at log.level, with trace and span ids, whose level PUT /v2/x/log-level
// changes.
func newLogger(out io.Writer, cfg LogConfig) *slog.Logger {
	level, _ := logLevel(cfg.Level)
	return slog.New(telemetry.NewLogHandler(out, level))
}

// watchEngine exports the state's gauges, whether the engine is degraded,
// the store's connection pools and how long the engine took to load its
// state.
func watchEngine(m *telemetry.Metrics, eng *engine.Router, base store.Store, restore time.Duration) {
	m.SetRestoreDuration(restore)
	m.WatchState(func(ctx context.Context) (state.Gauges, error) { return sumGauges(ctx, eng) })
	m.WatchDegraded(func() bool { return eng.Degraded() != nil })
	if p, ok := base.(store.Pooler); ok {
		m.WatchPool(p.PoolStats)
	}
}

// watchPlugins registers the plugins' restarts and liveness in reg.
func watchPlugins(reg prometheus.Registerer, plugins *host.Host) error {
	if reg == nil || plugins == nil {
		return nil
	}
	err := reg.Register(telemetry.NewPluginCollector(func() map[string]telemetry.PluginStatus {
		out := map[string]telemetry.PluginStatus{}
		for name, s := range plugins.Status() {
			out[name] = telemetry.PluginStatus{Restarts: s.Restarts, Up: s.Up}
		}
		return out
	}))
	if err != nil {
		return fmt.Errorf("register plugin metrics: %w", err)
	}
	return nil
}

// servePprof serves net/http/pprof on telemetry.pprof_address, when it is
// set, until the returned stop is called.
func servePprof(cfg TelemetryConfig, log *slog.Logger) (stop func(), err error) {
	if cfg.PprofAddress == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", cfg.PprofAddress)
	if err != nil {
		return nil, fmt.Errorf("listen on telemetry.pprof_address %s: %w", cfg.PprofAddress, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("pprof listener stopped", "error", err)
		}
	}()
	log.Warn("serving net/http/pprof without authentication", "address", ln.Addr().String())
	return func() { _ = srv.Close() }, nil
}

// redacted is what the configuration log shows instead of a secret.
const redacted = "[redacted]"

// logConfig logs the effective configuration, every key with its value,
// secrets redacted: client and connector secrets, password hashes, plugin
// environments and the database URL's password.
func logConfig(log *slog.Logger, cfg Config) {
	log.Info("effective configuration", "config", redactConfig(reflect.ValueOf(cfg), ""))
}

// secretKey reports configuration keys whose values are secrets.
func secretKey(key string) bool {
	k := strings.ToLower(key)
	for _, s := range []string{"secret", "password", "token", "private_key"} {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}

// redactConfig turns a configuration value into maps keyed by koanf keys,
// with secrets redacted.
func redactConfig(v reflect.Value, path string) any {
	if d, ok := v.Interface().(time.Duration); ok {
		return d.String()
	}
	switch v.Kind() {
	case reflect.Struct:
		out := map[string]any{}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			key := strings.Split(f.Tag.Get("koanf"), ",")[0]
			if !f.IsExported() || key == "" || key == "-" {
				continue
			}
			out[key] = redactConfig(v.Field(i), joinKey(path, key))
		}
		return out
	case reflect.Map:
		out := map[string]any{}
		secrets := path == "connectors.secrets" || strings.HasSuffix(path, ".env")
		for _, k := range v.MapKeys() {
			key := fmt.Sprint(k.Interface())
			if secrets || secretKey(key) {
				out[key] = redacted
				continue
			}
			out[key] = redactConfig(v.MapIndex(k), joinKey(path, key))
		}
		return out
	case reflect.Slice:
		out := make([]any, v.Len())
		for i := range v.Len() {
			out[i] = redactConfig(v.Index(i), path)
		}
		return out
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return redactConfig(v.Elem(), path)
	case reflect.String:
		s := v.String()
		switch {
		case s == "":
			return s
		case path == "database.url":
			return redactURL(s)
		case secretKey(path[strings.LastIndex(path, ".")+1:]):
			return redacted
		}
		return s
	}
	return v.Interface()
}

func joinKey(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// redactURL hides a URL's password, in its user part or its query.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return redacted
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// logLevelVar is the level of the server's log handler, for PUT
// /v2/x/log-level; nil when log has another handler.
func logLevelVar(log *slog.Logger) *slog.LevelVar {
	if h, ok := log.Handler().(*telemetry.LogHandler); ok {
		return h.Level()
	}
	return nil
}
