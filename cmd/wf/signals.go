package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/example/wf-engine/sdk/client"
)

// broadcastSignalCommand is wf broadcast signal.
func (a *app) broadcastSignalCommand() *cobra.Command {
	var vars string
	cmd := &cobra.Command{
		Use:   "signal <name>",
		Short: "Broadcast a signal",
		Long: "Broadcast a signal to every signal catch, boundary and start event waiting for it now.\n" +
			"Signals are never buffered: an instance that waits later does not get it.",
		Example: "  wf broadcast signal stock-arrived --variables '{\"sku\": \"A-1\"}'",
		Args:    args("<name>"),
	}
	cmd.Flags().StringVar(&vars, "variables", "", "variables: a JSON object, @file or @- for standard input")
	cmd.RunE = a.runE(func(ctx context.Context, args []string) error {
		v, err := a.variables("--variables", vars)
		if err != nil {
			return err
		}
		cl, err := a.client()
		if err != nil {
			return err
		}
		req := client.BroadcastSignalRequest{SignalName: args[0]}
		if v != nil {
			req.Variables = v
		}
		sb, err := cl.BroadcastSignal(ctx, req)
		if err != nil {
			return err
		}
		return a.print(sb, func(tw *tabwriter.Writer) {
			fmt.Fprintf(tw, "signal %s broadcast (key %d)\n", args[0], sb.SignalKey)
		})
	})
	return cmd
}
