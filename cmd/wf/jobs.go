package main

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/example/wf-engine/sdk/client"
)

// activatedJob is an activated job as wf prints it: the SDK's with its
// deadline, which the SDK keeps out of JSON.
type activatedJob struct {
	client.ActivatedJob
	Deadline time.Time `json:"deadline"`
}

// jobsActivateCommand is wf jobs activate.
func (a *app) jobsActivateCommand() *cobra.Command {
	var (
		maxJobs        int32
		timeout, wait  time.Duration
		worker         string
		fetchVariables []string
	)
	cmd := &cobra.Command{
		Use:   "activate <type>",
		Short: "Activate jobs of a type",
		Long: "Activate up to --max jobs of a type and lock them to --worker for --timeout. By default\n" +
			"it returns at once; --wait waits that long for a first job.",
		Example: "  wf jobs activate charge-card --max 5 --timeout 1m --worker me\n  wf jobs activate charge-card --wait 10s -o json",
		Args:    args("<type>"),
	}
	f := cmd.Flags()
	f.Int32Var(&maxJobs, "max", 10, "at most this many jobs")
	f.DurationVar(&timeout, "timeout", 5*time.Minute, "how long the jobs stay locked to this worker")
	f.StringVar(&worker, "worker", "wf-cli", "worker name recorded on the jobs")
	f.DurationVar(&wait, "wait", 0, "wait this long for a first job when none is ready (default: do not wait)")
	f.StringSliceVar(&fetchVariables, "fetch", nil, "variables to fetch, comma-separated (default: all)")
	cmd.RunE = a.runE(func(ctx context.Context, args []string) error {
		switch {
		case maxJobs < 1:
			return usageErrorf("--max: expected at least 1, got %d", maxJobs)
		case timeout <= 0:
			return usageErrorf("--timeout: expected a positive duration, got %s", timeout)
		case wait < 0:
			return usageErrorf("--wait: expected a positive duration or 0, got %s", wait)
		}
		cl, err := a.client()
		if err != nil {
			return err
		}
		rt := wait
		if rt == 0 {
			rt = -1 // return at once
		}
		jobs, err := cl.ActivateJobs(ctx, client.ActivateJobsRequest{
			Type: args[0], Worker: worker, Timeout: timeout, MaxJobs: maxJobs, FetchVariables: fetchVariables, RequestTimeout: rt,
		})
		if err != nil {
			return err
		}
		out := make([]activatedJob, len(jobs))
		for i, j := range jobs {
			out[i] = activatedJob{ActivatedJob: j, Deadline: j.Deadline}
		}
		return a.print(out, func(tw *tabwriter.Writer) {
			fmt.Fprintln(tw, "KEY\tTYPE\tPROCESS\tINSTANCE\tELEMENT\tRETRIES\tDEADLINE")
			for _, j := range out {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%d\t%s\n", j.JobKey, j.Type, j.ProcessDefinitionID, j.ProcessInstanceKey, j.ElementID, j.Retries, fmtTime(j.Deadline))
			}
		})
	})
	return cmd
}

// jobsCompleteCommand is wf jobs complete.
func (a *app) jobsCompleteCommand() *cobra.Command {
	return a.completeCommand("<jobKey>", "Complete an activated job",
		"  wf jobs complete 2251799813685260 --variables '{\"charged\": true}'", "job", "jobKey",
		func(ctx context.Context, cl *client.Client, key int64, vars json.RawMessage) error {
			return cl.CompleteJob(ctx, key, client.CompleteJobRequest{Variables: vars})
		})
}

// completeCommand is a "complete <key> [--variables ...]" command: it reads
// the key and the variables and calls complete.
func (a *app) completeCommand(keyArg, short, example, noun, keyField string,
	complete func(ctx context.Context, cl *client.Client, key int64, vars json.RawMessage) error) *cobra.Command {
	var vars string
	cmd := &cobra.Command{
		Use:     "complete " + keyArg,
		Short:   short,
		Example: example,
		Args:    args(keyArg),
	}
	cmd.Flags().StringVar(&vars, "variables", "", "variables: a JSON object, @file or @- for standard input")
	cmd.RunE = a.runE(func(ctx context.Context, args []string) error {
		key, err := parseKey(keyArg, args[0])
		if err != nil {
			return err
		}
		v, err := a.variables("--variables", vars)
		if err != nil {
			return err
		}
		cl, err := a.client()
		if err != nil {
			return err
		}
		if err := complete(ctx, cl, key, v); err != nil {
			return err
		}
		return a.done(noun, keyField, key, "completed")
	})
	return cmd
}

// jobsFailCommand is wf jobs fail.
func (a *app) jobsFailCommand() *cobra.Command {
	var (
		retries int32
		message string
		backoff time.Duration
		vars    string
	)
	cmd := &cobra.Command{
		Use:   "fail <jobKey> --retries N",
		Short: "Fail an activated job",
		Long: "Report that an activated job failed, with the retries it has left. With --retries 0 the\n" +
			"engine raises an incident; --backoff delays the next activation.",
		Example: "  wf jobs fail 2251799813685260 --retries 2 --message 'card declined' --backoff 30s",
		Args:    args("<jobKey>"),
	}
	f := cmd.Flags()
	f.Int32Var(&retries, "retries", 0, "retries left after this failure (0 raises an incident)")
	f.StringVar(&message, "message", "", "error message")
	f.DurationVar(&backoff, "backoff", 0, "delay before the job can be activated again")
	f.StringVar(&vars, "variables", "", "variables to set in the task's scope: a JSON object, @file or @-")
	_ = cmd.MarkFlagRequired("retries")
	cmd.RunE = a.runE(func(ctx context.Context, args []string) error {
		key, err := parseKey("<jobKey>", args[0])
		if err != nil {
			return err
		}
		switch {
		case retries < 0:
			return usageErrorf("--retries: expected 0 or more, got %d", retries)
		case backoff < 0:
			return usageErrorf("--backoff: expected a positive duration, got %s", backoff)
		}
		v, err := a.variables("--variables", vars)
		if err != nil {
			return err
		}
		cl, err := a.client()
		if err != nil {
			return err
		}
		req := client.FailJobRequest{Retries: retries, ErrorMessage: message, RetryBackoff: backoff}
		if v != nil {
			req.Variables = v
		}
		if err := cl.FailJob(ctx, key, req); err != nil {
			return err
		}
		return a.done("job", "jobKey", key, "failed")
	})
	return cmd
}
