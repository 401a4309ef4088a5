package tables

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/example/wf-engine/core/store"
)

// InstanceTables are the tables whose rows belong to one process instance,
// found by their process_instance_key column; retention (store.Retainer)
// deletes them with the instance. element_instances comes last: its
// process instance row is the unit, deleted first on its own. Not here:
// messages, message start subscriptions and documents (not an instance's),
// user task assignments (they have no process instance key:
// DeleteInstanceRows finds them through their user tasks, after
// FoldAssignments kept their usage), the log.
var InstanceTables = []string{
	"variables",
	"jobs",
	"incidents",
	"timers",
	"message_subscriptions",
	"user_tasks",
	"signal_subscriptions",
	"compensation_subscriptions",
	"sequence_flows",
	"correlated_message_subscriptions",
	"process_instance_tags",
	"incident_error_hashes",
	"element_instances",
}

// FinishedInstances is the condition on element_instances that selects
// finished process instances (the partial index process_instances_finished
// of migrations postgres 24 / sqlite 23 has the same predicate).
const FinishedInstances = `flow_scope_key = -1 AND instance_state IN ('COMPLETED', 'TERMINATED')`

// Retention is a store's part of store.Retainer: how it reads and how it
// removes one batch. RemoveFinished and Overdue do the rest, the same for
// every store.
type Retention struct {
	// Fetch reads outside any commit (the read pool).
	Fetch Fetch
	// Param returns the store's placeholder of the n-th argument, counting
	// from 1 (search.Dialect's Param).
	Param func(n int) string
	// Remove deletes, in one transaction, the process instances of keys
	// that are still finished, with their rows (DeleteInstanceRows), and
	// reports Instances, Rows and Held.
	Remove func(ctx context.Context, keys []int64) (store.RemovalResult, error)
}

// retentionProcesses lists the process ids a policy may name.
const retentionProcesses = `SELECT DISTINCT bpmn_process_id FROM process_definitions ORDER BY 1`

// retentionDue takes (process id, cutoff in Unix ms, limit).
func (r Retention) retentionDue() string {
	return `SELECT key, end_time FROM element_instances WHERE ` + FinishedInstances + `
		AND bpmn_process_id = ` + r.Param(1) + ` AND end_time > 0 AND end_time < ` + r.Param(2) + ` ORDER BY key LIMIT ` + r.Param(3)
}

// due selects up to limit process instances due under p, by process id
// and then key, at most each of one process (0: no bound).
func (r Retention) due(ctx context.Context, p store.RetentionPolicy, limit, each int, fn func(processID string, key, end int64)) error {
	var ids []string
	err := r.Fetch(ctx, retentionProcesses, nil, func(scan Scan) error {
		var id string
		if err := scan(&id); err != nil {
			return err
		}
		ids = append(ids, id)
		return nil
	})
	if err != nil {
		return err
	}
	q := r.retentionDue()
	n := 0
	for _, id := range ids {
		c := p.CutoffOf(id)
		if c.IsZero() || n >= limit {
			continue
		}
		m := limit - n
		if each > 0 {
			m = min(m, each)
		}
		err := r.Fetch(ctx, q, []any{id, c.UnixMilli(), m}, func(scan Scan) error {
			var key, end int64
			if err := scan(&key, &end); err != nil {
				return err
			}
			fn(id, key, end)
			n++
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// RemoveFinished runs one batch of store.Retainer's RemoveFinished: it
// selects up to limit due instances and removes them with r.Remove.
func (r Retention) RemoveFinished(ctx context.Context, p store.RetentionPolicy, limit int) (store.RemovalResult, error) {
	if limit <= 0 {
		return store.RemovalResult{}, nil
	}
	var keys []int64
	if err := r.due(ctx, p, limit, 0, func(_ string, key, _ int64) { keys = append(keys, key) }); err != nil {
		return store.RemovalResult{}, fmt.Errorf("select: %w", err)
	}
	if len(keys) == 0 {
		return store.RemovalResult{}, nil
	}
	res, err := r.Remove(ctx, keys)
	if err != nil {
		return store.RemovalResult{}, err
	}
	res.More = len(keys) == limit
	return res, nil
}

// Overdue reads store.Retainer's Overdue: how long ago the oldest due
// instance of any process became due.
func (r Retention) Overdue(ctx context.Context, p store.RetentionPolicy) (time.Duration, error) {
	var worst time.Duration
	err := r.due(ctx, p, 1<<30, 1, func(id string, _, end int64) {
		if d := p.CutoffOf(id).Sub(time.UnixMilli(end)); d > worst {
			worst = d
		}
	})
	return worst, err
}

// DeleteInstanceRows passes del, table by table in the order of
// InstanceTables, the statement that deletes the rows of removed process
// instances; in is the store's condition on process_instance_key, whose
// one argument holds the instances' keys ("= ANY($1)").
func DeleteInstanceRows(in string, del func(table, query string) error) error {
	if err := del("user_task_assignments", `DELETE FROM user_task_assignments WHERE `+assignmentsOf(in)); err != nil {
		return err
	}
	for _, t := range InstanceTables {
		if err := del(t, `DELETE FROM `+t+` WHERE process_instance_key `+in); err != nil {
			return err
		}
	}
	return nil
}

// assignmentsOf is the condition on user_task_assignments that selects
// the assignments of the removed instances' user tasks; in is
// DeleteInstanceRows's condition on process_instance_key.
func assignmentsOf(in string) string {
	return `user_task_key IN (SELECT key FROM user_tasks WHERE process_instance_key ` + in + `)`
}

// FoldAssignments returns the statement, run in the removal's transaction
// before DeleteInstanceRows, that keeps what usage metrics need of the
// assignments it deletes: one usage_assignees row per tenant, minute and
// assignee (the usage of distinct assignees counts them by minute, as
// removed instances are counted by their start minute). in is as for
// DeleteInstanceRows.
func FoldAssignments(in string) string {
	return `INSERT INTO usage_assignees (tenant_id, assign_minute, assignee)
		SELECT DISTINCT tenant_id, assign_time - (((assign_time % 60000) + 60000) % 60000), assignee
		FROM user_task_assignments WHERE ` + assignmentsOf(in) + ` ON CONFLICT DO NOTHING`
}

// removalPause, when set (crash tests only), names the file PauseRemoval
// creates.
var removalPause = os.Getenv("WF_TEST_RETENTION_PAUSE")

// PauseRemoval is called by a store's Remove after its first delete,
// inside the transaction. In crash tests (WF_TEST_RETENTION_PAUSE names a
// file) it creates the file and waits for ctx to end, so that the test can
// kill the process in the middle of a batch, and returns ctx's error;
// otherwise it returns nil at once.
func PauseRemoval(ctx context.Context) error {
	if removalPause == "" {
		return nil
	}
	if err := os.WriteFile(removalPause, nil, 0o600); err != nil {
		return err
	}
	<-ctx.Done()
	return ctx.Err()
}
