package state

import (
	"fmt"

	"github.com/example/wf-engine/core/record"
)

// UserTaskState is the lifecycle state of a Camunda user task. Persisted.
type UserTaskState uint8

// User task states. Persisted: never renumber.
const (
	UserTaskCreated   UserTaskState = 1
	UserTaskCompleted UserTaskState = 2
	UserTaskCanceled  UserTaskState = 3
)

func (s UserTaskState) String() string {
	switch s {
	case UserTaskCreated:
		return "CREATED"
	case UserTaskCompleted:
		return "COMPLETED"
	case UserTaskCanceled:
		return "CANCELED"
	}
	return fmt.Sprintf("USER_TASK_STATE(%d)", uint8(s))
}

// UserTask is a Camunda user task waiting for a person.
type UserTask struct {
	Key   int64
	State UserTaskState
	Value record.UserTaskValue
}

// UserTaskRow is the stored form of a user task; Live false marks history.
type UserTaskRow struct {
	UserTask
	Live bool
}

// UserTask returns the user task with the given key.
func (s *State) UserTask(key int64) *UserTask { return s.userTasks[key] }

// UserTaskOf returns the user task of an element instance, or nil.
func (s *State) UserTaskOf(elementInstanceKey int64) *UserTask {
	return s.userTasks[s.userTaskByElement[elementInstanceKey]]
}

// UserTaskKeys returns the keys of every open user task, in key order.
func (s *State) UserTaskKeys() []int64 { return sortedKeys(s.userTasks) }

func (s *State) markUserTask(t *UserTask, live bool) {
	row := UserTaskRow{UserTask: *t, Live: live}
	s.changes.userTasks[t.Key] = row
	s.changes.dirty = true
}

func applyUserTaskCreated(s *State, r *record.Record) error {
	v := r.Value.(*record.UserTaskValue)
	t := &UserTask{Key: r.Key, State: UserTaskCreated, Value: *v}
	s.userTasks[r.Key] = t
	s.userTaskByElement[v.ElementInstanceKey] = r.Key
	s.markUserTask(t, true)
	return nil
}

func (s *State) userTask(key int64) (*UserTask, error) {
	t := s.userTasks[key]
	if t == nil {
		return nil, fmt.Errorf("user task %d does not exist", key)
	}
	return t, nil
}

func applyUserTaskAssigned(s *State, r *record.Record) error {
	t, err := s.userTask(r.Key)
	if err != nil {
		return err
	}
	t.Value.Assignee = r.Value.(*record.UserTaskValue).Assignee
	s.markUserTask(t, true)
	return nil
}

func applyUserTaskUpdated(s *State, r *record.Record) error {
	t, err := s.userTask(r.Key)
	if err != nil {
		return err
	}
	v := r.Value.(*record.UserTaskValue)
	for _, a := range v.ChangedAttributes {
		switch a {
		case "candidateGroups":
			t.Value.CandidateGroups = v.CandidateGroups
		case "candidateUsers":
			t.Value.CandidateUsers = v.CandidateUsers
		case "dueDate":
			t.Value.DueDate = v.DueDate
		case "followUpDate":
			t.Value.FollowUpDate = v.FollowUpDate
		case "priority":
			t.Value.Priority = v.Priority
		}
	}
	s.markUserTask(t, true)
	return nil
}

func applyUserTaskEnded(to UserTaskState) applier {
	return func(s *State, r *record.Record) error {
		t, err := s.userTask(r.Key)
		if err != nil {
			return err
		}
		t.State = to
		v := r.Value.(*record.UserTaskValue)
		if to == UserTaskCompleted {
			t.Value.Variables, t.Value.Action = v.Variables, v.Action
		}
		t.Value.CompletionTimestamp = v.CompletionTimestamp
		delete(s.userTasks, r.Key)
		delete(s.userTaskByElement, t.Value.ElementInstanceKey)
		s.markUserTask(t, false)
		return nil
	}
}
