package telemetry

import (
	"sort"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/example/wf-engine/core/store"
)

// Metric names.
const (
	NameHTTPRequests          = "wf_http_requests_total"
	NameHTTPDuration          = "wf_http_request_duration_seconds"
	NameCommitDuration        = "wf_store_commit_duration_seconds"
	NameBatchRecords          = "wf_engine_batch_records"
	NameJobActivationDuration = "wf_job_activation_duration_seconds"
	NameJobsActivated         = "wf_jobs_activated_total" // counted from records (records.go)
	NameJobsActivatable       = "wf_jobs_activatable"
	NameJobPollsWaiting       = "wf_job_polls_waiting"
	NameCommandQueueDepth     = "wf_engine_command_queue_depth"
	NameAuthFailures          = "wf_http_auth_failures_total"
	NameBackpressureLimit     = "wf_engine_backpressure_limit"
	NameCommandsInFlight      = "wf_engine_commands_in_flight"
	NameBackpressureRejected  = "wf_engine_backpressure_rejected_total"
	NameBackpressureHeapHigh  = "wf_engine_backpressure_heap_high"
	NameRequestsHeld          = "wf_http_requests_held"
	NameRequestsShed          = "wf_http_requests_shed_total"
)

// Metrics holds the server's metrics and the registry they live in.
type Metrics struct {
	Registry *prometheus.Registry

	httpRequests   *prometheus.CounterVec
	httpDuration   *prometheus.HistogramVec
	commitDuration prometheus.Histogram
	batchRecords   prometheus.Histogram
	activation     prometheus.Histogram
	authFailures   *prometheus.CounterVec
	// records counts committed records (records.go); ops are the
	// operational metrics of ops.go.
	records *recordMetrics
	ops     *opsMetrics
	// compaction is the log compaction step's (compaction.go).
	compaction *compactionMetrics
	// retention is the retention runner's (retention.go).
	retention *retentionMetrics
	// maxLabels bounds the values of a process id or job type label.
	maxLabels int
}

// New registers the metrics (and the Go and process collectors) in a new
// registry, with the default options.
func New() *Metrics { return NewWithOptions(Options{}) }

// NewWithOptions registers the metrics (and the Go and process collectors)
// in a new registry.
func NewWithOptions(o Options) *Metrics {
	m := &Metrics{
		Registry:  prometheus.NewRegistry(),
		records:   newRecordMetrics(o.MaxLabelValues),
		maxLabels: o.maxLabelValues(),
		ops:       newOpsMetrics(o),
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: NameHTTPRequests, Help: "HTTP requests answered, by route template, method and status code.",
		}, []string{"route", "method", "status"}),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: NameHTTPDuration, Help: "Time to answer an HTTP request, by route template and method.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route", "method"}),
		commitDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: NameCommitDuration, Help: "Time to commit one batch to the store.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1},
		}),
		batchRecords: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: NameBatchRecords, Help: "Records (commands, events, rejections) written by one committed batch.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 14),
		}),
		activation: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: NameJobActivationDuration, Help: "Time from a job activation request to its answer, for answers with jobs (long polling included).",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}),
		authFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: NameAuthFailures, Help: "Requests refused because their credentials were missing or bad (401) or could not be checked (503).",
		}, []string{"status"}),
	}
	m.Registry.MustRegister(m.httpRequests, m.httpDuration, m.commitDuration, m.batchRecords, m.activation, m.authFailures,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.Registry.MustRegister(m.records.collectors()...)
	m.Registry.MustRegister(m.ops.collectors()...)
	m.compaction = newCompactionMetrics()
	m.Registry.MustRegister(m.compaction.collectors()...)
	m.retention = newRetentionMetrics()
	m.Registry.MustRegister(m.retention.collectors()...)
	for _, status := range []string{"401", "503"} {
		m.authFailures.WithLabelValues(status)
	}
	return m
}

// ObserveHTTP records one answered request.
func (m *Metrics) ObserveHTTP(route, method string, status int, d time.Duration) {
	if m == nil {
		return
	}
	m.httpRequests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.httpDuration.WithLabelValues(route, method).Observe(d.Seconds())
}

// CountAuthFailure counts a request refused by authentication.
func (m *Metrics) CountAuthFailure(status int) {
	if m == nil {
		return
	}
	m.authFailures.WithLabelValues(strconv.Itoa(status)).Inc()
}

// ObserveActivation records an activation request that handed out n jobs
// (the jobs are counted from the committed records).
func (m *Metrics) ObserveActivation(n int, d time.Duration) {
	if m == nil || n == 0 {
		return
	}
	m.activation.Observe(d.Seconds())
}

// QueueDepthFunc reports the commands waiting for the processor.
type QueueDepthFunc func() int

