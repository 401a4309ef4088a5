package telemetry

import (
	"context"
	"errors"
	"runtime"
	"sort"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
)

// Names of the operational metrics: the server, the store, the state's
// gauges, plugins and logs.
const (
	NameBuildInfo          = "wf_build_info"
	NameRestoreDuration    = "wf_engine_restore_duration_seconds"
	NameDegraded           = "wf_engine_degraded"
	NameCommitErrors       = "wf_store_commit_errors_total"
	NamePoolConnections    = "wf_store_pool_connections"
	NamePoolMaxConnections = "wf_store_pool_max_connections"
	NamePoolWaits          = "wf_store_pool_waits_total"
	NamePoolWaitSeconds    = "wf_store_pool_wait_seconds_total"
	NameIdempotency        = "wf_http_idempotency_requests_total"
	NameRequestsInFlight   = "wf_http_requests_in_flight"
	NameInstancesActive    = "wf_process_instances_active"
	NameIncidentsOpen      = "wf_incidents_open"
	NameJobsOpen           = "wf_jobs_open"
	NameElementsActive     = "wf_element_instances_active"
	NameTimersPending      = "wf_timers_pending"
	NameSubscriptionsOpen  = "wf_message_subscriptions_open"
	NameMessagesBuffered   = "wf_messages_buffered"
	NameUserTasksOpen      = "wf_user_tasks_open"
	NameProcessDefinitions = "wf_process_definitions"
	NamePluginRestarts     = "wf_plugin_restarts_total"
	NamePluginUp           = "wf_plugin_up"
	NameLogRecords         = "wf_log_records_total"
	NameStateReadErrors    = "wf_engine_state_read_errors_total"
)

// Options tune the metrics.
type Options struct {
	// MaxLabelValues bounds the process ids and job types one label
	// reports (telemetry.max_label_values); 0 takes DefaultMaxLabelValues.
	MaxLabelValues int
	// Version is the server's version, for wf_build_info.
	Version string
}

// Idempotency outcomes, the outcome label of wf_http_idempotency_requests_total.
const (
	IdempotencyFirst    = "first"
	IdempotencyReplayed = "replayed"
	IdempotencyMismatch = "mismatch"
	IdempotencyInFlight = "in_flight"
)

type opsMetrics struct {
	buildInfo    *prometheus.GaugeVec
	restore      prometheus.Gauge
	commitErrors *prometheus.CounterVec
	idempotency  *prometheus.CounterVec
	inFlight     prometheus.Gauge
	logRecords   *prometheus.CounterVec
}

func newOpsMetrics(o Options) *opsMetrics {
	m := &opsMetrics{
		buildInfo: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: NameBuildInfo, Help: "Always 1; the labels say which build runs.",
		}, []string{"version", "go_version"}),
		restore: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: NameRestoreDuration, Help: "Time the engine took at start to load its state from the store (or replay its log).",
		}),
		commitErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: NameCommitErrors, Help: "Batches the store failed to commit, by outcome (failed: nothing written; unknown: the store did not confirm).",
		}, []string{"outcome"}),
		idempotency: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: NameIdempotency, Help: "Requests with an Idempotency-Key, by outcome (first, replayed, mismatch, in_flight).",
		}, []string{"outcome"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: NameRequestsInFlight, Help: "HTTP requests being handled.",
		}),
		logRecords: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: NameLogRecords, Help: "Log lines written, by level.",
		}, []string{"level"}),
	}
	version := o.Version
	if version == "" {
		version = "dev"
	}
	m.buildInfo.WithLabelValues(version, runtime.Version()).Set(1)
	for _, o := range []string{"failed", "unknown"} {
		m.commitErrors.WithLabelValues(o)
	}
	for _, o := range []string{IdempotencyFirst, IdempotencyReplayed, IdempotencyMismatch, IdempotencyInFlight} {
		m.idempotency.WithLabelValues(o)
	}
	for _, l := range []string{"DEBUG", "INFO", "WARN", "ERROR"} {
		m.logRecords.WithLabelValues(l)
	}
	return m
}

func (m *opsMetrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.buildInfo, m.restore, m.commitErrors, m.idempotency, m.inFlight, m.logRecords}
}

