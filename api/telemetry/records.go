package telemetry

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/example/wf-engine/core/record"
)

// Names of the metrics counted from committed records.
const (
	NameCommands               = "wf_engine_commands_total"
	NameRejections             = "wf_engine_rejections_total"
	NameEvents                 = "wf_engine_events_total"
	NameLogPosition            = "wf_engine_log_position"
	NameInstancesStarted       = "wf_process_instances_started_total"
	NameInstancesCompleted     = "wf_process_instances_completed_total"
	NameInstancesTerminated    = "wf_process_instances_terminated_total"
	NameElementActivations     = "wf_element_activations_total"
	NameElementCompletions     = "wf_element_completions_total"
	NameJobsCreated            = "wf_jobs_created_total"
	NameJobsCompleted          = "wf_jobs_completed_total"
	NameJobsFailed             = "wf_jobs_failed_total"
	NameJobsTimedOut           = "wf_jobs_timed_out_total"
	NameJobsErrorThrown        = "wf_jobs_error_thrown_total"
	NameJobsCanceled           = "wf_jobs_canceled_total"
	NameJobTimeToActivation    = "wf_job_time_to_activation_seconds"
	NameIncidentsCreated       = "wf_incidents_created_total"
	NameIncidentsResolved      = "wf_incidents_resolved_total"
	NameTimersScheduled        = "wf_timers_scheduled_total"
	NameTimersFired            = "wf_timers_fired_total"
	NameTimersCanceled         = "wf_timers_canceled_total"
	NameTimerLag               = "wf_timer_firing_lag_seconds"
	NameMessagesPublished      = "wf_messages_published_total"
	NameMessagesCorrelated     = "wf_messages_correlated_total"
	NameMessagesExpired        = "wf_messages_expired_total"
	NameUserTasksCreated       = "wf_user_tasks_created_total"
	NameUserTasksAssigned      = "wf_user_tasks_assigned_total"
	NameUserTasksCompleted     = "wf_user_tasks_completed_total"
	NameUserTasksCanceled      = "wf_user_tasks_canceled_total"
	NameDeployments            = "wf_deployments_total"
	NameProcessDefinitionsMade = "wf_process_definitions_deployed_total"
)

// maxPendingJobs bounds the creation times kept for jobs not activated yet
// (NameJobTimeToActivation); jobs past it are not observed.
const maxPendingJobs = 1 << 20

// incidentErrorTypes are the error types whose series exist from the start.
var incidentErrorTypes = []record.ErrorType{record.ErrorJobNoRetries, record.ErrorIOMapping, record.ErrorCondition, record.ErrorExtractValue,
	record.ErrorCalledElement, record.ErrorUnhandledErrorEvnt, record.ErrorUnknown, record.ErrorFormNotFound}

// recordMetrics counts what committed batches say happened. It runs on the
// engine's committer goroutine, after the commit, and never on the
// processing path: replay and processing do not see it.
type recordMetrics struct {
	processes, jobTypes *boundedLabel

	commands, rejections, events                 *prometheus.CounterVec
	position                                     prometheus.Gauge
	started, completed, terminated               *prometheus.CounterVec
	activations, completions                     *prometheus.CounterVec
	jobsCreated, jobsActivated, jobsCompleted    *prometheus.CounterVec
	jobsFailed, jobsTimedOut, jobsThrown, jobsCx *prometheus.CounterVec
	toActivation                                 prometheus.Histogram
	incidentsCreated, incidentsResolved          *prometheus.CounterVec
	timersScheduled, timersFired, timersCanceled prometheus.Counter
	timerLag                                     prometheus.Histogram
	published, correlated, expired               prometheus.Counter
	tasksCreated, tasksAssigned, tasksCompleted  prometheus.Counter
	tasksCanceled, deployments, definitions      prometheus.Counter

	mu sync.Mutex
	// byKind caches the counters of commands, events and rejections by
	// value type and intent (rejections: and rejection type).
	byKind map[kindKey]prometheus.Counter
	// byLabel caches the counters of the one-label vectors by label value
	// (bounded: element types, error types, capped process ids and types).
	byLabel map[labelKey]prometheus.Counter
	// created holds the creation time (Unix ms) of jobs not activated yet.
	created map[int64]int64
}

type labelKey struct {
	vec   *prometheus.CounterVec
	value string
}

// inc adds n to the counter of vec with the label value.
func (m *recordMetrics) inc(vec *prometheus.CounterVec, value string, n float64) {
	k := labelKey{vec, value}
	c, ok := m.byLabel[k]
	if !ok {
		c = vec.WithLabelValues(value)
		m.byLabel[k] = c
	}
	c.Add(n)
}

type kindKey struct {
	kind      record.Kind
	valueType record.ValueType
	intent    record.Intent
	rejection record.RejectionType
}

