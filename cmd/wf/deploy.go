package main

import (
	"context"
	"fmt"
	"path/filepath"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/example/wf-engine/sdk/client"
)

// deployCommand is wf deploy: all files go into one deployment, which the
// engine accepts or rejects as a whole.
func (a *app) deployCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "deploy <file.bpmn>...",
		Short: "Deploy BPMN models in one deployment",
		Long: "Deploy BPMN models. All files go into one deployment that the engine accepts or rejects\n" +
			"as a whole; a rejection lists every problem of every file. A file that did not change\n" +
			"keeps its version.",
		Example: "  wf deploy order.bpmn payment.bpmn\n  wf deploy -o json order.bpmn",
		Args:    atLeastOne("<file.bpmn>"),
	}
	cmd.RunE = a.runE(func(ctx context.Context, args []string) error {
		res := make([]client.Resource, 0, len(args))
		for _, p := range args {
			b, err := readFile(p)
			if err != nil {
				return usageErrorf("read %s: %v", p, err)
			}
			res = append(res, client.Resource{Name: filepath.Base(p), Content: b})
		}
		cl, err := a.client()
		if err != nil {
			return err
		}
		d, err := cl.Deploy(ctx, client.DeployRequest{Resources: res})
		if err != nil {
			return err
		}
		return a.print(d, func(tw *tabwriter.Writer) {
			fmt.Fprintf(tw, "deployment %d\n", d.DeploymentKey)
			fmt.Fprintln(tw, "PROCESS\tVERSION\tKEY\tRESOURCE")
			for _, p := range d.Processes() {
				fmt.Fprintf(tw, "%s\t%d\t%d\t%s\n", p.ProcessDefinitionID, p.ProcessDefinitionVersion, p.ProcessDefinitionKey, p.ResourceName)
			}
		})
	})
	return cmd
}
