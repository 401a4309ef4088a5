package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/example/wf-engine/plugins/host"
)

const pluginUsage = "usage: wf-engine plugin check <binary>"

// runPlugin runs `wf-engine plugin <sub-command>`. The only sub-command is
// `check <binary>`: it starts the plugin binary and runs the connector
// checks that need no per-connector input, printing PASS or FAIL per check.
func runPlugin(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New(pluginUsage)
	}
	switch args[0] {
	case "check":
		if len(args) != 2 || strings.HasPrefix(args[1], "-") {
			return errors.New(pluginUsage)
		}
		return host.Check(ctx, args[1], out)
	}
	return fmt.Errorf("unknown plugin command %q (%s)", args[0], pluginUsage)
}
