package rest

import (
	"context"
	"strconv"

	"github.com/example/wf-engine/api/auth"
	"github.com/example/wf-engine/core/store"
)

// taskUser returns the name of a principal that may work only on its own
// user tasks (the user role without operator or admin), and whether it is
// so limited.
func taskUser(p *auth.Principal) (string, bool) {
	if p == nil || p.Has(auth.RoleAdmin) || p.Has(auth.RoleOperator) {
		return "", false
	}
	return p.Name, true
}

// taskVisibility is the condition, one of which a user task must meet for
// a limited principal to see it: the principal is its assignee, one of
// its candidate users, or in one of its candidate groups. Nil means every
// task.
func taskVisibility(p *auth.Principal) []store.Condition {
	name, limited := taskUser(p)
	if !limited {
		return nil
	}
	out := []store.Condition{
		{Field: "assignee", Op: store.OpEq, Value: name},
		{Field: "candidateUser", Op: store.OpEq, Value: name},
	}
	if len(p.Groups) > 0 {
		groups := make([]any, len(p.Groups))
		for i, g := range p.Groups {
			groups[i] = g
		}
		out = append(out, store.Condition{Field: "candidateGroup", Op: store.OpIn, Value: groups})
	}
	return out
}

// checkOwnTask refuses a limited principal's change to a task that is not
// assigned to it (completing or unassigning someone else's task).
func (s *Server) checkOwnTask(ctx context.Context, key int64) error {
	name, limited := taskUser(auth.FromContext(ctx))
	if !limited {
		return nil
	}
	t, err := s.userTask(ctx, key)
	if err != nil {
		return err
	}
	if t.Assignee != name {
		return &forbiddenError{msg: "Not allowed: user task " + strconv.FormatInt(key, 10) + " is not assigned to the caller; assign it to yourself first"}
	}
	return nil
}

// checkAssignee refuses a limited principal's assignment of a task to
// anyone but itself.
func checkAssignee(ctx context.Context, assignee string) error {
	name, limited := taskUser(auth.FromContext(ctx))
	if limited && assignee != name {
		return &forbiddenError{msg: "Not allowed: a user may assign tasks only to itself ('" + name + "')"}
	}
	return nil
}