// WatchQueueDepth exports wf_engine_command_queue_depth from fn.
func (m *Metrics) WatchQueueDepth(fn QueueDepthFunc) {
	m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: NameCommandQueueDepth, Help: "Commands waiting for the partition processor.",
	}, func() float64 { return float64(fn()) }))
}

// Backpressure is the engine's adaptive limit as WatchBackpressure reads it.
type Backpressure struct {
	Limit, InFlight int
	Rejected        uint64
	HeapHigh        bool
}

// WatchBackpressure exports the limit on commands in flight, the commands
// in flight and the commands the limit refused, from fn.
func (m *Metrics) WatchBackpressure(fn func() Backpressure) {
	m.Registry.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: NameBackpressureLimit, Help: "Commands that may be in flight before commands starting new work get 429 (adapted to the commit latency).",
		}, func() float64 { return float64(fn().Limit) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: NameCommandsInFlight, Help: "Commands queued, processing or committing.",
		}, func() float64 { return float64(fn().InFlight) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: NameBackpressureHeapHigh, Help: "1 while the live heap is above engine.backpressure.max_heap_bytes and commands starting new work get 429.",
		}, func() float64 {
			if fn().HeapHigh {
				return 1
			}
			return 0
		}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: NameBackpressureRejected, Help: "Commands refused (429) because the commands in flight reached the backpressure limit.",
		}, func() float64 { return float64(fn().Rejected) }),
	)
}

// WatchHeld exports the requests held waiting (job activation long polls
// and creates awaiting completion) and those refused because too many were
// held or too many request bytes were buffered, by reason.
func (m *Metrics) WatchHeld(held func() int, shed func() map[string]uint64) {
	m.Registry.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: NameRequestsHeld, Help: "Requests held waiting: job activation long polls, creates awaiting completion, and shed requests waiting http.shed_delay for their 429.",
		}, func() float64 { return float64(held()) }),
		&shedCollector{fn: shed, desc: prometheus.NewDesc(NameRequestsShed,
			"Requests answered 429 before reaching the engine, by reason (held: too many requests waiting; bytes: too many request bytes buffered; engine: the engine's backpressure limit reached).", []string{"reason"}, nil)},
	)
}

type shedCollector struct {
	fn   func() map[string]uint64
	desc *prometheus.Desc
}

func (s *shedCollector) Describe(ch chan<- *prometheus.Desc) { ch <- s.desc }

func (s *shedCollector) Collect(ch chan<- prometheus.Metric) {
	for reason, n := range s.fn() {
		ch <- prometheus.MustNewConstMetric(s.desc, prometheus.CounterValue, float64(n), reason)
	}
}

// WatchWaitingPolls exports wf_job_polls_waiting from fn, read once per
// scrape: the job activation long polls that wait for a job, by job type
// (the types with the most keep their names, as for wf_jobs_activatable).
// Polls waiting while jobs of their type are activatable would be a
// fault; jobs activatable while no poll waits mean the workers are busy.
func (m *Metrics) WatchWaitingPolls(fn func() map[string]int) {
	m.Registry.MustRegister(&pollsCollector{fn: fn, maxLabels: m.maxLabels,
		desc: prometheus.NewDesc(NameJobPollsWaiting, "Job activation long polls waiting for a job, by job type.", []string{"type"}, nil)})
}

type pollsCollector struct {
	fn        func() map[string]int
	maxLabels int
	desc      *prometheus.Desc
}

func (c *pollsCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *pollsCollector) Collect(ch chan<- prometheus.Metric) {
	collectByType(ch, c.desc, c.fn(), c.maxLabels)
}

// collectByType sends a gauge by job type (wf_jobs_activatable,
// wf_job_polls_waiting): the types with the highest values by name, at
// most maxValues label values with Other summing the rest.
func collectByType(ch chan<- prometheus.Metric, desc *prometheus.Desc, counts map[string]int, maxValues int) {
	types := make([]string, 0, len(counts))
	for t := range counts {
		types = append(types, t)
	}
	// The longest queues keep their names.
	sort.Slice(types, func(i, j int) bool {
		if counts[types[i]] != counts[types[j]] {
			return counts[types[i]] > counts[types[j]]
		}
		return types[i] < types[j]
	})
	other, hasOther := 0, false
	for i, t := range types {
		if len(types) > maxValues && i >= maxValues-1 || t == Other {
			other, hasOther = other+counts[t], true
			continue
		}
		ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, float64(counts[t]), t)
	}
	if hasOther {
		ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, float64(other), Other)
	}
}

// ObserveCommit times a store commit of the engine, counts the records of
// its batch and what the committed records say happened (records.go), or
// counts the failure (engine.Config.OnCommit).
func (m *Metrics) ObserveCommit(b *store.Batch, took time.Duration, err error) {
	if err != nil {
		m.ops.commitFailed(err)
		return
	}
	m.commitDuration.Observe(took.Seconds())
	m.batchRecords.Observe(float64(len(b.Records)))
	m.records.observe(b.Records)
}
