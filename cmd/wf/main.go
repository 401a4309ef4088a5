package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/oauth2"

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
	// exitAuth means the engine refused the credentials (HTTP 401) or the
	// caller's roles (HTTP 403), or the OAuth2 token endpoint refused the
	// client credentials.
	exitAuth = 4
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
	if ce := a.credentialsError(err); ce != nil {
		return ce
	}
	var p *client.Problem
	if errors.As(err, &p) {
		code := exitFailure
		switch p.Status {
		case http.StatusNotFound:
			code = exitNotFound
		case http.StatusUnauthorized, http.StatusForbidden:
			code = exitAuth
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
		msg := title
		if detail != "" {
			msg += ": " + oneLine(detail)
		}
		if p.Status == http.StatusUnauthorized {
			msg += " " + a.credentialsHint()
		}
		return &cmdError{code: code, msg: msg}
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

// credentialsError classifies an error of getting credentials: a token
// endpoint that refused the client is exit code 4, one that could not be
// reached 1. It never shows a secret nor the token endpoint's answer.
func (a *app) credentialsError(err error) *cmdError {
	var ce *client.CredentialsError
	if !errors.As(err, &ce) {
		return nil
	}
	endpoint := "the token endpoint"
	if a.creds.TokenURL != "" {
		endpoint += " " + a.creds.TokenURL
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil {
		why := re.ErrorCode
		if why == "" {
			why = http.StatusText(re.Response.StatusCode)
		}
		if re.Response.StatusCode >= 500 {
			return &cmdError{code: exitFailure, msg: fmt.Sprintf("cannot get an access token from %s: HTTP %d %s", endpoint, re.Response.StatusCode, why)}
		}
		return &cmdError{code: exitAuth, msg: fmt.Sprintf("%s refused the client credentials of %s: HTTP %d %s", endpoint, a.creds.AuthFrom, re.Response.StatusCode, why)}
	}
	if errors.Is(err, context.Canceled) {
		return &cmdError{code: exitFailure, msg: "interrupted"}
	}
	inner := ce.Err
	var ue *url.Error
	if errors.As(err, &ue) {
		inner = ue.Err
	}
	return &cmdError{code: exitFailure, msg: fmt.Sprintf("cannot get an access token from %s: %s", endpoint, oneLine(inner.Error()))}
}

// credentialsHint says which credentials the engine refused, and where
// they came from, without showing them.
func (a *app) credentialsHint() string {
	c := a.creds
	switch {
	case c.Auth == nil:
		return fmt.Sprintf("(wf sent no credentials: set --token, WF_TOKEN or the auth of profile %q; see 'wf --help' and docs/cli.md)", c.Profile)
	case c.AuthType == "oauth2":
		return fmt.Sprintf("(wf sent an access token from %s for the client credentials of %s; it fetched a new one and the engine refused that too)", c.TokenURL, c.AuthFrom)
	case c.AuthType == "basic":
		return fmt.Sprintf("(wf sent the user name and password of %s)", c.AuthFrom)
	}
	return fmt.Sprintf("(wf sent the bearer token of %s)", c.AuthFrom)
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
