package main

import (
	_ "embed"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"
)

var (
	//go:embed w1.bpmn
	w1 []byte
	//go:embed w2.bpmn
	w2BPMN []byte
	//go:embed w3.bpmn
	w3BPMN []byte
	//go:embed w4.bpmn
	w4BPMN []byte
	//go:embed w5.bpmn
	w5BPMN []byte
	//go:embed w6.bpmn
	w6BPMN []byte
)

// workload is one of wf-bench's workloads: its model and how a run drives
// it. Every workload creates instances of its process; what ends them is
// job completions (jobType, ends of them per instance), user task
// completions (userTasks) or both after a message (message) or a timer
// (timers).
type workload struct {
	name      string // W1 ... W6
	processID string
	file      string
	bpmn      []byte
	// jobType is the type of the jobs its workers activate ("" none).
	jobType string
	// ends is how many job or user task completions end an instance.
	ends int
	// userTasks: instances wait at a Camunda user task that is searched
	// for, assigned and completed over REST.
	userTasks bool
	// message: instances wait at a message catch event; wf-bench keeps
	// -waiting of them waiting and publishes a message to the oldest.
	message bool
	// timers: instances wait at a timer due at their dueDate variable.
	timers bool
	// lagVar names the variable (an RFC 3339 date) the workers fetch to
	// measure lag_ms: from that instant to the job's activation.
	lagVar   string
	lagMeans string
	// unit names the workload's own throughput unit ("" instances).
	unit                   string
	latencyFrom, latencyTo string
}

// workloads lists wf-bench's workloads.
func workloads() []*workload {
	return []*workload{
		{name: "W1", processID: "bench-w1", file: "bench-w1.bpmn", bpmn: w1, jobType: "bench-w1", ends: 1},
		{name: "W2", processID: "bench-w2", file: "bench-w2.bpmn", bpmn: w2BPMN, jobType: "bench-w2", ends: 10, unit: "jobs",
			latencyFrom: "create sent", latencyTo: "the 204 of the tenth job's completion (the instance ends in that command)"},
		{name: "W3", processID: "bench-w3", file: "bench-w3.bpmn", bpmn: w3BPMN, jobType: "bench-w3", ends: 5, unit: "jobs",
			latencyFrom: "create sent", latencyTo: "the 204 of the last of the five jobs' completions (the join and the end are in that command)"},
		{name: "W4", processID: "bench-w4", file: "bench-w4.bpmn", bpmn: w4BPMN, jobType: "bench-w4", ends: 1, message: true,
			unit: "messages", lagVar: "publishedAt",
			lagMeans:    "publication sent → the job after the message catch event received by a worker (an upper bound of the correlation latency)",
			latencyFrom: "publication sent", latencyTo: "the 204 of the completion of the job after the message catch event (the instance ends in that command)"},
		{name: "W5", processID: "bench-w5", file: "bench-w5.bpmn", bpmn: w5BPMN, jobType: "bench-w5", ends: 1, timers: true,
			unit: "timers", lagVar: "dueDate",
			lagMeans:    "the timer's due date → the job of the service task after the timer received by a worker (an upper bound of the firing lag: it includes the job's creation, activation and any backlog of jobs; timers.engine_fire_lag_ms is the engine's own)",
			latencyFrom: "the timer's due date", latencyTo: "the 204 of the completion of the job after the timer (the instance ends in that command)"},
		{name: "W6", processID: "bench-w6", file: "bench-w6.bpmn", bpmn: w6BPMN, ends: 1, userTasks: true, unit: "user_tasks",
			latencyFrom: "create sent", latencyTo: "the 204 of the user task's completion, after its search and assignment (the instance ends in that command)"},
	}
}

func workloadNames() []string {
	var names []string
	for _, w := range workloads() {
		names = append(names, strings.ToLower(w.name))
	}
	return names
}

func workloadNamed(name string) (*workload, error) {
	for _, w := range workloads() {
		if strings.EqualFold(w.name, name) {
			return w, nil
		}
	}
	return nil, fmt.Errorf("-workload: expected one of %s, got %q", strings.Join(workloadNames(), ", "), name)
}

// workloadFlags adds the flags of single workloads.
func (o *options) workloadFlags(fs *flag.FlagSet) {
	fs.IntVar(&o.Waiting, "waiting", 1000, "w4: instances kept waiting at the message catch event")
	fs.IntVar(&o.Timers, "timers", 100000, "w5: timers (instances), due evenly over -timer-window")
	fs.DurationVar(&o.TimerLead, "timer-lead", 90*time.Second, "w5: from the start to the first due date (time to create the instances)")
	fs.DurationVar(&o.TimerWindow, "timer-window", time.Minute, "w5: the timers are due within this window")
}

// createBody returns workload w's create request for instance n and, for
// W5, the timer's due date.
func (w *workload) createBody(s *runState, n int64) ([]byte, time.Time) {
	switch {
	case w.message:
		return []byte(`{"processDefinitionId":"` + w.processID + `","variables":{"correlation":"` + correlationKey(s.start, n) + `"}}`), time.Time{}
	case w.timers:
		due := s.timers.due(n)
		return []byte(`{"processDefinitionId":"` + w.processID + `","variables":{"dueDate":"` + due.Format(time.RFC3339Nano) + `"}}`), due
	}
	return []byte(`{"processDefinitionId":"` + w.processID + `","variables":{"orderId":"o-1","amount":42}}`), time.Time{}
}

// correlationKey is instance n's correlation key, unique to the run.
func correlationKey(start time.Time, n int64) string {
	return strconv.FormatInt(start.UnixNano(), 36) + "-" + strconv.FormatInt(n, 10)
}
