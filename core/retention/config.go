package retention

import (
	"fmt"
	"sort"
	"time"
)

// Defaults of Config.
const (
	DefaultHistoryTTL = 720 * time.Hour
	// DefaultLogTTL keeps log segments as long as finished instances, so
	// an engine left alone stays flat (ADR 24); the audit trail then
	// reaches back as far unless ArchiveDir is set or LogTTL is 0.
	DefaultLogTTL    = 720 * time.Hour
	DefaultInterval  = time.Minute
	DefaultBatchSize = 200
)

// Config says what the runner removes and how often it looks.
type Config struct {
	// HistoryTTL is how long a completed or terminated process instance
	// stays after its end; 0 keeps everything.
	HistoryTTL time.Duration
	// PerProcess overrides HistoryTTL by BPMN process id; 0 keeps that
	// process's instances.
	PerProcess map[string]time.Duration
	// LogTTL is how long command log segments stay (log compaction); 0
	// keeps them.
	LogTTL time.Duration
	// ArchiveDir, when set, receives compacted log segments as compressed
	// files instead of deleting them.
	ArchiveDir string
	// Interval is the time between two runs; 0: DefaultInterval.
	Interval time.Duration
	// BatchSize is the most units (instances, segments) one batch removes;
	// 0: DefaultBatchSize.
	BatchSize int
}

// DefaultConfig returns the configuration used when nothing is set.
func DefaultConfig() Config {
	return Config{HistoryTTL: DefaultHistoryTTL, LogTTL: DefaultLogTTL, Interval: DefaultInterval, BatchSize: DefaultBatchSize}
}

// Validate reports the first value that cannot be used, naming its key
// (retention.history_ttl, ...).
func (c Config) Validate() error {
	if c.HistoryTTL < 0 {
		return fmt.Errorf("retention.history_ttl: %s is negative", c.HistoryTTL)
	}
	ids := make([]string, 0, len(c.PerProcess))
	for id := range c.PerProcess {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if id == "" {
			return fmt.Errorf("retention.per_process: an empty process id")
		}
		if c.PerProcess[id] < 0 {
			return fmt.Errorf("retention.per_process.%s: %s is negative", id, c.PerProcess[id])
		}
	}
	if c.LogTTL < 0 {
		return fmt.Errorf("retention.log_ttl: %s is negative", c.LogTTL)
	}
	if c.Interval < 0 {
		return fmt.Errorf("retention.interval: %s is negative", c.Interval)
	}
	if c.BatchSize < 0 {
		return fmt.Errorf("retention.batch_size: %d is negative", c.BatchSize)
	}
	return nil
}

func (c Config) interval() time.Duration {
	if c.Interval <= 0 {
		return DefaultInterval
	}
	return c.Interval
}

func (c Config) batchSize() int {
	if c.BatchSize <= 0 {
		return DefaultBatchSize
	}
	return c.BatchSize
}

// TTL returns the history time to live of the process with the id: its
// override, else HistoryTTL; 0 means keep.
func (c Config) TTL(processID string) time.Duration {
	if ttl, ok := c.PerProcess[processID]; ok {
		return ttl
	}
	return c.HistoryTTL
}