func newRecordMetrics(maxLabelValues int) *recordMetrics {
	counter := func(name, help string) prometheus.Counter {
		return prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
	}
	vec := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	}
	m := &recordMetrics{
		processes: newBoundedLabel(maxLabelValues), jobTypes: newBoundedLabel(maxLabelValues),
		commands:          vec(NameCommands, "Commands written to the log, by value type and intent.", "value_type", "intent"),
		rejections:        vec(NameRejections, "Commands the engine rejected, by value type, intent and rejection type.", "value_type", "intent", "rejection_type"),
		events:            vec(NameEvents, "Events written to the log, by value type and intent.", "value_type", "intent"),
		position:          prometheus.NewGauge(prometheus.GaugeOpts{Name: NameLogPosition, Help: "Position of the last record committed to the log."}),
		started:           vec(NameInstancesStarted, "Process instances started (called ones included), by process id.", "process_id"),
		completed:         vec(NameInstancesCompleted, "Process instances completed, by process id.", "process_id"),
		terminated:        vec(NameInstancesTerminated, "Process instances terminated (canceled), by process id.", "process_id"),
		activations:       vec(NameElementActivations, "Element instances activated, by BPMN element type.", "element_type"),
		completions:       vec(NameElementCompletions, "Element instances completed, by BPMN element type.", "element_type"),
		jobsCreated:       vec(NameJobsCreated, "Jobs created, by job type.", "type"),
		jobsActivated:     vec(NameJobsActivated, "Jobs handed to workers, by job type.", "type"),
		jobsCompleted:     vec(NameJobsCompleted, "Jobs completed, by job type.", "type"),
		jobsFailed:        vec(NameJobsFailed, "Job failures reported by workers, by job type.", "type"),
		jobsTimedOut:      vec(NameJobsTimedOut, "Activated jobs whose deadline passed before a worker answered, by job type.", "type"),
		jobsThrown:        vec(NameJobsErrorThrown, "BPMN errors thrown by workers, by job type.", "type"),
		jobsCx:            vec(NameJobsCanceled, "Jobs canceled because their element ended otherwise, by job type.", "type"),
		incidentsCreated:  vec(NameIncidentsCreated, "Incidents created, by error type.", "error_type"),
		incidentsResolved: vec(NameIncidentsResolved, "Incidents resolved, by error type.", "error_type"),
		toActivation: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: NameJobTimeToActivation, Help: "Time from a job's creation to its first activation (engine time), for jobs created since the server started.",
			Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600},
		}),
		timersScheduled: counter(NameTimersScheduled, "Timers scheduled (timer events and cycles)."),
		timersFired:     counter(NameTimersFired, "Timers that fired."),
		timersCanceled:  counter(NameTimersCanceled, "Timers canceled before they fired."),
		timerLag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: NameTimerLag, Help: "Time from a timer's due date to its firing (engine time).",
			Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300},
		}),
		published:      counter(NameMessagesPublished, "Messages published or correlated through the API."),
		correlated:     counter(NameMessagesCorrelated, "Message correlations to a waiting catch event or a message start event."),
		expired:        counter(NameMessagesExpired, "Buffered messages whose time to live ended."),
		tasksCreated:   counter(NameUserTasksCreated, "User tasks created."),
		tasksAssigned:  counter(NameUserTasksAssigned, "User task assignments (and unassignments)."),
		tasksCompleted: counter(NameUserTasksCompleted, "User tasks completed."),
		tasksCanceled:  counter(NameUserTasksCanceled, "User tasks canceled because their element ended otherwise."),
		deployments:    counter(NameDeployments, "Deployments accepted."),
		definitions:    counter(NameProcessDefinitionsMade, "New process definition versions deployed."),
		byKind:         map[kindKey]prometheus.Counter{},
		byLabel:        map[labelKey]prometheus.Counter{},
		created:        map[int64]int64{},
	}
	for _, t := range incidentErrorTypes {
		m.incidentsCreated.WithLabelValues(string(t))
		m.incidentsResolved.WithLabelValues(string(t))
	}
	return m
}

func (m *recordMetrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.commands, m.rejections, m.events, m.position, m.started, m.completed, m.terminated,
		m.activations, m.completions, m.jobsCreated, m.jobsActivated, m.jobsCompleted, m.jobsFailed, m.jobsTimedOut,
		m.jobsThrown, m.jobsCx, m.toActivation, m.incidentsCreated, m.incidentsResolved, m.timersScheduled, m.timersFired,
		m.timersCanceled, m.timerLag, m.published, m.correlated, m.expired, m.tasksCreated, m.tasksAssigned,
		m.tasksCompleted, m.tasksCanceled, m.deployments, m.definitions}
}

