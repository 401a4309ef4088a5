package main

import (
	"context"

	"github.com/spf13/cobra"
)

// completionCommand is wf completion: shell completion scripts.
func (a *app) completionCommand(root *cobra.Command) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "completion bash|zsh|fish",
		Short: "Print a shell completion script",
		Long: "Print the completion script of a shell. Load it in the current shell with, for bash,\n" +
			"'source <(wf completion bash)'; see docs/cli.md for zsh and fish.",
		Example:   "  wf completion bash > /etc/bash_completion.d/wf\n  wf completion zsh > \"${fpath[1]}/_wf\"\n  wf completion fish > ~/.config/fish/completions/wf.fish",
		ValidArgs: []string{"bash", "zsh", "fish"},
		Args:      args("bash|zsh|fish"),
	}
	cmd.RunE = a.runE(func(_ context.Context, args []string) error {
		switch args[0] {
		case "bash":
			return root.GenBashCompletionV2(a.stdout, true)
		case "zsh":
			return root.GenZshCompletion(a.stdout)
		case "fish":
			return root.GenFishCompletion(a.stdout, true)
		}
		return usageErrorf("unsupported shell %q: expected bash, zsh or fish", args[0])
	})
	return cmd
}
