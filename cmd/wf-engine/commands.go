package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"
)

// command is one `wf-engine NAME ...` subcommand. Commands that take the
// configuration parse the server's flags (--config, --database.* and the
// rest) and read the same file and WF_* environment the server reads.
type command struct {
	name    string
	args    string // after the name, for the usage line: "up|down|version"
	summary string
	config  bool // takes the server's configuration flags
	// flags declares the command's own flags, besides the configuration's
	// (config commands only); they are no configuration keys.
	flags func(fs *pflag.FlagSet)
	run   func(inv invocation) error
}

// commandFlag annotates the flags a command declares for itself, which
// loadConfig passes over.
const commandFlag = "wf-engine/command-flag"

// invocation is what a command runs with.
type invocation struct {
	ctx  context.Context
	args []string // positional arguments after the name (flags removed when config)
	cfg  Config   // the effective configuration, when the command takes it
	fs   *pflag.FlagSet
	// environ is the process environment, for commands that load the
	// configuration themselves.
	environ func() []string
	in      io.Reader
	out     io.Writer
}

// commands lists every subcommand; `wf-engine --help` prints them in this
// order.
func commands() []command {
	return []command{
		{name: "migrate", args: "up|down|version", summary: "apply, undo or show the store's schema migrations", config: true,
			run: func(inv invocation) error {
				if len(inv.args) != 1 {
					return errors.New("usage: wf-engine migrate up|down|version [flags]")
				}
				return migrate(inv.ctx, inv.cfg.Database, inv.args[0], inv.out)
			}},
		{name: "replaycheck", summary: "replay the command log and compare the result with the stored state", config: true,
			run: func(inv invocation) error {
				if len(inv.args) > 0 {
					return errors.New("usage: wf-engine replaycheck [flags]")
				}
				return checkReplay(inv.ctx, inv.cfg, inv.out)
			}},
		{name: "backup", args: "--to FILE [--force]", summary: "write a consistent copy of the embedded SQLite store, also while the engine runs", config: true,
			flags: backupFlags, run: runBackup},
		{name: "restore", args: "--from FILE [--force]", summary: "put a backup in place of the embedded SQLite store (engine stopped) and check it", config: true,
			flags: restoreFlags, run: runRestore},
		{name: "audit", args: "verify", summary: "verify the hash chain of the command log", config: true,
			run: func(inv invocation) error {
				return runAudit(inv.ctx, inv.cfg, inv.args, inv.out)
			}},
		{name: "config", args: "print [flags] | check FILE", summary: "print the effective configuration (secrets redacted) or check a configuration file",
			run: runConfig},
		{name: "plugin", args: "check <binary>", summary: "start a connector plugin and check its handshake",
			run: func(inv invocation) error { return runPlugin(inv.ctx, inv.args, inv.out) }},
		{name: "user", args: "hash [--cost N] < password-file", summary: "print the bcrypt hash of a password for auth.basic.users",
			run: func(inv invocation) error { return runUser(inv.args, inv.in, inv.out) }},
		{name: "healthcheck", summary: "ask the engine of this configuration (http.address) whether it is ready; exit 0 if so", config: true,
			flags: healthcheckFlags, run: runHealthcheck},
	}
}

// findCommand returns the command called name.
func findCommand(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool {
	return arg == "--help" || arg == "-h" || arg == "help"
}

// printUsage writes the top-level help: how to start the server and every
// subcommand.
func printUsage(out io.Writer) error {
	var b strings.Builder
	b.WriteString("usage: wf-engine [flags]            start the engine (see --help for the flags below)\n")
	b.WriteString("       wf-engine COMMAND [args] [flags]\n\ncommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-12s %s\n", c.name, c.summary)
	}
	b.WriteString("\nEvery command answers --help. Configuration: defaults, then the YAML file of --config,\n")
	b.WriteString("then WF_* environment variables (WF_DATABASE_URL for database.url), then flags.\n\nflags:\n")
	if _, err := io.WriteString(out, b.String()); err != nil {
		return err
	}
	fs := flagSet()
	fs.SetOutput(out)
	fs.PrintDefaults()
	return nil
}

// printCommandUsage writes one command's help.
func printCommandUsage(out io.Writer, c command) error {
	line := "usage: wf-engine " + c.name
	if c.args != "" {
		line += " " + c.args
	}
	if c.config {
		line += " [flags]"
	}
	if _, err := fmt.Fprintf(out, "%s\n\n%s.\n", line, c.summary); err != nil {
		return err
	}
	if !c.config {
		return nil
	}
	if c.flags != nil {
		_, _ = io.WriteString(out, "\nflags of this command:\n")
		own := pflag.NewFlagSet(c.name, pflag.ContinueOnError)
		c.flags(own)
		own.SetOutput(out)
		own.PrintDefaults()
	}
	_, _ = io.WriteString(out, "\nflags (the server's configuration, of which this command uses what it needs):\n")
	fs := flagSet()
	fs.SetOutput(out)
	fs.PrintDefaults()
	return nil
}

// runCommand runs c with args (everything after its name).
func runCommand(ctx context.Context, c command, args []string, environ func() []string, in io.Reader, out io.Writer) error {
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "--help" || a == "-h" {
			return printCommandUsage(out, c)
		}
	}
	inv := invocation{ctx: ctx, args: args, environ: environ, in: in, out: out}
	if !c.config {
		return c.run(inv)
	}
	fs := flagSet()
	fs.SetOutput(out)
	if c.flags != nil {
		own := pflag.NewFlagSet(c.name, pflag.ContinueOnError)
		c.flags(own)
		own.VisitAll(func(f *pflag.Flag) { f.Annotations = map[string][]string{commandFlag: {"true"}} })
		fs.AddFlagSet(own)
	}
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("wf-engine %s: %w", c.name, err)
	}
	cfg, err := loadConfig(fs, environ)
	if err != nil {
		return err
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	inv.args, inv.cfg, inv.fs = fs.Args(), cfg, fs
	return c.run(inv)
}
