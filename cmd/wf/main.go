package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/signal"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/example/wf-engine/sdk/client"
)

// Exit codes of wf; docs/cli.md lists them for users.
const (
	// exitOK means the command did what it was asked.
	exitOK = 0
	// exitFailure means the engine refused or failed the request, could not
	// be reached or is not ready, or a model is invalid.
	exitFailure = 1
	// exitUsage means the command line, a flag value, an input file or the
	// configuration is wrong; nothing was sent.
	exitUsage = 2
	// exitNotFound means the engine has no such entity (HTTP 404).
	exitNotFound = 3
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// run executes one wf command line (args without the program name) and
// returns its exit code. Everything it needs from the process comes in as
// arguments, so that tests run it in process.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, env func(string) string) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, env: env}
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	code, msg := exitUsage, cobraMessage(err.Error())
	var ce *cmdError
	if errors.As(err, &ce) {
		code, msg = ce.code, ce.msg
	} else {
		// Errors that did not come out of a command's RunE are cobra's:
		// unknown commands and flags, missing arguments.
		msg += fmt.Sprintf(" (see '%s --help')", cmd.CommandPath())
	}
	_, _ = fmt.Fprintf(stderr, "wf: %s%s\n", where(cmd), msg)
	return code
}

// where is the error prefix naming the command, "" for the root.
func where(cmd *cobra.Command) string {
	if cmd == nil || !cmd.HasParent() {
		return ""
	}
	return strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" ") + ": "
}

// cmdError is an error a command returned, with its exit code and one-line
// text.
type cmdError struct {
	code int
	msg  string
}

// Error implements error.
func (e *cmdError) Error() string { return e.msg }

// usageErrorf is an error of the command line: exit code 2.
func usageErrorf(format string, args ...any) error {
	return &cmdError{code: exitUsage, msg: fmt.Sprintf(format, args...)}
}

// failure is a failed command whose output already told the user why.
func failure(format string, args ...any) error {
	return &cmdError{code: exitFailure, msg: fmt.Sprintf(format, args...)}
}

// rejectedRe matches the engine's prefix of a rejection's detail.
var rejectedRe = regexp.MustCompile(`^Command '[^']*' rejected with code '([^']*)': `)

// classify turns an error of a command into its exit code and one-line
// text: problem details as "TITLE: detail", unreachable engines by address.
func (a *app) classify(err error) *cmdError {
	var ce *cmdError
	if errors.As(err, &ce) {
		return ce
	}
	var p *client.Problem
	if errors.As(err, &p) {
		code := exitFailure
		if p.Status == 404 {
			code = exitNotFound
		}
		title := p.Title
		if title == "" {
			title = fmt.Sprintf("HTTP %d", p.Status)
		}
		detail := p.Detail
		// "Command 'CREATE' rejected with code 'NOT_FOUND': ..." repeats
		// the title; the command is the one the user just ran.
		if m := rejectedRe.FindStringSubmatch(detail); m != nil && m[1] == title {
			detail = detail[len(m[0]):]
		}
		if detail == "" {
			return &cmdError{code: code, msg: title}
		}
		return &cmdError{code: code, msg: title + ": " + oneLine(detail)}
	}
	var ue *url.Error
	var oe *net.OpError
	if errors.As(err, &oe) || errors.As(err, &ue) && !errors.Is(err, context.Canceled) {
		inner := err
		if oe != nil {
			inner = oe
		} else if ue != nil {
			inner = ue.Err
		}
		return &cmdError{code: exitFailure, msg: fmt.Sprintf("cannot reach the engine at %s: %s", a.address, oneLine(inner.Error()))}
	}
	if errors.Is(err, context.Canceled) {
		return &cmdError{code: exitFailure, msg: "interrupted"}
	}
	return &cmdError{code: exitFailure, msg: oneLine(err.Error())}
}

// cobraMessage folds one of cobra's errors into one line, with its
// suggestions: `unknown command "instanc" for "wf" (did you mean instances,
// instance?)`.
func cobraMessage(s string) string {
	head, suggestions, found := strings.Cut(s, "Did you mean this?")
	if !found {
		return oneLine(s)
	}
	return fmt.Sprintf("%s (did you mean %s?)", oneLine(head), strings.Join(strings.Fields(suggestions), ", "))
}

// oneLine folds a multi-line message (a deployment's problem list) into
// one line: "head: first; second".
func oneLine(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if b.Len() > 0 {
			if strings.HasSuffix(b.String(), ":") {
				b.WriteString(" ")
			} else {
				b.WriteString("; ")
			}
		}
		b.WriteString(line)
	}
	return b.String()
}
