package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
)

// partitionedStore is a store divided into partitions (store.Partitioned):
// each partition's engine runs on its own view.
type partitionedStore interface {
	Partition(p int32) (store.Store, error)
}

// startEngines starts one engine per partition behind a router
// (docs/scaling.md, "N loops and the router"). One partition runs on the
// store itself, as always; more run each on its partition's view of a
// store.Partitioned store, whose count checkPartitions has recorded. cfg is
// every engine's configuration but its partition and store. With several
// nodes on the store (n holds partition leases), engines run only for the
// partitions this node holds, now and later (spread.go).
func startEngines(ctx context.Context, partitions int, base store.Store, cfg engine.Config, log *slog.Logger, n *node) (*engine.Router, error) {
	if ps, ok := base.(partitionedStore); ok && partitions > 1 {
		// The partitions exchange inter-partition commands (messages across
		// partitions, docs/scaling.md): each engine's forwarder reads the
		// other partitions' logs through their views.
		cfg.Crossing = engine.NewCrossing(int32(partitions), ps.Partition, engine.ForwarderOptions{Logger: log}) // #nosec G115 -- at most 4,095 partitions
	}
	if n != nil && n.keeper != nil {
		return startNodeEngines(ctx, partitions, base, cfg, log, n)
	}
	views, err := openViews(base, partitions)
	if err != nil {
		return nil, err
	}
	engines := make([]*engine.Engine, 0, len(views))
	stop := func() {
		for _, e := range engines {
			_ = e.Close()
		}
	}
	for i, v := range views {
		c := cfg
		c.Partition, c.Store = int32(i+1), v // #nosec G115 -- at most 4,095 partitions
		e, err := engine.Start(ctx, c)
		if err != nil {
			stop()
			if partitions > 1 {
				return nil, fmt.Errorf("start partition %d: %w", i+1, err)
			}
			return nil, err
		}
		engines = append(engines, e)
	}
	r, err := engine.NewRouter(ctx, engines, log)
	if err != nil {
		stop()
		return nil, err
	}
	if partitions > 1 {
		log.Info("partitions started", "partitions", partitions)
		log.Warn("with more than one partition, deleting resources is refused (docs/scaling.md, ADR 32)", "partitions", partitions)
	}
	return r, nil
}

// openViews returns the store of each of the partitions of base, in
// partition order: base itself when it runs one partition, else each
// partition's view of a store.Partitioned store, whose count
// checkPartitions has recorded.
func openViews(base store.Store, partitions int) ([]store.Store, error) {
	if partitions <= 1 {
		return []store.Store{base}, nil
	}
	ps, ok := base.(partitionedStore)
	if !ok {
		return nil, fmt.Errorf("cluster.partitions is %d, but this store runs one partition", partitions)
	}
	views := make([]store.Store, 0, partitions)
	for p := int32(1); int(p) <= partitions; p++ {
		v, err := ps.Partition(p)
		if err != nil {
			return nil, fmt.Errorf("open partition %d: %w", p, err)
		}
		views = append(views, v)
	}
	return views, nil
}

// partitionStores returns the store of each partition the router runs:
// the views whose logs are compacted and checkpointed one by one.
func partitionStores(r *engine.Router) []store.Store {
	out := make([]store.Store, 0, len(r.Partitions()))
	for _, e := range r.Partitions() {
		out = append(out, e.Store())
	}
	return out
}

// sumGauges adds up the state gauges of every partition.
func sumGauges(ctx context.Context, r *engine.Router) (state.Gauges, error) {
	var sum state.Gauges
	if len(r.Partitions()) == 1 {
		err := r.Read(ctx, func(st *state.State) { sum = st.Gauges() })
		return sum, err
	}
	var errs []error
	for _, e := range r.Partitions() {
		var g state.Gauges
		if err := e.Read(ctx, func(st *state.State) { g = st.Gauges() }); err != nil {
			errs = append(errs, err)
			continue
		}
		addGauges(&sum, g)
	}
	return sum, errors.Join(errs...)
}

func addGauges(sum *state.Gauges, g state.Gauges) {
	sum.ActiveInstances += g.ActiveInstances
	for t, n := range g.OpenIncidents {
		if sum.OpenIncidents == nil {
			sum.OpenIncidents = map[record.ErrorType]int{}
		}
		sum.OpenIncidents[t] += n
	}
	for t, n := range g.Activatable {
		if sum.Activatable == nil {
			sum.Activatable = map[string]int{}
		}
		sum.Activatable[t] += n
	}
	c := &sum.Counts
	c.Processes = max(c.Processes, g.Counts.Processes) // every partition holds every definition
	c.Elements += g.Counts.Elements
	c.Scopes += g.Counts.Scopes
	c.Jobs += g.Counts.Jobs
	c.Incidents += g.Counts.Incidents
	c.Timers += g.Counts.Timers
	c.Subscriptions += g.Counts.Subscriptions
	c.Messages += g.Counts.Messages
	c.StartSubscriptions = max(c.StartSubscriptions, g.Counts.StartSubscriptions)
	c.UserTasks += g.Counts.UserTasks
	c.SignalSubscriptions += g.Counts.SignalSubscriptions
}