func (m *opsMetrics) commitFailed(err error) {
	outcome := "failed"
	if errors.Is(err, store.ErrCommitUnknown) {
		outcome = "unknown"
	}
	m.commitErrors.WithLabelValues(outcome).Inc()
}

// SetRestoreDuration records how long the engine took to load its state.
func (m *Metrics) SetRestoreDuration(d time.Duration) {
	if m != nil {
		m.ops.restore.Set(d.Seconds())
	}
}

// CountIdempotency counts a request with an Idempotency-Key by outcome
// (IdempotencyFirst, ...).
func (m *Metrics) CountIdempotency(outcome string) {
	if m != nil {
		m.ops.idempotency.WithLabelValues(outcome).Inc()
	}
}

// RequestStarted counts a request in flight; call the returned function
// when it has been answered.
func (m *Metrics) RequestStarted() (done func()) {
	if m == nil {
		return func() {}
	}
	m.ops.inFlight.Inc()
	return m.ops.inFlight.Dec
}

// CountLog counts one log line of a level (DEBUG, INFO, WARN, ERROR).
func (m *Metrics) CountLog(level string) {
	if m != nil {
		m.ops.logRecords.WithLabelValues(level).Inc()
	}
}

// StateFunc reads the state's gauges; it is called at scrape time.
type StateFunc func(ctx context.Context) (state.Gauges, error)

// WatchState exports the state's gauges (kept by its appliers) and the
// activatable jobs by type from fn, read once per scrape.
func (m *Metrics) WatchState(fn StateFunc) {
	m.Registry.MustRegister(newStateCollector(fn, m.maxLabels))
}

// WatchDegraded exports wf_engine_degraded: 1 while the engine cannot
// write to its store.
func (m *Metrics) WatchDegraded(fn func() bool) {
	m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: NameDegraded, Help: "1 while the engine cannot write to its store and refuses commands (503), else 0.",
	}, func() float64 {
		if fn() {
			return 1
		}
		return 0
	}))
}

// WatchPool exports the store's connection pools from fn.
func (m *Metrics) WatchPool(fn func() []store.PoolStats) {
	m.Registry.MustRegister(&poolCollector{fn: fn,
		conns: prometheus.NewDesc(NamePoolConnections, "Connections of the store's pools, by pool (read, write) and state (acquired, idle).", []string{"pool", "state"}, nil),
		max:   prometheus.NewDesc(NamePoolMaxConnections, "Bound on the connections of each store pool.", []string{"pool"}, nil),
		waits: prometheus.NewDesc(NamePoolWaits, "Requests for a store connection that waited for a free one, by pool.", []string{"pool"}, nil),
		wait:  prometheus.NewDesc(NamePoolWaitSeconds, "Time spent getting store connections, by pool.", []string{"pool"}, nil),
	})
}

// PluginStatus is one connector plugin as NewPluginCollector reads it.
type PluginStatus struct {
	Restarts int
	Up       bool
}

// NewPluginCollector exports the connector plugins' restarts and whether
// each is up, from fn (by plugin name), for the registry the connector
// runtime registers in.
func NewPluginCollector(fn func() map[string]PluginStatus) prometheus.Collector {
	return &pluginCollector{fn: fn,
		restarts: prometheus.NewDesc(NamePluginRestarts, "Times the host restarted a connector plugin's process, by plugin.", []string{"plugin"}, nil),
		up:       prometheus.NewDesc(NamePluginUp, "1 while a connector plugin's process runs and answers, else 0, by plugin.", []string{"plugin"}, nil),
	}
}

type poolCollector struct {
	fn                      func() []store.PoolStats
	conns, max, waits, wait *prometheus.Desc
}

func (p *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- p.conns
	ch <- p.max
	ch <- p.waits
	ch <- p.wait
}

func (p *poolCollector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range p.fn() {
		ch <- prometheus.MustNewConstMetric(p.conns, prometheus.GaugeValue, float64(s.Acquired), s.Name, "acquired")
		ch <- prometheus.MustNewConstMetric(p.conns, prometheus.GaugeValue, float64(s.Idle), s.Name, "idle")
		ch <- prometheus.MustNewConstMetric(p.max, prometheus.GaugeValue, float64(s.Max), s.Name)
		ch <- prometheus.MustNewConstMetric(p.waits, prometheus.CounterValue, float64(s.Waits), s.Name)
		ch <- prometheus.MustNewConstMetric(p.wait, prometheus.CounterValue, s.WaitTime.Seconds(), s.Name)
	}
}

