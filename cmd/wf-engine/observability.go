package main

import (
	"net"

	"github.com/spf13/pflag"

	"github.com/example/wf-engine/api/auth"
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
}

func defaultTelemetryConfig() TelemetryConfig {
	return TelemetryConfig{MaxLabelValues: 100}
}

// telemetryFlags declares the telemetry.* flags of metrics and profiles.
func telemetryFlags(fs *pflag.FlagSet, d TelemetryConfig) {
	fs.Int("telemetry.max_label_values", d.MaxLabelValues, "distinct process ids and job types a metric reports before counting the rest under \"other\"")
	fs.String("telemetry.pprof_address", d.PprofAddress, "host:port serving net/http/pprof, without authentication (empty: off; loopback only unless auth is on)")
}

// validate checks the telemetry keys of metrics and profiles.
func (t TelemetryConfig) validate(authMode string, add func(format string, args ...any)) {
	if t.MaxLabelValues < 1 || t.MaxLabelValues > 100000 {
		add("telemetry.max_label_values: must be between 1 and 100000, got %d", t.MaxLabelValues)
	}
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
