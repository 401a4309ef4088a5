package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"github.com/example/wf-engine/api/auth"
)

// runUser runs `wf-engine user hash [--cost N]`: it reads a password from
// the first line of in (never from a flag, which shells keep in their
// history and ps shows) and prints its bcrypt hash for auth.basic.users.
func runUser(args []string, in io.Reader, out io.Writer) error {
	if len(args) == 0 || args[0] != "hash" {
		return errors.New("usage: wf-engine user hash [--cost N] < password-file (the password is read from standard input)")
	}
	fs := pflag.NewFlagSet("wf-engine user hash", pflag.ContinueOnError)
	fs.SetOutput(out)
	cost := fs.Int("cost", 12, "bcrypt cost (10 to 31)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errors.New("wf-engine user hash reads the password from standard input, not from arguments")
	}
	line, err := bufio.NewReader(io.LimitReader(in, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read the password: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	if password == "" {
		return errors.New("no password on standard input")
	}
	hash, err := auth.HashPassword(password, *cost)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(out, hash)
	return err
}
