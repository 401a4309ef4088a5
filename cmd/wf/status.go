package main

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/example/wf-engine/sdk/client"
)

// statusView is wf status's answer.
type statusView struct {
	Address  string           `json:"address"`
	Profile  string           `json:"profile"`
	Ready    bool             `json:"ready"`
	Topology *client.Topology `json:"topology"`
}

// statusCommand is wf status.
func (a *app) statusCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show whether the engine is ready, and its topology",
		Long: "Show whether the engine processes commands, and its topology: brokers, partitions,\n" +
			"their roles and health. The exit code is 1 when the engine is not ready.",
		Example: "  wf status\n  wf status --profile staging -o json",
		Args:    args(),
	}
	cmd.RunE = a.runE(func(ctx context.Context, _ []string) error {
		cl, err := a.client()
		if err != nil {
			return err
		}
		ready, err := cl.Status(ctx)
		if err != nil {
			return err
		}
		topo, err := cl.Topology(ctx)
		if err != nil {
			return err
		}
		v := statusView{Address: a.address, Profile: a.profile, Ready: ready, Topology: topo}
		if err := a.print(v, func(tw *tabwriter.Writer) {
			fmt.Fprintf(tw, "ADDRESS\t%s (profile %s)\n", v.Address, v.Profile)
			fmt.Fprintf(tw, "READY\t%s\n", yesNo(ready))
			fmt.Fprintf(tw, "VERSION\t%s\n", dash(topo.GatewayVersion))
			fmt.Fprintf(tw, "CLUSTER\t%d node(s), %d partition(s), replication factor %d\n", topo.ClusterSize, topo.PartitionsCount, topo.ReplicationFactor)
			fmt.Fprintln(tw)
			fmt.Fprintln(tw, "NODE\tHOST\tVERSION\tPARTITION\tROLE\tHEALTH")
			for _, b := range topo.Brokers {
				host := "-"
				if b.Host != "" {
					host = net.JoinHostPort(b.Host, strconv.Itoa(int(b.Port)))
				}
				for _, p := range b.Partitions {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\n", b.NodeID, host, dash(b.Version), p.PartitionID, p.Role, p.Health)
				}
			}
		}); err != nil {
			return err
		}
		if !ready {
			return failure("the engine at %s is not ready", a.address)
		}
		return nil
	})
	return cmd
}
