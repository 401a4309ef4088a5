package memstore

import "github.com/example/wf-engine/core/state"

// events holds the latest rows of timers, messages, message subscriptions
// and user tasks; rows that ended stay, as in the durable stores.
type events struct {
	timers   map[int64]state.TimerRow
	subs     map[int64]state.MessageSubscriptionRow
	messages map[int64]state.MessageRow
	starts   map[int64]state.StartSubscriptionRow
	signals  map[int64]state.SignalSubscriptionRow
	comps    map[int64]state.CompensationSubscriptionRow
	tasks    map[int64]state.UserTaskRow
}

func upsert[R any](m *map[int64]R, rows []R, key func(*R) int64) {
	if len(rows) == 0 {
		return
	}
	if *m == nil {
		*m = map[int64]R{}
	}
	for i := range rows {
		(*m)[key(&rows[i])] = rows[i]
	}
}

func (e *events) commit(c *state.Changes) {
	upsert(&e.timers, c.Timers, func(r *state.TimerRow) int64 { return r.Key })
	upsert(&e.subs, c.MessageSubscriptions, func(r *state.MessageSubscriptionRow) int64 { return r.Key })
	upsert(&e.messages, c.Messages, func(r *state.MessageRow) int64 { return r.Key })
	upsert(&e.starts, c.StartSubscriptions, func(r *state.StartSubscriptionRow) int64 { return r.Key })
	upsert(&e.signals, c.SignalSubscriptions, func(r *state.SignalSubscriptionRow) int64 { return r.Key })
	upsert(&e.comps, c.CompensationSubscriptions, func(r *state.CompensationSubscriptionRow) int64 { return r.Key })
	upsert(&e.tasks, c.UserTasks, func(r *state.UserTaskRow) int64 { return r.Key })
}

// load adds the live rows, in key order, to snap.
func (e *events) load(snap *state.Snapshot) {
	for _, k := range sortedKeys(e.timers) {
		if r := e.timers[k]; r.Live {
			snap.Timers = append(snap.Timers, r.Timer)
		}
	}
	for _, k := range sortedKeys(e.subs) {
		if r := e.subs[k]; r.Live {
			snap.MessageSubscriptions = append(snap.MessageSubscriptions, r.MessageSubscription)
		}
	}
	for _, k := range sortedKeys(e.messages) {
		if r := e.messages[k]; r.Live {
			snap.Messages = append(snap.Messages, r.Message)
		}
	}
	for _, k := range sortedKeys(e.starts) {
		if r := e.starts[k]; r.Live {
			snap.StartSubscriptions = append(snap.StartSubscriptions, r.StartSubscription)
		}
	}
	for _, k := range sortedKeys(e.signals) {
		if r := e.signals[k]; r.Live {
			snap.SignalSubscriptions = append(snap.SignalSubscriptions, r.SignalSubscription)
		}
	}
	for _, k := range sortedKeys(e.comps) {
		if r := e.comps[k]; r.Live {
			snap.CompensationSubscriptions = append(snap.CompensationSubscriptions, r.CompensationSubscription)
		}
	}
	for _, k := range sortedKeys(e.tasks) {
		if r := e.tasks[k]; r.Live {
			snap.UserTasks = append(snap.UserTasks, r.UserTask)
		}
	}
}
