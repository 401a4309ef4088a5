// Command testissuer runs authtest's OIDC issuer as a separate process, for
// end-to-end tests only: it prints its URL on stdout once it listens, and
// stops on SIGTERM, SIGINT or when its stdin closes. It listens only on
// loopback.
//
//	testissuer -addr 127.0.0.1:0 -audience wf-engine -client worker:s3cret:worker
//
// With -user, the clients may also log people in with the authorization-
// code flow (PKCE S256): /authorize approves at once for the user its
// login_hint names, else shows a page with a "Sign in as NAME" button per
// user; /logout is the end-session endpoint.
//
//	testissuer -client wf-engine:s3cret -user alice:user::clerks -user olga:operator
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

// userFlags collects repeated -user flags.
type userFlags []authtest.User

func (u *userFlags) String() string { return fmt.Sprint(len(*u), " users") }

func (u *userFlags) Set(s string) error {
	user, err := authtest.ParseUser(s)
	if err != nil {
		return err
	}
	*u = append(*u, user)
	return nil
}

func main() {
	var clients clientFlags
	var users userFlags
	addr := flag.String("addr", "127.0.0.1:0", "listen address (loopback only)")
	audience := flag.String("audience", "wf-engine", "aud of the tokens")
	ttl := flag.Duration("ttl", 5*time.Minute, "lifetime of the tokens")
	noRefresh := flag.Bool("no-refresh", false, "issue no refresh tokens in the code flow")
	flag.Var(&clients, "client", "a client as id:secret[:role,role[:tenant,tenant]] (repeatable)")
	flag.Var(&users, "user", "a user of the code flow as name[:role,role[:tenant,tenant[:group,group]]] (repeatable)")
	flag.Parse()

	is, err := authtest.Start(authtest.Options{Addr: *addr, Audience: *audience, Clients: clients, Users: users,
		NoRefreshTokens: *noRefresh, TokenTTL: *ttl})
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
