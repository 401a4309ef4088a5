package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/example/wf-engine/sdk/client"
)

// incidentStates are the states an incident search accepts.
var incidentStates = []string{"ACTIVE", "RESOLVED", "MIGRATED", "PENDING"}

// incidentsListCommand is wf incidents list.
func (a *app) incidentsListCommand() *cobra.Command {
	var (
		state, instance string
		limit           int32
	)
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "Search incidents, oldest first",
		Example: "  wf incidents list --state ACTIVE\n  wf incidents list --instance 2251799813685251 -o yaml",
		Args:    args(),
	}
	f := cmd.Flags()
	f.StringVar(&state, "state", "", "only incidents in this state: ACTIVE, RESOLVED, MIGRATED or PENDING")
	f.StringVar(&instance, "instance", "", "only incidents of this process instance (key)")
	f.Int32Var(&limit, "limit", 50, "at most this many incidents (1 to 10000)")
	cmd.RunE = a.runE(func(ctx context.Context, _ []string) error {
		st, err := oneOf("--state", state, incidentStates...)
		if err != nil {
			return err
		}
		if limit < 1 || limit > maxLimit {
			return usageErrorf("--limit: expected 1 to %d, got %d", maxLimit, limit)
		}
		filter := client.IncidentFilter{State: st}
		if instance != "" {
			if filter.ProcessInstanceKey, err = parseKey("--instance", instance); err != nil {
				return err
			}
		}
		cl, err := a.client()
		if err != nil {
			return err
		}
		res, err := cl.SearchIncidents(ctx, client.IncidentQuery{
			Filter: filter,
			Sort:   []client.Sort{{Field: "incidentKey", Order: client.Ascending}},
			Page:   &client.Page{Limit: limit},
		})
		if err != nil {
			return err
		}
		items := nonNil(res.Items)
		return a.print(items, func(tw *tabwriter.Writer) {
			fmt.Fprintln(tw, "KEY\tTYPE\tSTATE\tPROCESS\tINSTANCE\tELEMENT\tJOB\tMESSAGE")
			for _, in := range items {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", in.IncidentKey, in.ErrorType, in.State, in.ProcessDefinitionID,
					in.ProcessInstanceKey, in.ElementID, fmtKey(in.JobKey), oneLine(in.ErrorMessage))
			}
			more(tw, len(items), res.Page.TotalItems)
		})
	})
	return cmd
}

// incidentsResolveCommand is wf incidents resolve.
func (a *app) incidentsResolveCommand() *cobra.Command {
	var retries int32
	cmd := &cobra.Command{
		Use:   "resolve <incidentKey>",
		Short: "Resolve an incident so that the instance tries again",
		Long: "Resolve an incident: the instance tries the failed step again. A job that ran out of\n" +
			"retries fails again at once unless it gets new ones: --retries N gives the incident's\n" +
			"job N retries before resolving.",
		Example: "  wf incidents resolve 2251799813685280 --retries 3",
		Args:    args("<incidentKey>"),
	}
	cmd.Flags().Int32Var(&retries, "retries", 0, "give the incident's job this many retries first (0: leave them)")
	cmd.RunE = a.runE(func(ctx context.Context, args []string) error {
		key, err := parseKey("<incidentKey>", args[0])
		if err != nil {
			return err
		}
		if retries < 0 {
			return usageErrorf("--retries: expected 0 or more, got %d", retries)
		}
		cl, err := a.client()
		if err != nil {
			return err
		}
		if retries > 0 {
			in, err := cl.GetIncident(ctx, key)
			if err != nil {
				return err
			}
			if in.JobKey == 0 {
				return failure("--retries: incident %d (%s) has no job to give retries to", key, in.ErrorType)
			}
			if err := cl.UpdateJob(ctx, in.JobKey, client.JobChangeset{Retries: client.Ptr(retries)}); err != nil {
				return fmt.Errorf("give job %d retries: %w", in.JobKey, err)
			}
		}
		if err := cl.ResolveIncident(ctx, key); err != nil {
			return err
		}
		return a.done("incident", "incidentKey", key, "resolved")
	})
	return cmd
}
