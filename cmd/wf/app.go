package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/example/wf-engine/sdk/client"
)

// userAgent is the User-Agent wf sends.
const userAgent = "wf-cli"

// app is one invocation of wf: its streams, environment and global flags.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	env            func(string) string

	// Global flags.
	configFlag  string
	profileFlag string
	addressFlag string
	tokenFlag   string
	output      string

	// address and profile are the engine address and profile in use, set
	// by client; address names the engine in error messages.
	address, profile string
	// creds is how the client authenticates, set by client, for the
	// messages of refused requests.
	creds settings
}

// rootCommand builds the command tree. It is built anew for every run, so
// no state survives between invocations.
func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "wf",
		Short: "Command-line client of wf-engine",
		Long: "wf deploys and validates BPMN models and drives a wf-engine over its REST API:\n" +
			"process instances, jobs, user tasks, incidents and messages.",
		SilenceErrors:     true,
		SilenceUsage:      true,
		CompletionOptions: cobra.CompletionOptions{DisableDefaultCmd: true},
		Version:           versionLine(),
		PersistentPreRunE: func(*cobra.Command, []string) error {
			switch a.output {
			case formatTable, formatJSON, formatYAML:
				return nil
			}
			return usageErrorf("--output: expected table, json or yaml, got %q", a.output)
		},
	}
	root.SetVersionTemplate("wf {{.Version}}\n")
	pf := root.PersistentFlags()
	pf.StringVar(&a.configFlag, "config", "", "configuration file (default $XDG_CONFIG_HOME/wf/config.yaml)")
	pf.StringVar(&a.profileFlag, "profile", "", "profile of the configuration file to use (env WF_PROFILE)")
	pf.StringVar(&a.addressFlag, "address", "", "engine address, e.g. http://127.0.0.1:8080 (env WF_ADDRESS)")
	pf.StringVar(&a.tokenFlag, "token", "", "bearer token; beats WF_TOKEN and the profile's auth (prefer WF_TOKEN or a profile: a flag shows in the process list and shell history)")
	pf.StringVarP(&a.output, "output", "o", formatTable, "output format: table, json or yaml")

	create := group("create", "Create engine entities")
	create.AddCommand(a.createInstanceCommand())
	publish := group("publish", "Publish messages")
	publish.AddCommand(a.publishMessageCommand())
	broadcast := group("broadcast", "Broadcast signals")
	broadcast.AddCommand(a.broadcastSignalCommand())
	jobs := group("jobs", "Activate, complete and fail jobs")
	jobs.AddCommand(a.jobsActivateCommand(), a.jobsCompleteCommand(), a.jobsFailCommand())
	tasks := group("tasks", "List, assign and complete user tasks")
	tasks.AddCommand(a.tasksListCommand(), a.tasksAssignCommand(), a.tasksCompleteCommand())
	incidents := group("incidents", "List and resolve incidents")
	incidents.AddCommand(a.incidentsListCommand(), a.incidentsResolveCommand())

	root.AddCommand(
		a.deployCommand(), a.validateCommand(), create, a.cancelCommand(), a.instancesCommand(),
		a.instanceCommand(), jobs, publish, broadcast, tasks, incidents, a.statusCommand(), a.whoamiCommand(), a.completionCommand(root),
	)
	return root
}

// group is a command that only holds subcommands: run without one, or with
// an unknown one, it is a usage error.
func group(name, short string) *cobra.Command {
	return &cobra.Command{
		Use:   name,
		Short: short,
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var names []string
			for _, c := range cmd.Commands() {
				if c.IsAvailableCommand() {
					names = append(names, c.Name())
				}
			}
			if len(args) > 0 {
				return usageErrorf("unknown command %q; expected one of %s (see '%s --help')", args[0], strings.Join(names, ", "), cmd.CommandPath())
			}
			return usageErrorf("expected a command: %s (see '%s --help')", strings.Join(names, ", "), cmd.CommandPath())
		},
	}
}

// runner is the body of a command: it gets the context and the arguments.
type runner func(ctx context.Context, args []string) error

// runE adapts a command body to cobra and classifies its errors, so that
// run can tell them from cobra's own usage errors.
func (a *app) runE(f runner) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if err := f(cmd.Context(), args); err != nil {
			return a.classify(err)
		}
		return nil
	}
}

// args checks the number of positional arguments, naming the missing or
// the extra ones.
func args(names ...string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, got []string) error {
		switch {
		case len(got) < len(names):
			return usageErrorf("missing argument %s (usage: %s)", strings.Join(names[len(got):], " "), cmd.UseLine())
		case len(got) > len(names):
			return usageErrorf("unexpected argument %q (usage: %s)", got[len(names)], cmd.UseLine())
		}
		return nil
	}
}

// atLeastOne requires one or more positional arguments.
func atLeastOne(name string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, got []string) error {
		if len(got) == 0 {
			return usageErrorf("missing argument %s (usage: %s)", name, cmd.UseLine())
		}
		return nil
	}
}

// dialTimeout bounds connecting to the engine; requests themselves are
// bounded by the command (job activation long-polls).
const dialTimeout = 10 * time.Second

// client returns a client for the engine the configuration selects.
func (a *app) client() (*client.Client, error) {
	s, err := a.settings()
	if err != nil {
		return nil, err
	}
	a.address, a.profile, a.creds = s.Address, s.Profile, s
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}).DialContext
	opts := []client.Option{
		client.WithUserAgent(userAgent),
		client.WithHTTPClient(&http.Client{Transport: tr}),
	}
	if s.Auth != nil {
		opts = append(opts, client.WithAuth(s.Auth))
	}
	cl, err := client.New(s.Address, opts...)
	if err != nil {
		return nil, usageErrorf("address %q: %v", s.Address, err)
	}
	return cl, nil
}

// fmtTime renders a time for tables: local time to the second, "-" when
// unset.
func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04:05")
}

// dash renders an empty string as "-".
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// fmtKey renders a key for tables, "-" when unset.
func fmtKey(k int64) string {
	if k == 0 {
		return "-"
	}
	return fmt.Sprint(k)
}