// observe counts the records of one committed batch.
func (m *recordMetrics) observe(recs []*record.Record) {
	if len(recs) == 0 {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range recs {
		m.kindCounter(r).Inc()
		if r.Kind == record.KindEvent {
			m.event(r)
		}
	}
	// Partition 1's position only: with several partitions (ADR 32) the
	// others' positions start at (p-1) << 51, and one gauge taking each in
	// turn would be noise; wf_log_first_position is partition 1's too.
	if last := recs[len(recs)-1].Position; positionPartition(last) == 1 {
		m.position.Set(float64(last))
	}
}

// positionPartition is the partition of a log position (store.PositionPartition).
func positionPartition(pos int64) int32 {
	return int32(pos>>record.KeyPartitionShift) + 1 // #nosec G115 -- positions hold the partition in bits 51..62
}

func (m *recordMetrics) kindCounter(r *record.Record) prometheus.Counter {
	k := kindKey{kind: r.Kind, valueType: r.ValueType, intent: r.Intent}
	if r.Kind == record.KindRejection {
		k.rejection = r.RejectionType
	}
	if c, ok := m.byKind[k]; ok {
		return c
	}
	var c prometheus.Counter
	switch r.Kind {
	case record.KindCommand:
		c = m.commands.WithLabelValues(r.ValueType.String(), r.Intent.String())
	case record.KindRejection:
		c = m.rejections.WithLabelValues(r.ValueType.String(), r.Intent.String(), r.RejectionType.String())
	default:
		c = m.events.WithLabelValues(r.ValueType.String(), r.Intent.String())
	}
	m.byKind[k] = c
	return c
}

// event counts one event by what it says happened.
func (m *recordMetrics) event(r *record.Record) {
	switch v := r.Value.(type) {
	case *record.ProcessInstanceValue:
		m.element(r.Intent, v)
	case *record.JobValue:
		m.job(r, v)
	case *record.JobBatchValue:
		if r.Intent != record.IntentJobBatchActivated {
			return
		}
		m.inc(m.jobsActivated, m.jobTypes.value(v.Type), float64(len(v.JobKeys)))
		for _, k := range v.JobKeys {
			if at, ok := m.created[k]; ok {
				m.toActivation.Observe(seconds(r.Timestamp - at))
				delete(m.created, k)
			}
		}
	case *record.IncidentValue:
		switch r.Intent {
		case record.IntentIncidentCreated:
			m.inc(m.incidentsCreated, string(v.ErrorType), 1)
		case record.IntentIncidentResolved:
			m.inc(m.incidentsResolved, string(v.ErrorType), 1)
		}
	case *record.TimerValue:
		switch r.Intent {
		case record.IntentTimerCreated:
			m.timersScheduled.Inc()
		case record.IntentTimerTriggered:
			m.timersFired.Inc()
			m.timerLag.Observe(seconds(r.Timestamp - v.DueDate))
		case record.IntentTimerCanceled:
			m.timersCanceled.Inc()
		}
	default:
		m.other(r)
	}
}

func (m *recordMetrics) element(intent record.Intent, v *record.ProcessInstanceValue) {
	process := v.BPMNElementType == "PROCESS"
	switch intent {
	case record.IntentElementActivated:
		m.inc(m.activations, v.BPMNElementType, 1)
		if process {
			m.inc(m.started, m.processes.value(v.BPMNProcessID), 1)
		}
	case record.IntentElementCompleted:
		m.inc(m.completions, v.BPMNElementType, 1)
		if process {
			m.inc(m.completed, m.processes.value(v.BPMNProcessID), 1)
		}
	case record.IntentElementTerminated:
		if process {
			m.inc(m.terminated, m.processes.value(v.BPMNProcessID), 1)
		}
	}
}

func (m *recordMetrics) job(r *record.Record, v *record.JobValue) {
	var c *prometheus.CounterVec
	switch r.Intent {
	case record.IntentJobCreated:
		if len(m.created) < maxPendingJobs {
			m.created[r.Key] = r.Timestamp
		}
		c = m.jobsCreated
	case record.IntentJobCompleted:
		delete(m.created, r.Key)
		c = m.jobsCompleted
	case record.IntentJobFailed:
		c = m.jobsFailed
	case record.IntentJobTimedOut:
		c = m.jobsTimedOut
	case record.IntentJobErrorThrown:
		c = m.jobsThrown
	case record.IntentJobCanceled:
		delete(m.created, r.Key)
		c = m.jobsCx
	default:
		return
	}
	m.inc(c, m.jobTypes.value(v.Type), 1)
}

// other counts messages, user tasks and deployments.
func (m *recordMetrics) other(r *record.Record) {
	switch r.Intent {
	case record.IntentMessagePublished, record.IntentMessageCorrelated:
		m.published.Inc()
	case record.IntentMessageSubscriptionCorrelated, record.IntentMessageStartSubscriptionCorrelated:
		m.correlated.Inc()
	case record.IntentMessageExpired:
		m.expired.Inc()
	case record.IntentUserTaskCreated:
		m.tasksCreated.Inc()
	case record.IntentUserTaskAssigned:
		m.tasksAssigned.Inc()
	case record.IntentUserTaskCompleted:
		m.tasksCompleted.Inc()
	case record.IntentUserTaskCanceled:
		m.tasksCanceled.Inc()
	case record.IntentDeploymentCreated:
		m.deployments.Inc()
	case record.IntentProcessCreated:
		// With several partitions, partition 1 makes a definition and every
		// other partition receives it under partition 1's key (ADR 32): only
		// the partition whose key it is counts it.
		if p := positionPartition(r.Position); p == 1 || record.Partition(r.Key) == p {
			m.definitions.Inc()
		}
	}
}

// seconds turns a difference of Unix milliseconds into seconds, never
// below zero.
func seconds(ms int64) float64 {
	if ms < 0 {
		return 0
	}
	return float64(ms) / 1000
}
