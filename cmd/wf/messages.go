package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/example/wf-engine/sdk/client"
)

// publishMessageCommand is wf publish message.
func (a *app) publishMessageCommand() *cobra.Command {
	var (
		correlationKey, vars, id string
		ttl                      time.Duration
	)
	cmd := &cobra.Command{
		Use:   "message <name>",
		Short: "Publish a message",
		Long: "Publish a message to the instances that wait for it with the same correlation key.\n" +
			"With --ttl the engine buffers it that long for instances that wait later.",
		Example: "  wf publish message paid --correlation-key A-1 --variables '{\"amount\": 42}' --ttl 1h",
		Args:    args("<name>"),
	}
	f := cmd.Flags()
	f.StringVar(&correlationKey, "correlation-key", "", "correlation key")
	f.StringVar(&vars, "variables", "", "variables: a JSON object, @file or @- for standard input")
	f.DurationVar(&ttl, "ttl", 0, "how long the engine buffers the message when nothing waits for it")
	f.StringVar(&id, "id", "", "message id: a second message with the same name and id is refused while the first is buffered")
	cmd.RunE = a.runE(func(ctx context.Context, args []string) error {
		if ttl < 0 {
			return usageErrorf("--ttl: expected a positive duration or 0, got %s", ttl)
		}
		v, err := a.variables("--variables", vars)
		if err != nil {
			return err
		}
		cl, err := a.client()
		if err != nil {
			return err
		}
		req := client.PublishMessageRequest{Name: args[0], CorrelationKey: correlationKey, TimeToLive: ttl, MessageID: id}
		if v != nil {
			req.Variables = v
		}
		mp, err := cl.PublishMessage(ctx, req)
		if err != nil {
			return err
		}
		return a.print(mp, func(tw *tabwriter.Writer) {
			fmt.Fprintf(tw, "message %s published (key %d)\n", args[0], mp.MessageKey)
		})
	})
	return cmd
}
