// Command testissuer runs authtest's OIDC issuer as a separate process, for
// end-to-end tests only: it prints its URL on stdout once it listens, and
// stops on SIGTERM, SIGINT or when its stdin closes. It listens only on
// loopback.
//
//	testissuer -addr 127.0.0.1:0 -audience wf-engine -client worker:s3cret:worker
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/example/wf-engine/api/auth/authtest"
)

// clientFlags collects repeated -client flags.
type clientFlags []authtest.Client

func (c *clientFlags) String() string { return fmt.Sprint(len(*c), " clients") }

func (c *clientFlags) Set(s string) error {
	cl, err := authtest.ParseClient(s)
	if err != nil {
		return err
	}
	*c = append(*c, cl)
	return nil
}

func main() {
	var clients clientFlags
	addr := flag.String("addr", "127.0.0.1:0", "listen address (loopback only)")
	audience := flag.String("audience", "wf-engine", "aud of the tokens")
	ttl := flag.Duration("ttl", 5*time.Minute, "lifetime of the tokens")
	flag.Var(&clients, "client", "a client as id:secret[:role,role[:tenant,tenant]] (repeatable)")
	flag.Parse()

	is, err := authtest.Start(authtest.Options{Addr: *addr, Audience: *audience, Clients: clients, TokenTTL: *ttl})
	if err != nil {
		fmt.Fprintln(os.Stderr, "testissuer:", err)
		os.Exit(1)
	}
	fmt.Println(is.URL())

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	stdinClosed := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		close(stdinClosed)
	}()
	select {
	case <-stop:
	case <-stdinClosed:
	}
	is.Close()
}
