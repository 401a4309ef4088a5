package telemetry

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/example/wf-engine/core/store"
)

// Log compaction metric names (core/retention's log step reports them).
const (
	NameLogSegmentsRemoved  = "wf_log_segments_removed_total"
	NameLogSegmentsArchived = "wf_log_segments_archived_total"
	NameLogArchivedBytes    = "wf_log_archived_bytes_total"
	NameLogCheckpointTime   = "wf_log_checkpoint_duration_seconds"
	NameLogCheckpointBytes  = "wf_log_checkpoint_bytes"
	NameLogFirstPosition    = "wf_log_first_position"
)

// compactionMetrics are the log step's.
type compactionMetrics struct {
	removed, archived, archivedBytes prometheus.Counter
	checkpointTime                   prometheus.Histogram
	checkpointBytes                  *prometheus.GaugeVec
	firstPosition                    prometheus.Gauge
}

func newCompactionMetrics() *compactionMetrics {
	return &compactionMetrics{
		removed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: NameLogSegmentsRemoved, Help: "Command log segments removed by log compaction (archived or deleted).",
		}),
		archived: prometheus.NewCounter(prometheus.CounterOpts{
			Name: NameLogSegmentsArchived, Help: "Command log segments written to retention.archive_dir before their removal.",
		}),
		archivedBytes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: NameLogArchivedBytes, Help: "Stored bytes of the command log segments written to retention.archive_dir.",
		}),
		checkpointTime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: NameLogCheckpointTime, Help: "Time to read and write one log checkpoint (the live state as of a log position).",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}),
		checkpointBytes: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: NameLogCheckpointBytes, Help: "Size of the newest log checkpoint's state, by form: state (its JSON) or stored (compressed).",
		}, []string{"form"}),
		firstPosition: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: NameLogFirstPosition, Help: "First command log position the store still holds (1 until log compaction removed segments).",
		}),
	}
}

func (c *compactionMetrics) collectors() []prometheus.Collector {
	for _, form := range []string{"state", "stored"} {
		c.checkpointBytes.WithLabelValues(form)
	}
	return []prometheus.Collector{c.removed, c.archived, c.archivedBytes, c.checkpointTime, c.checkpointBytes, c.firstPosition}
}

// ObserveLogCheckpoint implements retention.CompactionObserver.
func (m *Metrics) ObserveLogCheckpoint(info store.CheckpointInfo, took time.Duration) {
	m.compaction.checkpointTime.Observe(took.Seconds())
	m.compaction.checkpointBytes.WithLabelValues("state").Set(float64(info.StateBytes))
	m.compaction.checkpointBytes.WithLabelValues("stored").Set(float64(info.StoredBytes))
}

// ObserveLogCompaction implements retention.CompactionObserver.
func (m *Metrics) ObserveLogCompaction(res store.CompactResult, archived bool) {
	m.compaction.removed.Add(float64(res.Removed))
	if archived {
		m.compaction.archived.Add(float64(res.Removed))
		m.compaction.archivedBytes.Add(float64(res.Bytes))
	}
	if first := res.Anchor.Position + 1; positionPartition(first) == 1 { // partition 1's, as wf_engine_log_position
		m.compaction.firstPosition.Set(float64(first))
	}
}
