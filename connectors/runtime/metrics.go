package runtime

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metric names. Labels are the connector id and the job type, both bounded
// by the registered connectors, and the outcome; never job or instance keys.
const (
	NameExecutions        = "wf_connector_executions_total"
	NameExecutionDuration = "wf_connector_execution_duration_seconds"
	NameInFlight          = "wf_connector_executions_in_flight"
	NameActivationErrors  = "wf_connector_activation_errors_total"
	NameReportErrors      = "wf_connector_report_errors_total"
)

// Outcomes of an execution, the outcome label of NameExecutions.
const (
	OutcomeCompleted = "completed"
	OutcomeBPMNError = "bpmn_error"
	OutcomeFailed    = "failed"
	OutcomeIncident  = "failed_no_retries"
	OutcomeAbandoned = "abandoned"
)

// SpanExecute is the name of the span around one execution.
const SpanExecute = "connector.execute"

type metrics struct {
	executions       *prometheus.CounterVec
	duration         *prometheus.HistogramVec
	inFlight         *prometheus.GaugeVec
	activationErrors *prometheus.CounterVec
	reportErrors     *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		executions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: NameExecutions, Help: "Connector executions, by connector, job type and outcome (completed, bpmn_error, failed, failed_no_retries, abandoned).",
		}, []string{"connector", "type", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: NameExecutionDuration, Help: "Time a connector took to execute one job, by connector and job type.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120},
		}, []string{"connector", "type"}),
		inFlight: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: NameInFlight, Help: "Connector executions running, by connector and job type.",
		}, []string{"connector", "type"}),
		activationErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: NameActivationErrors, Help: "Job activation requests of the connector runtime that failed, by job type.",
		}, []string{"type"}),
		reportErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: NameReportErrors, Help: "Complete, fail or throw-error commands of the connector runtime that the engine refused or did not answer, by job type.",
		}, []string{"type"}),
	}
	for _, c := range []prometheus.Collector{m.executions, m.duration, m.inFlight, m.activationErrors, m.reportErrors} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}
