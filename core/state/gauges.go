package state

import (
	"fmt"
	"maps"

	"github.com/example/wf-engine/core/record"
)

// gauges are counts the appliers keep up to date as they apply events, so
// that metrics read them without counting the tables: the process
// instances that have not ended and the open incidents by error type.
type gauges struct {
	instances int
	incidents map[record.ErrorType]int
}

func newGauges() gauges { return gauges{incidents: map[record.ErrorType]int{}} }

func (g *gauges) instanceStarted() { g.instances++ }
func (g *gauges) instanceEnded()   { g.instances-- }

func (g *gauges) incidentCreated(t record.ErrorType) { g.incidents[t]++ }

func (g *gauges) incidentResolved(t record.ErrorType) {
	if g.incidents[t] <= 1 {
		delete(g.incidents, t)
		return
	}
	g.incidents[t]--
}

// Gauges are the state's live counts, for metrics.
type Gauges struct {
	// ActiveInstances counts process instances (called ones included)
	// that have not ended.
	ActiveInstances int
	// OpenIncidents counts the unresolved incidents by error type.
	OpenIncidents map[record.ErrorType]int
	// Counts are the sizes of the state's tables.
	Counts Counts
	// Activatable counts the jobs waiting to be activated, by job type
	// (every tenant), for the types that have any.
	Activatable map[string]int
}

// Gauges returns the live counts the appliers keep, the sizes of the
// tables and the lengths of the activatable job queues. It counts no
// table: every number is kept as events are applied.
func (s *State) Gauges() Gauges {
	g := Gauges{ActiveInstances: s.gg.instances, OpenIncidents: maps.Clone(s.gg.incidents), Counts: s.Counts(), Activatable: map[string]int{}}
	for _, t := range s.ActivatableTypes() {
		g.Activatable[t] = s.ActivatableCount(t)
	}
	return g
}

// recountGauges sets the gauges from the tables, after a restore.
func (s *State) recountGauges() {
	s.gg = s.countGauges()
}

func (s *State) countGauges() gauges {
	g := newGauges()
	for _, e := range s.elements {
		if e.Value.FlowScopeKey <= 0 {
			g.instanceStarted()
		}
	}
	for _, i := range s.incidents {
		g.incidentCreated(i.Value.ErrorType)
	}
	return g
}

// checkGauges verifies that the kept gauges match the tables.
func (s *State) checkGauges() error {
	want := s.countGauges()
	if want.instances != s.gg.instances {
		return fmt.Errorf("the state counts %d active process instances but holds %d", s.gg.instances, want.instances)
	}
	if !maps.Equal(want.incidents, s.gg.incidents) {
		return fmt.Errorf("the state counts open incidents %v but holds %v", s.gg.incidents, want.incidents)
	}
	return nil
}
