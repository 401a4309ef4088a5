package telemetry

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Retention metric names (core/retention's runner reports them).
const (
	NameRetentionRemoved       = "wf_retention_removed_total"
	NameRetentionBatchDuration = "wf_retention_batch_duration_seconds"
	NameRetentionBatchErrors   = "wf_retention_batch_errors_total"
	NameRetentionLastRun       = "wf_retention_last_run_timestamp_seconds"
	NameRetentionBacklog       = "wf_retention_backlog_seconds"
)

// retentionMetrics are the retention runner's, by step ("instances", ...).
type retentionMetrics struct {
	removed  *prometheus.CounterVec
	duration *prometheus.HistogramVec
	errors   *prometheus.CounterVec
	lastRun  *prometheus.GaugeVec
	backlog  *prometheus.GaugeVec
}

func newRetentionMetrics() *retentionMetrics {
	return &retentionMetrics{
		removed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: NameRetentionRemoved, Help: "Units removed by retention (instances: finished process instances with all their rows), by step.",
		}, []string{"step"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: NameRetentionBatchDuration, Help: "Time of one retention batch (one transaction), by step.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"step"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: NameRetentionBatchErrors, Help: "Retention batches that failed (retried at the next run), by step.",
		}, []string{"step"}),
		lastRun: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: NameRetentionLastRun, Help: "When a retention step last finished a run (Unix seconds on the engine clock).",
		}, []string{"step"}),
		backlog: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: NameRetentionBacklog, Help: "How long the oldest unit still due at the end of a run has been due (0: retention keeps up), by step.",
		}, []string{"step"}),
	}
}

func (r *retentionMetrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{r.removed, r.duration, r.errors, r.lastRun, r.backlog}
}

// ObserveRetentionBatch implements retention.Observer.
func (m *Metrics) ObserveRetentionBatch(step string, removed int, took time.Duration, err error) {
	if err != nil {
		m.retention.errors.WithLabelValues(step).Inc()
	}
	m.retention.removed.WithLabelValues(step).Add(float64(removed))
	m.retention.duration.WithLabelValues(step).Observe(took.Seconds())
}

// ObserveRetentionRun implements retention.Observer.
func (m *Metrics) ObserveRetentionRun(step string, at time.Time, backlog time.Duration) {
	m.retention.lastRun.WithLabelValues(step).Set(float64(at.UnixNano()) / 1e9)
	m.retention.backlog.WithLabelValues(step).Set(backlog.Seconds())
}
