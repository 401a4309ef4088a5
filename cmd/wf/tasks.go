package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/example/wf-engine/sdk/client"
)

// userTaskStates are the states a user task search accepts.
var userTaskStates = []string{"CREATING", "CREATED", "ASSIGNING", "UPDATING", "COMPLETING", "COMPLETED", "CANCELING", "CANCELED", "FAILED"}

// tasksListCommand is wf tasks list.
func (a *app) tasksListCommand() *cobra.Command {
	var (
		assignee, group, state string
		instance               string
		limit                  int32
	)
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "Search user tasks, oldest first",
		Example: "  wf tasks list --group managers --state CREATED\n  wf tasks list --assignee alice -o json",
		Args:    args(),
	}
	f := cmd.Flags()
	f.StringVar(&assignee, "assignee", "", "only tasks assigned to this user")
	f.StringVar(&group, "group", "", "only tasks this candidate group may claim")
	f.StringVar(&state, "state", "", "only tasks in this state, e.g. CREATED or COMPLETED")
	f.StringVar(&instance, "instance", "", "only tasks of this process instance (key)")
	f.Int32Var(&limit, "limit", 50, "at most this many tasks (1 to 10000)")
	cmd.RunE = a.runE(func(ctx context.Context, _ []string) error {
		st, err := oneOf("--state", state, userTaskStates...)
		if err != nil {
			return err
		}
		if limit < 1 || limit > maxLimit {
			return usageErrorf("--limit: expected 1 to %d, got %d", maxLimit, limit)
		}
		filter := client.UserTaskFilter{Assignee: assignee, CandidateGroup: group, State: st}
		if instance != "" {
			if filter.ProcessInstanceKey, err = parseKey("--instance", instance); err != nil {
				return err
			}
		}
		cl, err := a.client()
		if err != nil {
			return err
		}
		res, err := cl.SearchUserTasks(ctx, client.UserTaskQuery{
			Filter: filter,
			Sort:   []client.Sort{{Field: "creationDate", Order: client.Ascending}},
			Page:   &client.Page{Limit: limit},
		})
		if err != nil {
			return err
		}
		items := nonNil(res.Items)
		return a.print(items, func(tw *tabwriter.Writer) {
			fmt.Fprintln(tw, "KEY\tNAME\tSTATE\tASSIGNEE\tGROUPS\tPROCESS\tINSTANCE\tCREATED")
			for _, t := range items {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", t.UserTaskKey, dash(t.Name), t.State, dash(t.Assignee),
					dash(strings.Join(t.CandidateGroups, ",")), t.ProcessDefinitionID, t.ProcessInstanceKey, fmtTime(t.CreationDate))
			}
			more(tw, len(items), res.Page.TotalItems)
		})
	})
	return cmd
}

// tasksAssignCommand is wf tasks assign.
func (a *app) tasksAssignCommand() *cobra.Command {
	var override bool
	cmd := &cobra.Command{
		Use:   "assign <taskKey> <assignee>",
		Short: "Assign a user task",
		Long: "Assign a user task. A task that someone else holds is refused unless --override is\n" +
			"given.",
		Example: "  wf tasks assign 2251799813685270 alice\n  wf tasks assign 2251799813685270 bob --override",
		Args:    args("<taskKey>", "<assignee>"),
	}
	cmd.Flags().BoolVar(&override, "override", false, "replace another assignee")
	cmd.RunE = a.runE(func(ctx context.Context, args []string) error {
		key, err := parseKey("<taskKey>", args[0])
		if err != nil {
			return err
		}
		if args[1] == "" {
			return usageErrorf("<assignee>: expected a user name, got an empty one")
		}
		cl, err := a.client()
		if err != nil {
			return err
		}
		if err := cl.AssignUserTask(ctx, key, client.AssignUserTaskRequest{Assignee: args[1], AllowOverride: client.Ptr(override)}); err != nil {
			return err
		}
		return a.done("user task", "userTaskKey", key, "assigned to "+args[1])
	})
	return cmd
}

// tasksCompleteCommand is wf tasks complete.
func (a *app) tasksCompleteCommand() *cobra.Command {
	return a.completeCommand("<taskKey>", "Complete a user task",
		"  wf tasks complete 2251799813685270 --variables '{\"approved\": true}'", "user task", "userTaskKey",
		func(ctx context.Context, cl *client.Client, key int64, vars json.RawMessage) error {
			return cl.CompleteUserTask(ctx, key, client.CompleteUserTaskRequest{Variables: vars})
		})
}
