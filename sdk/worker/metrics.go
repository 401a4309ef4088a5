package worker

import "time"

// Metrics receives the worker's counts and timings, for example to feed
// Prometheus counters and histograms. Calls come from many goroutines at
// once; they must be quick and must not block. Labels should be the job
// type only, never job keys.
type Metrics interface {
	// JobActivated is called for each job the worker activated.
	JobActivated(jobType string)
	// JobCompleted is called after a job was completed; d is the time its
	// handler ran.
	JobCompleted(jobType string, d time.Duration)
	// JobFailed is called after a job was failed (retries or incident).
	JobFailed(jobType string, d time.Duration)
	// JobErrorThrown is called after a handler's BPMN error was thrown.
	JobErrorThrown(jobType string, d time.Duration)
	// JobRequeued is called for a job a shutdown handed back unfinished.
	JobRequeued(jobType string)
}

// MetricsFuncs adapts functions to Metrics; nil functions are skipped.
type MetricsFuncs struct {
	Activated   func(jobType string)
	Completed   func(jobType string, d time.Duration)
	Failed      func(jobType string, d time.Duration)
	ErrorThrown func(jobType string, d time.Duration)
	Requeued    func(jobType string)
}

// JobActivated implements Metrics.
func (m MetricsFuncs) JobActivated(jobType string) {
	if m.Activated != nil {
		m.Activated(jobType)
	}
}

// JobCompleted implements Metrics.
func (m MetricsFuncs) JobCompleted(jobType string, d time.Duration) {
	if m.Completed != nil {
		m.Completed(jobType, d)
	}
}

// JobFailed implements Metrics.
func (m MetricsFuncs) JobFailed(jobType string, d time.Duration) {
	if m.Failed != nil {
		m.Failed(jobType, d)
	}
}

// JobErrorThrown implements Metrics.
func (m MetricsFuncs) JobErrorThrown(jobType string, d time.Duration) {
	if m.ErrorThrown != nil {
		m.ErrorThrown(jobType, d)
	}
}

// JobRequeued implements Metrics.
func (m MetricsFuncs) JobRequeued(jobType string) {
	if m.Requeued != nil {
		m.Requeued(jobType)
	}
}

// Interface guards
var _ Metrics = MetricsFuncs{}