type pluginCollector struct {
	fn           func() map[string]PluginStatus
	restarts, up *prometheus.Desc
}

func (p *pluginCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- p.restarts
	ch <- p.up
}

func (p *pluginCollector) Collect(ch chan<- prometheus.Metric) {
	for name, s := range p.fn() {
		up := 0.0
		if s.Up {
			up = 1
		}
		ch <- prometheus.MustNewConstMetric(p.restarts, prometheus.CounterValue, float64(s.Restarts), name)
		ch <- prometheus.MustNewConstMetric(p.up, prometheus.GaugeValue, up, name)
	}
}

// stateCollector reads the state's gauges once per scrape.
type stateCollector struct {
	fn                                              StateFunc
	instances, incidents, jobs, elements, timers    *prometheus.Desc
	subscriptions, messages, userTasks, definitions *prometheus.Desc
	activatable                                     *prometheus.Desc
	maxLabels                                       int
	readErrors                                      prometheus.Counter
}

func newStateCollector(fn StateFunc, maxLabels int) *stateCollector {
	desc := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, labels, nil)
	}
	return &stateCollector{fn: fn, maxLabels: maxLabels,
		activatable:   desc(NameJobsActivatable, "Jobs waiting to be activated, by job type.", "type"),
		instances:     desc(NameInstancesActive, "Process instances (called ones included) that have not ended."),
		incidents:     desc(NameIncidentsOpen, "Incidents not resolved yet, by error type.", "error_type"),
		jobs:          desc(NameJobsOpen, "Jobs neither completed nor canceled (activatable, activated, failed or backing off)."),
		elements:      desc(NameElementsActive, "Element instances that have not ended, process instances included."),
		timers:        desc(NameTimersPending, "Timers waiting to fire."),
		subscriptions: desc(NameSubscriptionsOpen, "Message subscriptions of waiting catch events."),
		messages:      desc(NameMessagesBuffered, "Published messages buffered until their time to live ends."),
		userTasks:     desc(NameUserTasksOpen, "User tasks neither completed nor canceled."),
		definitions:   desc(NameProcessDefinitions, "Process definition versions deployed."),
		readErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: NameStateReadErrors, Help: "Scrapes that could not read the state's gauges in time (the gauges were left out).",
		}),
	}
}

func (s *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{s.instances, s.incidents, s.jobs, s.elements, s.timers, s.subscriptions, s.messages, s.userTasks, s.definitions, s.activatable} {
		ch <- d
	}
	s.readErrors.Describe(ch)
}

func (s *stateCollector) Collect(ch chan<- prometheus.Metric) {
	defer s.readErrors.Collect(ch)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	g, err := s.fn(ctx)
	if err != nil {
		s.readErrors.Inc()
		return
	}
	gauge := func(d *prometheus.Desc, v int, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(v), labels...)
	}
	gauge(s.instances, g.ActiveInstances)
	types := make([]string, 0, len(incidentErrorTypes)+len(g.OpenIncidents))
	seen := map[string]bool{}
	for _, t := range incidentErrorTypes {
		types, seen[string(t)] = append(types, string(t)), true
	}
	for t := range g.OpenIncidents {
		if !seen[string(t)] {
			types = append(types, string(t))
		}
	}
	sort.Strings(types)
	for _, t := range types {
		gauge(s.incidents, g.OpenIncidents[record.ErrorType(t)], t)
	}
	c := g.Counts
	gauge(s.jobs, c.Jobs)
	gauge(s.elements, c.Elements)
	gauge(s.timers, c.Timers)
	gauge(s.subscriptions, c.Subscriptions)
	gauge(s.messages, c.Messages)
	gauge(s.userTasks, c.UserTasks)
	gauge(s.definitions, c.Processes)
	collectByType(ch, s.activatable, g.Activatable, s.maxLabels)
}
